import ReportWriters
import SegMetrics

/// Statistics of one boundary metric of one class over the images: NaN skipped (`n` images with
/// a value, `nNaN` without), `std` the population standard deviation (ddof 0), as for Dice.
public struct SurfaceStatistics: Sendable, Equatable {
    /// The NaN-skipping mean; NaN when no image has a value.
    public var mean: Double
    /// The median of the values (mean of the middle two for an even count).
    public var median: Double
    /// Population standard deviation.
    public var std: Double
    /// The smallest value.
    public var min: Double
    /// The largest value.
    public var max: Double
    /// Images with a value.
    public var n: Int
    /// Images whose value is undefined (NaN).
    public var nNaN: Int

    /// The statistics of `values` (NaN counted apart), summed in the order given.
    public init(_ values: [Double]) {
        var kept = values.filter { !$0.isNaN }
        n = kept.count
        nNaN = values.count - kept.count
        mean = kept.isEmpty ? .nan : Self.sum(kept) / Double(kept.count)
        let m = mean
        std = kept.isEmpty ? .nan : (Self.sum(kept.map { ($0 - m) * ($0 - m) }) / Double(kept.count)).squareRoot()
        kept.sort()
        if kept.isEmpty {
            median = .nan
        } else if kept.count % 2 == 1 {
            median = kept[kept.count / 2]
        } else {
            median = (kept[kept.count / 2 - 1] + kept[kept.count / 2]) / 2
        }
        min = kept.first ?? .nan
        max = kept.last ?? .nan
    }

    /// A compensated (Neumaier) sum, in order.
    static func sum(_ values: [Double]) -> Double {
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let t = sum + value
            compensation += abs(sum) >= abs(value) ? (sum - t) + value : (value - t) + sum
            sum = t
        }
        return sum + compensation
    }

    /// Equal when every field is equal, NaN equal to NaN.
    public static func == (lhs: SurfaceStatistics, rhs: SurfaceStatistics) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
        return same(lhs.mean, rhs.mean) && same(lhs.median, rhs.median) && same(lhs.std, rhs.std)
            && same(lhs.min, rhs.min) && same(lhs.max, rhs.max) && lhs.n == rhs.n && lhs.nNaN == rhs.nNaN
    }
}

/// The boundary metrics of a run: per class and metric the statistics over images, and the
/// headline per metric (the NaN-skipping mean over the headline classes of the class means).
public struct SurfaceSummary: Sendable {
    /// What was asked.
    public var options: SurfaceOptions
    /// The classes that have boundary metrics, in report order (background only when it is in the headline).
    public var classIDs: [Int]
    /// Per class (in `classIDs` order), per metric (in `options.metrics` order).
    public var classes: [[SurfaceStatistics]]
    /// Per metric (in `options.metrics` order): the mean over the headline classes of the class means.
    public var headline: [Double]
    /// The spacing the report states: `--spacing`, else the first scored pair's (x, y, z).
    public var spacing: [Double]
    /// `option`, `file` (some pair's spacing came from its ground-truth file) or `default`.
    public var source: SpacingSource
    /// Whether the pairs' spacings differ (files of several spacings, or some files with one and
    /// some without): `spacing` is then the first pair's, and each image's is in its row.
    public var spacingVaries = false

    /// The statistics of class `id` and `metric`; nil when the class or metric has none.
    public func statistics(of id: Int, _ metric: SurfaceMetric) -> SurfaceStatistics? {
        guard let c = classIDs.firstIndex(of: id), let m = options.metrics.firstIndex(of: metric) else { return nil }
        return classes[c][m]
    }

    /// The headline value of `metric`; nil when it was not asked.
    public func headline(of metric: SurfaceMetric) -> Double? {
        options.metrics.firstIndex(of: metric).map { headline[$0] }
    }

    /// The per-image values of the surface classes of a stored row: per class (in `classIDs`
    /// order) the metrics (in `options.metrics` order) and why they are undefined. A class the
    /// pair did not measure (absent from both masks) is "both_empty".
    static func imageValues(_ surface: PairSurface?, classIDs: [Int], options: SurfaceOptions)
        -> [(values: [Double], undefined: SurfaceUndefined?)]
    {
        classIDs.map { id in
            if let measured = surface?.values[id] {
                return (options.metrics.map { measured[$0] ?? .nan }, measured.undefined)
            }
            // Absent from both sides: NaN everywhere (nsd included), like Dice's 0/0.
            return (options.metrics.map { _ in .nan }, .bothEmpty)
        }
    }

    /// Summarises the stored rows of a run.
    static func make(
        store: ScoreStore, classIDs allIDs: [Int], headlineIDs: [Int], backgroundInHeadline: Bool, options: SurfaceOptions
    ) -> SurfaceSummary {
        let ids = allIDs.filter { $0 != 0 || backgroundInHeadline }
        let metrics = options.metrics
        var columns = [[Double]](repeating: [], count: ids.count * metrics.count)
        var spacing: [Double]? = options.spacing.map { Array($0.prefix(3)) + Array(repeating: 1, count: max(0, 3 - $0.count)) }
        var source: SpacingSource = options.spacing != nil ? .option : .default
        var first: (spacing: [Double], source: SpacingSource)?
        var varies = false
        for row in 0..<store.count {
            let surface = store.row(row).counts.surface
            if let surface {
                if spacing == nil { spacing = surface.spacing }
                if surface.source == .file { source = .file }
                if let first {
                    if first.spacing != surface.spacing || first.source != surface.source { varies = true }
                } else {
                    first = (surface.spacing, surface.source)
                }
            }
            for (c, entry) in imageValues(surface, classIDs: ids, options: options).enumerated() {
                for (m, value) in entry.values.enumerated() { columns[c * metrics.count + m].append(value) }
            }
        }
        let classes = ids.indices.map { c in metrics.indices.map { m in SurfaceStatistics(columns[c * metrics.count + m]) } }
        let headlineSet = Set(headlineIDs)
        let headline = metrics.indices.map { m in
            let means = ids.indices.filter { headlineSet.contains(ids[$0]) }.map { classes[$0][m].mean }.filter { !$0.isNaN }
            return means.isEmpty ? Double.nan : SurfaceStatistics.sum(means) / Double(means.count)
        }
        var summary = SurfaceSummary(
            options: options, classIDs: ids, classes: classes, headline: headline, spacing: spacing ?? [1, 1, 1],
            source: source)
        summary.spacingVaries = varies
        return summary
    }
}

extension EvaluationReport {
    /// Class id → the image's boundary metrics (in the summary's metric order) and why undefined.
    static func surfaceValues(_ pair: PairSurface?, summary: SurfaceSummary) -> [Int: (
        values: [Double], undefined: SurfaceUndefined?
    )] {
        let entries = SurfaceSummary.imageValues(pair, classIDs: summary.classIDs, options: summary.options)
        return Dictionary(uniqueKeysWithValues: zip(summary.classIDs, entries).map { ($0, $1) })
    }

    /// The boundary metrics as the reports see them.
    static func surfaceReport(_ summary: SurfaceSummary) -> SurfaceReport {
        let options = summary.options
        var classes: [Int: [SurfaceReport.Statistics]] = [:]
        for (index, id) in summary.classIDs.enumerated() {
            classes[id] = summary.classes[index].map {
                SurfaceReport.Statistics(
                    mean: $0.mean, median: $0.median, std: $0.std, min: $0.min, max: $0.max, n: $0.n, nNaN: $0.nNaN)
            }
        }
        var report = SurfaceReport(
            variant: options.variant.rawValue, metricNames: options.metricNames, percentile: options.percentile,
            tolerances: options.tolerances, emptyRule: options.emptyRule.rawValue, spacing: summary.spacing,
            spacingSource: summary.source.rawValue, classes: classes, headline: summary.headline)
        report.spacingVaries = summary.spacingVaries
        return report
    }
}
