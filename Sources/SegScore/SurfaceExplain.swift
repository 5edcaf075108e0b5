import Foundation
import ReportWriters
import SegMetrics

/// `explain --surface-metrics`: the boundary definitions' rules, and their values side by side on
/// data with the cause of each disagreement.
public enum SurfaceExplain {
    /// The rules of a definition, by aspect: what can make two definitions disagree.
    static func rules(_ variant: SurfaceVariant) -> [(aspect: String, rule: String)] {
        let centres = "face-connected foreground pixels (4 in 2-D, 6 in 3-D), image edge is boundary; points at pixel centres"
        let corners =
            "surfels on voxel corners of 2×2(×2) neighbourhoods, object closed at the image edge, weighted by length/area"
        switch variant {
        case .segscore:
            return [
                ("boundary", centres), ("percentile", "max of the two directed percentiles, linear interpolation (numpy)"),
                ("mean", "assd: mean of the concatenation A ∪ B; masd: mean of the two directed means"),
                ("nsd", "boundary pixels within τ over all boundary pixels"),
                ("empty", "both empty: NaN; one empty: distances undefined (or the diagonal), nsd 0"),
                ("arithmetic", "float64, exact distances"),
            ]
        case .medpy:
            return [
                ("boundary", centres), ("percentile", "percentile of the pooled distances A ∪ B, linear"),
                ("mean", "assd: mean of the concatenation"), ("nsd", "—"), ("empty", "the library raises: undefined"),
                ("arithmetic", "float64"),
            ]
        case .monai:
            return [
                ("boundary", centres), ("percentile", "max of directed torch.quantile, float32"),
                ("mean", "assd: float32 mean of the concatenation"), ("nsd", "boundary pixels, τ compared in float32"),
                ("empty", "one empty: hd/assd inf, hd95 NaN → undefined; nsd 0"), ("arithmetic", "float32 distances"),
            ]
        case .monaiSubvoxels:
            return [
                ("boundary", corners), ("percentile", "—"), ("mean", "—"), ("nsd", "area-weighted, float32 area table"),
                ("empty", "as monai"), ("arithmetic", "float32"),
            ]
        case .deepmind:
            return [
                ("boundary", corners),
                ("percentile", "max of directed area-weighted percentiles, inverted CDF (no interpolation)"),
                ("mean", "masd: mean of the two area-weighted directed means (no concatenated assd)"),
                ("nsd", "area-weighted, ≤ τ"), ("empty", "one empty: hd inf → undefined; nsd 0"), ("arithmetic", "float64"),
            ]
        case .segMetrics, .segMetricsFace:
            let neighbours = variant == .segMetrics ? "8/26" : "4/6"
            return [
                ("boundary", "SimpleITK label contour with \(neighbours) neighbours; image edge is not boundary"),
                ("percentile", "np.percentile of the pooled distances, linear"),
                ("mean", "assd (msd): mean of the concatenation; also median_sd, std_sd"), ("nsd", "—"),
                ("empty", "every metric 0"), ("arithmetic", "ITK float32 distance sums"),
            ]
        }
    }

    static func reproduces(_ variant: SurfaceVariant) -> String {
        switch variant {
        case .segscore: return "segscore's base definition"
        case .medpy: return "medpy 0.5.2 hd, hd95, assd, asd"
        case .monai: return "MONAI 1.6.1 compute_hausdorff_distance, compute_average_surface_distance, compute_surface_dice"
        case .monaiSubvoxels: return "MONAI 1.6.1 compute_surface_dice(use_subvoxels=True)"
        case .deepmind: return "DeepMind surface-distance 0.1"
        case .segMetrics: return "seg-metrics 1.2.8 (fully_connected=True)"
        case .segMetricsFace: return "seg-metrics 1.2.8 (fully_connected=False)"
        }
    }

    /// The catalogue of every boundary definition.
    public static var catalogue: SurfaceExplainTable {
        SurfaceExplainTable(definitions: SurfaceVariant.allCases.map(definition))
    }

    static func definition(_ v: SurfaceVariant) -> SurfaceExplainTable.Definition {
        .init(
            name: v.rawValue, reproduces: reproduces(v), rules: rules(v).map { ($0.aspect, $0.rule) },
            metrics: v.definedMetrics.sorted().map(\.rawValue))
    }

    /// The columns compared: hd, hdP, the symmetric mean distance (assd, or masd where the
    /// library has no assd) and nsd when a tolerance is given; the aspects each one depends on.
    static func columns(_ surface: SurfaceOptions) -> [(
        name: String, aspects: [String], value: (SurfaceVariant) -> SurfaceMetric?
    )] {
        var columns: [(String, [String], (SurfaceVariant) -> SurfaceMetric?)] = [
            ("hd", ["boundary", "arithmetic"], { $0.definedMetrics.contains(.hd) ? .hd : nil }),
            (
                surface.name(of: .hd95), ["boundary", "percentile", "arithmetic"],
                { $0.definedMetrics.contains(.hd95) ? .hd95 : nil }
            ),
            (
                "mean distance", ["boundary", "mean", "arithmetic"],
                { $0.definedMetrics.contains(.assd) ? .assd : $0.definedMetrics.contains(.masd) ? .masd : nil }
            ),
        ]
        if !surface.tolerances.isEmpty {
            columns.append(("nsd", ["boundary", "nsd", "arithmetic"], { $0.definedMetrics.contains(.nsd) ? .nsd : nil }))
        }
        return columns
    }

    /// Runs every boundary definition on the data (two files, or two folders paired as
    /// `evaluate` pairs them): per class the value of one pair, or the class mean over pairs.
    public static func compute(truth: String, prediction: String, options: EvaluationOptions) throws(EvaluationSetupError)
        -> (table: SurfaceExplainTable, reference: EvaluationResult)
    {
        var isDirectory: ObjCBool = false
        let folders = FileManager.default.fileExists(atPath: truth, isDirectory: &isDirectory) && isDirectory.boolValue
        let columns = columns(options.surface)
        var results: [(SurfaceVariant, EvaluationResult)] = []
        for variant in SurfaceVariant.allCases {
            var o = options
            o.surface.variant = variant
            o.surface.metrics = Set(columns.compactMap { $0.value(variant) }).sorted()
            if o.surface.metrics.isEmpty { o.surface.metrics = variant.definedMetrics.sorted() }
            if !o.surface.metrics.contains(.nsd) { o.surface.tolerances = [] }
            let result =
                folders
                ? try Evaluation.run(truth: truth, prediction: prediction, options: o)
                : try Evaluation.run(truthFile: truth, predictionFile: prediction, options: o)
            results.append((variant, result))
        }
        let reference = results[0].1
        let ids = reference.surface?.classIDs ?? []
        var classes: [(name: String, id: Int, values: [[Double?]])] = []
        var lines: [String] = []
        // Undefined because a mask is empty: then the empty rule is a cause too.
        let single = reference.records.count == 1
        for id in ids {
            let values = results.map { variant, result in
                columns.map { column -> Double? in
                    guard let metric = column.value(variant), let summary = result.surface else { return nil }
                    if single, let pair = result.records.first?.surface {
                        return SurfaceSummary.imageValues(pair, classIDs: [id], options: summary.options)[0].values[
                            summary.options.metrics.firstIndex(of: metric) ?? 0]
                    }
                    return summary.statistics(of: id, metric)?.mean ?? .nan
                }
            }
            let name = options.name(of: id)
            classes.append((name, id, values))
            var empty: SurfaceUndefined?
            if single, let pair = reference.records.first?.surface {
                empty = pair.values[id].map(\.undefined) ?? .bothEmpty
            }
            for (c, column) in columns.enumerated() {
                let entries = results.indices.compactMap { v in values[v][c].map { (variant: results[v].0, value: $0) } }
                if let line = disagreement(entries, column: column.name, aspects: column.aspects, className: name, empty: empty) {
                    lines.append(line)
                }
            }
        }
        let summary = reference.surface
        let spacing = summary.map { s in
            var report = SurfaceReport(
                variant: "", metricNames: [], percentile: 0, tolerances: [], emptyRule: "", spacing: s.spacing,
                spacingSource: s.source.rawValue, classes: [:], headline: [])
            report.spacingVaries = s.spacingVaries
            return report.spacingText + " (\(s.source.rawValue))"
        }
        return (
            SurfaceExplainTable(
                definitions: SurfaceVariant.allCases.map(definition), columns: columns.map(\.name), classes: classes,
                disagreements: lines, spacing: spacing ?? ""),
            reference
        )
    }

    /// One line when the values differ (beyond 1e-6 relative): the groups of equal values, each
    /// after the first with the aspects whose rules differ from the first group's, then the
    /// aspects that explain the whole split (one rule per group).
    static func disagreement(
        _ entries: [(variant: SurfaceVariant, value: Double)], column: String, aspects: [String], className: String,
        empty: SurfaceUndefined?
    ) -> String? {
        var groups: [(value: Double, variants: [SurfaceVariant])] = []
        for entry in entries {
            if let g = groups.firstIndex(where: { same($0.value, entry.value) }) {
                groups[g].variants.append(entry.variant)
            } else {
                groups.append((entry.value, [entry.variant]))
            }
        }
        guard groups.count > 1 else { return nil }
        func keyed(_ aspect: String, _ variants: [SurfaceVariant]) -> Set<String> {
            Set(variants.map { v in key(aspect, rules(v).first { $0.aspect == aspect }?.rule ?? "") })
        }
        // Each group after the first (the base definition's when it gives the metric) with the
        // aspects whose rules differ from the first group's in every definition of both.
        let values = groups.enumerated().map { index, g in
            let text =
                "\(g.value.isNaN ? "undefined" : NumberText.significant(g.value)) under \(g.variants.map(\.rawValue).joined(separator: ", "))"
            guard index > 0 else { return text }
            let reasons = aspects.compactMap { aspect -> String? in
                let first = keyed(aspect, groups[0].variants)
                let this = keyed(aspect, g.variants)
                // Named against the first group's first definition (a mixed first group would
                // otherwise lend its other rules to the name).
                let reference = keyed(aspect, [groups[0].variants[0]])
                return first.isDisjoint(with: this) ? causeName(aspect, reference.union(this)) : nil
            }
            return reasons.isEmpty ? text : text + " (" + reasons.joined(separator: "; ") + ")"
        }
        var causes: [String] = []
        if let empty { causes.append("empty rule (\(empty.rawValue))") }
        // A cause of the whole split: an aspect with one rule within each group, not the same in all.
        for aspect in aspects {
            let ruleSets = groups.map { keyed(aspect, $0.variants) }
            let all = ruleSets.reduce(Set<String>()) { $0.union($1) }
            if all.count > 1 && ruleSets.allSatisfy({ $0.count == 1 }) { causes.append(causeName(aspect, all)) }
        }
        return "class \(className) \(column): " + values.joined(separator: "; ")
            + (causes.isEmpty ? "" : " — " + causes.joined(separator: ", "))
    }

    /// What of a rule matters when two definitions are compared on `aspect`.
    static func key(_ aspect: String, _ rule: String) -> String {
        switch aspect {
        case "arithmetic": return rule.contains("float32") ? "float32" : "float64"
        case "nsd": return rule.contains("area") ? "area-weighted" : "pixel counts"
        case "mean": return rule.hasPrefix("masd") ? "masd: averaged" : "concatenated"
        default: return rule
        }
    }

    static func causeName(_ aspect: String, _ rules: Set<String>) -> String {
        switch aspect {
        case "percentile":
            let pooled = rules.contains { $0.contains("pooled") }
            let directed = rules.contains { $0.contains("directed") }
            var parts: [String] = []
            if pooled && directed { parts.append("pooled vs directed percentile") }
            if rules.contains(where: { $0.contains("inverted CDF") }) { parts.append("interpolated vs inverted-CDF percentile") }
            if rules.contains(where: { $0.contains("torch") }) { parts.append("torch.quantile in float32") }
            return parts.isEmpty ? "percentile rule" : parts.joined(separator: ", ")
        case "mean":
            return rules.contains { $0.hasPrefix("masd") } ? "concatenated vs averaged mean" : "mean rule"
        case "boundary":
            var parts: [String] = []
            if rules.contains(where: { $0.contains("corners") }) { parts.append("corners vs centres") }
            if rules.contains(where: { $0.contains("not boundary") }) { parts.append("image-edge rule") }
            if rules.contains(where: { $0.contains("8/26") || $0.contains("4/6") }) && parts.count < 2 {
                parts.append("contour connectivity")
            }
            return parts.isEmpty ? "boundary rule" : parts.joined(separator: ", ")
        case "arithmetic": return "float32 vs float64"
        case "nsd": return "pixel counts vs area weights"
        default: return aspect
        }
    }

    static func same(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        // 1e-6 relative: float32 and float64 results of one definition are the same number here.
        return a == b || abs(a - b) <= 1e-6 * max(abs(a), abs(b))
    }
}
