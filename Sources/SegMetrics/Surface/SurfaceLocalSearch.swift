import Foundation

/// Exact nearest-feature distances by a local search around each query, for boundaries that
/// mostly coincide or lie a few samples apart (the usual prediction against its ground truth).
///
/// The features are marked in a byte map of the bounding box (kept all zero between calls: only
/// the marked cells are cleared). For each query the map is scanned in growing Chebyshev rings
/// (2-D) or shells (3-D) until a feature is found, at most `ringLimit` of them. Once the best
/// squared distance `b` is known, a feature can only be nearer when each of its three terms is
/// below `b` (a float64 sum of non-negative terms is never below a term), so the box of
/// `|Δ|` with `(Δ·s)² < b` on every axis holds every candidate; the part of it outside the rings
/// already scanned is scanned next, unless it exceeds `boxBudget` cells. Each candidate's value is
/// `((Δz·sz)² + (Δy·sy)²) + (Δx·sx)²`, the expression of the distance transform and the k-d tree,
/// and the minimum over all candidates is taken, so the result is that of the k-d tree bit for
/// bit. A query not settled that way (far from every feature) goes to a search over coarse
/// blocks of the map (`blockSearch`), within a budget of blocks per query and per call; the
/// queries beyond it are returned for the caller to answer another way.
package final class SurfaceLocalSearch {
    private var map: [UInt8] = []
    private var blocks: [UInt8] = []
    private var failures: [Int] = []

    /// Rings (shells) scanned before a query is handed to the coarse block search (chosen, not
    /// tuned: on the generated 512×512 bench set most queries coincide or end within a few).
    package static func ringLimit(threeD: Bool) -> Int { threeD ? 2 : 4 }

    /// Cells of the final box above which a query is given up.
    package static func boxBudget(threeD: Bool) -> Int { threeD ? 1_000 : 400 }

    /// Side of the coarse blocks (cells) whose occupancy the far queries search first.
    package static func blockSide(threeD: Bool) -> Int { threeD ? 4 : 16 }

    /// Coarse blocks a far query may visit before it is given up.
    package static func blockBudget(threeD: Bool) -> Int { threeD ? 8_192 : 4_096 }

    /// Creates a search with empty buffers.
    package init() {}

    /// Bytes the buffers hold between calls.
    var retainedBytes: Int { map.capacity + blocks.capacity + failures.capacity * 8 }

    /// Writes the distance from each query to the nearest feature into `result` (physical units,
    /// the square root of the minimum squared distance), and returns the indices of the queries
    /// given up, with their entries of `result` left unchanged; nil, with `result` unspecified,
    /// once more than `maxFailures` are given up. `lo` and `box` are the bounding box of queries
    /// and features (its cell count is allocated here as bytes).
    package func distances(
        from queries: [LatticePoint], to features: [LatticePoint], spacing: (x: Double, y: Double, z: Double),
        lo: LatticePoint, box: (x: Int, y: Int, z: Int), maxFailures: Int, into result: inout [Double]
    ) -> [Int]? {
        let total = box.x * box.y * box.z
        if map.count < total { map = [UInt8](repeating: 0, count: total) }
        let threeD = box.z > 1
        let side = Self.blockSide(threeD: threeD)
        let coarse = (x: (box.x + side - 1) / side, y: (box.y + side - 1) / side, z: (box.z + side - 1) / side)
        if blocks.count < coarse.x * coarse.y * coarse.z { blocks = [UInt8](repeating: 0, count: coarse.x * coarse.y * coarse.z) }
        failures.removeAll(keepingCapacity: true)
        let limit = Self.ringLimit(threeD: threeD)
        let budget = Self.boxBudget(threeD: threeD)
        var aborted = false
        map.withUnsafeMutableBufferPointer { m in
            blocks.withUnsafeMutableBufferPointer { b in
                guard let map = m.baseAddress, let blocks = b.baseAddress else { return }
                let grid = Grid(
                    map: map, blocks: blocks, side: side, coarse: coarse, featureCount: features.count, lo: lo, bx: box.x,
                    by: box.y, bz: box.z,
                    spacing: spacing)
                grid.mark(features, 1)
                defer { grid.mark(features, 0) }
                aborted = search(queries, grid, limit: limit, budget: budget, maxFailures: maxFailures, into: &result)
            }
        }
        return aborted ? nil : failures
    }

    /// The search of every query (see `distances`); whether it gave up more than `maxFailures`.
    private func search(
        _ queries: [LatticePoint], _ grid: Grid, limit: Int, budget: Int, maxFailures: Int, into result: inout [Double]
    ) -> Bool {
        let threeD = grid.bz > 1
        let spacing = grid.spacing
        let box = (x: grid.bx, y: grid.by, z: grid.bz)
        let lo = grid.lo
        let map = grid.map
        let blockBudget = Self.blockBudget(threeD: threeD)
        var aborted = false
        var previous: Best?
        let smallest = threeD ? min(spacing.x, spacing.y, spacing.z) : min(spacing.x, spacing.y)
        // Blocks the far queries of this call may visit in all before the rest go to the k-d
        // tree, whose construction costs about as much.
        let callBudget = 16 * grid.featureCount + 4_096
        var visits = 0
        result.withUnsafeMutableBufferPointer { out in
            for (i, q) in queries.enumerated() {
                let c = (x: Int(q.x - lo.x), y: Int(q.y - lo.y), z: Int(q.z - lo.z))
                if map[(c.z * box.y + c.y) * box.x + c.x] != 0 {
                    out[i] = 0
                    previous = Best(value: 0, x: c.x, y: c.y, z: c.z)
                    continue
                }
                var best = Best()
                var r = 1
                while r <= limit {
                    grid.scan(c, extent: (r, r, threeD ? r : 0), inner: r - 1, &best)
                    if best.value < .infinity { break }
                    r += 1
                }
                var done = false
                if best.value < .infinity && Self.square(r + 1, smallest) >= best.value {
                    done = true  // no axis can reach beyond the rings scanned
                } else if best.value < .infinity {
                    let kx = Self.reach(best.value, spacing.x)
                    let ky = Self.reach(best.value, spacing.y)
                    let kz = threeD ? Self.reach(best.value, spacing.z) : 0
                    if kx <= r && ky <= r && kz <= r {
                        done = true
                    } else if (2 * kx + 1) * (2 * ky + 1) * (2 * kz + 1) <= budget {
                        grid.scan(c, extent: (kx, ky, kz), inner: r, &best)
                        done = true
                    }
                }
                if !done {
                    // Far: start from the previous query's nearest feature (consecutive
                    // queries are usually neighbours), then the coarse blocks.
                    if let previous {
                        let value = grid.value(c, previous)
                        if value < best.value { best = Best(value: value, x: previous.x, y: previous.y, z: previous.z) }
                    }
                    if visits < callBudget { done = grid.blockSearch(c, budget: blockBudget, &best, visits: &visits) }
                }
                if done {
                    out[i] = best.value.squareRoot()
                    previous = best
                } else {
                    failures.append(i)
                    if failures.count > maxFailures {
                        aborted = true
                        return
                    }
                }
            }
        }
        return aborted
    }

    /// The largest k ≥ 0 with `(k·s)² < best` (`best` finite and positive).
    private static func reach(_ best: Double, _ s: Double) -> Int {
        var k = Int(min(best.squareRoot() / s, 1e9))
        while k > 0 && square(k, s) >= best { k -= 1 }
        while square(k + 1, s) < best { k += 1 }
        return k
    }

    @inline(__always)
    private static func square(_ k: Int, _ s: Double) -> Double {
        let t = Double(k) * s
        return t * t
    }

    /// The smallest squared distance found and the feature it was found at (box coordinates).
    private struct Best {
        var value = Double.infinity
        var x = 0
        var y = 0
        var z = 0
    }

    /// The feature map of the bounding box, its coarse block map, and the scans around a query.
    private struct Grid {
        let map: UnsafeMutablePointer<UInt8>
        let blocks: UnsafeMutablePointer<UInt8>
        let side: Int
        let coarse: (x: Int, y: Int, z: Int)
        let featureCount: Int
        let lo: LatticePoint
        let bx: Int
        let by: Int
        let bz: Int
        let spacing: (x: Double, y: Double, z: Double)

        /// Sets the cells and blocks of `points` to `value`.
        func mark(_ points: [LatticePoint], _ value: UInt8) {
            for p in points {
                let x = Int(p.x - lo.x)
                let y = Int(p.y - lo.y)
                let z = Int(p.z - lo.z)
                map[(z * by + y) * bx + x] = value
                blocks[((z / side) * coarse.y + y / side) * coarse.x + x / side] = value
            }
        }

        /// Lowers `best` to the smallest squared distance from `c` to the features with
        /// |Δx| ≤ e.x, |Δy| ≤ e.y, |Δz| ≤ e.z, skipping those with every |Δ| ≤ `inner`.
        @inline(__always)
        func scan(_ c: (x: Int, y: Int, z: Int), extent e: (Int, Int, Int), inner: Int, _ best: inout Best) {
            scan(
                c, x: (max(c.x - e.0, 0), min(c.x + e.0, bx - 1)), y: (max(c.y - e.1, 0), min(c.y + e.1, by - 1)),
                z: (max(c.z - e.2, 0), min(c.z + e.2, bz - 1)), inner: inner, &best)
        }

        /// The same on the cells of the given (clipped) ranges.
        @inline(__always)
        func scan(
            _ c: (x: Int, y: Int, z: Int), x: (Int, Int), y: (Int, Int), z: (Int, Int), inner: Int, _ best: inout Best
        ) {
            if z.0 > z.1 || y.0 > y.1 || x.0 > x.1 { return }
            for zi in z.0...z.1 {
                let dz = Double(zi - c.z) * spacing.z
                let dz2 = dz * dz
                if dz2 >= best.value { continue }
                for yi in y.0...y.1 {
                    let dy = Double(yi - c.y) * spacing.y
                    let dzy = dz2 + dy * dy
                    if dzy >= best.value { continue }
                    let row = map + (zi * by + yi) * bx
                    if abs(zi - c.z) <= inner && abs(yi - c.y) <= inner {
                        scanRow(row, x.0, min(c.x - inner - 1, x.1), c.x, dzy, yi, zi, &best)
                        scanRow(row, max(c.x + inner + 1, x.0), x.1, c.x, dzy, yi, zi, &best)
                    } else {
                        scanRow(row, x.0, x.1, c.x, dzy, yi, zi, &best)
                    }
                }
            }
        }

        /// Row cells `from...to` (eight bytes at a time where they are all zero).
        @inline(__always)
        private func scanRow(
            _ row: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int, _ cx: Int, _ dzy: Double, _ y: Int, _ z: Int,
            _ best: inout Best
        ) {
            var x = from
            while x <= to {
                if x + 8 <= to + 1 && UnsafeRawPointer(row + x).loadUnaligned(as: UInt64.self) == 0 {
                    x += 8
                    continue
                }
                if row[x] != 0 {
                    let dx = Double(x - cx) * spacing.x
                    let value = dzy + dx * dx
                    if value < best.value { best = Best(value: value, x: x, y: y, z: z) }
                }
                x += 1
            }
        }

        /// The squared distance from `c` to cell `f`, in the expression of every scan.
        @inline(__always)
        func value(_ c: (x: Int, y: Int, z: Int), _ f: Best) -> Double {
            let dz = Double(f.z - c.z) * spacing.z
            let dy = Double(f.y - c.y) * spacing.y
            let dx = Double(f.x - c.x) * spacing.x
            return (dz * dz + dy * dy) + dx * dx
        }

        /// Lowers `best` to the smallest squared distance from `c` to any feature, visiting the
        /// coarse blocks in growing Chebyshev rings around `c`'s block and scanning the occupied
        /// ones whose nearest cell could still be nearer (its per-axis offsets in the same
        /// expression). Stops when a ring's nearest cell along its own axis, `(R−1)·side + 1`
        /// cells away at the smallest spacing, cannot be nearer; false when more than `budget`
        /// blocks would be visited.
        func blockSearch(_ c: (x: Int, y: Int, z: Int), budget: Int, _ best: inout Best, visits total: inout Int) -> Bool {
            let cb = (x: c.x / side, y: c.y / side, z: c.z / side)
            let threeD = bz > 1
            let smallest = threeD ? min(spacing.x, spacing.y, spacing.z) : min(spacing.x, spacing.y)
            let last = max(cb.x, coarse.x - 1 - cb.x, cb.y, coarse.y - 1 - cb.y, cb.z, coarse.z - 1 - cb.z)
            var visits = 0
            var ring = 0
            while ring <= last {
                if ring >= 1 {
                    let t = Double((ring - 1) * side + 1) * smallest
                    if t * t >= best.value {
                        total += visits
                        return true
                    }
                }
                for z in max(cb.z - ring, 0)...min(cb.z + ring, coarse.z - 1) {
                    for y in max(cb.y - ring, 0)...min(cb.y + ring, coarse.y - 1) {
                        if abs(z - cb.z) == ring || abs(y - cb.y) == ring {
                            for x in max(cb.x - ring, 0)...min(cb.x + ring, coarse.x - 1) {
                                visit(c, (x, y, z), &best)
                                visits += 1
                            }
                        } else {
                            if cb.x - ring >= 0 {
                                visit(c, (cb.x - ring, y, z), &best)
                                visits += 1
                            }
                            if cb.x + ring < coarse.x {
                                visit(c, (cb.x + ring, y, z), &best)
                                visits += 1
                            }
                        }
                    }
                }
                if visits > budget {
                    total += visits
                    return false
                }
                ring += 1
            }
            total += visits
            return true
        }

        /// Scans block `b` when it holds a feature and its nearest cell could be nearer.
        @inline(__always)
        private func visit(_ c: (x: Int, y: Int, z: Int), _ b: (x: Int, y: Int, z: Int), _ best: inout Best) {
            if blocks[(b.z * coarse.y + b.y) * coarse.x + b.x] == 0 { return }
            let x = (b.x * side, min(b.x * side + side - 1, bx - 1))
            let y = (b.y * side, min(b.y * side + side - 1, by - 1))
            let z = (b.z * side, min(b.z * side + side - 1, bz - 1))
            let dx = Double(c.x < x.0 ? x.0 - c.x : c.x > x.1 ? c.x - x.1 : 0) * spacing.x
            let dy = Double(c.y < y.0 ? y.0 - c.y : c.y > y.1 ? c.y - y.1 : 0) * spacing.y
            let dz = Double(c.z < z.0 ? z.0 - c.z : c.z > z.1 ? c.z - z.1 : 0) * spacing.z
            if (dz * dz + dy * dy) + dx * dx >= best.value { return }
            scan(c, x: x, y: y, z: z, inner: -1, &best)
        }
    }
}
