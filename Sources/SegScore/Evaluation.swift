internal import CHeap
import DatasetScan
import Dispatch
import MaskIO
import Parallel
import SegMetrics

/// A file or pair that is a data problem: it appears in the report's `errors` and makes the exit
/// code 3.
public struct DataProblem: Sendable, Equatable {
    /// The pairing key, when the problem belongs to one.
    public var key: String?
    /// The file (or folder) the problem is about.
    public var path: String
    /// What is wrong, in one line.
    public var message: String

    /// A problem; `key` is nil when it belongs to no pair.
    public init(key: String?, path: String, message: String) {
        self.key = key
        self.path = path
        self.message = message
    }
}

/// Everything an evaluation produced: the pairing, per-image scores, the summary, the problems.
public struct EvaluationResult: Sendable {
    /// The options the run used.
    public var options: EvaluationOptions
    /// The ground-truth folder as given (the file, for a single pair).
    public var truthFolder: String
    /// The prediction folder as given (the file, for a single pair).
    public var predictionFolder: String
    /// Scored pairs in key order.
    public var records: ScoredPairs
    /// Per-image scores, in the same order.
    public var images: ScoredImages
    /// The classes scored, in report order.
    public var classIDs: [Int]
    /// Each image's value per class, row-major (`classValues[image * classIDs.count + class]`),
    /// NaN where the value is NaN: what statistics, bootstrap, gates and rankings read.
    public var classValues: [Double]
    /// The per-class statistics and headline numbers of the scored images.
    public var summary: DatasetSummary
    /// Ground-truth files without a prediction (under `--missing empty` they were also scored against
    /// an empty prediction).
    public var unmatchedTruth: [MaskFile]
    /// Predictions without ground truth: never scored.
    public var unmatchedPredictions: [MaskFile]
    /// Files under the folders (ground truth, predictions, regions of interest) that are not
    /// masks nor images (README, JSON, …), not paired.
    public var ignoredFiles: Int
    /// Every data problem, sorted by key then path.
    public var problems: [DataProblem]
    /// Things worth saying that are not errors (skipped ground truth, link loops).
    public var warnings: [String]
    /// Whether class 0 counted in the headline (`options.includeBackground`, or decided by the data).
    public var backgroundInHeadline: Bool
    /// When the run started and its wall-clock seconds (JUnit's `timestamp` and `time`).
    public var timing: RunTiming? = nil

    /// The boundary metrics' statistics, when asked for (`--surface-metrics`).
    public var surface: SurfaceSummary? = nil

    /// Ground truth was found and no file paired: `problems` holds one line saying why, and the
    /// unmatched lists are not repeated in the summary.
    public var nothingPaired = false

    /// The class × class pixel counts summed over the pairs (see `ConfusionTotals.matrix`).
    public var confusion = ConfusionTotals()

    /// True when the exit code must be 3.
    public var hasDataProblems: Bool { !problems.isEmpty }
}

/// Receives progress from worker threads: completed pairs out of the total.
public protocol ProgressSink: Sendable {
    func update(completed: Int, total: Int)
}

/// Runs an evaluation: the pipeline behind `segscore evaluate`.
///
/// ```swift
/// let options = EvaluationOptions(variant: try DiceVariant.named("nnunet-eval"), jobs: 4)
/// let result = try Evaluation.run(truth: "gt", prediction: "pred", options: options)
/// print(result.summary.mean, result.summary.pooled)
/// ```
///
/// The folders are listed at once (names packed, a few bytes per file), files are paired by key,
/// then pairs are decoded and counted in parallel by `options.jobs` workers, each holding one
/// pair's masks at a time. Counts are handed over in key order and stored as compact rows, in a
/// temporary file once they pass 256 KB, then summarised in key order: every number is the same
/// whatever `jobs` is, and memory does not grow with the dataset beyond the names and 8 bytes per
/// image and class.
public enum Evaluation {
    /// Evaluates every pair of the two folders.
    /// - Throws: `EvaluationSetupError` when a folder cannot be listed or the options contradict
    ///   each other; data problems never throw, they are in the result.
    public static func run(
        truth: String, prediction: String, options: EvaluationOptions, progress: (any ProgressSink)? = nil
    ) throws(EvaluationSetupError) -> EvaluationResult {
        try finish(collect(truth: truth, prediction: prediction, options: options, progress: progress))
    }

    /// Lists, pairs and counts the pairs of `shard` (every pair by default): the run before its
    /// summary (`finish`), which a shard writes to its partial file (`PartialFile`).
    /// - Throws: as `run`.
    public static func collect(
        truth: String, prediction: String, options: EvaluationOptions, shard: Shard = .whole,
        progress: (any ProgressSink)? = nil
    ) throws(EvaluationSetupError) -> CollectedRun {
        let began = RunTiming.started()
        try validate(options)
        let rule: CompiledKeyRule
        do {
            rule = try options.keyRule.validated()
        } catch {
            throw .scan(error)
        }
        let (truthListing, predictionListing) = DirectoryWalk.list(truth, prediction, maxDepth: options.maxDepth)
        var truthFiles = try listing(truthListing)
        var predictionFiles = try listing(predictionListing)
        if let ending = options.labels?.fileEnding {
            truthFiles.keep(endingWith: ending)
            predictionFiles.keep(endingWith: ending)
        }
        var roiFiles: FolderListing?
        if let folder = options.roiFolder {
            do {
                roiFiles = try DirectoryWalk.list(root: folder, maxDepth: options.maxDepth)
            } catch {
                throw .scan(error)
            }
        }
        let pairing = pairFiles(
            truth: truthFiles.files, predictions: predictionFiles.files, roi: roiFiles?.files, rule: rule,
            missing: options.missing)
        // The scan's sort orders and key tables are gone: hand their pages back before decoding.
        segscore_heap_trim()
        var run = try collect(
            pairing: pairing, truth: truth, prediction: prediction,
            issues: truthFiles.issues + predictionFiles.issues + (roiFiles?.issues ?? []),
            ignoredFiles: truthFiles.ignoredCount + predictionFiles.ignoredCount + (roiFiles?.ignoredCount ?? 0),
            options: options, shard: shard, rule: rule, progress: progress)
        run.timing = RunTiming.since(began)
        return run
    }

    /// Scores one ground-truth file against one prediction file (`explain --gt F --pred F`).
    public static func run(truthFile: String, predictionFile: String, options: EvaluationOptions) throws(EvaluationSetupError)
        -> EvaluationResult
    {
        try validate(options)
        func split(_ path: String) -> (folder: String, name: String) {
            guard let slash = path.lastIndex(of: "/") else { return ("", path) }
            return (String(path[...slash]), String(path[path.index(after: slash)...]))
        }
        let (truthFolder, name) = split(truthFile)
        let (predictionFolder, predictionName) = split(predictionFile)
        let key = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        var pairs = PairList(
            truthFiles: FileList(root: truthFolder, relativePaths: [name]),
            predictionFiles: FileList(root: predictionFolder, relativePaths: [predictionName]))
        pairs.append(truth: 0, keyBytes: 0..<key.utf8.count, prediction: 0)
        let pairing = PairingReport(
            pairs: pairs, unmatchedTruth: [], unmatchedPredictions: [], duplicates: [], unkeyed: [], missingROI: [])
        return try finish(
            collect(
                pairing: pairing, truth: truthFile, prediction: predictionFile, issues: [], ignoredFiles: 0, options: options,
                shard: .whole, rule: nil, progress: nil))
    }

    /// Decodes and counts pairs with `options.jobs` workers; the counts are stored in key order.
    static func evaluate(_ pairs: PairList, options: EvaluationOptions, progress: (any ProgressSink)?)
        throws(EvaluationSetupError)
        -> (store: ScoreStore, problems: [DataProblem], present: Set<Int>, notes: RunNotes, confusion: ConfusionTotals)
    {
        let evaluator = PairEvaluator(options: options, decoder: MaskDecoder(maxSamples: options.maxSamples))
        let total = pairs.count
        let initial = Scored(
            writer: ScoreStore.Writer(expectedRows: total, memoryLimit: options.rowsInMemory, folder: options.rowsFolder))
        // Set when the store cannot be written: the remaining pairs are then skipped, not decoded.
        let stopped = Locked(false)
        var scored = Parallel.forEachInOrder(count: total, jobs: options.jobs, state: initial) { index in
            stopped.withLock { $0 } ? nil : evaluator.evaluate(pairs[index])
        } consume: { scored, index, outcome in
            defer { progress?.update(completed: index + 1, total: total) }
            guard let outcome, scored.failure == nil else { return }
            switch outcome {
            case .success(let pair):
                let counts = pair.counts
                scored.notes.truthReadings.add(pair.truth.reading, pairIndex: index)
                scored.notes.predictionReadings.add(pair.prediction.reading, pairIndex: index)
                if pair.truth.autoLabelCount > manyIDs {
                    scored.notes.truthManyIDsCount += 1
                    if scored.notes.truthManyIDs == nil {
                        scored.notes.truthManyIDs = ReadingTally.Example(pairIndex: index, ids: pair.truth.autoLabelCount)
                    }
                }
                if pair.prediction.autoLabelCount > manyIDs {
                    scored.notes.predictionManyIDsCount += 1
                    if scored.notes.predictionManyIDs == nil {
                        scored.notes.predictionManyIDs = ReadingTally.Example(
                            pairIndex: index, ids: pair.prediction.autoLabelCount)
                    }
                }
                if pair.channelsOnBothSides { scored.notes.channelPairs += 1 } else { scored.notes.labelPairs += 1 }
                if pair.spacingMismatch {
                    scored.notes.spacingMismatches += 1
                    if scored.notes.firstSpacingMismatch == nil { scored.notes.firstSpacingMismatch = index }
                }
                for warning in pair.geometryWarnings { scored.notes.addGeometry(warning, pairIndex: index) }
                if !pair.undeclared.isEmpty {
                    scored.notes.undeclared.add(
                        pair.undeclared, pairIndex: index, truthPath: pairs.truthPath(at: index),
                        predictionPath: pairs.predictionPath(at: index))
                }
                scored.present.formUnion(counts.present)
                scored.confusion.add(pair.confusion)
                scored.rows += 1
                let classes =
                    options.explicitClasses?.count
                    ?? (options.ignoreLabels.isEmpty
                        ? scored.present.count : scored.present.subtracting(options.ignoreLabels).count)
                if let problem = classLimitProblem(classes: classes, images: scored.rows) {
                    scored.failure = .dataLimit("\(pairs.truthPath(at: index)): \(problem)")
                    stopped.withLock { $0 = true }
                    return
                }
                do throws(SpillError) {
                    try scored.writer.append(pairIndex: index, counts: counts)
                } catch {
                    scored.failure = .spill(error)
                    stopped.withLock { $0 = true }
                }
            case .failure(let failure):
                scored.problems.append(DataProblem(key: failure.key, path: failure.path, message: failure.message))
            }
        }
        if let failure = scored.failure {
            scored.writer.discard()
            throw failure
        }
        let store: ScoreStore
        do {
            store = try scored.writer.finish()
        } catch {
            throw .spill(error)
        }
        return (store, scored.problems, scored.present, scored.notes, scored.confusion)
    }

    private static func listing(_ result: Result<FolderListing, ScanError>) throws(EvaluationSetupError) -> FolderListing {
        switch result {
        case .success(let listing): return listing
        case .failure(let error): throw .scan(error)
        }
    }

    private static func validate(_ options: EvaluationOptions) throws(EvaluationSetupError) {
        let length = options.variant.smoothing.listLength
        if length > 1 {
            guard let classes = options.explicitClasses else {
                throw .configuration("per-class --smooth lists need --classes or --labels")
            }
            if classes.count != length {
                throw .configuration("--smooth lists \(length) values but \(classes.count) classes are scored")
            }
        }
        if let classes = options.classes, Set(classes).count != classes.count {
            throw .configuration("--classes lists an id twice")
        }
        if let depth = options.maxDepth, depth < 1 {
            throw .configuration("--max-depth takes 1 (the files directly in each folder) or more, not \(depth)")
        }
        let ids = 0...LabelSpec.maximumID
        if let bad = options.ignoreLabels.first(where: { !ids.contains($0) }) {
            throw .configuration("--ignore-label \(bad): ids lie in 0…\(LabelSpec.maximumID)")
        }
        if let classes = options.classes {
            if let bad = classes.first(where: { !ids.contains($0) }) {
                throw .configuration("--classes \(bad): ids lie in 0…\(LabelSpec.maximumID)")
            }
            if classes.count > LabelSpec.maximumClassCount {
                throw .configuration("--classes lists \(classes.count) ids, more than \(LabelSpec.maximumClassCount)")
            }
            if let both = classes.first(where: options.ignoreLabels.contains) {
                throw .configuration(
                    "--classes \(both) is also an ignore label (its ground-truth pixels are left out): it cannot be scored")
            }
        }
        if let classes = options.explicitClasses, classes.count > ClassLimits.perRun {
            throw .configuration(
                "\(options.classes != nil ? "--classes" : "--labels") lists \(classes.count) classes, more than the limit of \(ClassLimits.perRun)"
            )
        }
        if options.thresholds.contains(where: { !(0...1).contains($0) }) {
            throw .configuration("--threshold values must lie in [0, 1]")
        }
        try options.validateSurface()
    }
}

extension FolderListing {
    /// Keeps the files whose names end with `ending` (nnU-Net's `file_ending`, compared as written);
    /// the others join the ignored count.
    mutating func keep(endingWith ending: String) {
        let kept = files.filter { $0.relativePath.hasSuffix(ending) }.map(\.relativePath)
        guard kept.count != files.count else { return }
        ignoredCount += files.count - kept.count
        files = FileList(root: files.root, relativePaths: kept)
    }
}

extension EvaluationResult {
    /// The scored pairs whose ground truth lies in a sub-folder of `truthFolder`, as paths below
    /// it, in key order: files that `nnUNetv2_evaluate_folder` (which lists only the top level of
    /// each folder) would not have scored.
    public var truthInSubfolders: [String] {
        let root = truthFolder.hasSuffix("/") ? truthFolder : truthFolder + "/"
        return records.compactMap { record in
            guard record.truthPath.hasPrefix(root) else { return nil }
            let below = record.truthPath.dropFirst(root.count)
            return below.contains("/") ? String(below) : nil
        }
    }

    /// The warning `--nnunet-summary` adds when pairs lie in sub-folders and the walk was not
    /// limited to the top level (`maxDepth` 1), or nil.
    public var nnunetSubfolderWarning: String? {
        guard options.maxDepth != 1 else { return nil }
        let nested = truthInSubfolders
        guard let first = nested.first else { return nil }
        let more = nested.count > 1 ? " and \(nested.count - 1) more" : ""
        return
            "--nnunet-summary: \(nested.count) of \(records.count) cases lie in sub-folders (\(first)\(more)); "
            + "nnUNetv2_evaluate_folder lists only the top level of each folder and would leave them out: "
            + "pass --max-depth 1 to score as it does"
    }
}
