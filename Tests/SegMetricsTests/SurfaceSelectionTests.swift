import Foundation
import SegMetrics
import Testing

/// The order statistics by selection (`SurfaceSelection`, used by the base and medpy percentiles
/// and the median) against `sorted()`, bit for bit, on distance-like lists and adversarial orders.
@Suite struct SurfaceSelectionTests {
    typealias Random = SurfaceEngineTests.Random

    /// Distance-like values: roots of sums of squared spacings, many equal, many zeros.
    static func distances(_ n: Int, _ random: inout Random) -> [Double] {
        let spacing = 0.1 + random.unit() * 3
        let zeros = random.int(0...3)
        return (0..<n).map { _ in
            if random.int(0...9) < zeros { return 0 }
            let dx = Double(random.int(0...40)) * spacing
            let dy = Double(random.int(0...6)) * 0.7
            return (dy * dy + dx * dx).squareRoot()
        }
    }

    /// Every entry (or a sample of entries of long lists) of `(a + b).sorted()` by selection.
    static func checkAllRanks(_ a: [Double], _ b: [Double], _ label: String) {
        let sorted = (a + b).sorted()
        let n = sorted.count
        let ranks = n <= 300 ? Array(0..<n) : [0, 1, n / 2 - 1, n / 2, n - 2, n - 1] + (0..<40).map { $0 * n / 40 }
        for k in ranks {
            let (low, high) = SurfaceSelection.orderPair(a, b, k)
            #expect(low.bitPattern == sorted[k].bitPattern, "\(label) k \(k)")
            #expect(high.bitPattern == sorted[min(k + 1, n - 1)].bitPattern, "\(label) k+1 \(k)")
        }
    }

    @Test("every rank of random distance lists, one list and two pooled, equals sorted()")
    func randomLists() {
        var random = Random(state: 9090)
        for trial in 0..<150 {
            let a = Self.distances(random.int(1...700), &random)
            let b = trial % 3 == 0 ? [] : Self.distances(random.int(0...400), &random)
            Self.checkAllRanks(a, b, "trial \(trial)")
        }
    }

    @Test("adversarial orders: ascending, descending, all equal, organ pipe, two values, +∞, extremes, 17 entries")
    func adversarialOrders() {
        let n = 1_000
        let ascending = (0..<n).map { Double($0) * 0.5 }
        let organ = (0..<n).map { Double(min($0, n - $0)) }
        let lists: [(String, [Double])] = [
            ("ascending", ascending), ("descending", ascending.reversed()), ("equal", [Double](repeating: 2.5, count: n)),
            ("zeros", [Double](repeating: 0, count: n)), ("organ pipe", organ), ("two values", (0..<n).map { Double($0 % 2) }),
            ("infinity", (0..<n).map { $0 % 5 == 0 ? .infinity : Double($0 % 13) }),
            ("extremes", [.greatestFiniteMagnitude, .leastNonzeroMagnitude, 0, 1e300] + (0..<60).map { Double($0) }),
            ("seventeen", (0..<17).map { Double((7 * $0) % 17) }), ("one", [3]), ("sixteen", (0..<16).map { Double(16 - $0) }),
        ]
        for (label, values) in lists {
            Self.checkAllRanks(values, [], label)
            Self.checkAllRanks(Array(values.prefix(values.count / 2)), Array(values.suffix(values.count / 3)), label + " pooled")
        }
    }

    @Test("lists not ordered by their bit patterns (−0, negative, NaN) fall back to sorting, short and long")
    func fallback() {
        let signed = (0..<100).map { Double($0 % 7) - 3 } + [-0.0, 0.0]
        Self.checkAllRanks(signed, [1, 2], "signed")
        Self.checkAllRanks((0..<50).map { Double($0) } + [.nan], [3], "NaN")
        // 512 entries or more take the one-pass narrowing first, which must hand these over too.
        let long = (0..<700).map { Double($0 % 29) * 0.5 }
        Self.checkAllRanks(long + [-1], long, "long, one negative")
        Self.checkAllRanks(long, [-0.0] + long, "long, −0")
        Self.checkAllRanks(long + [.nan], [], "long, NaN")
    }

    @Test("the percentile and the median by selection equal those of the sorted arrays, bit for bit")
    func percentilesAndMedians() {
        var random = Random(state: 777)
        for trial in 0..<200 {
            let a = Self.distances(random.int(1...900), &random)
            let b = Self.distances(random.int(1...500), &random)
            for p in [0, 5, 50, 95, 99.9, 100, 100 * random.unit()] {
                let single = SurfaceStatistics.numpyPercentile(sorted: a.sorted(), p)
                #expect(
                    SurfaceStatistics.numpyPercentile(unsorted: a, [], p).bitPattern == single.bitPattern, "trial \(trial) p \(p)"
                )
                let pooled = SurfaceStatistics.numpyPercentile(sorted: (a + b).sorted(), p)
                #expect(
                    SurfaceStatistics.numpyPercentile(unsorted: a, b, p).bitPattern == pooled.bitPattern, "trial \(trial) pooled")
            }
            let median = SurfaceStatistics.numpyMedian(sorted: (a + b).sorted())
            #expect(SurfaceStatistics.numpyMedian(unsorted: a, b).bitPattern == median.bitPattern, "trial \(trial) median")
            let odd = Array(a.prefix(a.count | 1 == a.count ? a.count : a.count - 1))
            #expect(
                SurfaceStatistics.numpyMedian(unsorted: odd, []).bitPattern
                    == SurfaceStatistics.numpyMedian(sorted: odd.sorted()).bitPattern)
        }
        #expect(SurfaceStatistics.numpyPercentile(unsorted: [], [], 95).isNaN)
        #expect(SurfaceStatistics.numpyMedian(unsorted: [], []).isNaN)
        // Hand-worked: 1…10 (shuffled), p95: rank 8.55 → 9 + 1·0.55 = 9.55; median (5 + 6) / 2.
        let shuffled: [Double] = [7, 2, 10, 4, 1, 9, 3, 8, 6, 5]
        #expect(abs(SurfaceStatistics.numpyPercentile(unsorted: shuffled, [], 95) - 9.55) < 1e-12)
        #expect(SurfaceStatistics.numpyMedian(unsorted: Array(shuffled.prefix(6)), Array(shuffled.suffix(4))) == 5.5)
    }

    @Test(
        "the means and the pooled list read once for all metrics: hand-worked values, and the per-metric reductions bit for bit")
    func sharedReductions() {
        let request = SurfaceRequest(metrics: Set(SurfaceMetric.allCases), tolerance: 2)
        let hand = SurfacePresets.self
        let small = SurfaceDirected(a: [1, 2], b: [3])
        #expect(hand.base(small, request: request, metric: .assd) == 2)
        #expect(hand.base(small, request: request, metric: .masd) == 2.25)
        #expect(hand.base(small, request: request, metric: .stdSD) == (2.0 / 3).squareRoot())
        var random = Random(state: 4040)
        for _ in 0..<50 {
            let a = (0..<random.int(1...300)).map { _ in Double(random.int(0...40)).squareRoot() * 0.7 }
            let b = (0..<random.int(1...300)).map { _ in Double(random.int(0...40)).squareRoot() * 0.7 }
            let shared = SurfaceDirectedReductions(SurfaceDirected(a: a, b: b))
            let expected: [SurfaceMetric: Double] = [
                .assd: SurfaceStatistics.numpyMean(a + b), .asdPredToGt: SurfaceStatistics.numpyMean(a),
                .asdGtToPred: SurfaceStatistics.numpyMean(b),
                .masd: (SurfaceStatistics.numpyMean(a) + SurfaceStatistics.numpyMean(b)) / 2,
                .stdSD: SurfaceStatistics.numpyStd(a + b),
            ]
            for (metric, value) in expected {
                #expect(hand.base(shared, request: request, metric: metric)?.bitPattern == value.bitPattern, "\(metric)")
                #expect(
                    hand.medpy(shared, request: request, metric: metric)?.bitPattern
                        == (metric == .masd || metric == .stdSD ? nil : value.bitPattern))
            }
        }
    }
}
