import SegMetrics
import Testing

/// `Bootstrap.intervals(rows:classCount:headline:)` (four classes summed at once as SIMD lanes, a
/// NaN adding +0.0) against the plain loop that skips NaNs one class at a time: the same bits for
/// every class count (lanes 1…4 and a partial last group), NaN rates from none to all, one image
/// or many, and passes of a few classes (a small `storageLimit`); the same for
/// `differenceIntervals` (a baseline's NaN rows where it did not score an image).
@Suite struct BootstrapReferenceTests {
    /// The scalar loop: per resample, n seeded draws; per class the NaN-skipping mean; the headline
    /// the mean of its classes' means; 2.5th/97.5th percentiles by linear interpolation.
    func reference(_ rows: [Double], classCount: Int, headline: [Int], resamples: Int, seed: UInt64)
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        let n = rows.count / classCount
        var generator = SplitMix64(seed: seed)
        var perClass = [[Double]](repeating: [], count: classCount)
        var overall: [Double] = []
        for _ in 0..<resamples {
            var sums = [Double](repeating: 0, count: classCount)
            var counts = [Int](repeating: 0, count: classCount)
            for _ in 0..<n {
                let row = generator.index(below: n) * classCount
                for c in 0..<classCount where !rows[row + c].isNaN {
                    sums[c] += rows[row + c]
                    counts[c] += 1
                }
            }
            var headlineSum = 0.0
            var headlineCount = 0
            for c in 0..<classCount where counts[c] > 0 {
                let mean = sums[c] / Double(counts[c])
                perClass[c].append(mean)
                if headline.contains(c) {
                    headlineSum += mean
                    headlineCount += 1
                }
            }
            if headlineCount > 0 { overall.append(headlineSum / Double(headlineCount)) }
        }
        return (perClass.map(Self.interval), Self.interval(overall))
    }

    /// The scalar loop of `differenceIntervals`: per class the current side's NaN-skipping mean
    /// minus the baseline's; the headline the difference of the two sides' means of class means.
    func differenceReference(
        _ now: [Double], _ before: [Double], classCount: Int, headline: [Int], resamples: Int, seed: UInt64
    ) -> (classes: [BootstrapInterval?], headline: BootstrapInterval?) {
        let n = now.count / classCount
        var generator = SplitMix64(seed: seed)
        var perClass = [[Double]](repeating: [], count: classCount)
        var overall: [Double] = []
        for _ in 0..<resamples {
            var sums = [Double](repeating: 0, count: 2 * classCount)
            var counts = [Int](repeating: 0, count: 2 * classCount)
            for _ in 0..<n {
                let row = generator.index(below: n) * classCount
                for c in 0..<classCount {
                    if !now[row + c].isNaN {
                        sums[c] += now[row + c]
                        counts[c] += 1
                    }
                    if !before[row + c].isNaN {
                        sums[classCount + c] += before[row + c]
                        counts[classCount + c] += 1
                    }
                }
            }
            var nowSum = 0.0
            var nowCount = 0
            var beforeSum = 0.0
            var beforeCount = 0
            for c in 0..<classCount {
                let a = counts[c] > 0 ? sums[c] / Double(counts[c]) : .nan
                let b = counts[classCount + c] > 0 ? sums[classCount + c] / Double(counts[classCount + c]) : .nan
                if counts[c] > 0 && counts[classCount + c] > 0 { perClass[c].append(a - b) }
                guard headline.contains(c) else { continue }
                if counts[c] > 0 {
                    nowSum += a
                    nowCount += 1
                }
                if counts[classCount + c] > 0 {
                    beforeSum += b
                    beforeCount += 1
                }
            }
            if nowCount > 0 && beforeCount > 0 { overall.append(nowSum / Double(nowCount) - beforeSum / Double(beforeCount)) }
        }
        return (perClass.map(Self.interval), Self.interval(overall))
    }

    /// 2.5th/97.5th percentiles by linear interpolation between order statistics.
    static func interval(_ samples: [Double]) -> BootstrapInterval? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func quantile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        return BootstrapInterval(lower: quantile(0.025), upper: quantile(0.975))
    }

    static func bits(_ interval: BootstrapInterval?) -> [UInt64]? {
        interval.map { [$0.lower.bitPattern, $0.upper.bitPattern] }
    }

    @Test func sameBitsAsTheScalarLoop() {
        var random = SplitMix64(seed: 23)
        var compared = 0
        for classCount in [1, 2, 3, 4, 5, 7, 8, 9] {
            for n in [1, 7, 300] {
                for nanPercent in [0, 5, 50, 100] {
                    let rows = (0..<(n * classCount)).map { _ in
                        random.index(below: 100) < nanPercent ? Double.nan : Double(random.index(below: 1000)) / 997
                    }
                    let headline = Array(stride(from: 0, to: classCount, by: 2))
                    let expected = reference(rows, classCount: classCount, headline: headline, resamples: 150, seed: 99)
                    for storageLimit in [1 << 22, 300] {
                        var bootstrap = Bootstrap(resamples: 150, seed: 99)
                        bootstrap.storageLimit = storageLimit
                        let got = bootstrap.intervals(rows: rows, classCount: classCount, headline: headline)
                        let name = "\(classCount) classes, \(n) images, \(nanPercent)% NaN, storage \(storageLimit)"
                        #expect(got.classes.map(Self.bits) == expected.classes.map(Self.bits), "\(name)")
                        #expect(Self.bits(got.headline) == Self.bits(expected.headline), "\(name)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 192)
    }

    @Test func differenceIntervalsSameBitsAsTheScalarLoop() {
        var random = SplitMix64(seed: 29)
        var compared = 0
        for classCount in [1, 3, 4, 6, 9] {
            for n in [1, 9, 200] {
                for nanPercent in [0, 10, 60] {
                    func table() -> [Double] {
                        (0..<(n * classCount)).map { _ in
                            random.index(below: 100) < nanPercent ? Double.nan : Double(random.index(below: 1000)) / 991
                        }
                    }
                    let now = table()
                    let before = table()
                    let headline = Array(stride(from: classCount > 1 ? 1 : 0, to: classCount, by: 1))
                    let expected = differenceReference(
                        now, before, classCount: classCount, headline: headline, resamples: 120, seed: 7)
                    for storageLimit in [1 << 22, 250] {
                        var bootstrap = Bootstrap(resamples: 120, seed: 7)
                        bootstrap.storageLimit = storageLimit
                        let got = bootstrap.differenceIntervals(
                            current: now, baseline: before, classCount: classCount, headline: headline)
                        let name = "\(classCount) classes, \(n) images, \(nanPercent)% NaN, storage \(storageLimit)"
                        #expect(got.classes.map(Self.bits) == expected.classes.map(Self.bits), "\(name)")
                        #expect(Self.bits(got.headline) == Self.bits(expected.headline), "\(name)")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 90)
    }
}
