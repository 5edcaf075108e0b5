import Foundation

/// A point of an integer lattice: a pixel centre (face boundaries) or a voxel corner (DeepMind's
/// surfels). Physical position = coordinate · spacing along each axis.
package struct LatticePoint: Hashable, Sendable {
    /// Column.
    package var x: Int32
    /// Row.
    package var y: Int32
    /// Slice (0 in 2-D).
    package var z: Int32

    /// Creates a point.
    package init(x: Int32, y: Int32, z: Int32) {
        self.x = x
        self.y = y
        self.z = z
    }
}

/// Exact Euclidean distances between two point sets of a lattice, in float64, with anisotropic
/// spacing.
///
/// The squared distance transform of the feature points is computed on the bounding box of both
/// sets only, one axis after another (Felzenszwalb & Huttenlocher's lower envelope of parabolas),
/// in the order z, y, x. Each value is therefore `((Δz·sz)² + (Δy·sy)²) + (Δx·sx)²` of the nearest
/// feature, the same float64 expression, in the same order, as SciPy's `distance_transform_edt`
/// (axis 0 first). Buffers are kept between calls.
package final class SurfaceDistanceEngine {
    private var field: [Double] = []
    private var lineF: [Double] = []
    private var lineV: [Int] = []
    private var lineZ: [Double] = []
    private var flags: [Bool] = []

    /// Creates an engine with empty buffers.
    package init() {}

    /// The distance from each of `queries` to the nearest of `features` (physical units, in the
    /// order of `queries`); +∞ for every query when `features` is empty.
    package func distances(
        from queries: [LatticePoint], to features: [LatticePoint], spacing: (x: Double, y: Double, z: Double)
    ) -> [Double] {
        if queries.isEmpty { return [] }
        if features.isEmpty { return [Double](repeating: .infinity, count: queries.count) }
        var lo = queries[0]
        var hi = queries[0]
        for set in [queries, features] {
            for p in set {
                lo.x = min(lo.x, p.x)
                lo.y = min(lo.y, p.y)
                lo.z = min(lo.z, p.z)
                hi.x = max(hi.x, p.x)
                hi.y = max(hi.y, p.y)
                hi.z = max(hi.z, p.z)
            }
        }
        let bx = Int(hi.x - lo.x) + 1
        let by = Int(hi.y - lo.y) + 1
        let bz = Int(hi.z - lo.z) + 1
        let total = bx * by * bz
        if field.count < total { field = [Double](repeating: .infinity, count: total) }
        let longest = max(bx, by, bz)
        if lineF.count < longest {
            lineF = [Double](repeating: 0, count: longest)
            lineV = [Int](repeating: 0, count: longest)
            lineZ = [Double](repeating: 0, count: longest + 1)
        }
        if flags.count < max(bx * by, bz * bx, bz * by) {
            flags = [Bool](repeating: false, count: max(bx * by, bz * bx, bz * by))
        }
        return field.withUnsafeMutableBufferPointer { f in
            let base = f.baseAddress!
            base.update(repeating: .infinity, count: total)
            for p in features {
                base[(Int(p.z - lo.z) * by + Int(p.y - lo.y)) * bx + Int(p.x - lo.x)] = 0
            }
            lineF.withUnsafeMutableBufferPointer { lf in
                lineV.withUnsafeMutableBufferPointer { lv in
                    lineZ.withUnsafeMutableBufferPointer { lz in
                        flags.withUnsafeMutableBufferPointer { fl in
                            let scratch = Scratch(f: lf.baseAddress!, v: lv.baseAddress!, z: lz.baseAddress!)
                            let flag = fl.baseAddress!
                            // Pass along z: only the (y, x) columns holding a feature.
                            if bz > 1 {
                                flag.update(repeating: false, count: bx * by)
                                for p in features { flag[Int(p.y - lo.y) * bx + Int(p.x - lo.x)] = true }
                                for column in 0..<(bx * by) where flag[column] {
                                    transform(base + column, count: bz, stride: bx * by, spacing: spacing.z, scratch)
                                }
                            }
                            // Pass along y: only the (z, x) lines whose x holds a feature.
                            if by > 1 {
                                flag.update(repeating: false, count: bx)
                                for p in features { flag[Int(p.x - lo.x)] = true }
                                for z in 0..<bz {
                                    for x in 0..<bx where flag[x] {
                                        transform(base + z * bx * by + x, count: by, stride: bx, spacing: spacing.y, scratch)
                                    }
                                }
                            }
                            // Pass along x: only the rows holding a query.
                            if bx > 1 {
                                flag.update(repeating: false, count: bz * by)
                                for p in queries { flag[Int(p.z - lo.z) * by + Int(p.y - lo.y)] = true }
                                for row in 0..<(bz * by) where flag[row] {
                                    transform(base + row * bx, count: bx, stride: 1, spacing: spacing.x, scratch)
                                }
                            }
                        }
                    }
                }
            }
            var result = [Double](repeating: 0, count: queries.count)
            for (i, p) in queries.enumerated() {
                result[i] = base[(Int(p.z - lo.z) * by + Int(p.y - lo.y)) * bx + Int(p.x - lo.x)].squareRoot()
            }
            return result
        }
    }

    private struct Scratch {
        var f: UnsafeMutablePointer<Double>
        var v: UnsafeMutablePointer<Int>
        var z: UnsafeMutablePointer<Double>
    }

    /// One line of the squared distance transform: `out[p] = min_q f[q] + ((p − q)·s)²`.
    @inline(__always)
    private func transform(
        _ line: UnsafeMutablePointer<Double>, count n: Int, stride: Int, spacing s: Double, _ scratch: Scratch
    ) {
        let f = scratch.f
        let v = scratch.v
        let z = scratch.z
        let s2 = s * s
        var k = -1
        for q in 0..<n {
            let fq = line[q * stride]
            f[q] = fq
            if fq == .infinity { continue }
            var boundary = -Double.infinity
            while k >= 0 {
                let r = v[k]
                // Where parabola q starts to lie below parabola r, in index units.
                let cross = ((fq - f[r]) / s2 + Double(q * q - r * r)) / Double(2 * (q - r))
                if cross <= z[k] {
                    k -= 1
                } else {
                    boundary = cross
                    break
                }
            }
            k += 1
            v[k] = q
            z[k] = boundary
        }
        if k < 0 { return }
        var j = 0
        for p in 0..<n {
            let target = Double(p)
            while j < k && z[j + 1] < target { j += 1 }
            let t = Double(p - v[j]) * s
            var value = f[v[j]] + t * t
            if j < k {
                // A near tie at a crossing: keep the smaller of the two neighbouring parabolas.
                let u = Double(p - v[j + 1]) * s
                let other = f[v[j + 1]] + u * u
                if other < value { value = other }
            }
            line[p * stride] = value
        }
    }
}
