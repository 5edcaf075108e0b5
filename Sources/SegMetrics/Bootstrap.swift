/// A 95% percentile interval from a bootstrap.
public struct BootstrapInterval: Sendable, Equatable {
    /// The 2.5th percentile of the resampled statistic.
    public var lower: Double
    /// The 97.5th percentile.
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// Upper − lower.
    public var width: Double { upper - lower }
}

/// Confidence intervals by resampling images with replacement: seeded, so the same data gives
/// the same intervals on every run, machine and `--jobs`.
///
/// Each resample draws n image indices uniformly (SplitMix64); a class's statistic is the
/// NaN-skipping mean of its values over the drawn images, the headline the mean of the headline
/// classes' means (NaN ones skipped). Percentiles use linear interpolation between order
/// statistics (numpy's default); resamples where the statistic is NaN are left out.
public struct Bootstrap: Sendable {
    /// Number of resamples; 0 turns the intervals off.
    public var resamples: Int
    public var seed: UInt64

    public init(resamples: Int = 1000, seed: UInt64 = 0x5E65_C0DE) {
        self.resamples = resamples
        self.seed = seed
    }

    /// Intervals of every class mean and of the headline.
    /// - Parameters:
    ///   - values: `values[image][class]`, NaN where the class is NaN in that image; images in a
    ///     fixed (key) order.
    ///   - headline: the class positions averaged into the headline.
    /// - Returns: one interval per class (nil when no resample gave a number) and the headline's.
    public func intervals(_ values: [[Double]], headline: [Int]) -> (classes: [BootstrapInterval?], headline: BootstrapInterval?) {
        intervals(rows: values.flatMap { $0 }, classCount: values.first?.count ?? 0, headline: headline)
    }

    /// Intervals of every class mean and of the headline, from a row-major table.
    /// - Parameters:
    ///   - rows: `rows[image * classCount + class]`, NaN where the class is NaN in that image
    ///     (`SummaryAccumulator.values`); images in a fixed (key) order.
    ///   - classCount: values per image.
    ///   - headline: the class positions averaged into the headline.
    public func intervals(rows flat: [Double], classCount: Int, headline: [Int])
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        guard resamples > 0, classCount > 0, !flat.isEmpty else { return (Array(repeating: nil, count: classCount), nil) }
        var inHeadline = [Bool](repeating: false, count: classCount)
        for c in headline where c >= 0 && c < classCount { inHeadline[c] = true }
        let n = flat.count / classCount
        var perClass = [[Double]](repeating: [], count: classCount)
        var overall: [Double] = []
        var generator = SplitMix64(seed: seed)
        var sums = [Double](repeating: 0, count: classCount)
        var counts = [Int](repeating: 0, count: classCount)
        flat.withUnsafeBufferPointer { table in
          sums.withUnsafeMutableBufferPointer { sumBuffer in
            counts.withUnsafeMutableBufferPointer { countBuffer in
            // Raw pointers in the resampling loop: no bounds checks, no uniqueness checks.
            let data = table.baseAddress.unsafelyUnwrapped
            let sum = sumBuffer.baseAddress.unsafelyUnwrapped
            let count = countBuffer.baseAddress.unsafelyUnwrapped
            for _ in 0..<resamples {
                for c in 0..<classCount {
                    sum[c] = 0
                    count[c] = 0
                }
                for _ in 0..<n {
                    let row = data + generator.index(below: n) &* classCount
                    for c in 0..<classCount {
                        let v = row[c]
                        if !v.isNaN {
                            sum[c] += v
                            count[c] &+= 1
                        }
                    }
                }
                var headlineSum = 0.0
                var headlineCount = 0
                for c in 0..<classCount where count[c] > 0 {
                    let mean = sum[c] / Double(count[c])
                    perClass[c].append(mean)
                    if inHeadline[c] {
                        headlineSum += mean
                        headlineCount += 1
                    }
                }
                if headlineCount > 0 { overall.append(headlineSum / Double(headlineCount)) }
            }
            }
          }
        }
        return (perClass.map(Self.percentiles), Self.percentiles(overall))
    }

    /// Intervals of the paired difference current − baseline, resampling the matched images.
    /// - Parameters:
    ///   - current, baseline: `[image][class]` values of the same images in the same order.
    public func differenceIntervals(current: [[Double]], baseline: [[Double]], headline: [Int])
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        precondition(current.count == baseline.count, "paired values differ in length")
        let classCount = current.first?.count ?? 0
        guard resamples > 0, !current.isEmpty else { return (Array(repeating: nil, count: classCount), nil) }
        var perClass = [[Double]](repeating: [], count: classCount)
        var overall: [Double] = []
        var generator = SplitMix64(seed: seed)
        var inHeadline = [Bool](repeating: false, count: classCount)
        for c in headline where c >= 0 && c < classCount { inHeadline[c] = true }
        for _ in 0..<resamples {
            var now = [Double](repeating: 0, count: classCount)
            var before = [Double](repeating: 0, count: classCount)
            var counts = [Int](repeating: 0, count: classCount)
            for _ in 0..<current.count {
                let i = generator.index(below: current.count)
                for c in 0..<classCount where !current[i][c].isNaN && !baseline[i][c].isNaN {
                    now[c] += current[i][c]
                    before[c] += baseline[i][c]
                    counts[c] += 1
                }
            }
            var headlineSum = 0.0
            var headlineCount = 0
            for c in 0..<classCount where counts[c] > 0 {
                let difference = (now[c] - before[c]) / Double(counts[c])
                perClass[c].append(difference)
                if inHeadline[c] {
                    headlineSum += difference
                    headlineCount += 1
                }
            }
            if headlineCount > 0 { overall.append(headlineSum / Double(headlineCount)) }
        }
        return (perClass.map(Self.percentiles), Self.percentiles(overall))
    }

    static func percentiles(_ samples: [Double]) -> BootstrapInterval? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return BootstrapInterval(lower: quantile(sorted, 0.025), upper: quantile(sorted, 0.975))
    }

    /// numpy's default (linear) quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let fraction = position - Double(low)
        return sorted[low] + (sorted[high] - sorted[low]) * fraction
    }
}

/// SplitMix64: small, fast, and the same sequence everywhere (the bootstrap, the benchmark's
/// dataset generator, tests).
package struct SplitMix64: RandomNumberGenerator {
    package var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform index in 0..<n (multiply-high: no modulo bias worth mentioning for n < 2^32).
    package mutating func index(below n: Int) -> Int {
        Int((UInt128(next()) &* UInt128(n)) >> 64)
    }
}
