import Foundation

/// The reductions the libraries apply to distance lists, reproduced operation for operation.
package enum SurfaceStatistics {
    /// NumPy's `sum` of a float64 array: pairwise summation (blocks of 8 accumulators, halves
    /// rounded to multiples of 8 above 128 elements), added to 0.
    package static func numpySum(_ values: UnsafeBufferPointer<Double>) -> Double {
        guard let base = values.baseAddress else { return 0 }
        return 0 + pairwise(base, values.count, Identity())
    }

    /// `numpySum` of an array.
    package static func numpySum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { numpySum($0) }
    }

    /// NumPy's pairwise summation of `term(a[i])` (the terms computed as they are added: the same
    /// additions in the same order as summing an array of them).
    private static func pairwise<T: SumTerm>(_ a: UnsafePointer<Double>, _ n: Int, _ term: T) -> Double {
        if n < 8 {
            var result = -0.0
            for i in 0..<n { result += term(a[i]) }
            return result
        }
        if n <= 128 {
            var r0 = term(a[0])
            var r1 = term(a[1])
            var r2 = term(a[2])
            var r3 = term(a[3])
            var r4 = term(a[4])
            var r5 = term(a[5])
            var r6 = term(a[6])
            var r7 = term(a[7])
            var i = 8
            let end = n - n % 8
            while i < end {
                r0 += term(a[i])
                r1 += term(a[i + 1])
                r2 += term(a[i + 2])
                r3 += term(a[i + 3])
                r4 += term(a[i + 4])
                r5 += term(a[i + 5])
                r6 += term(a[i + 6])
                r7 += term(a[i + 7])
                i += 8
            }
            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n {
                result += term(a[i])
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwise(a, half, term) + pairwise(a + half, n - half, term)
    }

    /// NumPy's `mean` of a float64 array (NaN when empty).
    package static func numpyMean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : numpySum(values) / Double(values.count)
    }

    /// NumPy's `std` (ddof 0) of a float64 array.
    package static func numpyStd(_ values: [Double]) -> Double {
        if values.isEmpty { return .nan }
        return numpyStd(values, mean: numpyMean(values))
    }

    /// `numpyStd` of a non-empty array whose `numpyMean` is `mean`.
    package static func numpyStd(_ values: [Double], mean: Double) -> Double {
        // NumPy: x = a − mean, x = x · x, then the pairwise sum of x (here without the array).
        let sum = values.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { 0 + pairwise($0, buffer.count, SquaredDeviation(mean: mean)) } ?? 0
        }
        return (sum / Double(values.count)).squareRoot()
    }

    /// NumPy's default percentile (`method="linear"`) of an ascending array: virtual index
    /// (p/100)·(n−1), then `_lerp`: a + (b−a)·t below t = ½, b − (b−a)·(1−t) from ½ on.
    package static func numpyPercentile(sorted: [Double], _ p: Double) -> Double {
        if sorted.isEmpty { return .nan }
        let rank = (p / 100) * Double(sorted.count - 1)
        let low = min(max(Int(rank.rounded(.down)), 0), sorted.count - 1)
        let high = min(low + 1, sorted.count - 1)
        let t = rank - Double(low)
        let a = sorted[low]
        let b = sorted[high]
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }

    /// `numpyPercentile` of `a + b` in any order: the two entries of the sorted list it reads,
    /// found by selection (`SurfaceSelection`), the same interpolation.
    package static func numpyPercentile(unsorted a: [Double], _ b: [Double], _ p: Double) -> Double {
        let n = a.count + b.count
        if n == 0 { return .nan }
        let rank = (p / 100) * Double(n - 1)
        let low = min(max(Int(rank.rounded(.down)), 0), n - 1)
        let t = rank - Double(low)
        let (a, b) = SurfaceSelection.orderPair(a, b, low)
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }

    /// `numpyMedian` of `a + b` in any order, by selection.
    package static func numpyMedian(unsorted a: [Double], _ b: [Double]) -> Double {
        let n = a.count + b.count
        if n == 0 { return .nan }
        if n % 2 == 1 { return SurfaceSelection.orderPair(a, b, n / 2).0 }
        let (low, high) = SurfaceSelection.orderPair(a, b, n / 2 - 1)
        return (low + high) / 2
    }

    /// NumPy's `median` of an ascending array: the middle value, or the mean of the two.
    package static func numpyMedian(sorted: [Double]) -> Double {
        let n = sorted.count
        if n == 0 { return .nan }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// `torch.quantile(x, p/100)` of an ascending float32 array with linear interpolation: q is
    /// a float32 tensor, the rank q·(n−1) is taken in double, the weight rank − ⌊rank⌋ in float32,
    /// and `lerp` is fused (`fmadd` for weights below ½, `end − (end − start)·(1 − w)` above).
    package static func torchQuantile(sorted: [Float], _ p: Double) -> Float {
        if sorted.isEmpty { return .nan }
        let q = Float(p / 100)
        let rank = Double(q) * Double(sorted.count - 1)
        let below = min(Int(rank), sorted.count - 1)
        let above = min(Int(rank.rounded(.up)), sorted.count - 1)
        let weight = Float(rank - Double(below))
        let start = sorted[below]
        let end = sorted[above]
        let diff = end - start
        return abs(weight) < 0.5 ? start.addingProduct(weight, diff) : end.addingProduct(-diff, 1 - weight)
    }

    /// A float32 mean as torch computes it, to within an ulp: the sum in double, rounded once.
    package static func float32Mean(_ values: [Float]) -> Float {
        if values.isEmpty { return .nan }
        var sum = 0.0
        for v in values { sum += Double(v) }
        return Float(sum / Double(values.count))
    }

    /// DeepMind's `compute_robust_hausdorff` for one direction: the (distance, weight) pairs sorted
    /// as tuples, cumulative weights (running sum) over their NumPy sum, and the first distance
    /// whose cumulative share reaches p/100 (`searchsorted`, left), the last one if none does.
    package static func weightedPercentile(sortedPairs: [(Double, Double)], _ p: Double) -> Double {
        if sortedPairs.isEmpty { return .infinity }
        let total = numpySum(sortedPairs.map { $0.1 })
        let target = p / 100.0
        var running = 0.0
        for (i, pair) in sortedPairs.enumerated() {
            running += pair.1
            if running / total >= target { return sortedPairs[i].0 }
        }
        return sortedPairs[sortedPairs.count - 1].0
    }

    /// Sorts (distance, weight) pairs as Python sorts tuples.
    package static func sortPairs(_ distances: [Double], _ weights: [Double]) -> [(Double, Double)] {
        zip(distances, weights).sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    }
}

/// A term of `SurfaceStatistics`' pairwise sums, computed from each entry as it is added.
private protocol SumTerm {
    func callAsFunction(_ x: Double) -> Double
}

/// The entry itself.
private struct Identity: SumTerm {
    @inline(__always) func callAsFunction(_ x: Double) -> Double { x }
}

/// (x − mean)², as NumPy's `std` squares the deviations.
private struct SquaredDeviation: SumTerm {
    let mean: Double
    @inline(__always) func callAsFunction(_ x: Double) -> Double { (x - mean) * (x - mean) }
}
