import DatasetScan
import SegMetrics

/// A run up to the moment its pairs are counted: the pairs of one shard (or of the whole run),
/// their stored counts, and what the listing and pairing found. `Evaluation.finish` turns it into
/// an `EvaluationResult`; a shard writes it to a partial file, and `merge` rebuilds the run's
/// from its shards' (`PartialSet`), so an evaluation and a merge of its shards finish alike.
public struct CollectedRun: Sendable {
    /// The options the run used.
    public var options: EvaluationOptions
    /// The shard of the pairs (`Shard.whole` for an unsharded run or a merge).
    public var shard: Shard
    /// The ground-truth folder as given.
    public var truthFolder: String
    /// The prediction folder as given.
    public var predictionFolder: String
    /// The shard's pairs in key order, scored or not.
    var pairs: PairList
    /// Problems found before scoring: scan issues, duplicate keys, unkeyed names, missing
    /// regions of interest, and the run-level lines (nothing paired, no ground truth).
    var problems: [DataProblem] = []
    /// Warnings of the scan (symbolic-link loops), in the scan's order.
    var scanWarnings: [String] = []
    /// Ground-truth files without a prediction, in key order, with their keys.
    var unmatchedTruth: [KeyedFile] = []
    /// Predictions without ground truth, in key order, with their keys.
    var unmatchedPredictions: [KeyedFile] = []
    /// Files that are not masks (the whole run's count lies in shard 1).
    var ignoredFiles = 0
    /// Decided on the whole run's pairing: no file paired although ground truth was found.
    var nothingPaired = false
    /// The counts of the scored pairs, in key order.
    var store: ScoreStore
    /// Pairs that could not be scored.
    var pairProblems: [DataProblem] = []
    /// Every class id some image of the shard contains.
    var present: Set<Int> = []
    /// What the shard's pairs said about their readings.
    var notes = Evaluation.RunNotes()
    /// The pooled class × class counts of the shard's label maps.
    var confusion = ConfusionTotals()
    /// When the run started and its wall-clock seconds.
    public var timing: RunTiming?

    /// A file with its pairing key.
    struct KeyedFile: Sendable {
        var key: String
        var file: MaskFile
    }

    /// Number of pairs of the shard (scored or not).
    public var pairCount: Int { pairs.count }
    /// Number of scored pairs of the shard.
    public var scoredCount: Int { store.count }
}

extension Evaluation {
    /// Keeps the pairing's items that belong to `shard`, renders the problems of the pairing
    /// (key-less ones and the ignored count go to shard 1; the run-level checks are decided on
    /// the whole pairing) and counts the shard's pairs.
    static func collect(
        pairing: PairingReport, truth: String, prediction: String, issues: [ScanIssue], ignoredFiles: Int,
        options: EvaluationOptions, shard: Shard, rule: CompiledKeyRule?, progress: (any ProgressSink)?
    ) throws(EvaluationSetupError) -> CollectedRun {
        let first = shard.index == 1
        var problems: [DataProblem] = []
        var warnings: [String] = []
        if first {
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
            for file in pairing.unkeyed {
                problems.append(DataProblem(key: nil, path: file.path, message: "--key-regex does not match the name"))
            }
        }
        for duplicate in pairing.duplicates where shard.contains(key: duplicate.key) {
            problems.append(
                DataProblem(
                    key: duplicate.key, path: duplicate.paths[0],
                    message: "two files on key '\(duplicate.key)': \(duplicate.paths.joined(separator: " and "))"))
        }
        for key in pairing.missingROI where shard.contains(key: key) {
            problems.append(
                DataProblem(key: key, path: options.roiFolder ?? "", message: "no region-of-interest mask for key '\(key)'"))
        }
        // Nothing paired: one line saying why (and what to pass), not one line per file; the
        // files stay listed in the report's unmatched lists.
        let nothingPaired = pairing.pairs.isEmpty && !pairing.unmatchedTruth.isEmpty && options.missing != .empty
        if nothingPaired && first {
            problems.append(
                DataProblem(
                    key: nil, path: pairing.unmatchedPredictions.isEmpty ? prediction : truth,
                    message: PairingDiagnosis.nothingPaired(
                        truth: pairing.unmatchedTruth, predictions: pairing.unmatchedPredictions, rule: options.keyRule)))
        }
        if first && pairing.pairs.isEmpty && pairing.unmatchedTruth.isEmpty && pairing.duplicates.isEmpty
            && pairing.missingROI.isEmpty
        {
            let message =
                pairing.unmatchedPredictions.isEmpty && pairing.unkeyed.isEmpty
                ? "no ground-truth masks found, and no prediction masks in \(prediction) either" : "no ground-truth masks found"
            problems.append(DataProblem(key: nil, path: truth, message: message))
        }
        func keyed(_ files: [MaskFile], side: PairSide) -> [CollectedRun.KeyedFile] {
            files.compactMap { file in
                let key = rule?.key(for: file, side: side) ?? ""
                return shard.contains(key: key) ? CollectedRun.KeyedFile(key: key, file: file) : nil
            }
        }
        let all = pairing.pairs
        let pairs = shard.isWhole ? all : all.filter(positions: { shard.contains(key: all.key(at: $0)) })
        let scored = try evaluate(pairs, options: options, progress: progress)
        return CollectedRun(
            options: options, shard: shard, truthFolder: truth, predictionFolder: prediction, pairs: pairs, problems: problems,
            scanWarnings: warnings, unmatchedTruth: keyed(pairing.unmatchedTruth, side: .truth),
            unmatchedPredictions: keyed(pairing.unmatchedPredictions, side: .prediction),
            ignoredFiles: first ? ignoredFiles : 0, nothingPaired: nothingPaired, store: scored.store,
            pairProblems: scored.problems, present: scored.present, notes: scored.notes, confusion: scored.confusion)
    }

    /// The summary of a collected run (an evaluation's, or the one a merge rebuilt from its
    /// shards): the problems and warnings in their order, the classes, the per-class statistics.
    /// - Throws: `.configuration` when a per-class `--smooth` list does not fit the classes scored.
    public static func finish(_ run: CollectedRun) throws(EvaluationSetupError) -> EvaluationResult {
        let options = run.options
        var problems = run.problems
        var warnings = run.scanWarnings
        switch options.missing {
        case _ where run.nothingPaired:
            break
        case .fail:
            for entry in run.unmatchedTruth {
                problems.append(DataProblem(key: nil, path: entry.file.path, message: "no prediction for this ground truth"))
            }
        case .skip:
            for entry in run.unmatchedTruth {
                warnings.append("\(entry.file.path): no prediction, skipped (--missing skip)")
            }
        case .empty:
            break
        }
        let pairs = run.pairs
        problems += run.pairProblems
        problems += readingProblems(
            run.notes, pairs: pairs, options: options, truth: run.truthFolder, prediction: run.predictionFolder)
        warnings += manyIDWarnings(run.notes, pairs: pairs, options: options)
        warnings += spacingWarnings(run.notes, pairs: pairs)
        warnings += geometryLines(run.notes)
        warnings +=
            (options.labels?.warnings ?? [])
            + undeclaredWarnings(run.notes.undeclared, labelsPath: options.labels?.path ?? "--labels")
        problems.sort { ($0.key ?? "", $0.path, $0.message) < ($1.key ?? "", $1.path, $1.message) }

        let classIDs = options.explicitClasses ?? Array(run.present.subtracting(options.ignoreLabels)).sorted()
        let smoothingLength = options.variant.smoothing.listLength
        if smoothingLength > 1 && smoothingLength != classIDs.count {
            throw .configuration("--smooth lists \(smoothingLength) values but \(classIDs.count) classes are scored")
        }
        // Channel data has no background (MONAI's include_background=True); a label-map side's id 0 is.
        let backgroundInHeadline = options.includeBackground ?? (run.notes.channelPairs > 0 && run.notes.labelPairs == 0)
        var accumulator = SummaryAccumulator(
            variant: options.variant, classIDs: classIDs, includeBackground: backgroundInHeadline)
        let images = ScoredImages(
            store: run.store, pairs: pairs, classIDs: classIDs, variant: options.variant,
            headlineIDs: accumulator.headlineClassIDs)
        accumulator.reserveCapacity(images: images.count)
        for image in images { accumulator.add(image) }
        let surface =
            options.surface.isActive
            ? SurfaceSummary.make(
                store: run.store, classIDs: classIDs, headlineIDs: accumulator.headlineClassIDs,
                backgroundInHeadline: backgroundInHeadline, options: options.surface) : nil
        var result = EvaluationResult(
            options: options, truthFolder: run.truthFolder, predictionFolder: run.predictionFolder,
            records: ScoredPairs(store: run.store, pairs: pairs), images: images, classIDs: classIDs,
            classValues: accumulator.values, summary: accumulator.summary(), unmatchedTruth: run.unmatchedTruth.map(\.file),
            unmatchedPredictions: run.unmatchedPredictions.map(\.file), ignoredFiles: run.ignoredFiles, problems: problems,
            warnings: warnings, backgroundInHeadline: backgroundInHeadline, timing: run.timing,
            nothingPaired: run.nothingPaired)
        result.confusion = run.confusion
        result.surface = surface
        return result
    }
}
