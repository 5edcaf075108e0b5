import Foundation
import SegMetrics

/// The boundary metrics a run computes (`--surface-metrics` and the options beside it): none by
/// default, since each costs a distance computation per class and pair.
public struct SurfaceOptions: Sendable, Equatable {
    /// The definition (`--surface-variant`, default `segscore`).
    public var variant: SurfaceVariant
    /// The metrics asked for, in report order; empty: no boundary metric.
    public var metrics: [SurfaceMetric]
    /// The percentile of `hd95` (`--hd-percentile`, 0…100): reports name the metric `hdP`.
    public var percentile: Double
    /// `--nsd-tolerance`: one value for every class, or one per scored class in class order
    /// (physical units). Empty when `nsd` is not asked.
    public var tolerances: [Double]
    /// `--surface-empty`: what an undefined distance becomes.
    public var emptyRule: SurfaceEmptyRule
    /// `--spacing X,Y[,Z]` in image axis order (x columns, y rows, z slices); nil: from the files, else 1.
    public var spacing: [Double]?
    /// Whether label maps are measured in one pass per side when the variant and classes allow
    /// (`SurfaceClassIndex.swift`); false: one binary mask per class (tests compare the two).
    package var onePass = true

    /// No boundary metric, the base definition, 95th percentile, undefined empty distances.
    public init(
        variant: SurfaceVariant = .segscore, metrics: [SurfaceMetric] = [], percentile: Double = 95, tolerances: [Double] = [],
        emptyRule: SurfaceEmptyRule = .undefined, spacing: [Double]? = nil
    ) {
        self.variant = variant
        self.metrics = metrics.sorted()
        self.percentile = percentile
        self.tolerances = tolerances
        self.emptyRule = emptyRule
        self.spacing = spacing
    }

    /// True when a boundary metric is asked for.
    public var isActive: Bool { !metrics.isEmpty }

    /// The report name of `metric`: its raw name, except `hd95`, named after the percentile
    /// (`hd99` for `--hd-percentile 99`, `hd97.5` for 97.5).
    public func name(of metric: SurfaceMetric) -> String {
        guard metric == .hd95 else { return metric.rawValue }
        return "hd" + Self.number(percentile)
    }

    /// The report names of `metrics`, in order.
    public var metricNames: [String] { metrics.map(name(of:)) }

    /// The metric a report name stands for (`hd99` under `--hd-percentile 99`), among those asked.
    public func metric(named name: String) -> SurfaceMetric? {
        metrics.first { self.name(of: $0) == name }
    }

    /// The NSD tolerance of the class at `position` in the scored class order; nil without nsd.
    public func tolerance(forClassAt position: Int) -> Double? {
        if tolerances.isEmpty { return nil }
        if tolerances.count == 1 { return tolerances[0] }
        return position < tolerances.count ? tolerances[position] : nil
    }

    /// The request of the class at `position` in the scored class order.
    public func request(forClassAt position: Int) -> SurfaceRequest {
        SurfaceRequest(
            variant: variant, metrics: Set(metrics), percentile: percentile, tolerance: tolerance(forClassAt: position),
            emptyRule: emptyRule)
    }

    /// Parses `--surface-metrics`: `all` (every metric the variant defines) or a comma list of
    /// names (`hd95` may be spelled `hdP` for the percentile given).
    /// - Throws: a one-line message for an unknown name, or a metric the variant does not define.
    public static func metrics(parsing text: String, variant: SurfaceVariant, percentile: Double) throws(SurfaceOptionError)
        -> [SurfaceMetric]
    {
        let defined = variant.definedMetrics
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "all" { return defined.sorted() }
        let percentileName = "hd" + number(percentile)
        var chosen: [SurfaceMetric] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let word = part.trimmingCharacters(in: .whitespaces)
            let metric = word == percentileName ? SurfaceMetric.hd95 : SurfaceMetric(rawValue: word)
            guard let metric else {
                let names = SurfaceMetric.allCases.map { $0 == .hd95 ? percentileName : $0.rawValue }
                throw SurfaceOptionError(
                    "--surface-metrics: unknown metric '\(word)' (known: \(names.joined(separator: ", ")), or all)")
            }
            guard defined.contains(metric) else {
                let names = defined.sorted().map { $0 == .hd95 ? percentileName : $0.rawValue }
                throw SurfaceOptionError(
                    "--surface-metrics: \(word) is not defined by --surface-variant \(variant.rawValue), which defines "
                        + names.joined(separator: ", "))
            }
            if !chosen.contains(metric) { chosen.append(metric) }
        }
        return chosen.sorted()
    }

    /// Parses a comma list of positive finite numbers (`--spacing`), or of non-negative ones when
    /// `allowingZero` (`--nsd-tolerance`: τ = 0 is the share of boundary on the other boundary, as
    /// MONAI and DeepMind compute it).
    public static func positiveList(
        _ text: String, option: String, example: String, allowingZero: Bool = false
    ) throws(SurfaceOptionError) -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count == parts.count,
            values.allSatisfy({ $0.isFinite && ($0 > 0 || (allowingZero && $0 == 0)) })
        else {
            let kind = allowingZero ? "non-negative" : "positive"
            throw SurfaceOptionError("\(option) takes \(kind) numbers separated by commas, e.g. \(example)")
        }
        return values.map { $0 == 0 ? 0 : $0 }  // -0 is 0
    }

    /// A number as option names print it: `95`, `97.5`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// A boundary-metric option that cannot be used, in one line (exit 2).
public struct SurfaceOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// Where the spacing of a pair came from (`config.surface.spacing_source`).
public enum SpacingSource: String, Sendable, Equatable {
    /// `--spacing`.
    case option
    /// The ground truth's file (NIfTI `pixdim`, TIFF resolution tags, ImageJ `spacing=`).
    case file
    /// Neither: 1 along every axis.
    case `default`
}

extension EvaluationOptions {
    /// Checks a per-class `--nsd-tolerance` list against the scored classes.
    /// - Throws: a list without `--classes`/`--labels`, or of another length.
    func validateSurface() throws(EvaluationSetupError) {
        let count = surface.tolerances.count
        guard count > 1 else { return }
        let classes = regions.isEmpty ? explicitClasses : regions.keys.sorted()
        guard let classes else { throw .configuration("per-class --nsd-tolerance lists need --classes or --labels") }
        if classes.count != count {
            throw .configuration("--nsd-tolerance lists \(count) values but \(classes.count) classes are scored")
        }
    }
}
