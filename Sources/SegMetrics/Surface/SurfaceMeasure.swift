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

/// Reusable buffers for boundary metrics: one per worker thread (not thread-safe).
public final class SurfaceWorkspace {
    private let engine = SurfaceDistanceEngine()

    /// Creates a workspace.
    public init() {}

    /// `SurfaceMeasure.compute`, reusing this workspace's buffers.
    public func compute(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, request: SurfaceRequest
    ) -> SurfaceValues {
        let metrics = request.metrics.intersection(request.variant.definedMetrics)
        var result = SurfaceValues()
        if metrics.isEmpty { return result }
        let gtEmpty = !gt.contains { $0 != 0 }
        let predEmpty = !pred.contains { $0 != 0 }
        let undefined: SurfaceUndefined? =
            gtEmpty && predEmpty ? .bothEmpty : gtEmpty ? .gtEmpty : predEmpty ? .predEmpty : nil
        if request.variant == .segMetrics || request.variant == .segMetricsFace {
            // The library's own empty rule: 0 for every metric.
            let pooled = SurfaceSegMetrics.pooled(gt: gt, pred: pred, grid: grid, fullyConnected: request.variant == .segMetrics)
            for metric in metrics {
                if let value = SurfaceSegMetrics.value(pooled, metric: metric, percentile: request.percentile) {
                    result.values[metric] = value
                }
            }
            return result
        }
        if let undefined {
            result.undefined = undefined
            for metric in metrics where metric != .nsd || request.tolerance != nil {
                result.values[metric] = emptyValue(metric, undefined: undefined, rule: request.emptyRule, grid: grid)
            }
            return result
        }
        let directed: SurfaceDirected
        switch request.variant {
        case .deepmind:
            let weights =
                grid.dimensions == 3
                ? SurfaceAreaTables.surfaceAreas(sz: grid.spacing.z, sy: grid.spacing.y, sx: grid.spacing.x)
                : SurfaceAreaTables.contourLengths(sy: grid.spacing.y, sx: grid.spacing.x)
            directed = SurfacePresets.cornerDistances(gt: gt, pred: pred, grid: grid, engine: engine, weights: weights)
        case .monaiSubvoxels:
            let weights =
                grid.dimensions == 3
                ? SurfaceAreaTables.surfaceAreasFloat32(sz: grid.spacing.z, sy: grid.spacing.y, sx: grid.spacing.x).map {
                    Double($0)
                }
                : SurfaceAreaTables.contourLengths(sy: grid.spacing.y, sx: grid.spacing.x)
            directed = SurfacePresets.cornerDistances(gt: gt, pred: pred, grid: grid, engine: engine, weights: weights)
        default:
            directed = SurfacePresets.centreDistances(gt: gt, pred: pred, grid: grid, engine: engine)
        }
        for metric in metrics {
            let value: Double?
            switch request.variant {
            case .segscore: value = SurfacePresets.base(directed, request: request, metric: metric)
            case .medpy: value = SurfacePresets.medpy(directed, request: request, metric: metric)
            case .monai: value = SurfacePresets.monai(directed, request: request, metric: metric)
            case .monaiSubvoxels:
                value = SurfacePresets.monaiSubvoxels(directed, request: request, threeD: grid.dimensions == 3)
            case .deepmind: value = SurfacePresets.deepmind(directed, request: request, metric: metric)
            case .segMetrics, .segMetricsFace: value = nil
            }
            if let value { result.values[metric] = value.isFinite ? value : .nan }
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
