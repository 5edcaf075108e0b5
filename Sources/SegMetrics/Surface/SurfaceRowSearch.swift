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
/// same monotonicity: no row of the band can give less); a query whose seed already lies beyond
/// the nearest 8 rows is scanned that way from its own row on. A query that visits more than
/// `rowBudget` rows (twice that many steps beyond its nearest rows) is given up and returned for
/// the caller.
package final class SurfaceRowSearch {
    private var bits: [UInt64] = []
    private var summaries: [UInt64] = []
    private var bandBits: [UInt64] = []
    private var bandSummaries: [UInt64] = []
    private var planes: [UInt8] = []
    private var failures: [Int] = []
    /// The window's rings of the last spacing (`SurfaceRowWindow`), kept between calls.
    private var rings: (spacing: (x: Double, y: Double, z: Double), window: SurfaceRowWindow)?

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
        // In 2-D the box is padded by the window's radius on every side (`SurfaceRowWindow`).
        let pad = SurfaceRowWindow.radius
        let padded = (x: box.x + 2 * pad, y: box.y + 2 * pad, z: box.z)
        let windowed = box.z == 1 && Self.fits(box: padded)
        let lo = windowed ? LatticePoint(x: lo.x - Int32(pad), y: lo.y - Int32(pad), z: lo.z) : lo
        let box = windowed ? padded : box
        let words = (box.x + 63) >> 6
        let rowCount = box.y * box.z
        // One word past the last row: the window reads it.
        if bits.count < words * rowCount + 1 { bits = [UInt64](repeating: 0, count: words * rowCount + 1) }
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
                            let map = Map(
                                bits: bits, summaries: summaries, bandBits: bandBits, bandSummaries: bandSummaries,
                                planes: planes, words: words, lo: lo, bx: box.x, by: box.y, bz: box.z, spacing: spacing,
                                bandsMarked: bandsMarked)
                            map.mark(features)
                            defer { map.clear(features) }
                            let rings = windowed ? window(spacing) : nil
                            aborted = search(queries, map, rings: rings, maxFailures: maxFailures, into: &result)
                        }
                    }
                }
            }
        }
        return aborted ? nil : failures
    }

    /// The window's rings for `spacing`: the kept ones when the spacing is the same.
    private func window(_ spacing: (x: Double, y: Double, z: Double)) -> SurfaceRowWindow {
        if let rings, rings.spacing == spacing { return rings.window }
        let window = SurfaceRowWindow(spacing: spacing)
        rings = (spacing, window)
        return window
    }

    /// The search of every query (see `distances`); whether it gave up more than `maxFailures`.
    /// With `rings` (2-D, padded map), a query whose 7×7 window answers it is not searched.
    private func search(
        _ queries: [LatticePoint], _ map: Map, rings: SurfaceRowWindow?, maxFailures: Int, into result: inout [Double]
    ) -> Bool {
        var previous: Best?
        var aborted = false
        let lo = map.lo
        let budget = Self.rowBudget(threeD: map.bz > 1)
        let table = rings?.table ?? []
        let roots = rings?.roots ?? []
        // The last query answered by its window (box cell and ring), whose feature seeds the next
        // searched query: found only then.
        var answered: (x: Int, y: Int, ring: Int)?
        table.withUnsafeBufferPointer { table in
            roots.withUnsafeBufferPointer { roots in
                result.withUnsafeMutableBufferPointer { out in
                    // (An empty array's buffer may have an address.)
                    let windowTable = rings == nil ? nil : table.baseAddress
                    for (i, q) in queries.enumerated() {
                        let c = (x: Int(q.x &- lo.x), y: Int(q.y &- lo.y), z: Int(q.z &- lo.z))
                        if let table = windowTable {
                            let hits = SurfaceRowWindow.rings(map.bits, words: map.words, c.x, c.y, table: table)
                            if hits != 0 {
                                let ring = hits.trailingZeroBitCount
                                out[i] = roots[ring]
                                answered = (c.x, c.y, ring)
                                continue
                            }
                            if let last = answered, let rings {
                                previous = map.windowFeature(last, rings)
                                answered = nil
                            }
                        } else if map.isSet(c) {
                            out[i] = 0
                            previous = Best(value: 0, x: c.x, y: c.y, z: c.z)
                            continue
                        }
                        var best = Best()
                        if let previous {
                            best = Best(value: map.value(c, previous), x: previous.x, y: previous.y, z: previous.z)
                        }
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
            }
        }
        return aborted
    }

    /// The smallest squared distance found and the feature it was found at (box coordinates).
    struct Best {
        var value = Double.infinity
        var x = 0
        var y = 0
        var z = 0
    }

    /// The bit map of the bounding box with its row summaries and plane flags, and the search of
    /// one query.
    struct Map {
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

        /// Whether `markBands` ran in this call.
        let bandsMarked: UnsafeMutablePointer<Bool>

        /// Sets the bits, summaries and flags of `points`.
        func mark(_ points: [LatticePoint]) {
            // Wrapping arithmetic: every point lies in the box, so nothing overflows.
            points.withUnsafeBufferPointer { buffer in
                for p in buffer {
                    let x = Int(p.x &- lo.x)
                    let z = Int(p.z &- lo.z)
                    let row = z &* by &+ Int(p.y &- lo.y)
                    bits[row &* words &+ x >> 6] |= 1 &<< UInt64(x & 63)
                    summaries[row] |= 1 &<< UInt64(x >> 6)
                    planes[z] = 1
                }
            }
        }

        /// Sets the bands' union words and summaries of the features, once per call (the first
        /// query that goes beyond `nearRows` does it): the OR of the non-zero words of each
        /// band's rows, which the row summaries name.
        @inline(never)
        func markBands() {
            for z in 0..<bz {
                for y in 0..<by {
                    let row = z * by + y
                    var summary = summaries[row]
                    if summary == 0 { continue }
                    let band = z * bandsPerPlane + y >> Self.bandShift
                    bandSummaries[band] |= summary
                    while summary != 0 {
                        let word = summary.trailingZeroBitCount
                        summary &= summary &- 1
                        bandBits[band * words + word] |= bits[row * words + word]
                    }
                }
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

        /// A feature on ring `ring` of the window of cell (`x`, `y`) of plane 0 (one there is).
        func windowFeature(_ cell: (x: Int, y: Int, ring: Int), _ rings: SurfaceRowWindow) -> Best {
            let window = SurfaceRowWindow.window(bits, words: words, cell.x, cell.y)
            let bit = (window & rings.masks[cell.ring]).trailingZeroBitCount
            let k = bit / SurfaceRowWindow.side
            return Best(
                value: rings.values[cell.ring], x: cell.x + bit - k * SurfaceRowWindow.side - SurfaceRowWindow.radius,
                y: cell.y + k - SurfaceRowWindow.radius, z: 0)
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
            let near = Double(Self.nearRows) * spacing.y
            if best.value >= tz + near * near {
                // The seed is beyond the nearest rows: a far query, every row visited by bands.
                return far(c, z, tz, from: 0, &best, budget: budget, visited: &visited)
            }
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
            return far(c, z, tz, from: Self.nearRows, &best, budget: budget, visited: &visited)
        }

        /// Lowers `best` by the nearest set bit of row (`y`, `z`) to `cx` (in word `w` at `bit`),
        /// the row's Δz and Δy terms summed in `t`.
        @inline(__always)
        func row(_ cx: Int, _ w: Int, _ bit: UInt64, _ y: Int, _ z: Int, _ t: Double, _ best: inout Best) {
            let index = z &* by &+ y
            let (left, right) = SurfaceRowLine.offsets(cx, w, bit, bits + index &* words, summaries[index])
            let k = min(left, right)
            if k == SurfaceRowLine.nothing { return }
            let dx = Double(k) * spacing.x
            let value = t + dx * dx
            if value < best.value { best = Best(value: value, x: left < right ? cx - k : cx + k, y: y, z: z) }
        }
    }
}
