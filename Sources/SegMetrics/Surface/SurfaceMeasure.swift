import Foundation

/// Computes boundary metrics of one binary class of one pair.
public enum SurfaceMeasure {
    /// The metrics `request` asks for on `gt` and `pred` (both `grid.count` bytes, nonzero =
    /// foreground, x fastest).
    public static func compute(
        gt: UnsafeBufferPointer<UInt8>, pred: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, request: SurfaceRequest
    ) -> SurfaceValues {
        // Base definition, by brute force over boundary points (to be replaced by the exact
        // distance-transform engine and the library presets).
        let gtPoints = boundaryPoints(gt, grid: grid)
        let predPoints = boundaryPoints(pred, grid: grid)
        var result = SurfaceValues()
        let undefined: SurfaceUndefined? =
            gtPoints.isEmpty && predPoints.isEmpty
            ? .bothEmpty : gtPoints.isEmpty ? .gtEmpty : predPoints.isEmpty ? .predEmpty : nil
        result.undefined = undefined
        if let undefined {
            for metric in request.metrics {
                if metric == .nsd && undefined != .bothEmpty {
                    result.values[metric] = 0
                } else if undefined != .bothEmpty && request.emptyRule == .diagonal {
                    result.values[metric] = metric == .stdSD ? 0 : grid.diagonal
                } else {
                    result.values[metric] = .nan
                }
            }
            return result
        }
        let a = directed(from: predPoints, to: gtPoints)
        let b = directed(from: gtPoints, to: predPoints)
        let pooled = a + b
        for metric in request.metrics {
            switch metric {
            case .hd: result.values[metric] = max(a.max() ?? .nan, b.max() ?? .nan)
            case .hd95:
                result.values[metric] = max(percentile(a, request.percentile), percentile(b, request.percentile))
            case .assd: result.values[metric] = mean(pooled)
            case .masd: result.values[metric] = (mean(a) + mean(b)) / 2
            case .asdPredToGt: result.values[metric] = mean(a)
            case .asdGtToPred: result.values[metric] = mean(b)
            case .nsd:
                guard let tolerance = request.tolerance else { continue }
                let within = a.count { $0 <= tolerance } + b.count { $0 <= tolerance }
                result.values[metric] = Double(within) / Double(pooled.count)
            case .medianSD: result.values[metric] = percentile(pooled, 50)
            case .stdSD:
                let m = mean(pooled)
                result.values[metric] = (pooled.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(pooled.count)).squareRoot()
            }
        }
        return result
    }

    /// Physical coordinates of the face-connected boundary: foreground samples with a face
    /// neighbour that is background or outside the grid.
    static func boundaryPoints(_ mask: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid) -> [(Double, Double, Double)] {
        var points: [(Double, Double, Double)] = []
        let w = grid.width
        let h = grid.height
        let d = grid.depth
        func on(_ x: Int, _ y: Int, _ z: Int) -> Bool {
            x >= 0 && y >= 0 && z >= 0 && x < w && y < h && z < d && mask[(z * h + y) * w + x] != 0
        }
        for z in 0..<d {
            for y in 0..<h {
                for x in 0..<w where on(x, y, z) {
                    var edge = !on(x - 1, y, z) || !on(x + 1, y, z) || !on(x, y - 1, z) || !on(x, y + 1, z)
                    if grid.dimensions == 3 { edge = edge || !on(x, y, z - 1) || !on(x, y, z + 1) }
                    if edge {
                        points.append((Double(x) * grid.spacing.x, Double(y) * grid.spacing.y, Double(z) * grid.spacing.z))
                    }
                }
            }
        }
        return points
    }

    static func directed(from: [(Double, Double, Double)], to: [(Double, Double, Double)]) -> [Double] {
        from.map { p in
            var best = Double.infinity
            for q in to {
                let dx = p.0 - q.0
                let dy = p.1 - q.1
                let dz = p.2 - q.2
                best = min(best, dx * dx + dy * dy + dz * dz)
            }
            return best.squareRoot()
        }
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// NumPy's default percentile: linear interpolation between closest ranks, with its `_lerp`.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let rank = Double(sorted.count - 1) * p / 100
        let low = Int(rank.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let t = rank - Double(low)
        let a = sorted[low]
        let b = sorted[high]
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }
}
