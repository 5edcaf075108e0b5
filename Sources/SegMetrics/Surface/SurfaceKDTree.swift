import Foundation

/// Exact nearest-neighbour distances by a k-d tree over the feature points: the engine's choice
/// when the boundaries are sparse in a large bounding box (memory O(points), not O(box)). Each
/// candidate's squared distance is `((Δz·sz)² + (Δy·sy)²) + (Δx·sx)²`, the expression of the
/// distance transform, so both paths give the same float64 values.
package struct SurfaceKDTree {
    private var points: [LatticePoint]
    /// Split axis of the node whose median is at the index (0 x, 1 y, 2 z), for ranges of 2+.
    private var axes: [UInt8]
    private let spacing: (x: Double, y: Double, z: Double)

    /// Builds the tree (median splits along the axis of largest physical extent).
    package init(_ features: [LatticePoint], spacing: (x: Double, y: Double, z: Double)) {
        self.points = features
        self.axes = [UInt8](repeating: 0, count: features.count)
        self.spacing = spacing
        build(0, features.count)
    }

    private func coordinate(_ p: LatticePoint, _ axis: UInt8) -> Int32 { axis == 0 ? p.x : axis == 1 ? p.y : p.z }

    private mutating func build(_ lo: Int, _ hi: Int) {
        if hi - lo < 2 { return }
        var minP = points[lo]
        var maxP = points[lo]
        for i in lo..<hi {
            let p = points[i]
            minP = LatticePoint(x: min(minP.x, p.x), y: min(minP.y, p.y), z: min(minP.z, p.z))
            maxP = LatticePoint(x: max(maxP.x, p.x), y: max(maxP.y, p.y), z: max(maxP.z, p.z))
        }
        let ex = Double(maxP.x - minP.x) * spacing.x
        let ey = Double(maxP.y - minP.y) * spacing.y
        let ez = Double(maxP.z - minP.z) * spacing.z
        let axis: UInt8 = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2
        let mid = (lo + hi) / 2
        select(lo, hi, mid, axis)
        axes[mid] = axis
        build(lo, mid)
        build(mid + 1, hi)
    }

    /// Quickselect: the element of rank `k` along `axis` at `k`, smaller before, larger after.
    private mutating func select(_ lo: Int, _ hi: Int, _ k: Int, _ axis: UInt8) {
        var lo = lo
        var hi = hi - 1
        while lo < hi {
            let pivot = coordinate(points[(lo + hi) / 2], axis)
            var i = lo
            var j = hi
            while i <= j {
                while coordinate(points[i], axis) < pivot { i += 1 }
                while coordinate(points[j], axis) > pivot { j -= 1 }
                if i <= j {
                    points.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }

    /// The distance from `q` to the nearest feature (+∞ when there are none).
    package func nearest(_ q: LatticePoint) -> Double {
        var best = Double.infinity
        points.withUnsafeBufferPointer { pts in
            axes.withUnsafeBufferPointer { ax in search(q, 0, pts.count, pts, ax, &best) }
        }
        return best.squareRoot()
    }

    private func search(
        _ q: LatticePoint, _ lo: Int, _ hi: Int, _ pts: UnsafeBufferPointer<LatticePoint>, _ ax: UnsafeBufferPointer<UInt8>,
        _ best: inout Double
    ) {
        if hi <= lo { return }
        let mid = (lo + hi) / 2
        let p = pts[mid]
        let dz = Double(q.z - p.z) * spacing.z
        let dy = Double(q.y - p.y) * spacing.y
        let dx = Double(q.x - p.x) * spacing.x
        let d2 = (dz * dz + dy * dy) + dx * dx
        if d2 < best { best = d2 }
        if hi - lo == 1 { return }
        let axis = ax[mid]
        let delta = axis == 0 ? dx : axis == 1 ? dy : dz
        let goLeftFirst = delta <= 0
        if goLeftFirst {
            search(q, lo, mid, pts, ax, &best)
            if delta * delta < best { search(q, mid + 1, hi, pts, ax, &best) }
        } else {
            search(q, mid + 1, hi, pts, ax, &best)
            if delta * delta < best { search(q, lo, mid, pts, ax, &best) }
        }
    }
}
