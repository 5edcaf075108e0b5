import ReportWriters
import SegMetrics

extension EvaluationReport {
    /// The variant's conventions line with the thresholds that were applied: a hard variant that
    /// thresholds probabilities uses `--threshold` (one value, or one per channel), not the number
    /// in its rule's name, so the line says `p > 0.3` or `p > 0.4 (channel 0), 0.6 (channel 1 and
    /// later)` instead of `gt:0.5`.
    var conventionsInEffect: String {
        let variant = result.options.variant
        let conventions = variant.conventions
        guard variant.isHard, case .threshold = variant.binarization else { return conventions }
        let named = "probability maps binarised by \(variant.binarization.name)"
        guard conventions.hasPrefix(named) else { return conventions }
        return "probability maps binarised by " + Self.thresholdText(result.options.thresholds)
            + conventions.dropFirst(named.count)
    }

    /// `p > T` for one threshold; one per channel, the last for every later channel, otherwise.
    static func thresholdText(_ thresholds: [Double]) -> String {
        guard thresholds.count > 1 else { return "p > " + NumberText.shortest(thresholds.first ?? 0.5) }
        let last = thresholds.count - 1
        return "p > "
            + thresholds.enumerated().map { index, t in
                "\(NumberText.shortest(t)) (channel \(index)\(index == last ? " and later" : ""))"
            }.joined(separator: ", ")
    }
}
