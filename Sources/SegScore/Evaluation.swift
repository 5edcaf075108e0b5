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

/// One scored pair: its files and how each side was read (its scores are in `images`).
public struct PairRecord: Sendable {
    /// The pairing key.
    public var key: String
    /// The ground-truth file's path.
    public var truthPath: String
    /// Nil when scored against an empty prediction (`--missing empty`).
    public var predictionPath: String?
    /// How the ground truth was read: `labels`, `binary`, `palette-labels`, `rgb`, `channels`, `probability`.
    public var truthEncoding: String
    /// How the prediction was read, in the same words.
    public var predictionEncoding: String
}

/// The scored pairs of a run in key order, read back one at a time from the run's store.
public struct ScoredPairs: RandomAccessCollection, Sendable {
    let store: ScoreStore
    let pairs: PairList

    /// The first position: 0.
    public var startIndex: Int { 0 }
    /// The number of scored pairs.
    public var endIndex: Int { store.count }

    /// The files and encodings of scored pair `position`, read back from the store.
    public subscript(position: Int) -> PairRecord {
        let row = store.row(position)
        return PairRecord(
            key: pairs.key(at: row.pairIndex), truthPath: pairs.truthPath(at: row.pairIndex),
            predictionPath: pairs.predictionPath(at: row.pairIndex), truthEncoding: row.counts.truthEncoding,
            predictionEncoding: row.counts.predictionEncoding)
    }
}

/// Per-image scores of a run in key order, computed on access from the stored counts (so a
/// dataset of any size costs no memory per image).
public struct ScoredImages: RandomAccessCollection, Sendable {
    let store: ScoreStore
    let pairs: PairList
    let classIDs: [Int]
    let variant: DiceVariant
    /// The headline classes: what a `generalized` formula sums into each image's value.
    let headlineIDs: [Int]

    /// The first position: 0.
    public var startIndex: Int { 0 }
    /// The number of scored images.
    public var endIndex: Int { store.count }

    /// The scores of image `position`, computed from its stored counts with the run's variant.
    public subscript(position: Int) -> ImageScore {
        let row = store.row(position)
        let counted = row.counts
        let terms = classIDs.map { counted.terms(of: $0) }
        let counts = counted.terms.isEmpty ? classIDs.map { counted.counts(of: $0) } : nil
        return variant.score(
            key: pairs.key(at: row.pairIndex), ids: classIDs, terms: terms, counts: counts, summedIDs: headlineIDs)
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

    /// Ground truth was found and no file paired: `problems` holds one line saying why, and the
    /// unmatched lists are not repeated in the summary.
    public var nothingPaired = false

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
        let began = RunTiming.started()
        try validate(options)
        let rule: CompiledKeyRule
        do {
            rule = try options.keyRule.validated()
        } catch {
            throw .scan(error)
        }
        let (truthListing, predictionListing) = DirectoryWalk.list(truth, prediction)
        var truthFiles = try listing(truthListing)
        var predictionFiles = try listing(predictionListing)
        if let ending = options.labels?.fileEnding {
            truthFiles.keep(endingWith: ending)
            predictionFiles.keep(endingWith: ending)
        }
        var roiFiles: FolderListing?
        if let folder = options.roiFolder {
            do {
                roiFiles = try DirectoryWalk.list(root: folder)
            } catch {
                throw .scan(error)
            }
        }
        let pairing = pairFiles(
            truth: truthFiles.files, predictions: predictionFiles.files, roi: roiFiles?.files, rule: rule,
            missing: options.missing)
        // The scan's sort orders and key tables are gone: hand their pages back before decoding.
        segscore_heap_trim()
        var result = try score(
            pairing: pairing, truth: truth, prediction: prediction,
            issues: truthFiles.issues + predictionFiles.issues + (roiFiles?.issues ?? []),
            ignoredFiles: truthFiles.ignoredCount + predictionFiles.ignoredCount + (roiFiles?.ignoredCount ?? 0),
            options: options,
            progress: progress)
        result.timing = RunTiming.since(began)
        return result
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
        return try score(
            pairing: pairing, truth: truthFile, prediction: predictionFile, issues: [], ignoredFiles: 0, options: options,
            progress: nil)
    }

    private static func score(
        pairing: PairingReport, truth: String, prediction: String, issues: [ScanIssue], ignoredFiles: Int,
        options: EvaluationOptions, progress: (any ProgressSink)?
    ) throws(EvaluationSetupError) -> EvaluationResult {
        var problems: [DataProblem] = []
        var warnings: [String] = []
        for issue in issues {
            switch issue.kind {
            case .linkLoop: warnings.append(issue.description)
            default:
                problems.append(
                    DataProblem(
                        key: nil, path: issue.path,
                        message: issue.kind.rawValue + (issue.detail.isEmpty ? "" : ": " + issue.detail)))
            }
        }
        for duplicate in pairing.duplicates {
            problems.append(
                DataProblem(
                    key: duplicate.key, path: duplicate.paths[0],
                    message: "two files on key '\(duplicate.key)': \(duplicate.paths.joined(separator: " and "))"))
        }
        for file in pairing.unkeyed {
            problems.append(DataProblem(key: nil, path: file.path, message: "--key-regex does not match the name"))
        }
        for key in pairing.missingROI {
            problems.append(
                DataProblem(key: key, path: options.roiFolder ?? "", message: "no region-of-interest mask for key '\(key)'"))
        }
        // Nothing paired: one line saying why (and what to pass), not one line per file; the
        // files stay listed in the report's unmatched lists.
        let nothingPaired = pairing.pairs.isEmpty && !pairing.unmatchedTruth.isEmpty && options.missing != .empty
        if nothingPaired {
            problems.append(
                DataProblem(
                    key: nil, path: pairing.unmatchedPredictions.isEmpty ? prediction : truth,
                    message: PairingDiagnosis.nothingPaired(
                        truth: pairing.unmatchedTruth, predictions: pairing.unmatchedPredictions, rule: options.keyRule)))
        }
        switch options.missing {
        case _ where nothingPaired:
            break
        case .fail:
            for file in pairing.unmatchedTruth {
                problems.append(DataProblem(key: nil, path: file.path, message: "no prediction for this ground truth"))
            }
        case .skip:
            for file in pairing.unmatchedTruth { warnings.append("\(file.path): no prediction, skipped (--missing skip)") }
        case .empty:
            break
        }

        let pairs = pairing.pairs
        let scored = try evaluate(pairs, options: options, progress: progress)
        problems += scored.problems
        problems += readingProblems(scored.notes, pairs: pairs, options: options, truth: truth, prediction: prediction)
        warnings += manyIDWarnings(scored.notes, pairs: pairs, options: options)
        warnings += scored.notes.geometryWarnings
        warnings +=
            (options.labels?.warnings ?? [])
            + undeclaredWarnings(scored.notes.undeclared, labelsPath: options.labels?.path ?? "--labels")
        if pairs.isEmpty && pairing.unmatchedTruth.isEmpty && pairing.duplicates.isEmpty && pairing.missingROI.isEmpty {
            let message =
                pairing.unmatchedPredictions.isEmpty && pairing.unkeyed.isEmpty
                ? "no ground-truth masks found, and no prediction masks in \(prediction) either" : "no ground-truth masks found"
            problems.append(DataProblem(key: nil, path: truth, message: message))
        }
        problems.sort { ($0.key ?? "", $0.path, $0.message) < ($1.key ?? "", $1.path, $1.message) }

        let classIDs = options.explicitClasses ?? Array(scored.present.subtracting(options.ignoreLabels)).sorted()
        let smoothingLength = options.variant.smoothing.listLength
        if smoothingLength > 1 && smoothingLength != classIDs.count {
            throw .configuration("--smooth lists \(smoothingLength) values but \(classIDs.count) classes are scored")
        }
        // Channel data has no background (MONAI's include_background=True); a label-map side's id 0 is.
        let backgroundInHeadline =
            options.includeBackground ?? (scored.notes.channelPairs > 0 && scored.notes.labelPairs == 0)
        var accumulator = SummaryAccumulator(
            variant: options.variant, classIDs: classIDs, includeBackground: backgroundInHeadline)
        let images = ScoredImages(
            store: scored.store, pairs: pairs, classIDs: classIDs, variant: options.variant,
            headlineIDs: accumulator.headlineClassIDs)
        accumulator.reserveCapacity(images: images.count)
        for image in images { accumulator.add(image) }
        return EvaluationResult(
            options: options, truthFolder: truth, predictionFolder: prediction,
            records: ScoredPairs(store: scored.store, pairs: pairs), images: images, classIDs: classIDs,
            classValues: accumulator.values, summary: accumulator.summary(), unmatchedTruth: pairing.unmatchedTruth,
            unmatchedPredictions: pairing.unmatchedPredictions, ignoredFiles: ignoredFiles, problems: problems,
            warnings: warnings, backgroundInHeadline: backgroundInHeadline, nothingPaired: nothingPaired)
    }

    /// Decodes and counts pairs with `options.jobs` workers; the counts are stored in key order.
    static func evaluate(_ pairs: PairList, options: EvaluationOptions, progress: (any ProgressSink)?)
        throws(EvaluationSetupError) -> (store: ScoreStore, problems: [DataProblem], present: Set<Int>, notes: RunNotes)
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
                if let warning = pair.geometryWarning { scored.notes.geometryWarnings.append(warning) }
                if !pair.undeclared.isEmpty {
                    scored.notes.undeclared.add(
                        pair.undeclared, truthPath: pairs.truthPath(at: index), predictionPath: pairs.predictionPath(at: index))
                }
                scored.present.formUnion(counts.present)
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
        return (store, scored.problems, scored.present, scored.notes)
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
