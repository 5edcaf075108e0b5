import Foundation
import SegMetrics

/// The scoring configuration a partial file records: what must be equal for shards to be merged
/// (the definition the JSON report's `config` renders, and what decides which pairs exist and how
/// they are read). Two partials merge only when their configurations are equal.
public struct ScoringConfiguration: Codable, Equatable, Sendable {
    var variant: String
    var formula: String
    var empty: String
    var smoothNumerator: [Double]
    var smoothDenominator: [Double]
    var binarize: String?
    var threshold: [Double]
    var denominatorFloor: Double?
    var activation: String?
    var gtEncoding: String
    var predEncoding: String
    var pages: String
    var missing: String
    var includeBackground: Bool?
    var ignoreLabels: [Int]
    var classes: [Int]?
    var classNames: [String]?
    var regions: [String]
    var nnunetKeys: [String]
    var fileEnding: String?
    var flat: Bool
    var gtSuffixes: [String]
    var predSuffixes: [String]
    var roiSuffixes: [String]
    var keyRegex: String?
    var roiDir: String?
    var maxSamples: UInt64
    var maxDepth: Int?

    /// The configuration of `options`.
    public init(_ options: EvaluationOptions) {
        let v = options.variant
        variant = v.name
        formula = v.formulaText
        empty = v.empty.rawValue
        smoothNumerator = v.smoothing.numerator
        smoothDenominator = v.smoothing.denominator
        binarize = v.isHard ? v.binarization.name : nil
        threshold = options.thresholds
        denominatorFloor = v.denominatorFloor
        activation = v.activation == .none ? nil : v.activation.rawValue
        gtEncoding = options.truthEncoding.rawValue
        predEncoding = options.predictionEncoding.rawValue
        pages = "\(options.pages)"
        missing = options.missing.rawValue
        includeBackground = options.includeBackground
        ignoreLabels = options.ignoreLabels
        classes = options.explicitClasses
        classNames = options.explicitClasses.map { $0.map(options.name(of:)) }
        regions = options.regions.sorted { $0.key < $1.key }.map {
            "\($0.key):\($0.value.map(String.init).joined(separator: ","))"
        }
        nnunetKeys = options.nnunetKeys.map { "\($0.id):\($0.key)" }
        fileEnding = options.labels?.fileEnding
        flat = options.keyRule.flat
        gtSuffixes = options.keyRule.truthSuffixes
        predSuffixes = options.keyRule.predictionSuffixes
        roiSuffixes = options.keyRule.roiSuffixes
        keyRegex = options.keyRule.keyPattern
        roiDir = options.roiFolder
        maxSamples = options.maxSamples
        maxDepth = options.maxDepth
    }

    /// The names of the fields that differ from `other`'s, in declaration order.
    public func differences(from other: ScoringConfiguration) -> [String] {
        let mine = Mirror(reflecting: self).children
        let theirs = Mirror(reflecting: other).children
        return zip(mine, theirs).compactMap { a, b in
            String(describing: a.value) == String(describing: b.value) ? nil : a.label
        }
    }
}

/// The JSON header of a partial file (its second line); see docs/partial-format.md.
struct PartialHeader: Codable {
    struct Pair: Codable {
        /// The pairing key.
        var key: String
        /// The ground-truth path.
        var gt: String
        /// UTF-8 byte offset of the key in `gt`.
        var keyAt: Int
        /// The prediction path; nil when scored against an empty prediction.
        var pred: String?
        /// The region-of-interest path (`--roi-dir`); nil without one. Read again when overlays are drawn.
        var roi: String?
    }
    struct Problem: Codable {
        var key: String?
        var path: String
        var message: String
    }
    struct File: Codable {
        var key: String
        var path: String
        var relative: String
    }
    struct Tally: Codable {
        var binary: Int
        var labels: Int
        /// Keys of the first (smallest-key) pair read each way.
        var firstBinary: String?
        var firstLabels: String?
    }
    struct ManyIDs: Codable {
        /// Key of the first pair with many ids, and its number of ids.
        var key: String
        var ids: Int
    }
    struct Notes: Codable {
        var gtReadings: Tally
        var predReadings: Tally
        var gtManyIDs: ManyIDs?
        var predManyIDs: ManyIDs?
        var gtManyIDsCount: Int
        var predManyIDsCount: Int
        var channelPairs: Int
        var labelPairs: Int
        /// Pairs whose prediction declares another spacing than its ground truth, and the key of the first.
        var spacingMismatches: Int
        var firstSpacingMismatch: String?
        /// The geometry warnings of the shard's first pairs, with their keys, and how many of its
        /// pairs have one (nil in files of 0.3.2 and earlier, which listed them all).
        var geometryWarnings: [KeyedWarning]
        var geometryCount: Int?
        /// Label values a nnU-Net labels file does not declare: files holding each, and the first.
        var undeclared: [Undeclared]
    }
    struct KeyedWarning: Codable {
        var key: String
        var text: String
    }
    struct Undeclared: Codable {
        var id: Int
        var files: Int
        var first: String
        var firstKey: String
    }
    /// The pooled confusion counts: (truth id, predicted id, pixels) triples, id −1 = not scored.
    struct Confusion: Codable {
        var complete: Bool
        var cells: [[Int]]
    }

    var segscore: String
    var shard: Int
    var shards: Int
    /// The evaluate command's arguments after `evaluate`, without --shard/--partial and without
    /// the output and gate options.
    var arguments: [String]
    var config: ScoringConfiguration
    var gt: String
    var pred: String
    var pairs: [Pair]
    var problems: [Problem]
    var pairProblems: [Problem]
    var warnings: [String]
    var unmatchedGT: [File]
    var unmatchedPred: [File]
    var ignoredFiles: Int
    var nothingPaired: Bool
    var classesPresent: [Int]
    var notes: Notes
    var confusion: Confusion
    /// Names of the encodings the rows' encoding numbers index.
    var encodings: [String]
    /// Number of rows after the header.
    var rows: Int
    /// Start (seconds since 1970) and wall-clock seconds of the shard's run.
    var started: Double
    var seconds: Double
}
