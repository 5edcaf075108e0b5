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
        let inHeadline = (0..<classCount).map { headline.contains($0) }
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

    /// Intervals of the change current − baseline of every class mean and of the headline,
    /// resampling images (keys) with replacement, paired where both runs have an image.
    ///
    /// Each row is one image key of either run; a value is NaN where that run has no number for
    /// it (the class is NaN there, or the run did not score the image). The statistic is the one
    /// a baseline gate compares: per class, the NaN-skipping mean of the current values minus the
    /// NaN-skipping mean of the baseline values; for the headline, the mean of the current
    /// headline classes' means minus that of the baseline's (NaN means skipped on each side).
    /// On the original rows it is exactly (current class mean − baseline class mean) and
    /// (current headline − baseline headline), so the interval is of the reported difference.
    /// Resamples where a side has no number are left out.
    /// - Parameters:
    ///   - current, baseline: `[key][class]` values, the same keys in the same order.
    ///   - headline: the class positions averaged into the headline.
    public func differenceIntervals(current: [[Double]], baseline: [[Double]], headline: [Int])
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        precondition(current.count == baseline.count, "paired values differ in length")
        let classCount = current.first?.count ?? 0
        return differenceIntervals(
            current: current.flatMap { $0 }, baseline: baseline.flatMap { $0 }, classCount: classCount, headline: headline)
    }

    /// `differenceIntervals(current:baseline:headline:)` on row-major tables
    /// (`table[key * classCount + class]`).
    /// - Complexity: O(resamples × keys × classCount).
    public func differenceIntervals(current: [Double], baseline: [Double], classCount: Int, headline: [Int])
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        precondition(current.count == baseline.count, "paired values differ in length")
        guard resamples > 0, classCount > 0, !current.isEmpty else { return (Array(repeating: nil, count: classCount), nil) }
        let inHeadline = (0..<classCount).map { headline.contains($0) }
        let n = current.count / classCount
        var perClass = [[Double]](repeating: [], count: classCount)
        var overall: [Double] = []
        var generator = SplitMix64(seed: seed)
        // sums[c], counts[c]: current side; sums[classCount + c], counts[classCount + c]: baseline.
        var sums = [Double](repeating: 0, count: 2 * classCount)
        var counts = [Int](repeating: 0, count: 2 * classCount)
        current.withUnsafeBufferPointer { now in
          baseline.withUnsafeBufferPointer { before in
            for _ in 0..<resamples {
                for c in 0..<(2 * classCount) {
                    sums[c] = 0
                    counts[c] = 0
                }
                for _ in 0..<n {
                    let row = generator.index(below: n) &* classCount
                    for c in 0..<classCount {
                        let a = now[row + c]
                        if !a.isNaN {
                            sums[c] += a
                            counts[c] &+= 1
                        }
                        let b = before[row + c]
                        if !b.isNaN {
                            sums[classCount + c] += b
                            counts[classCount + c] &+= 1
                        }
                    }
                }
                var nowHeadline = 0.0
                var nowClasses = 0
                var beforeHeadline = 0.0
                var beforeClasses = 0
                for c in 0..<classCount {
                    let nowCount = counts[c]
                    let beforeCount = counts[classCount + c]
                    let nowMean = nowCount > 0 ? sums[c] / Double(nowCount) : .nan
                    let beforeMean = beforeCount > 0 ? sums[classCount + c] / Double(beforeCount) : .nan
                    if nowCount > 0 && beforeCount > 0 { perClass[c].append(nowMean - beforeMean) }
                    guard inHeadline[c] else { continue }
                    if nowCount > 0 {
                        nowHeadline += nowMean
                        nowClasses += 1
                    }
                    if beforeCount > 0 {
                        beforeHeadline += beforeMean
                        beforeClasses += 1
                    }
                }
                if nowClasses > 0 && beforeClasses > 0 {
                    overall.append(nowHeadline / Double(nowClasses) - beforeHeadline / Double(beforeClasses))
                }
            }
          }
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
