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
/// sets only, one axis after another in the order z, y, x: the first axis by two sweeps (distance
/// to the nearest feature of each line), the middle one (3-D) by Felzenszwalb & Huttenlocher's
/// lower envelope of parabolas, the last one only at the queries, scanning outwards until
/// (Δx·sx)² alone reaches the best value. Each value is `((Δz·sz)² + (Δy·sy)²) + (Δx·sx)²` of the
/// nearest feature: the float64 expression, in the same order, of SciPy's `distance_transform_edt`
/// (axis 0 first). When the box is large for the number of points, a k-d tree over the features
/// (`SurfaceKDTree`, same expression) is used instead. By default (`Strategy.automatic`) neither:
/// the row search (`SurfaceRowSearch`) gives the same values, bit for bit, far faster on
/// boundaries that mostly coincide or lie a few samples apart. Buffers are kept between calls.
package final class SurfaceDistanceEngine {
    private var field: [Double] = []
    private var lineF: [Double] = []
    private var lineV: [Int] = []
    private var lineZ: [Double] = []
    private var flags: [Bool] = []
    private var planeIndex: [Int32] = []
    private let local = SurfaceLocalSearch()
    private let rows = SurfaceRowSearch()

    /// How the nearest feature is found.
    package enum Strategy: Sendable {
        /// The row search (`SurfaceRowSearch`) when the bounding box fits its bit map: its few
        /// given-up queries go to the k-d tree, and when more are given up (`maxFailures`),
        /// everything goes to `legacy`. The same values, bit for bit.
        case automatic
        /// Always the row search, its given-up queries by the k-d tree (tests).
        case rows
        /// The local search (`SurfaceLocalSearch`) when the bounding box fits its byte map
        /// (`localCells`), its given-up queries by the k-d tree, else `legacy`: the engine before
        /// the row search.
        case localFirst
        /// The distance transform on the bounding box, or the k-d tree when the box is large
        /// for the number of points (`treeRatio`): the engine before the local search.
        case legacy
        /// Always the distance transform.
        case grid
        /// Always the k-d tree.
        case tree
        /// Always the local search, its given-up queries by the k-d tree (tests).
        case local
    }

    /// The strategy (tests force each path).
    package var strategy = Strategy.automatic

    /// Above this many bounding-box cells per point (queries and features), the k-d tree is
    /// used: measured (thread CPU time, release) at about 3 ns per cell against 150 ns per 2-D
    /// query, and 14 ns per cell against 2 µs per 3-D query, where the two cost the same.
    package static func treeRatio(threeD: Bool) -> Int { threeD ? 64 : 24 }

    /// Queries the row search or the local search may give up (to the k-d tree) before the whole
    /// call goes to `legacy` instead.
    package static func maxFailures(queries: Int) -> Int { queries / 2 + 8 }

    /// The largest bounding box (cells) the local search marks its features in (one byte each).
    package static let localCells = 1 << 24

    /// Creates an engine with empty buffers.
    package init() {}

    /// Bytes the buffers hold between calls.
    package var retainedBytes: Int {
        field.capacity * 8 + (lineF.capacity + lineV.capacity + lineZ.capacity) * 8 + flags.capacity + planeIndex.capacity * 4
            + local.retainedBytes + rows.retainedBytes
    }

    /// The distance from each of `queries` to the nearest of `features` (physical units, in the
    /// order of `queries`); +∞ for every query when `features` is empty.
    package func distances(
        from queries: [LatticePoint], to features: [LatticePoint], spacing: (x: Double, y: Double, z: Double)
    ) -> [Double] {
        if queries.isEmpty { return [] }
        if features.isEmpty { return [Double](repeating: .infinity, count: queries.count) }
        let (lo, hi) = Self.bounds(queries, features)
        return distances(from: queries, to: features, spacing: spacing, lo: lo, hi: hi)
    }

    /// `distances` both ways, from `a` to `b` and from `b` to `a` (the bounding box found once).
    package func distances(
        between a: [LatticePoint], and b: [LatticePoint], spacing: (x: Double, y: Double, z: Double)
    ) -> (a: [Double], b: [Double]) {
        if a.isEmpty || b.isEmpty {
            return (distances(from: a, to: b, spacing: spacing), distances(from: b, to: a, spacing: spacing))
        }
        let (lo, hi) = Self.bounds(a, b)
        return (
            distances(from: a, to: b, spacing: spacing, lo: lo, hi: hi),
            distances(from: b, to: a, spacing: spacing, lo: lo, hi: hi)
        )
    }

    /// The bounding box of two non-empty point sets.
    private static func bounds(_ first: [LatticePoint], _ second: [LatticePoint]) -> (LatticePoint, LatticePoint) {
        var lo = first[0]
        var hi = first[0]
        for set in [first, second] {
            for p in set {
                lo.x = min(lo.x, p.x)
                lo.y = min(lo.y, p.y)
                lo.z = min(lo.z, p.z)
                hi.x = max(hi.x, p.x)
                hi.y = max(hi.y, p.y)
                hi.z = max(hi.z, p.z)
            }
        }
        return (lo, hi)
    }

    /// `distances` of non-empty sets whose bounding box (of both) is `lo`…`hi`.
    private func distances(
        from queries: [LatticePoint], to features: [LatticePoint], spacing: (x: Double, y: Double, z: Double),
        lo: LatticePoint, hi: LatticePoint
    ) -> [Double] {
        let bx = Int(hi.x - lo.x) + 1
        let by = Int(hi.y - lo.y) + 1
        let bz = Int(hi.z - lo.z) + 1
        let total = bx * by * bz
        let sparse = total / Self.treeRatio(threeD: bz > 1) > queries.count + features.count
        let positive = spacing.x > 0 && spacing.y > 0 && spacing.z > 0
        let finite = spacing.x.isFinite && spacing.y.isFinite && spacing.z.isFinite
        let box = (x: bx, y: by, z: bz)
        if strategy == .rows || strategy == .automatic && positive && finite && SurfaceRowSearch.fits(box: box) {
            let limit = strategy == .rows ? Int.max : Self.maxFailures(queries: queries.count)
            var result = [Double](repeating: 0, count: queries.count)
            if let failed = rows.distances(
                from: queries, to: features, spacing: spacing, lo: lo, box: box, maxFailures: limit, into: &result)
            {
                if !failed.isEmpty {
                    let tree = SurfaceKDTree(features, spacing: spacing)
                    for i in failed { result[i] = tree.nearest(queries[i]) }
                }
                return result
            }
        }
        if strategy == .local || strategy == .localFirst && total <= Self.localCells && positive {
            let limit = strategy == .local ? Int.max : Self.maxFailures(queries: queries.count)
            var result = [Double](repeating: 0, count: queries.count)
            if let failed = local.distances(
                from: queries, to: features, spacing: spacing, lo: lo, box: (bx, by, bz), maxFailures: limit, into: &result)
            {
                if !failed.isEmpty {
                    let tree = SurfaceKDTree(features, spacing: spacing)
                    for i in failed { result[i] = tree.nearest(queries[i]) }
                }
                return result
            }
        }
        let useTree = strategy == .tree || strategy != .grid && sparse
        if useTree {
            let tree = SurfaceKDTree(features, spacing: spacing)
            return queries.map { tree.nearest($0) }
        }
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
        return field.withUnsafeMutableBufferPointer { f -> [Double] in
            guard let base = f.baseAddress else { return [] }
            base.update(repeating: .infinity, count: total)
            for p in features {
                base[(Int(p.z - lo.z) * by + Int(p.y - lo.y)) * bx + Int(p.x - lo.x)] = 0
            }
            lineF.withUnsafeMutableBufferPointer { lf in
                lineV.withUnsafeMutableBufferPointer { lv in
                    lineZ.withUnsafeMutableBufferPointer { lz in
                        flags.withUnsafeMutableBufferPointer { fl in
                            guard let lineF = lf.baseAddress, let lineV = lv.baseAddress, let lineZ = lz.baseAddress,
                                let flag = fl.baseAddress
                            else { return }
                            let scratch = Scratch(f: lineF, v: lineV, z: lineZ)
                            let threeD = bz > 1
                            // First axis (z in 3-D, y in 2-D): features are 0, the rest +∞, so the
                            // transform is the distance to the nearest feature of the line.
                            let firstCount = threeD ? bz : by
                            let firstSpacing = threeD ? spacing.z : spacing.y
                            let lines = threeD ? bx * by : bx
                            if planeIndex.count < lines { planeIndex = [Int32](repeating: 0, count: lines) }
                            planeIndex.withUnsafeMutableBufferPointer { index in
                                guard let index = index.baseAddress else { return }
                                nearestFeature(base, planes: firstCount, planeSize: lines, spacing: firstSpacing, index)
                            }
                            // Middle axis (y, 3-D only): lines whose x holds a feature.
                            if threeD && by > 1 {
                                flag.update(repeating: false, count: bx)
                                for p in features { flag[Int(p.x - lo.x)] = true }
                                for z in 0..<bz {
                                    for x in 0..<bx where flag[x] {
                                        transform(base + z * bx * by + x, count: by, stride: bx, spacing: spacing.y, scratch)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Last axis (x): only at the queries, scanning outwards until (Δx·sx)² alone reaches
            // the best value found.
            var result = [Double](repeating: 0, count: queries.count)
            let sx = spacing.x
            for (i, p) in queries.enumerated() {
                let row = base + (Int(p.z - lo.z) * by + Int(p.y - lo.y)) * bx
                let x = Int(p.x - lo.x)
                var best = row[x]
                var k = 1
                while true {
                    let t = Double(k) * sx
                    let reach = t * t
                    if reach >= best { break }
                    let left = x - k
                    let right = x + k
                    if left < 0 && right >= bx { break }
                    if left >= 0 {
                        let value = row[left] + reach
                        if value < best { best = value }
                    }
                    if right < bx {
                        let value = row[right] + reach
                        if value < best { best = value }
                    }
                    k += 1
                }
                result[i] = best.squareRoot()
            }
            return result
        }
    }
    private struct Scratch {
        var f: UnsafeMutablePointer<Double>
        var v: UnsafeMutablePointer<Int>
        var z: UnsafeMutablePointer<Double>
    }

    /// The first axis of a 0/+∞ field, swept plane by plane (contiguous): every cell becomes
    /// ((p − q)·s)² for the nearest q of its line holding 0, or stays +∞.
    private func nearestFeature(
        _ base: UnsafeMutablePointer<Double>, planes n: Int, planeSize: Int, spacing s: Double,
        _ index: UnsafeMutablePointer<Int32>
    ) {
        // Forward: the index distance to the last feature at or before the plane.
        index.update(repeating: -1, count: planeSize)
        for p in 0..<n {
            let plane = base + p * planeSize
            for i in 0..<planeSize {
                if plane[i] == 0 { index[i] = Int32(p) }
                plane[i] = index[i] >= 0 ? Double(p - Int(index[i])) : .infinity
            }
        }
        // Backward: the nearer of that and the next feature, squared with spacing.
        index.update(repeating: -1, count: planeSize)
        for p in Swift.stride(from: n - 1, through: 0, by: -1) {
            let plane = base + p * planeSize
            for i in 0..<planeSize {
                var k = plane[i]
                if k == 0 { index[i] = Int32(p) }
                if index[i] >= 0 { k = min(k, Double(Int(index[i]) - p)) }
                let t = k * s
                plane[i] = t * t
            }
        }
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
