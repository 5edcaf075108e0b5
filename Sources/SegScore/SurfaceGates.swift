import SegMetrics

/// Gates on boundary metrics. A distance (`hd`, `hdP`, `assd`, `masd`, `asd_*`, `median_sd`,
/// `std_sd`) fails *above* its threshold: `--fail-over METRIC:X`, `--fail-over-class
/// NAME=METRIC:X`. NSD is a similarity and fails below, like Dice: `--fail-under nsd:X`,
/// `--fail-under-class NAME=nsd:X`. A NaN value (no image with a defined value) fails.
public enum SurfaceGates {
    /// Splits `METRIC:X`; nil when the text is not of that form.
    public static func metricLimit(_ text: String) -> (name: String, limit: Double)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let name = String(text[..<colon])
        guard !name.isEmpty, let limit = Double(text[text.index(after: colon)...]) else { return nil }
        return (name, limit)
    }

    /// Checks boundary gates against what is asked before the run: the metric must be among
    /// `--surface-metrics`, a distance gated with `--fail-over`, nsd with `--fail-under`, the
    /// threshold finite (and nsd's in [0, 1]).
    /// - Throws: a one-line configuration error (exit 2).
    public static func check(_ specs: [GateSpec], surface: SurfaceOptions) throws(EvaluationSetupError) {
        for case .surface(let name, let metricName, let limit, let above) in specs {
            let option =
                above
                ? (name == nil ? "--fail-over" : "--fail-over-class") : (name == nil ? "--fail-under" : "--fail-under-class")
            guard surface.isActive else {
                throw .configuration("\(option) \(metricName): no boundary metric is computed (give --surface-metrics)")
            }
            guard let metric = surface.metric(named: metricName) else {
                throw .configuration(
                    "\(option) \(metricName): not among --surface-metrics (\(surface.metricNames.joined(separator: ",")))")
            }
            if metric == .nsd && above {
                throw .configuration("\(option) nsd: NSD is a similarity (higher is better): gate it with --fail-under nsd:X")
            }
            if metric != .nsd && !above {
                throw .configuration(
                    "\(option) \(metricName): a distance fails above its threshold: gate it with --fail-over \(metricName):X")
            }
            guard limit.isFinite, limit >= 0, metric != .nsd || limit <= 1 else {
                throw .configuration(
                    "\(option) \(metricName): the threshold must be \(metric == .nsd ? "in [0, 1]" : "finite and non-negative")")
            }
        }
    }

    /// The outcome of one boundary gate.
    static func outcome(name: String?, metric: String, limit: Double, above: Bool, result: EvaluationResult)
        throws(EvaluationSetupError) -> GateOutcome
    {
        guard let summary = result.surface, let chosen = summary.options.metric(named: metric) else {
            throw .configuration("gate on \(metric): not among --surface-metrics")
        }
        let relation = above ? "<=" : ">="
        var value = Double.nan
        var label = "\(metric) \(relation) \(limit)"
        if let name {
            let options = result.options
            guard let id = options.labels?.id(named: name) ?? Int(name) else {
                throw .configuration(
                    "\(above ? "--fail-over-class" : "--fail-under-class"): no class named '\(name)' in --labels")
            }
            value = summary.statistics(of: id, chosen)?.mean ?? .nan
            label = "class \(options.name(of: id)) mean \(label)"
        } else {
            value = summary.headline(of: chosen) ?? .nan
        }
        var outcome = GateOutcome(
            name: label, value: value, threshold: limit, passed: above ? value <= limit : value >= limit)
        outcome.above = above
        return outcome
    }
}
