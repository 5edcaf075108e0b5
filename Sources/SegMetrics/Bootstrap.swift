/// A 95% percentile interval from a bootstrap.
public struct BootstrapInterval: Sendable, Equatable {
    /// The 2.5th percentile of the resampled statistic.
    public var lower: Double
    /// The 97.5th percentile.
    public var upper: Double

    /// An interval from its two percentiles.
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
///
/// Memory does not grow with the number of classes: the resampled statistics (8 bytes per
/// resample and class) are kept for at most `storageLimit` values at a time; more classes are
/// done in several passes, each replaying the same seeded draws, so the intervals are the same
/// bits whatever the pass size. What remains is 16 bytes per resample for the headline, which is
/// why `resamples` is bounded (`maximumResamples`), and 8 bytes per image for one resample's
/// draws. Time is O(resamples × images × classes); four classes are summed at once (SIMD lanes,
/// each in draw order, so the sums are the scalar loop's bits).
public struct Bootstrap: Sendable {
    /// Number of resamples; 0 turns the intervals off.
    public var resamples: Int
    /// The seed of the SplitMix64 draws: the same seed gives the same intervals.
    public var seed: UInt64
    /// The most resampled statistics held at once (8 bytes each): 32 MiB by default.
    package var storageLimit = 1 << 22

    /// The most resamples `--bootstrap` accepts: 1.6 MB for the headline, and at most
    /// `storageLimit` values for the classes.
    public static let maximumResamples = 100_000

    /// A bootstrap of `resamples` draws from `seed` (1,000 resamples and a fixed seed by default).
    public init(resamples: Int = 1000, seed: UInt64 = 0x5E65_C0DE) {
        self.resamples = resamples
        self.seed = seed
    }

    /// Classes resampled in one pass.
    private var classesPerPass: Int { max(1, storageLimit / max(1, resamples)) }

    /// Intervals of every class mean and of the headline.
    /// - Parameters:
    ///   - values: `values[image][class]`, NaN where the class is NaN in that image; images in a
    ///     fixed (key) order.
    ///   - headline: the class positions averaged into the headline.
    /// - Returns: one interval per class (nil when no resample gave a number) and the headline's.
    public func intervals(_ values: [[Double]], headline: [Int]) -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        intervals(rows: values.flatMap { $0 }, classCount: values.first?.count ?? 0, headline: headline)
    }

    /// Intervals of every class mean and of the headline, from a row-major table.
    /// - Parameters:
    ///   - rows: `rows[image * classCount + class]`, NaN where the class is NaN in that image
    ///     (`SummaryAccumulator.values`); images in a fixed (key) order.
    ///   - classCount: values per image.
    ///   - headline: the class positions averaged into the headline.
    /// - Complexity: O(resamples × images × classes) time; O(resamples + `storageLimit`) memory.
    public func intervals(rows flat: [Double], classCount: Int, headline: [Int])
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        guard resamples > 0, classCount > 0, !flat.isEmpty else { return (Array(repeating: nil, count: classCount), nil) }
        var inHeadline = [Bool](repeating: false, count: classCount)
        for c in headline where c >= 0 && c < classCount { inHeadline[c] = true }
        let n = flat.count / classCount
        var intervals: [BootstrapInterval?] = []
        intervals.reserveCapacity(classCount)
        // Per resample: the sum and count of its headline classes' means, over every pass.
        var headlineSums = [Double](repeating: 0, count: resamples)
        var headlineCounts = [Int](repeating: 0, count: resamples)
        // One resample's drawn rows (offsets into the table), read by every group of classes.
        var draws = [Int](repeating: 0, count: n)
        for first in stride(from: 0, to: classCount, by: classesPerPass) {
            let classes = first..<min(classCount, first + classesPerPass)
            var perClass = [[Double]](repeating: [], count: classes.count)
            for c in perClass.indices { perClass[c].reserveCapacity(resamples) }
            var generator = SplitMix64(seed: seed)
            flat.withUnsafeBufferPointer { table in
                draws.withUnsafeMutableBufferPointer { drawBuffer in
                    // Raw pointers in the resampling loop: no bounds checks, no uniqueness checks.
                    let data = table.baseAddress.unsafelyUnwrapped + first
                    let drawn = drawBuffer.baseAddress.unsafelyUnwrapped
                    let width = classes.count
                    for r in 0..<resamples {
                        for k in 0..<n { drawn[k] = generator.index(below: n) &* classCount }
                        // Four classes at a time, each summed in draw order as one SIMD lane.
                        for lane in stride(from: 0, to: width, by: 4) {
                            let lanes = min(4, width - lane)
                            let (sums, counts) = Self.resampledSums(data + lane, drawn, n, lanes: lanes)
                            for l in 0..<lanes where counts[l] > 0 {
                                let c = lane + l
                                let mean = sums[l] / Double(counts[l])
                                perClass[c].append(mean)
                                if inHeadline[first + c] {
                                    headlineSums[r] += mean
                                    headlineCounts[r] += 1
                                }
                            }
                        }
                    }
                }
            }
            intervals += perClass.map(Self.percentiles)
        }
        var overall: [Double] = []
        overall.reserveCapacity(resamples)
        for r in 0..<resamples where headlineCounts[r] > 0 { overall.append(headlineSums[r] / Double(headlineCounts[r])) }
        return (intervals, Self.percentiles(overall))
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
    /// - Complexity: O(resamples × keys × classCount) time; O(resamples + `storageLimit`) memory.
    public func differenceIntervals(current: [Double], baseline: [Double], classCount: Int, headline: [Int])
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        precondition(current.count == baseline.count, "paired values differ in length")
        guard resamples > 0, classCount > 0, !current.isEmpty else { return (Array(repeating: nil, count: classCount), nil) }
        var inHeadline = [Bool](repeating: false, count: classCount)
        for c in headline where c >= 0 && c < classCount { inHeadline[c] = true }
        let n = current.count / classCount
        var intervals: [BootstrapInterval?] = []
        intervals.reserveCapacity(classCount)
        // Per resample, over every pass: each side's sum and count of headline class means.
        var nowHeadline = [Double](repeating: 0, count: resamples)
        var nowClasses = [Int](repeating: 0, count: resamples)
        var beforeHeadline = [Double](repeating: 0, count: resamples)
        var beforeClasses = [Int](repeating: 0, count: resamples)
        var draws = [Int](repeating: 0, count: n)
        for first in stride(from: 0, to: classCount, by: classesPerPass) {
            let width = min(classCount, first + classesPerPass) - first
            var perClass = [[Double]](repeating: [], count: width)
            var generator = SplitMix64(seed: seed)
            current.withUnsafeBufferPointer { now in
                baseline.withUnsafeBufferPointer { before in
                    draws.withUnsafeMutableBufferPointer { drawBuffer in
                        let drawn = drawBuffer.baseAddress.unsafelyUnwrapped
                        let nowData = now.baseAddress.unsafelyUnwrapped + first
                        let beforeData = before.baseAddress.unsafelyUnwrapped + first
                        for r in 0..<resamples {
                            for k in 0..<n { drawn[k] = generator.index(below: n) &* classCount }
                            // Each side's four classes at a time, each summed in draw order.
                            for lane in stride(from: 0, to: width, by: 4) {
                                let lanes = min(4, width - lane)
                                let (nowSums, nowCounts) = Self.resampledSums(nowData + lane, drawn, n, lanes: lanes)
                                let (beforeSums, beforeCounts) = Self.resampledSums(
                                    beforeData + lane, drawn, n, lanes: lanes)
                                for l in 0..<lanes {
                                    let c = lane + l
                                    let nowCount = nowCounts[l]
                                    let beforeCount = beforeCounts[l]
                                    let nowMean = nowCount > 0 ? nowSums[l] / Double(nowCount) : .nan
                                    let beforeMean = beforeCount > 0 ? beforeSums[l] / Double(beforeCount) : .nan
                                    if nowCount > 0 && beforeCount > 0 { perClass[c].append(nowMean - beforeMean) }
                                    guard inHeadline[first + c] else { continue }
                                    if nowCount > 0 {
                                        nowHeadline[r] += nowMean
                                        nowClasses[r] += 1
                                    }
                                    if beforeCount > 0 {
                                        beforeHeadline[r] += beforeMean
                                        beforeClasses[r] += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            intervals += perClass.map(Self.percentiles)
        }
        var overall: [Double] = []
        for r in 0..<resamples where nowClasses[r] > 0 && beforeClasses[r] > 0 {
            overall.append(nowHeadline[r] / Double(nowClasses[r]) - beforeHeadline[r] / Double(beforeClasses[r]))
        }
        return (intervals, Self.percentiles(overall))
    }

    /// The NaN-skipping sums and counts of `lanes` (1…4) adjacent classes over the drawn rows, each
    /// summed in draw order. A NaN adds +0.0 and no count instead of a branch, which leaves every
    /// sum's bits as the skipping loop's: a sum that starts at +0.0 never becomes −0.0, and
    /// x + 0.0 is x for every other x.
    @inline(__always)
    static func resampledSums(_ data: UnsafePointer<Double>, _ drawn: UnsafePointer<Int>, _ n: Int, lanes: Int)
        -> (SIMD4<Double>, SIMD4<Int64>)
    {
        var sums = SIMD4<Double>()
        var counts = SIMD4<Int64>()
        if lanes == 4 {
            let raw = UnsafeRawPointer(data)
            for k in 0..<n {
                let v = raw.loadUnaligned(fromByteOffset: drawn[k] &* 8, as: SIMD4<Double>.self)
                let valid = v .== v
                sums += v.replacing(with: 0, where: .!valid)
                counts &+= SIMD4<Int64>().replacing(with: 1, where: valid)
            }
        } else {
            for k in 0..<n {
                var v = SIMD4<Double>(repeating: .nan)
                for l in 0..<lanes { v[l] = data[drawn[k] &+ l] }
                let valid = v .== v
                sums += v.replacing(with: 0, where: .!valid)
                counts &+= SIMD4<Int64>().replacing(with: 1, where: valid)
            }
        }
        return (sums, counts)
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
