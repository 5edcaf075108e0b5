import Foundation

/// The directed distances of one pair: `a` = d(pred → gt), `b` = d(gt → pred), one entry per
/// boundary element in C order, with each element's weight when the definition weights them. The
/// percentiles and medians read them by selection (`SurfaceSelection`), not sorted.
package struct SurfaceDirected: Sendable {
    /// Distance from each boundary element of the prediction to the ground truth's boundary.
    package var a: [Double]
    /// Distance from each boundary element of the ground truth to the prediction's boundary.
    package var b: [Double]
    /// Contour length or surface area of each element of `a` (corner surfels only).
    package var weightsA: [Double] = []
    /// Contour length or surface area of each element of `b` (corner surfels only).
    package var weightsB: [Double] = []

    /// The directed distances `a` and `b`, with their weights when the definition has them.
    package init(a: [Double], b: [Double], weightsA: [Double] = [], weightsB: [Double] = []) {
        self.a = a
        self.b = b
        self.weightsA = weightsA
        self.weightsB = weightsB
    }
}

/// The means and the pooled list of one pair's directed distances, each computed once however many
/// metrics read them (the same calls on the same arrays as per metric, so the same values).
package final class SurfaceDirectedReductions {
    /// The distances.
    package let directed: SurfaceDirected

    /// Reductions of `directed`, computed when first read.
    package init(_ directed: SurfaceDirected) { self.directed = directed }

    /// NumPy's mean of `a`.
    package lazy var meanA = SurfaceStatistics.numpyMean(directed.a)
    /// NumPy's mean of `b`.
    package lazy var meanB = SurfaceStatistics.numpyMean(directed.b)
    /// `a + b`.
    package lazy var pooled = directed.a + directed.b
    /// NumPy's mean of `pooled`.
    package lazy var pooledMean = SurfaceStatistics.numpyMean(pooled)
}

/// The per-variant computations behind `SurfaceMeasure`.
package enum SurfacePresets {
    /// Face-connected boundaries at pixel centres (the image edge is boundary) and their exact
    /// float64 distances: the base definition, medpy and MONAI. `neighbourhood` `.faceEdge` or
    /// `.full` gives medpy's `connectivity=2` / `3`.
    package static func centreDistances(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, engine: SurfaceDistanceEngine,
        neighbourhood: SurfaceNeighbourhood = .face
    ) -> SurfaceDirected {
        let gtPoints = SurfaceBoundary.pixels(gt, grid: grid, neighbourhood: neighbourhood, edgeIsBoundary: true)
        let predPoints = SurfaceBoundary.pixels(pred, grid: grid, neighbourhood: neighbourhood, edgeIsBoundary: true)
        let spacing = physicalSpacing(grid)
        let (a, b) = engine.distances(between: predPoints, and: gtPoints, spacing: spacing)
        return SurfaceDirected(a: a, b: b)
    }

    /// DeepMind's corner surfels and their exact float64 distances, weighted by the contour-length
    /// (2-D) or surface-area (3-D) table `weights` indexed by corner code.
    package static func cornerDistances(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, engine: SurfaceDistanceEngine,
        weights: [Double]
    ) -> SurfaceDirected {
        let gtCorners = SurfaceBoundary.corners(gt, grid: grid)
        let predCorners = SurfaceBoundary.corners(pred, grid: grid)
        let spacing = physicalSpacing(grid)
        return SurfaceDirected(
            a: engine.distances(from: predCorners.points, to: gtCorners.points, spacing: spacing),
            b: engine.distances(from: gtCorners.points, to: predCorners.points, spacing: spacing),
            weightsA: predCorners.codes.map { weights[Int($0)] }, weightsB: gtCorners.codes.map { weights[Int($0)] })
    }

    /// The grid's spacing, with z ignored (0 offsets only) in 2-D.
    static func physicalSpacing(_ grid: SurfaceGrid) -> (x: Double, y: Double, z: Double) {
        (grid.spacing.x, grid.spacing.y, grid.dimensions == 3 ? grid.spacing.z : 1)
    }

    /// The base definition on non-empty boundaries.
    package static func base(_ d: SurfaceDirected, request: SurfaceRequest, metric: SurfaceMetric) -> Double? {
        base(SurfaceDirectedReductions(d), request: request, metric: metric)
    }

    /// `base`, reading the means and the pooled list from `r` (computed once for all metrics).
    package static func base(_ r: SurfaceDirectedReductions, request: SurfaceRequest, metric: SurfaceMetric) -> Double? {
        let d = r.directed
        switch metric {
        case .hd: return max(d.a.max() ?? .nan, d.b.max() ?? .nan)
        case .hd95:
            return max(
                SurfaceStatistics.numpyPercentile(unsorted: d.a, [], request.percentile),
                SurfaceStatistics.numpyPercentile(unsorted: d.b, [], request.percentile))
        case .assd: return r.pooledMean
        case .masd: return (r.meanA + r.meanB) / 2
        case .asdPredToGt: return r.meanA
        case .asdGtToPred: return r.meanB
        case .nsd:
            guard let tolerance = request.tolerance else { return nil }
            let within = d.a.count { $0 <= tolerance } + d.b.count { $0 <= tolerance }
            return Double(within) / Double(d.a.count + d.b.count)
        case .medianSD: return SurfaceStatistics.numpyMedian(unsorted: d.a, d.b)
        case .stdSD: return r.pooled.isEmpty ? .nan : SurfaceStatistics.numpyStd(r.pooled, mean: r.pooledMean)
        }
    }

    /// medpy 0.5.2: `hd` the larger directed maximum, `hd95` the percentile of the pooled
    /// distances (`numpy.hstack`), `assd` their mean, `asd` one direction's mean.
    package static func medpy(_ d: SurfaceDirected, request: SurfaceRequest, metric: SurfaceMetric) -> Double? {
        medpy(SurfaceDirectedReductions(d), request: request, metric: metric)
    }

    /// `medpy`, reading the means from `r`.
    package static func medpy(_ r: SurfaceDirectedReductions, request: SurfaceRequest, metric: SurfaceMetric) -> Double? {
        switch metric {
        case .hd95: return SurfaceStatistics.numpyPercentile(unsorted: r.directed.a, r.directed.b, request.percentile)
        case .hd, .assd, .asdPredToGt, .asdGtToPred: return base(r, request: request, metric: metric)
        default: return nil
        }
    }

    /// MONAI 1.6: distances cast to float32; `torch.quantile` per direction; float32 means; NSD
    /// by element counts, the tolerance compared in float32. MONAI takes the maximum when the
    /// percentile is 0 (`if not percentile`).
    package static func monai(_ d: SurfaceDirected, request: SurfaceRequest, metric: SurfaceMetric) -> Double? {
        let a = d.a.map { Float($0) }
        let b = d.b.map { Float($0) }
        func directed(_ values: [Float]) -> Float {
            if values.isEmpty { return .nan }
            if request.percentile == 0 { return values.max() ?? .nan }
            return SurfaceStatistics.torchQuantile(sorted: values.sorted(), request.percentile)
        }
        switch metric {
        case .hd: return Double(max(a.max() ?? .nan, b.max() ?? .nan))
        case .hd95: return Double(max(directed(a), directed(b)))
        case .assd: return Double(SurfaceStatistics.float32Mean(a + b))
        case .asdPredToGt: return Double(SurfaceStatistics.float32Mean(a))
        case .asdGtToPred: return Double(SurfaceStatistics.float32Mean(b))
        case .nsd:
            guard let tolerance = request.tolerance else { return nil }
            let t = Float(tolerance)
            let within = a.count { $0 <= t } + b.count { $0 <= t }
            return Double(Float(within) / Float(a.count + b.count))
        default: return nil
        }
    }

    /// MONAI `compute_surface_dice(use_subvoxels=True)`: corner surfels, distances in float32,
    /// weights from the float64 contour table (2-D) or the float32 area table (3-D).
    package static func monaiSubvoxels(_ d: SurfaceDirected, request: SurfaceRequest, threeD: Bool) -> Double? {
        guard let tolerance = request.tolerance else { return nil }
        let t = Float(tolerance)
        func sums(_ distances: [Double], _ weights: [Double]) -> (total: Double, within: Double) {
            var total = 0.0
            var within = 0.0
            for (distance, weight) in zip(distances, weights) {
                total += weight
                if Float(distance) <= t { within += weight }
            }
            return (total, within)
        }
        let a = sums(d.a, d.weightsA)
        let b = sums(d.b, d.weightsB)
        if threeD {
            let complete = Float(b.total) + Float(a.total)
            let correct = Float(b.within) + Float(a.within)
            return Double(correct / complete)
        }
        return Double(Float((b.within + a.within) / (b.total + a.total)))
    }

    /// DeepMind surface-distance 0.1: area-weighted statistics of the corner surfels.
    package static func deepmind(_ d: SurfaceDirected, request: SurfaceRequest, metric: SurfaceMetric) -> Double? {
        let sortedA = SurfaceStatistics.sortPairs(d.a, d.weightsA)
        let sortedB = SurfaceStatistics.sortPairs(d.b, d.weightsB)
        func average(_ pairs: [(Double, Double)]) -> Double {
            SurfaceStatistics.numpySum(pairs.map { $0.0 * $0.1 }) / SurfaceStatistics.numpySum(pairs.map { $0.1 })
        }
        switch metric {
        case .hd:
            return max(
                SurfaceStatistics.weightedPercentile(sortedPairs: sortedB, 100),
                SurfaceStatistics.weightedPercentile(sortedPairs: sortedA, 100))
        case .hd95:
            return max(
                SurfaceStatistics.weightedPercentile(sortedPairs: sortedB, request.percentile),
                SurfaceStatistics.weightedPercentile(sortedPairs: sortedA, request.percentile))
        case .asdPredToGt: return average(sortedA)
        case .asdGtToPred: return average(sortedB)
        case .masd: return (average(sortedB) + average(sortedA)) / 2
        case .nsd:
            guard let tolerance = request.tolerance else { return nil }
            let overlapB = SurfaceStatistics.numpySum(sortedB.filter { $0.0 <= tolerance }.map { $0.1 })
            let overlapA = SurfaceStatistics.numpySum(sortedA.filter { $0.0 <= tolerance }.map { $0.1 })
            let totalB = SurfaceStatistics.numpySum(sortedB.map { $0.1 })
            let totalA = SurfaceStatistics.numpySum(sortedA.map { $0.1 })
            return (overlapB + overlapA) / (totalB + totalA)
        default: return nil
        }
    }
}
