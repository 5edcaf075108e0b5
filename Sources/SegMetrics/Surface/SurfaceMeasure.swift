import Foundation

/// Computes boundary metrics of one binary class of one pair.
public enum SurfaceMeasure {
    /// The metrics `request` asks for on `gt` and `pred` (both `grid.count` bytes, nonzero =
    /// foreground, x fastest). Allocates its buffers; a `SurfaceWorkspace` reuses them.
    public static func compute(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, request: SurfaceRequest
    ) -> SurfaceValues {
        SurfaceWorkspace().compute(gt: gt, pred: pred, grid: grid, request: request)
    }
}

/// What a variant's metrics are computed from.
package enum SurfacePrepared: Sendable {
    /// Directed distances (and weights) of two non-empty masks.
    case directed(SurfaceDirected)
    /// seg-metrics' pooled float32 distances, and whether NumPy sees them as float32.
    case pooled(values: [Float], float32: Bool)
    /// A mask is empty.
    case empty(SurfaceUndefined)
}

/// Reusable buffers for boundary metrics: one per worker thread (not thread-safe).
public final class SurfaceWorkspace {
    let engine = SurfaceDistanceEngine()
    /// The face boundaries of each class of the ground truth's class-index map (one pass).
    package var truthBoundaries = SurfaceClassBoundaries()
    /// The same for the prediction.
    package var predictionBoundaries = SurfaceClassBoundaries()

    /// Bytes the workspace's buffers hold between calls (a pool may drop a large one).
    package var retainedBytes: Int {
        engine.retainedBytes + truthBoundaries.retainedBytes + predictionBoundaries.retainedBytes
    }

    /// Creates a workspace.
    public init() {}

    /// `SurfaceMeasure.compute`, reusing this workspace's buffers.
    public func compute(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, request: SurfaceRequest
    ) -> SurfaceValues {
        if request.metrics.isDisjoint(with: request.variant.definedMetrics) { return SurfaceValues() }
        return values(of: prepare(gt: gt, pred: pred, grid: grid, variant: request.variant), grid: grid, request: request)
    }

    /// The distances a variant's metrics are computed from (the expensive step, independent of
    /// the metrics, percentile, tolerance and empty rule).
    package func prepare(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, variant: SurfaceVariant
    ) -> SurfacePrepared {
        if variant == .segMetrics || variant == .segMetricsFace {
            // The library's own empty rule: 0 for every metric, so no undefined case.
            let pooled = SurfaceSegMetrics.pooled(gt: gt, pred: pred, grid: grid, fullyConnected: variant == .segMetrics)
            return .pooled(values: pooled.values, float32: pooled.float32)
        }
        let gtEmpty = !gt.contains { $0 != 0 }
        let predEmpty = !pred.contains { $0 != 0 }
        if gtEmpty || predEmpty { return .empty(gtEmpty && predEmpty ? .bothEmpty : gtEmpty ? .gtEmpty : .predEmpty) }
        switch variant {
        case .deepmind:
            let weights =
                grid.dimensions == 3
                ? SurfaceAreaTables.surfaceAreas(sz: grid.spacing.z, sy: grid.spacing.y, sx: grid.spacing.x)
                : SurfaceAreaTables.contourLengths(sy: grid.spacing.y, sx: grid.spacing.x)
            return .directed(SurfacePresets.cornerDistances(gt: gt, pred: pred, grid: grid, engine: engine, weights: weights))
        case .monaiSubvoxels:
            let weights =
                grid.dimensions == 3
                ? SurfaceAreaTables.surfaceAreasFloat32(sz: grid.spacing.z, sy: grid.spacing.y, sx: grid.spacing.x).map {
                    Double($0)
                }
                : SurfaceAreaTables.contourLengths(sy: grid.spacing.y, sx: grid.spacing.x)
            return .directed(SurfacePresets.cornerDistances(gt: gt, pred: pred, grid: grid, engine: engine, weights: weights))
        default:
            return .directed(SurfacePresets.centreDistances(gt: gt, pred: pred, grid: grid, engine: engine))
        }
    }

    /// The metrics `request` asks for from prepared distances (of `request.variant`).
    package func values(of prepared: SurfacePrepared, grid: SurfaceGrid, request: SurfaceRequest) -> SurfaceValues {
        let metrics = request.metrics.intersection(request.variant.definedMetrics)
        var result = SurfaceValues()
        switch prepared {
        case .pooled(let values, let float32):
            for metric in metrics {
                if let value = SurfaceSegMetrics.value((values, float32), metric: metric, percentile: request.percentile) {
                    result.values[metric] = value
                }
            }
        case .empty(let undefined):
            result.undefined = undefined
            for metric in metrics where metric != .nsd || request.tolerance != nil {
                result.values[metric] = emptyValue(metric, undefined: undefined, rule: request.emptyRule, grid: grid)
            }
        case .directed(let directed):
            let reductions = SurfaceDirectedReductions(directed)
            for metric in metrics {
                let value: Double?
                switch request.variant {
                case .segscore: value = SurfacePresets.base(reductions, request: request, metric: metric)
                case .medpy: value = SurfacePresets.medpy(reductions, request: request, metric: metric)
                case .monai: value = SurfacePresets.monai(directed, request: request, metric: metric)
                case .monaiSubvoxels:
                    value = SurfacePresets.monaiSubvoxels(directed, request: request, threeD: grid.dimensions == 3)
                case .deepmind: value = SurfacePresets.deepmind(directed, request: request, metric: metric)
                case .segMetrics, .segMetricsFace: value = nil
                }
                if let value { result.values[metric] = value.isFinite ? value : .nan }
            }
        }
        return result
    }

    /// A metric when a mask is empty: NaN when both are; otherwise `nsd` 0 and the distances
    /// undefined, or the image diagonal under `SurfaceEmptyRule.diagonal` (`std_sd` 0).
    private func emptyValue(_ metric: SurfaceMetric, undefined: SurfaceUndefined, rule: SurfaceEmptyRule, grid: SurfaceGrid)
        -> Double
    {
        if undefined == .bothEmpty { return .nan }
        if metric == .nsd { return 0 }
        if rule == .diagonal { return metric == .stdSD ? 0 : grid.diagonal }
        return .nan
    }
}
