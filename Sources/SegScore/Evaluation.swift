import DatasetScan
import Dispatch
import MaskIO
import SegMetrics
import Parallel

/// A file or pair that is a data problem: it appears in the report's `errors` and makes the exit
/// code 3.
public struct DataProblem: Sendable, Equatable {
    /// The pairing key, when the problem belongs to one.
    public var key: String?
    public var path: String
    public var message: String

    public init(key: String?, path: String, message: String) {
        self.key = key
        self.path = path
        self.message = message
    }
}

/// One scored pair: its files and how each side was read (its scores are in `images`).
public struct PairRecord: Sendable {
    public var key: String
    public var truthPath: String
    /// Nil when scored against an empty prediction (`--missing empty`).
    public var predictionPath: String?
    /// How each side was read: `labels`, `binary`, `palette-labels`, `rgb`, `channels`, `probability`.
    public var truthEncoding: String
    public var predictionEncoding: String
}

/// Why an evaluation could not start: a configuration problem (exit code 2).
public struct EvaluationSetupError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

/// Everything an evaluation produced: the pairing, per-image scores, the summary, the problems.
public struct EvaluationResult: Sendable {
    public var options: EvaluationOptions
    public var truthFolder: String
    public var predictionFolder: String
    /// Scored pairs in key order.
    public var records: [PairRecord]
    /// Per-image scores, in the same order.
    public var images: [ImageScore]
    /// The classes scored, in report order.
    public var classIDs: [Int]
    public var summary: DatasetSummary
    public var unmatchedTruth: [MaskFile]
    public var unmatchedPredictions: [MaskFile]
    /// Files under the folders that are not masks (README, JSON, …), not paired.
    public var ignoredFiles: Int
    /// Every data problem, sorted by key then path.
    public var problems: [DataProblem]
    /// Things worth saying that are not errors (skipped ground truth, link loops).
    public var warnings: [String]

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
/// The folders are listed at once, files are paired by key, then pairs are decoded and counted
/// in parallel by `options.jobs` workers, each holding one pair's masks at a time, so memory does
/// not grow with the dataset. Results are kept by index and summarised in key order: every number
/// is the same whatever `jobs` is.
public enum Evaluation {
    /// Evaluates every pair of the two folders.
    /// - Throws: `EvaluationSetupError` when a folder cannot be listed or the options contradict
    ///   each other; data problems never throw, they are in the result.
    public static func run(
        truth: String, prediction: String, options: EvaluationOptions, progress: (any ProgressSink)? = nil
    ) throws(EvaluationSetupError) -> EvaluationResult {
        try validate(options)
        let rule: CompiledKeyRule
        do {
            rule = try options.keyRule.validated()
        } catch {
            throw EvaluationSetupError(description: error.description)
        }
        let (truthListing, predictionListing) = DirectoryWalk.list(truth, prediction)
        let truthFiles = try listing(truthListing)
        let predictionFiles = try listing(predictionListing)
        var roiFiles: FolderListing?
        if let folder = options.roiFolder {
            do {
                roiFiles = try DirectoryWalk.list(root: folder)
            } catch {
                throw EvaluationSetupError(description: error.description)
            }
        }
        let pairing = pairFiles(
            truth: truthFiles.files, predictions: predictionFiles.files, roi: roiFiles?.files, rule: rule,
            missing: options.missing)
        return try score(
            pairing: pairing, truth: truth, prediction: prediction, issues: truthFiles.issues + predictionFiles.issues + (roiFiles?.issues ?? []),
            ignoredFiles: truthFiles.ignoredCount + predictionFiles.ignoredCount, options: options, progress: progress)
    }

    /// Scores one ground-truth file against one prediction file (`explain --gt F --pred F`).
    public static func run(truthFile: String, predictionFile: String, options: EvaluationOptions) throws(EvaluationSetupError)
        -> EvaluationResult
    {
        try validate(options)
        let name = String(truthFile.split(separator: "/").last ?? Substring(truthFile))
        let key = name.contains(".") ? String(name[..<name.lastIndex(of: ".")!]) : name
        let pair = MaskPair(
            key: key, truth: MaskFile(path: truthFile, relativePath: name),
            prediction: MaskFile(path: predictionFile, relativePath: name))
        let pairing = PairingReport(
            pairs: [pair], unmatchedTruth: [], unmatchedPredictions: [], duplicates: [], unkeyed: [], missingROI: [])
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
            default: problems.append(DataProblem(key: nil, path: issue.path, message: issue.kind.rawValue + (issue.detail.isEmpty ? "" : ": " + issue.detail)))
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
            problems.append(DataProblem(key: key, path: options.roiFolder ?? "", message: "no region-of-interest mask for key '\(key)'"))
        }
        switch options.missing {
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
        let outcomes = evaluate(pairs, options: options, progress: progress)
        var records: [PairRecord] = []
        var scored: [ImageCounts] = []
        for (pair, outcome) in zip(pairs, outcomes) {
            switch outcome {
            case .success(let counts):
                records.append(
                    PairRecord(
                        key: pair.key, truthPath: pair.truth.path, predictionPath: pair.prediction?.path,
                        truthEncoding: counts.truthEncoding, predictionEncoding: counts.predictionEncoding))
                scored.append(counts)
            case .failure(let failure):
                problems.append(DataProblem(key: failure.key, path: failure.path, message: failure.message))
            }
        }
        if pairs.isEmpty && pairing.unmatchedTruth.isEmpty && pairing.duplicates.isEmpty && pairing.missingROI.isEmpty {
            problems.append(DataProblem(key: nil, path: truth, message: "no ground-truth masks found"))
        }
        problems.sort { ($0.key ?? "", $0.path, $0.message) < ($1.key ?? "", $1.path, $1.message) }

        let classIDs = options.explicitClasses
            ?? Array(Set(scored.flatMap(\.present)).subtracting(options.ignoreLabels)).sorted()
        let smoothingLength = options.variant.smoothing.listLength
        if smoothingLength > 1 && smoothingLength != classIDs.count {
            throw EvaluationSetupError(
                description: "--smooth lists \(smoothingLength) values but \(classIDs.count) classes are scored")
        }
        let variant = options.variant
        var aggregator = DatasetAggregator(variant: variant, classIDs: classIDs, includeBackground: options.includeBackground)
        var images: [ImageScore] = []
        images.reserveCapacity(records.count)
        for (record, counted) in zip(records, scored) {
            let terms = classIDs.map { counted.terms(of: $0) }
            let counts = counted.terms.isEmpty ? classIDs.map { counted.counts(of: $0) } : nil
            let image = variant.score(key: record.key, ids: classIDs, terms: terms, counts: counts)
            images.append(image)
            aggregator.add(image)
        }
        return EvaluationResult(
            options: options, truthFolder: truth, predictionFolder: prediction, records: records, images: images,
            classIDs: classIDs, summary: aggregator.summary(), unmatchedTruth: pairing.unmatchedTruth,
            unmatchedPredictions: pairing.unmatchedPredictions, ignoredFiles: ignoredFiles, problems: problems,
            warnings: warnings)
    }

    /// Decodes and counts pairs with `options.jobs` workers; results in input order.
    static func evaluate(_ pairs: [MaskPair], options: EvaluationOptions, progress: (any ProgressSink)?)
        -> [Result<ImageCounts, PairFailure>]
    {
        let evaluator = PairEvaluator(options: options, decoder: MaskDecoder(maxSamples: options.maxSamples))
        let done = Locked(0)
        let total = pairs.count
        return Parallel.map(count: total, jobs: options.jobs) { index in
            let outcome = evaluator.evaluate(pairs[index])
            let completed = done.withLock { count -> Int in
                count += 1
                return count
            }
            progress?.update(completed: completed, total: total)
            return outcome
        }
    }

    private static func listing(_ result: Result<FolderListing, ScanError>) throws(EvaluationSetupError) -> FolderListing {
        switch result {
        case .success(let listing): return listing
        case .failure(let error): throw EvaluationSetupError(description: error.description)
        }
    }

    private static func validate(_ options: EvaluationOptions) throws(EvaluationSetupError) {
        let length = options.variant.smoothing.listLength
        if length > 1 {
            guard let classes = options.explicitClasses else {
                throw EvaluationSetupError(description: "per-class --smooth lists need --classes or --labels")
            }
            if classes.count != length {
                throw EvaluationSetupError(
                    description: "--smooth lists \(length) values but \(classes.count) classes are scored")
            }
        }
        if let classes = options.classes, Set(classes).count != classes.count {
            throw EvaluationSetupError(description: "--classes lists an id twice")
        }
        if options.thresholds.contains(where: { !(0...1).contains($0) }) {
            throw EvaluationSetupError(description: "--threshold values must lie in [0, 1]")
        }
    }
}
