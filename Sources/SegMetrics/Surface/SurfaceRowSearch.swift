import Foundation

/// Exact nearest-feature distances by rows of a bit map: the engine's `.automatic` choice.
///
/// The features are set as bits of the bounding box, one run of at most 64 words of 64 bits per
/// row (x), with a summary word per row (y, z) whose bit j says that word j holds a feature, and a
/// byte per plane (z); all are kept zero between calls (only the marked words are cleared). For
/// a query, the rows are visited outwards from its own, plane by plane (|Δz| = 0, 1, …) and row by
/// row within a plane (|Δy| = 0, 1, …), and in each row the nearest set bit on either side is found
/// by trailing/leading-zero counts: in the query's word, else in the nearest non-zero word the
/// summary names. Every candidate's value is
/// `((Δz·sz)² + (Δy·sy)²) + (Δx·sx)²`, the expression of the distance transform and the k-d tree.
/// A float64 sum of non-negative terms is never below a term and never decreases when a term
/// grows, so a row's nearest bit on each side is its best candidate, a word, row or plane whose
/// nearest cell already gives a value not below the best found cannot hold a better one, and the
/// search stops there: the minimum is that of the k-d tree, bit for bit. A query that coincides
/// with a feature (the same sample on both boundaries) is 0 without any search; each query starts
/// from the previous query's nearest feature (consecutive queries are usually neighbours). Beyond
/// the nearest 8 rows on either side (a far query: a spurious or missed object), each side is
/// visited by itself and a band of 8 rows is passed over whole when the nearest bit of the union
/// of its rows, at the band's nearest row offset, already gives a value not below the best (the
/// same monotonicity: no row of the band can give less). A query that visits more than
/// `rowBudget` rows (twice that many steps beyond its nearest rows) is given up and returned for
/// the caller.
package final class SurfaceRowSearch {
    private var bits: [UInt64] = []
    private var summaries: [UInt64] = []
    private var bandBits: [UInt64] = []
    private var bandSummaries: [UInt64] = []
    private var planes: [UInt8] = []
    private var failures: [Int] = []

    /// Rows a query may visit before it is given up (to the caller's k-d tree): a far query
    /// visits every row within its distance, O(1) each. Measured on the 512×512 bench pair, a
    /// 2-D budget of 96 rows made the pair 1.6× slower than none (the tree is slower for far
    /// queries than the rows), so only extreme distances (3-D planes of rows) are handed over.
    package static func rowBudget(threeD: Bool) -> Int { threeD ? 2_048 : 4_096 }

    /// The largest bit map (64-bit words) kept: 32 MiB.
    package static let maxWords = 1 << 22

    /// Whether the bands of the current call are marked (`Map.markBands`).
    private let bandsMarked = UnsafeMutablePointer<Bool>.allocate(capacity: 1)

    /// Creates a search with empty buffers.
    package init() { bandsMarked.initialize(to: false) }

    deinit { bandsMarked.deallocate() }

    /// Bytes the buffers hold between calls.
    var retainedBytes: Int {
        (bits.capacity + summaries.capacity + bandBits.capacity + bandSummaries.capacity + failures.capacity) * 8
            + planes.capacity
    }

    /// Whether the bit map of a bounding box of `box` cells fits: rows of at most 4,096 cells
    /// (64 words, one summary word), `maxWords` in all.
    package static func fits(box: (x: Int, y: Int, z: Int)) -> Bool {
        let words = (box.x + 63) >> 6
        return words <= 64 && box.y * box.z <= maxWords / max(words, 1)
    }

    /// Writes the distance from each query to the nearest feature into `result` (physical units,
    /// the square root of the minimum squared distance), and returns the indices of the queries
    /// given up, with their entries of `result` left unchanged; nil, with `result` unspecified,
    /// once more than `maxFailures` are given up. `lo` and `box` are the bounding box of queries
    /// and features (it must `fit`); the spacings are finite and positive.
    package func distances(
        from queries: [LatticePoint], to features: [LatticePoint], spacing: (x: Double, y: Double, z: Double),
        lo: LatticePoint, box: (x: Int, y: Int, z: Int), maxFailures: Int, into result: inout [Double]
    ) -> [Int]? {
        let words = (box.x + 63) >> 6
        let rowCount = box.y * box.z
        if bits.count < words * rowCount { bits = [UInt64](repeating: 0, count: words * rowCount) }
        if summaries.count < rowCount { summaries = [UInt64](repeating: 0, count: rowCount) }
        if planes.count < box.z { planes = [UInt8](repeating: 0, count: box.z) }
        let bandCount = box.z * ((box.y + Map.bandMask) >> Map.bandShift)
        if bandBits.count < words * bandCount { bandBits = [UInt64](repeating: 0, count: words * bandCount) }
        if bandSummaries.count < bandCount { bandSummaries = [UInt64](repeating: 0, count: bandCount) }
        failures.removeAll(keepingCapacity: true)
        var aborted = false
        bits.withUnsafeMutableBufferPointer { b in
            summaries.withUnsafeMutableBufferPointer { r in
                bandBits.withUnsafeMutableBufferPointer { bb in
                    bandSummaries.withUnsafeMutableBufferPointer { br in
                        planes.withUnsafeMutableBufferPointer { p in
                            guard let bits = b.baseAddress, let summaries = r.baseAddress, let bandBits = bb.baseAddress,
                                let bandSummaries = br.baseAddress, let planes = p.baseAddress
                            else { return }
                            features.withUnsafeBufferPointer { f in
                                let map = Map(
                                    bits: bits, summaries: summaries, bandBits: bandBits, bandSummaries: bandSummaries,
                                    planes: planes, words: words, lo: lo, bx: box.x, by: box.y, bz: box.z, spacing: spacing,
                                    features: f, bandsMarked: bandsMarked)
                                map.mark(features)
                                defer { map.clear(features) }
                                aborted = search(queries, map, maxFailures: maxFailures, into: &result)
                            }
                        }
                    }
                }
            }
        }
        return aborted ? nil : failures
    }

    /// The search of every query (see `distances`); whether it gave up more than `maxFailures`.
    private func search(_ queries: [LatticePoint], _ map: Map, maxFailures: Int, into result: inout [Double]) -> Bool {
        var previous: Best?
        var aborted = false
        let lo = map.lo
        let budget = Self.rowBudget(threeD: map.bz > 1)
        result.withUnsafeMutableBufferPointer { out in
            for (i, q) in queries.enumerated() {
                let c = (x: Int(q.x - lo.x), y: Int(q.y - lo.y), z: Int(q.z - lo.z))
                if map.isSet(c) {
                    out[i] = 0
                    previous = Best(value: 0, x: c.x, y: c.y, z: c.z)
                    continue
                }
                var best = Best()
                if let previous { best = Best(value: map.value(c, previous), x: previous.x, y: previous.y, z: previous.z) }
                if map.nearest(c, budget: budget, &best) {
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

    /// The smallest squared distance found and the feature it was found at (box coordinates).
    private struct Best {
        var value = Double.infinity
        var x = 0
        var y = 0
        var z = 0
    }

    /// The bit map of the bounding box with its row summaries and plane flags, and the search of
    /// one query.
    private struct Map {
        let bits: UnsafeMutablePointer<UInt64>
        let summaries: UnsafeMutablePointer<UInt64>
        /// The union (OR) of the words of each band of `bandRows` rows of a plane (rows 8b…8b + 7).
        let bandBits: UnsafeMutablePointer<UInt64>
        /// The summary word of each band's union.
        let bandSummaries: UnsafeMutablePointer<UInt64>
        let planes: UnsafeMutablePointer<UInt8>
        let words: Int
        let lo: LatticePoint
        let bx: Int
        let by: Int
        let bz: Int
        let spacing: (x: Double, y: Double, z: Double)

        /// Rows per band: log2, count, and the mask of a row's position in its band.
        static let bandShift = 3
        static let bandRows = 1 << bandShift
        static let bandMask = bandRows - 1
        /// Rows on either side visited in pairs before each side is visited by itself.
        static let nearRows = 8

        /// Bands per plane.
        var bandsPerPlane: Int { (by + Self.bandMask) >> Self.bandShift }

        /// The features (for `markBands`).
        let features: UnsafeBufferPointer<LatticePoint>
        /// Whether `markBands` ran in this call.
        let bandsMarked: UnsafeMutablePointer<Bool>

        /// Sets the bits, summaries and flags of `points`.
        func mark(_ points: [LatticePoint]) {
            for p in points {
                let x = Int(p.x - lo.x)
                let row = Int(p.z - lo.z) * by + Int(p.y - lo.y)
                bits[row * words + x >> 6] |= 1 << UInt64(x & 63)
                summaries[row] |= 1 << UInt64(x >> 6)
                planes[Int(p.z - lo.z)] = 1
            }
        }

        /// Sets the bands' union words and summaries of the features, once per call (the first
        /// query that goes beyond `nearRows` does it).
        @inline(never)
        func markBands() {
            for p in features {
                let x = Int(p.x - lo.x)
                let band = Int(p.z - lo.z) * bandsPerPlane + Int(p.y - lo.y) >> Self.bandShift
                bandBits[band * words + x >> 6] |= 1 << UInt64(x & 63)
                bandSummaries[band] |= 1 << UInt64(x >> 6)
            }
            bandsMarked.pointee = true
        }

        /// Clears the words, summaries and flags `mark` set, and the bands' if `markBands` ran.
        func clear(_ points: [LatticePoint]) {
            let rows = by * bz
            if words * rows <= 4 * points.count {
                // Dense features: zeroing the whole map is cheaper than one feature at a time.
                bits.update(repeating: 0, count: words * rows)
                summaries.update(repeating: 0, count: rows)
                planes.update(repeating: 0, count: bz)
            } else {
                for p in points {
                    let x = Int(p.x - lo.x)
                    let row = Int(p.z - lo.z) * by + Int(p.y - lo.y)
                    bits[row * words + x >> 6] = 0
                    summaries[row] = 0
                    planes[Int(p.z - lo.z)] = 0
                }
            }
            if !bandsMarked.pointee { return }
            let bands = bandsPerPlane * bz
            if words * bands <= 4 * points.count {
                bandBits.update(repeating: 0, count: words * bands)
                bandSummaries.update(repeating: 0, count: bands)
            } else {
                for p in points {
                    let x = Int(p.x - lo.x)
                    let band = Int(p.z - lo.z) * bandsPerPlane + Int(p.y - lo.y) >> Self.bandShift
                    bandBits[band * words + x >> 6] = 0
                    bandSummaries[band] = 0
                }
            }
            bandsMarked.pointee = false
        }

        /// Whether the cell `c` holds a feature.
        @inline(__always)
        func isSet(_ c: (x: Int, y: Int, z: Int)) -> Bool {
            bits[(c.z * by + c.y) * words + c.x >> 6] & (1 << UInt64(c.x & 63)) != 0
        }

        /// The squared distance from `c` to cell `f`, in the expression of every candidate.
        @inline(__always)
        func value(_ c: (x: Int, y: Int, z: Int), _ f: Best) -> Double {
            let dz = Double(f.z - c.z) * spacing.z
            let dy = Double(f.y - c.y) * spacing.y
            let dx = Double(f.x - c.x) * spacing.x
            return (dz * dz + dy * dy) + dx * dx
        }

        /// Lowers `best` to the smallest squared distance from `c` to any feature; false when
        /// more than `budget` rows would be visited.
        @inline(__always)
        func nearest(_ c: (x: Int, y: Int, z: Int), budget: Int, _ best: inout Best) -> Bool {
            var visited = 0
            if bz == 1 { return plane(c, 0, 0, &best, budget: budget, visited: &visited) }
            var kz = 0
            while true {
                let dz = Double(kz) * spacing.z
                let tz = dz * dz
                if tz >= best.value { return true }
                let below = c.z - kz
                let above = c.z + kz
                if below < 0 && above >= bz { return true }
                if below >= 0 && planes[below] != 0 && !plane(c, below, tz, &best, budget: budget, visited: &visited) {
                    return false
                }
                if kz > 0 && above < bz && planes[above] != 0
                    && !plane(c, above, tz, &best, budget: budget, visited: &visited)
                {
                    return false
                }
                kz += 1
            }
        }

        /// Lowers `best` over the rows of plane `z` (their Δz term `tz`), counting the steps in
        /// `visited`; false once they exceed `budget`. The nearest `nearRows` rows on either side
        /// are visited in pairs by |Δy|; beyond them each side is visited by itself, the side of
        /// the best feature first (`side`).
        @inline(__always)
        private func plane(
            _ c: (x: Int, y: Int, z: Int), _ z: Int, _ tz: Double, _ best: inout Best, budget: Int, visited: inout Int
        ) -> Bool {
            let w = c.x >> 6
            let bit = UInt64(c.x & 63)
            let rows = z * by
            var ky = 0
            while ky < Self.nearRows {
                let dy = Double(ky) * spacing.y
                let t = tz + dy * dy
                if t >= best.value { return true }
                let below = c.y - ky
                let above = c.y + ky
                if below < 0 && above >= by { return true }
                visited += 1
                if visited > budget { return false }
                if below >= 0 && summaries[rows + below] != 0 { row(c.x, w, bit, below, z, t, &best) }
                if ky > 0 && above < by && summaries[rows + above] != 0 { row(c.x, w, bit, above, z, t, &best) }
                ky += 1
            }
            return far(c, z, tz, &best, budget: budget, visited: &visited)
        }

        /// The rows of plane `z` beyond `nearRows` on both sides, the side of the best feature
        /// first (out of line: most queries end within `nearRows`).
        @inline(never)
        private func far(
            _ c: (x: Int, y: Int, z: Int), _ z: Int, _ tz: Double, _ best: inout Best, budget: Int, visited: inout Int
        ) -> Bool {
            if !bandsMarked.pointee { markBands() }
            let first = best.z != z || best.y <= c.y ? -1 : 1
            return side(c, z, tz, first, &best, budget: budget, visited: &visited)
                && side(c, z, tz, -first, &best, budget: budget, visited: &visited)
        }

        /// Lowers `best` over the rows of plane `z` from `nearRows` rows below (`step` −1) or
        /// above (+1) the query outwards, until (Δy·sy)² alone reaches the best. A band of
        /// `bandRows` rows is passed over whole from its outer edge when it holds no feature or the
        /// nearest bit of its union, at the band's nearest row offset, gives a value not below the
        /// best (no row of it can give less).
        @inline(__always)
        private func side(
            _ c: (x: Int, y: Int, z: Int), _ z: Int, _ tz: Double, _ step: Int, _ best: inout Best, budget: Int,
            visited: inout Int
        ) -> Bool {
            let w = c.x >> 6
            let bit = UInt64(c.x & 63)
            let rows = z * by
            let bandBase = z * bandsPerPlane
            let edge = step < 0 ? Self.bandMask : 0
            let limit = 2 * budget
            var y = c.y + step * Self.nearRows
            while y >= 0 && y < by {
                let dy = Double(step < 0 ? c.y - y : y - c.y) * spacing.y
                let t = tz + dy * dy
                if t >= best.value { return true }
                visited += 1
                if visited > limit { return false }
                if y & Self.bandMask == edge {
                    let band = bandBase + y >> Self.bandShift
                    let summary = bandSummaries[band]
                    if summary == 0 || bound(c.x, w, bit, bandBits + band * words, summary, t) >= best.value {
                        y += step * Self.bandRows
                        continue
                    }
                }
                if summaries[rows + y] != 0 { row(c.x, w, bit, y, z, t, &best) }
                y += step
            }
            return true
        }

        /// `t` plus the squared x term of the nearest set bit to `cx` of a line (its words `line`,
        /// summary `summary`, not 0): a lower bound of every candidate of the rows it unites.
        @inline(__always)
        private func bound(
            _ cx: Int, _ w: Int, _ bit: UInt64, _ line: UnsafeMutablePointer<UInt64>, _ summary: UInt64, _ t: Double
        ) -> Double {
            let (left, right) = SurfaceRowLine.offsets(cx, w, bit, line, summary)
            let dx = Double(min(left, right)) * spacing.x
            return t + dx * dx
        }

        /// Lowers `best` by the nearest set bit of row (`y`, `z`) to `cx` (in word `w` at `bit`),
        /// the row's Δz and Δy terms summed in `t`.
        @inline(__always)
        private func row(_ cx: Int, _ w: Int, _ bit: UInt64, _ y: Int, _ z: Int, _ t: Double, _ best: inout Best) {
            let index = z * by + y
            let (left, right) = SurfaceRowLine.offsets(cx, w, bit, bits + index * words, summaries[index])
            let k = min(left, right)
            if k == SurfaceRowLine.nothing { return }
            let dx = Double(k) * spacing.x
            let value = t + dx * dx
            if value < best.value { best = Best(value: value, x: left < right ? cx - k : cx + k, y: y, z: z) }
        }
    }
}
