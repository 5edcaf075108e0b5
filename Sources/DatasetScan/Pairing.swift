import Foundation

/// How file names become pairing keys.
public struct KeyRule: Sendable {
    /// Match on the file name alone instead of the relative path.
    public var flat: Bool
    /// Suffixes stripped from ground-truth stems (`_mask`, `_manual1`), the first that matches.
    public var truthSuffixes: [String]
    /// Suffixes stripped from prediction stems (`_pred`).
    public var predictionSuffixes: [String]
    /// Suffixes stripped from region-of-interest stems (`_test_mask`).
    public var roiSuffixes: [String]
    /// A pattern whose named group `key` takes the key from the stem (after suffix stripping).
    public var keyPattern: String?

    public init(
        flat: Bool = false, truthSuffixes: [String] = [], predictionSuffixes: [String] = [], roiSuffixes: [String] = [],
        keyPattern: String? = nil
    ) {
        self.flat = flat
        self.truthSuffixes = truthSuffixes
        self.predictionSuffixes = predictionSuffixes
        self.roiSuffixes = roiSuffixes
        self.keyPattern = keyPattern
    }

    /// Checks the pattern once, before any file is looked at.
    /// - Throws: `ScanError.badKeyPattern` when it does not compile or has no `key` group.
    public func validated() throws(ScanError) -> CompiledKeyRule {
        var regex: NSRegularExpression?
        if let keyPattern {
            do {
                regex = try NSRegularExpression(pattern: keyPattern)
            } catch {
                throw .badKeyPattern(pattern: keyPattern, reason: "does not compile")
            }
            guard keyPattern.contains("(?<key>") else {
                throw .badKeyPattern(pattern: keyPattern, reason: "needs a named group (?<key>…)")
            }
        }
        return CompiledKeyRule(rule: self, regex: regex)
    }
}

/// Which folder a file comes from: each has its own suffixes.
public enum PairSide: Sendable {
    case truth, prediction, roi
}

/// A `KeyRule` whose pattern compiled.
public struct CompiledKeyRule: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented thread-safe for matching.
    public let rule: KeyRule
    let regex: NSRegularExpression?

    /// The key of a file: its relative path (or name, with `flat`) without extension, less the
    /// side's suffix, narrowed by the pattern. Nil when the pattern does not match.
    public func key(for file: MaskFile, side: PairSide) -> String? {
        var path = rule.flat ? String(file.relativePath.split(separator: "/").last ?? "") : file.relativePath
        let lastSlash = path.lastIndex(of: "/")
        if let dot = path.lastIndex(of: "."), lastSlash.map({ dot > $0 }) ?? true, dot != path.startIndex {
            path = String(path[..<dot])
        }
        let suffixes: [String]
        switch side {
        case .truth: suffixes = rule.truthSuffixes
        case .prediction: suffixes = rule.predictionSuffixes
        case .roi: suffixes = rule.roiSuffixes
        }
        for suffix in suffixes where !suffix.isEmpty && path.hasSuffix(suffix) {
            path = String(path.dropLast(suffix.count))
            break
        }
        guard let regex else { return path }
        let range = NSRange(path.startIndex..., in: path)
        guard let match = regex.firstMatch(in: path, range: range),
            let keyRange = Range(match.range(withName: "key"), in: path)
        else { return nil }
        return String(path[keyRange])
    }
}

/// A ground-truth file with its prediction (nil when missing and `--missing empty`) and ROI.
public struct MaskPair: Sendable, Hashable {
    public var key: String
    public var truth: MaskFile
    public var prediction: MaskFile?
    public var roi: MaskFile?

    public init(key: String, truth: MaskFile, prediction: MaskFile?, roi: MaskFile? = nil) {
        self.key = key
        self.truth = truth
        self.prediction = prediction
        self.roi = roi
    }
}

/// What `--missing` does with a ground-truth file that has no prediction.
public enum MissingPolicy: String, Sendable, CaseIterable {
    /// An error: listed, exit code 3.
    case fail
    /// Scored against an empty prediction.
    case empty
    /// Left out, with a warning.
    case skip
}

/// Every file accounted for: the pairs, and what could not be paired.
public struct PairingReport: Sendable {
    /// Pairs in key order.
    public var pairs: [MaskPair]
    /// Ground-truth files without a prediction.
    public var unmatchedTruth: [MaskFile]
    /// Predictions without ground truth (never scored).
    public var unmatchedPredictions: [MaskFile]
    /// Keys that two or more files of one side map to, with every path: an error each.
    public var duplicates: [(key: String, paths: [String])]
    /// Files whose name the key pattern does not match: not paired.
    public var unkeyed: [MaskFile]
    /// Pairs whose ROI file is missing under `--roi-dir`: an error each.
    public var missingROI: [String]

    public init(
        pairs: [MaskPair], unmatchedTruth: [MaskFile], unmatchedPredictions: [MaskFile],
        duplicates: [(key: String, paths: [String])], unkeyed: [MaskFile], missingROI: [String]
    ) {
        self.pairs = pairs
        self.unmatchedTruth = unmatchedTruth
        self.unmatchedPredictions = unmatchedPredictions
        self.duplicates = duplicates
        self.unkeyed = unkeyed
        self.missingROI = missingROI
    }
}

/// Pairs ground truth with predictions (and ROI masks) by key.
/// - Parameters:
///   - missing: what happens to ground truth without a prediction (`fail` keeps it in
///     `unmatchedTruth` for the caller to report; `empty` pairs it with no prediction; `skip` too
///     keeps it in `unmatchedTruth`, and the caller warns).
/// - Complexity: O(n log n) in files.
public func pairFiles(
    truth: [MaskFile], predictions: [MaskFile], roi: [MaskFile]? = nil, rule: CompiledKeyRule,
    missing: MissingPolicy = .fail
) -> PairingReport {
    var unkeyed: [MaskFile] = []
    func index(_ files: [MaskFile], side: PairSide) -> [String: [MaskFile]] {
        var byKey: [String: [MaskFile]] = [:]
        for file in files {
            guard let key = rule.key(for: file, side: side) else {
                unkeyed.append(file)
                continue
            }
            byKey[key, default: []].append(file)
        }
        return byKey
    }
    let truthByKey = index(truth, side: .truth)
    let predictionByKey = index(predictions, side: .prediction)
    let roiByKey = roi.map { index($0, side: .roi) } ?? [:]
    var duplicates: [(key: String, paths: [String])] = []
    for (key, files) in truthByKey where files.count > 1 { duplicates.append((key, files.map(\.path).sorted())) }
    for (key, files) in predictionByKey where files.count > 1 { duplicates.append((key, files.map(\.path).sorted())) }
    duplicates.sort { $0.key == $1.key ? $0.paths.lexicographicallyPrecedes($1.paths) : $0.key < $1.key }
    let duplicateKeys = Set(duplicates.map(\.key))

    var pairs: [MaskPair] = []
    var unmatchedTruth: [MaskFile] = []
    var missingROI: [String] = []
    for key in truthByKey.keys.sorted() where !duplicateKeys.contains(key) {
        let file = truthByKey[key]![0]
        let prediction = predictionByKey[key]?.first
        if prediction == nil {
            unmatchedTruth.append(file)
            if missing != .empty { continue }
        }
        var roiFile: MaskFile?
        if roi != nil {
            roiFile = roiByKey[key]?.first
            if roiFile == nil {
                missingROI.append(key)
                continue
            }
        }
        pairs.append(MaskPair(key: key, truth: file, prediction: prediction, roi: roiFile))
    }
    let unmatchedPredictions = predictionByKey.keys.sorted()
        .filter { truthByKey[$0] == nil && !duplicateKeys.contains($0) }.map { predictionByKey[$0]![0] }
    return PairingReport(
        pairs: pairs, unmatchedTruth: unmatchedTruth, unmatchedPredictions: unmatchedPredictions,
        duplicates: duplicates, unkeyed: unkeyed.sorted(), missingROI: missingROI)
}
