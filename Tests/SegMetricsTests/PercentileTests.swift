import SegMetrics
import Testing

@Suite struct PercentileTests {
    // Values worked out by hand: h = (n − 1)·q, then x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
    @Test func fiveValuesAtTheReportedQuantiles() {
        // Sorted 0.1, 0.2, 0.4, 0.8, 1.0 (n = 5, h = 4q): p5 h = 0.2 → 0.1 + 0.2·0.1 = 0.12;
        // p25 h = 1 → 0.2; p75 h = 3 → 0.8; p95 h = 3.8 → 0.8 + 0.8·0.2 = 0.96.
        let p = Percentile.values(of: [0.8, 0.1, 1.0, 0.4, 0.2], at: [0.05, 0.25, 0.75, 0.95])
        #expect(abs(p[0] - 0.12) < 1e-15)
        #expect(p[1] == 0.2)
        #expect(p[2] == 0.8)
        #expect(abs(p[3] - 0.96) < 1e-15)
    }

    @Test func nanIsSkippedAndNoValueIsNaN() {
        // 0, 1 and two NaN: n = 2, h = q → p25 = 0.25, p75 = 0.75.
        let p = Percentile.values(of: [.nan, 1, .nan, 0], at: [0.25, 0.75])
        #expect(p == [0.25, 0.75])
        #expect(Percentile.values(of: [Double.nan], at: [0.5])[0].isNaN)
        #expect(Percentile.values(of: [], at: [0.05])[0].isNaN)
    }

    @Test func oneValueIsEveryPercentile() {
        #expect(Percentile.values(of: [0.7], at: [0, 0.05, 0.95, 1]) == [0.7, 0.7, 0.7, 0.7])
    }

    @Test func upperHalfInterpolatesFromTheUpperValue() {
        // 0 and 1: p95 h = 0.95 → 1 − 1·0.05 = 0.95 exactly (NumPy's _lerp form).
        #expect(Percentile.values(of: [0, 1], at: [0.95]) == [1 - 0.05])
    }
}
