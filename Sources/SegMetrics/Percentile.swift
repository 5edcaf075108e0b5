/// Percentiles of per-image values by linear interpolation, as NumPy's default
/// (`numpy.percentile(x, q)`, method `linear`, Hyndman & Fan type 7).
///
/// For the n values sorted ascending x₀ ≤ … ≤ xₙ₋₁, the q-th percentile (q in [0, 1]) sits at the
/// virtual index h = (n − 1)·q: with i = ⌊h⌋ and g = h − i it is xᵢ + g·(xᵢ₊₁ − xᵢ), computed as
/// NumPy's `_lerp` does (from the upper value when g ≥ 0.5), so the results match it bit for bit.
/// NaN values are left out (as `numpy.nanpercentile`); no value gives NaN.
public enum Percentile {
    /// The percentiles every class row reports: p5, p25, p75, p95 (the median is p50).
    public static let reported: [(name: String, q: Double)] = [("p5", 0.05), ("p25", 0.25), ("p75", 0.75), ("p95", 0.95)]

    /// The q-th percentiles (each q in [0, 1]) of the values that are not NaN.
    /// - Parameters:
    ///   - values: any order; NaN is skipped.
    ///   - quantiles: fractions in [0, 1].
    /// - Returns: one value per quantile, NaN when no value is a number.
    /// - Complexity: O(n log n) for the sort.
    public static func values(of values: some Sequence<Double>, at quantiles: [Double]) -> [Double] {
        let sorted = values.filter { !$0.isNaN }.sorted()
        return quantiles.map { linear(sorted: sorted, q: $0) }
    }

    /// The q-th percentile of `sorted` (ascending, no NaN).
    /// - Precondition: `q` lies in [0, 1].
    public static func linear(sorted: [Double], q: Double) -> Double {
        precondition((0...1).contains(q), "a quantile lies in [0, 1]")
        guard let last = sorted.last else { return .nan }
        let h = Double(sorted.count - 1) * q
        let lower = min(Int(h.rounded(.down)), sorted.count - 1)
        guard lower + 1 < sorted.count else { return last }
        let g = h - Double(lower)
        let a = sorted[lower]
        let b = sorted[lower + 1]
        let difference = b - a
        return g >= 0.5 ? b - difference * (1 - g) : a + difference * g
    }
}
