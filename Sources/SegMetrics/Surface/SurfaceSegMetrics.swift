import Foundation

/// seg-metrics 1.2.8 (`write_metrics`, distance metrics) on one binary pair.
///
/// Each mask's contour is SimpleITK's `LabelContour` (foreground pixels with a background pixel
/// among their 8/26 neighbours, or 4/6 when not fully connected; the image edge is not a
/// boundary). At every contour pixel of one mask the library reads ITK's float32 distance map of
/// the other mask (`SurfaceITKDistance`); a mask without foreground gives a map of zeros. The
/// pooled values (prediction's first) feed NumPy: `percentile`, `max`, `mean`, `median`, `std`,
/// in float32 when every value is a float32 distance, in float64 when the library appended
/// float64 zeros for the contour pixels at distance 0. No contour at all: every metric 0.
package enum SurfaceSegMetrics {
    /// The pooled distances and whether NumPy sees them as float32.
    package static func pooled(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, fullyConnected: Bool
    ) -> (values: [Float], float32: Bool) {
        let neighbourhood: SurfaceNeighbourhood = fullyConnected ? .full : .face
        let gtContour = SurfaceBoundary.pixels(gt, grid: grid, neighbourhood: neighbourhood, edgeIsBoundary: false)
        let predContour = SurfaceBoundary.pixels(pred, grid: grid, neighbourhood: neighbourhood, edgeIsBoundary: false)
        let w = grid.width
        let h = grid.height
        func sample(_ contour: [LatticePoint], _ other: UnsafeBufferPointer<UInt8>) -> [Float] {
            if contour.isEmpty { return [] }
            guard other.contains(where: { $0 != 0 }) else { return [Float](repeating: 0, count: contour.count) }
            let map = SurfaceITKDistance.maurerMap(other, grid: grid)
            return contour.map { map[(Int($0.z) * h + Int($0.y)) * w + Int($0.x)] }
        }
        let values = sample(predContour, gt) + sample(gtContour, pred)
        return (values, !values.contains(0))
    }

    /// The metric from the pooled distances (0 for every metric when there are none).
    package static func value(_ pooled: (values: [Float], float32: Bool), metric: SurfaceMetric, percentile: Double) -> Double? {
        let values = pooled.values
        if values.isEmpty {
            switch metric {
            case .hd, .hd95, .assd, .medianSD, .stdSD: return 0
            default: return nil
            }
        }
        if pooled.float32 {
            let sorted = values.sorted()
            switch metric {
            case .hd: return Double(sorted[sorted.count - 1])
            case .hd95: return Double(percentile32(sorted, percentile))
            case .assd: return Double(mean32(values))
            case .medianSD:
                let n = sorted.count
                return Double(n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2)
            case .stdSD:
                let mean = mean32(values)
                let squares = values.map { ($0 - mean) * ($0 - mean) }
                return Double((pairwise32(squares) / Float(values.count)).squareRoot())
            default: return nil
            }
        }
        let doubles = values.map { Double($0) }
        let sorted = doubles.sorted()
        switch metric {
        case .hd: return sorted[sorted.count - 1]
        case .hd95: return SurfaceStatistics.numpyPercentile(sorted: sorted, percentile)
        case .assd: return SurfaceStatistics.numpyMean(doubles)
        case .medianSD: return SurfaceStatistics.numpyMedian(sorted: sorted)
        case .stdSD: return SurfaceStatistics.numpyStd(doubles)
        default: return nil
        }
    }

    /// NumPy's float32 percentile: the weight rounded to float32, `_lerp` in float32.
    static func percentile32(_ sorted: [Float], _ p: Double) -> Float {
        let rank = (p / 100) * Double(sorted.count - 1)
        let low = min(max(Int(rank.rounded(.down)), 0), sorted.count - 1)
        let high = min(low + 1, sorted.count - 1)
        let t = rank - Double(low)
        let a = sorted[low]
        let b = sorted[high]
        let diff = b - a
        return t >= 0.5 ? b - diff * Float(1 - t) : a + diff * Float(t)
    }

    /// NumPy's float32 mean: pairwise float32 sum over n, in float32.
    static func mean32(_ values: [Float]) -> Float { pairwise32(values) / Float(values.count) }

    /// NumPy's pairwise summation in float32 (as `SurfaceStatistics.numpySum`).
    static func pairwise32(_ values: [Float]) -> Float {
        values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return 0 + pairwise(base, buffer.count)
        }
    }

    private static func pairwise(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        if n < 8 {
            var result: Float = -0.0
            for i in 0..<n { result += a[i] }
            return result
        }
        if n <= 128 {
            var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
            var i = 8
            let end = n - n % 8
            while i < end {
                r.0 += a[i]
                r.1 += a[i + 1]
                r.2 += a[i + 2]
                r.3 += a[i + 3]
                r.4 += a[i + 4]
                r.5 += a[i + 5]
                r.6 += a[i + 6]
                r.7 += a[i + 7]
                i += 8
            }
            var result = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while i < n {
                result += a[i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwise(a, half) + pairwise(a + half, n - half)
    }
}
