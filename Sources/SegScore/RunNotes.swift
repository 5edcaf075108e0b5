import DatasetScan
import SegMetrics

// What a run learns from its pairs beyond their counts, and the problems and warnings it draws
// from that: the two `auto` readings of one side, label maps with many ids, the class limits.
extension Evaluation {
    /// What the workers hand over, in key order.
    struct Scored: Sendable {
        var writer: ScoreStore.Writer
        var problems: [DataProblem] = []
        /// Every class id some image contains.
        var present: Set<Int> = []
        /// Pairs counted so far.
        var rows = 0
        var failure: EvaluationSetupError?
        var notes = RunNotes()
        /// The class × class counts summed so far.
        var confusion = ConfusionTotals()
    }

    /// What the run learns about its data from the pairs, in key order.
    struct RunNotes: Sendable {
        /// How `auto` read each side's label maps.
        var truthReadings = ReadingTally()
        var predictionReadings = ReadingTally()
        /// Label maps read under `auto` with many distinct ids (probability maps, perhaps).
        var truthManyIDs = ReadingTally.Example?.none
        var predictionManyIDs = ReadingTally.Example?.none
        var truthManyIDsCount = 0
        var predictionManyIDsCount = 0
        /// Scored pairs with channel data on both sides, and with a label-map side.
        var channelPairs = 0
        var labelPairs = 0
        /// Pairs whose prediction declares another spacing than its ground truth, and the first.
        var spacingMismatches = 0
        var firstSpacingMismatch: Int?
        /// One line per pair whose headers place prediction and ground truth differently, for
        /// the first `geometryListed` such pairs (in key order); `geometryCount` counts them all.
        var geometryWarnings: [IndexedWarning] = []
        var geometryCount = 0

        /// Notes a pair's geometry warning: listed while fewer than `geometryListed` are, counted always.
        mutating func addGeometry(_ text: String, pairIndex: Int) {
            geometryCount += 1
            if geometryWarnings.count < Evaluation.geometryListed {
                geometryWarnings.append(.init(pairIndex: pairIndex, text: text))
            }
        }
        /// Label values an nnU-Net labels file does not declare, with where they were seen.
        var undeclared = UndeclaredTally()
    }

    /// A warning about one pair (kept with the pair, so a merge of shards orders them by key).
    struct IndexedWarning: Sendable {
        var pairIndex: Int
        var text: String
    }

    /// Counts of the two `auto` readings of one side, with the first file of each.
    struct ReadingTally: Sendable {
        struct Example: Sendable {
            var pairIndex: Int
            var ids: Int
        }
        var binary = 0
        var labels = 0
        var firstBinary: Int?
        var firstLabels: Int?

        mutating func add(_ reading: AutoReading?, pairIndex: Int) {
            switch reading {
            case .binaryByMaximum?:
                binary += 1
                if firstBinary == nil { firstBinary = pairIndex }
            case .labelsBeyondOne?:
                labels += 1
                if firstLabels == nil { firstLabels = pairIndex }
            case nil:
                break
            }
        }
    }

    /// Geometry warnings listed one per pair; beyond them one line counts the rest (a resampled
    /// dataset differs in every file: the log and the reports stay readable and bounded).
    static let geometryListed = 20

    /// The geometry warnings of a run: the listed ones, then one line for the rest.
    static func geometryLines(_ notes: RunNotes) -> [String] {
        var lines = notes.geometryWarnings.map(\.text)
        let more = notes.geometryCount - notes.geometryWarnings.count
        if more > 0 {
            lines.append(
                "geometry differs from the ground truth in \(more) more file\(more == 1 ? "" : "s") "
                    + "(\(notes.geometryCount) in all; the first \(notes.geometryWarnings.count) are listed): "
                    + "scored voxel by voxel all the same")
        }
        return lines
    }

    /// More distinct ids than this in a label map read under `auto` with no class list is worth a
    /// warning: it looks like a probability map.
    static let manyIDs = 32

    /// The run-level class limits (`ClassLimits`): nil, or why `classes` classes over `images`
    /// images are too many (checked as pairs arrive, so the run stops before memory grows).
    static func classLimitProblem(classes: Int, images: Int) -> String? {
        if classes > ClassLimits.perRun {
            return "the run would score \(classes) classes, more than the limit of \(ClassLimits.perRun) "
                + "(pick the classes to score with --classes)"
        }
        if classes * images > ClassLimits.valuesPerRun {
            return "the run would keep \(classes) classes × \(images) images = \(classes * images) per-image values, "
                + "more than the limit of \(ClassLimits.valuesPerRun) (pick fewer classes with --classes)"
        }
        return nil
    }

    /// A side whose label maps `auto` read two ways (some 0/max files as binary, others as label
    /// maps with ids above 1) is a data problem: the same stored value means two things.
    static func readingProblems(
        _ notes: RunNotes, pairs: PairList, options: EvaluationOptions, truth: String, prediction: String
    ) -> [DataProblem] {
        var problems: [DataProblem] = []
        func check(_ tally: ReadingTally, side: String, flag: String, folder: String, path: (Int) -> String) {
            guard tally.binary > 0, tally.labels > 0, let binary = tally.firstBinary, let labels = tally.firstLabels else {
                return
            }
            problems.append(
                DataProblem(
                    key: nil, path: folder,
                    message: "\(side) files are read two ways under --encoding auto: \(tally.binary) hold only 0 and the "
                        + "type maximum (read as binary, the maximum as label 1; first \(path(binary))) and \(tally.labels) "
                        + "hold other ids (read as label maps; first \(path(labels))); pass \(flag) labels (every value is "
                        + "a class id) or \(flag) binary (every nonzero value is the foreground)"))
        }
        check(notes.truthReadings, side: "ground-truth", flag: "--gt-encoding", folder: truth) { pairs.truthPath(at: $0) }
        check(notes.predictionReadings, side: "prediction", flag: "--pred-encoding", folder: prediction) {
            pairs.predictionPath(at: $0) ?? prediction
        }
        return problems
    }

    /// Label maps read under `auto` with many distinct ids and no class list: probably probability
    /// maps scored as that many classes. Not an error (instance maps exist), but said.
    static func manyIDWarnings(_ notes: RunNotes, pairs: PairList, options: EvaluationOptions) -> [String] {
        guard options.explicitClasses == nil else { return [] }
        var warnings: [String] = []
        func say(_ example: ReadingTally.Example?, count: Int, side: String, flag: String, path: (Int) -> String) {
            guard let example else { return }
            warnings.append(
                "\(count) \(side) file\(count == 1 ? "" : "s") read as label maps with more than \(manyIDs) ids each "
                    + "(first \(path(example.pairIndex)): \(example.ids) ids, each scored as a class); if these are "
                    + "probability maps pass \(flag) probability, if they are label maps pass \(flag) labels or --classes")
        }
        say(notes.truthManyIDs, count: notes.truthManyIDsCount, side: "ground-truth", flag: "--gt-encoding") {
            pairs.truthPath(at: $0)
        }
        say(notes.predictionManyIDs, count: notes.predictionManyIDsCount, side: "prediction", flag: "--pred-encoding") {
            pairs.predictionPath(at: $0) ?? "(empty prediction)"
        }
        return warnings
    }
}
