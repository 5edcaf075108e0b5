import ReportWriters
import SegMetrics

/// An evaluation as its reports see it: the result, the gates and the bootstrap intervals, turned
/// into the plain `EvaluationReportValue` that `ReportWriters` renders (JSON `segscore.report/1`,
/// per-image and per-class CSV, summary, Markdown, JUnit). Pure functions of the result, so the
/// reports are identical for any `--jobs`.
public struct EvaluationReport: Sendable {
    /// The evaluation the reports describe.
    public let result: EvaluationResult
    /// Quality-gate outcomes, when gates were asked for.
    public let gates: [GateOutcome]
    /// 95% bootstrap intervals of each class mean, in `summary.classes` order (nil entries with
    /// `--bootstrap 0`, no images, or no resample that gave a number).
    public let classIntervals: [BootstrapInterval?]
    /// 95% bootstrap interval of the headline mean; nil in the same cases.
    public let headlineInterval: BootstrapInterval?
    /// Number of bootstrap resamples (0: no intervals).
    public let resamples: Int
    /// What every report renders; per-image rows are read from the run's store when written.
    public let value: EvaluationReportValue

    /// Builds the report; the bootstrap runs here, in key order, with a fixed seed.
    public init(result: EvaluationResult, gates: [GateOutcome] = [], bootstrap: Bootstrap = Bootstrap(resamples: 0)) {
        self.result = result
        self.gates = gates
        resamples = bootstrap.resamples
        let ids = result.classIDs
        let headlineIDs = Set(result.summary.headlineClassIDs)
        let headline = ids.indices.filter { headlineIDs.contains(ids[$0]) }
        let intervals = bootstrap.intervals(rows: result.classValues, classCount: ids.count, headline: headline)
        // No scored image gives no interval, but the classes are still listed: one nil each.
        let classIntervals = intervals.classes.count == ids.count ? intervals.classes : Array(repeating: nil, count: ids.count)
        self.classIntervals = classIntervals
        headlineInterval = intervals.headline
        var value = Self.value(
            result: result, gates: gates, classIntervals: classIntervals, headlineInterval: intervals.headline,
            resamples: bootstrap.resamples)
        Self.addPercentilesAndConfusion(to: &value, result: result)
        self.value = value
    }

    /// True when a gate failed.
    public var gateFailed: Bool { gates.contains { !$0.passed } }

    /// The JSON report in memory (see `EvaluationReportValue.json`).
    public var json: JSONValue { value.json }

    /// The human summary, every warning and error listed (see `EvaluationReportValue.text`).
    public var text: String { value.text }

    /// The JUnit XML, timed by the run, or by `SOURCE_DATE_EPOCH` when set (then every `time` is 0).
    public var junit: String {
        let timing = RunTiming.reported(for: result.timing)
        return value.junit(start: timing.start, seconds: timing.seconds)
    }

    /// The per-image rows of `result`, computed from its store one at a time, in key order.
    public static func imageRows(of result: EvaluationResult) -> EvaluationReportValue.ImageRows {
        let records = result.records
        let images = result.images
        let options = result.options
        let headlineIDs = result.summary.headlineClassIDs
        let surface = result.surface
        return EvaluationReportValue.ImageRows(
            count: images.count, key: { records[$0].key },
            row: { index in
                let record = records[index]
                let image = images[index]
                let measured = surface.map { surfaceValues(record.surface, summary: $0) } ?? [:]
                var row = EvaluationReportValue.ImageRow(
                    key: record.key, truthPath: record.truthPath, predictionPath: record.predictionPath,
                    mean: image.mean(over: headlineIDs), generalized: image.generalized,
                    classes: image.classes.map { c in
                        var row = EvaluationReportValue.ImageClass(
                            id: c.id, name: options.name(of: c.id), dice: c.dice, counts: counts(c.counts, c.terms),
                            metrics: c.metrics.named.map(\.1))
                        if let values = measured[c.id] {
                            row.surface = values.values
                            row.surfaceUndefined = values.undefined?.rawValue
                        }
                        return row
                    })
                if let pair = record.surface, pair.source == .file { row.spacing = pair.spacing }
                return row
            })
    }

    /// The names of the overlap metrics, in the order class rows carry them.
    static var metricNames: [String] { OverlapMetrics(OverlapTerms()).named.map(\.0) }

    private static func value(
        result: EvaluationResult, gates: [GateOutcome], classIntervals: [BootstrapInterval?],
        headlineInterval: BootstrapInterval?,
        resamples: Int
    ) -> EvaluationReportValue {
        let options = result.options
        let variant = options.variant
        let summary = result.summary
        var byThreshold = false
        if variant.isHard, case .threshold = variant.binarization { byThreshold = true }
        let definition = EvaluationReportValue.Definition(
            variant: variant.name, formula: variant.formulaText, empty: variant.empty.rawValue,
            smoothNumerator: variant.smoothing.numerator, smoothDenominator: variant.smoothing.denominator,
            backgroundInHeadline: result.backgroundInHeadline, ignoreLabels: options.ignoreLabels,
            binarization: variant.isHard ? variant.binarization.name : nil, binarizesByThreshold: byThreshold,
            thresholds: options.thresholds, denominatorFloor: variant.denominatorFloor,
            activation: variant.activation == .none ? nil : variant.activation.rawValue,
            truthEncoding: options.truthEncoding.rawValue, predictionEncoding: options.predictionEncoding.rawValue,
            missing: options.missing.rawValue, reproduces: variant.reproduces, conventions: variant.conventions)
        let inputs = EvaluationReportValue.Inputs(
            truthFolder: result.truthFolder, predictionFolder: result.predictionFolder, pairs: result.records.count,
            unmatchedTruth: result.unmatchedTruth.map(\.path), unmatchedPredictions: result.unmatchedPredictions.map(\.path),
            ignoredFiles: result.ignoredFiles, encodings: encodingCounts(result.records))
        let classes = summary.classes.enumerated().map { index, c in
            EvaluationReportValue.ClassRow(
                id: c.id, name: options.name(of: c.id), mean: c.mean, median: c.median, std: c.std, min: c.min, max: c.max,
                n: c.n, nNaN: c.nNaN, pooled: c.pooled,
                interval: index < classIntervals.count ? interval(classIntervals[index]) : nil,
                pooledCounts: counts(c.pooledCounts, c.pooledTerms), pooledMetrics: c.pooledMetrics.named.map(\.1))
        }
        let aggregate = EvaluationReportValue.Aggregate(
            mean: summary.mean, pooled: summary.pooled, classIDs: summary.headlineClassIDs,
            classNames: summary.headlineClassIDs.map { options.name(of: $0) }, interval: interval(headlineInterval),
            resamples: resamples, seed: Int(Bootstrap().seed), generalizedMean: summary.generalizedMean,
            library: summary.library.map { .init(variant: $0.variant, name: $0.name, value: $0.value) })
        var value = EvaluationReportValue(
            toolVersion: segscoreVersion, definition: definition, inputs: inputs, classes: classes, aggregate: aggregate,
            images: imageRows(of: result), classValues: result.classValues, classValueStride: result.classIDs.count,
            metricNames: metricNames,
            errors: result.problems.map { .init(key: $0.key, path: $0.path, message: $0.message) }, warnings: result.warnings,
            gates: gates.map(\.reportGate), nothingPaired: result.nothingPaired)
        value.surface = result.surface.map(surfaceReport)
        return value
    }

    static func interval(_ interval: BootstrapInterval?) -> EvaluationReportValue.Interval? {
        interval.map { .init(lower: $0.lower, upper: $0.upper) }
    }

    /// tp/fp/fn/tn: integer counts for hard variants, soft masses otherwise.
    private static func counts(_ counts: ClassCounts?, _ terms: OverlapTerms) -> EvaluationReportValue.Counts {
        if let counts { return .integers(tp: counts.tp, fp: counts.fp, fn: counts.fn, tn: counts.tn) }
        let tn = terms.pixels - terms.intersection - terms.falsePositive - terms.falseNegative
        return .masses(tp: terms.intersection, fp: terms.falsePositive, fn: terms.falseNegative, tn: tn)
    }

    /// (gt encoding, pred encoding, pairs) in first-seen key order.
    private static func encodingCounts(_ records: ScoredPairs) -> [(truth: String, prediction: String, pairs: Int)] {
        var order: [String] = []
        var counts: [String: (truth: String, prediction: String, pairs: Int)] = [:]
        for record in records {
            let key = record.truthEncoding + "|" + record.predictionEncoding
            if let seen = counts[key] {
                counts[key] = (seen.truth, seen.prediction, seen.pairs + 1)
            } else {
                order.append(key)
                counts[key] = (record.truthEncoding, record.predictionEncoding, 1)
            }
        }
        return order.compactMap { counts[$0] }
    }
}

extension GateOutcome {
    /// The outcome as the reports see it.
    public var reportGate: EvaluationReportValue.Gate {
        var gate = EvaluationReportValue.Gate(
            name: name, value: value, threshold: threshold, passed: passed, baseline: baseline, difference: difference,
            interval: EvaluationReport.interval(interval))
        gate.above = above
        return gate
    }
}
