import Foundation

/// Exact nearest-feature distances by rows of a bit map: the engine's `.automatic` choice.
///
/// The features are set as bits of the bounding box, one run of 64-bit words per row (x), with a
/// byte per row (y, z) and per plane (z) saying whether it holds any feature; all three are kept
/// zero between calls (only the marked words are cleared). For a query, the rows are visited
/// outwards from its own, plane by plane (|Δz| = 0, 1, …) and row by row within a plane
/// (|Δy| = 0, 1, …), and in each row the nearest set bit on either side is found by a
/// trailing/leading-zero count, word by word. Every candidate's value is
/// `((Δz·sz)² + (Δy·sy)²) + (Δx·sx)²`, the expression of the distance transform and the k-d tree.
/// A float64 sum of non-negative terms is never below a term and never decreases when a term
/// grows, so a row's nearest bit on each side is its best candidate, a word, row or plane whose
/// nearest cell already gives a value not below the best found cannot hold a better one, and the
/// search stops there: the minimum is that of the k-d tree, bit for bit. A query that coincides
/// with a feature (the same sample on both boundaries) is 0 without any search; each query starts
/// from the previous query's nearest feature (consecutive queries are usually neighbours). A query
/// that visits more than `rowBudget` rows is given up and returned for the caller.
package final class SurfaceRowSearch {
    private var bits: [UInt64] = []
    private var rows: [UInt8] = []
    private var planes: [UInt8] = []
    private var failures: [Int] = []

    /// Rows a query may visit (3-D: a far query in a large volume) before it is given up.
    package static let rowBudget = 8_192

    /// The largest bit map (64-bit words) kept: 32 MiB.
    package static let maxWords = 1 << 22

    /// Creates a search with empty buffers.
    package init() {}

    /// Bytes the buffers hold between calls.
    var retainedBytes: Int { bits.capacity * 8 + rows.capacity + planes.capacity + failures.capacity * 8 }

    /// Whether the bit map of a bounding box of `box` cells fits.
    package static func fits(box: (x: Int, y: Int, z: Int)) -> Bool {
        let words = (box.x + 63) >> 6
        return box.y * box.z <= maxWords / (words + 2)
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
        let stride = words + 2  // a zero word either side of each row
        if bits.count < stride * rowCount { bits = [UInt64](repeating: 0, count: stride * rowCount) }
        if rows.count < rowCount { rows = [UInt8](repeating: 0, count: rowCount) }
        if planes.count < box.z { planes = [UInt8](repeating: 0, count: box.z) }
        failures.removeAll(keepingCapacity: true)
        var aborted = false
        bits.withUnsafeMutableBufferPointer { b in
            rows.withUnsafeMutableBufferPointer { r in
                planes.withUnsafeMutableBufferPointer { p in
                    guard let bits = b.baseAddress, let rows = r.baseAddress, let planes = p.baseAddress else { return }
                    let map = Map(
                        bits: bits, rows: rows, planes: planes, words: words, stride: stride, lo: lo, bx: box.x, by: box.y,
                        bz: box.z,
                        spacing: spacing)
                    map.mark(features)
                    defer { map.clear(features) }
                    aborted = search(queries, map, maxFailures: maxFailures, into: &result)
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
                if map.nearest(c, budget: Self.rowBudget, &best) {
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

    /// The bit map of the bounding box with its row and plane flags, and the search of one query.
    private struct Map {
        let bits: UnsafeMutablePointer<UInt64>
        let rows: UnsafeMutablePointer<UInt8>
        let planes: UnsafeMutablePointer<UInt8>
        let words: Int
        /// Words from one row to the next: `words` and a zero word either side.
        let stride: Int
        let lo: LatticePoint
        let bx: Int
        let by: Int
        let bz: Int
        let spacing: (x: Double, y: Double, z: Double)

        /// Sets the bits and flags of `points`.
        func mark(_ points: [LatticePoint]) {
            for p in points {
                let x = Int(p.x - lo.x)
                let row = Int(p.z - lo.z) * by + Int(p.y - lo.y)
                bits[row * stride + 1 + x >> 6] |= 1 << UInt64(x & 63)
                rows[row] = 1
                planes[Int(p.z - lo.z)] = 1
            }
        }

        /// Clears the words and flags `mark` set.
        func clear(_ points: [LatticePoint]) {
            for p in points {
                let x = Int(p.x - lo.x)
                let row = Int(p.z - lo.z) * by + Int(p.y - lo.y)
                bits[row * stride + 1 + x >> 6] = 0
                rows[row] = 0
                planes[Int(p.z - lo.z)] = 0
            }
        }

        /// Whether the cell `c` holds a feature.
        @inline(__always)
        func isSet(_ c: (x: Int, y: Int, z: Int)) -> Bool {
            bits[(c.z * by + c.y) * stride + 1 + c.x >> 6] & (1 << UInt64(c.x & 63)) != 0
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
            var kz = 0
            while true {
                let dz = Double(kz) * spacing.z
                let tz = dz * dz
                if tz >= best.value { return true }
                let below = c.z - kz
                let above = c.z + kz
                if below < 0 && above >= bz { return true }
                if below >= 0 && planes[below] != 0 { visited += plane(c, below, tz, &best) }
                if kz > 0 && above < bz && planes[above] != 0 { visited += plane(c, above, tz, &best) }
                if visited > budget { return false }
                kz += 1
            }
        }

        /// Lowers `best` over the rows of plane `z` (their Δz term `tz`); the rows visited.
        @inline(__always)
        private func plane(_ c: (x: Int, y: Int, z: Int), _ z: Int, _ tz: Double, _ best: inout Best) -> Int {
            var ky = 0
            while true {
                let dy = Double(ky) * spacing.y
                let t = tz + dy * dy
                if t >= best.value { return ky }
                let below = c.y - ky
                let above = c.y + ky
                if below < 0 && above >= by { return ky }
                if below >= 0 && rows[z * by + below] != 0 { row(c.x, below, z, t, &best) }
                if ky > 0 && above < by && rows[z * by + above] != 0 { row(c.x, above, z, t, &best) }
                ky += 1
            }
        }

        /// Lowers `best` by the nearest set bit of row (`y`, `z`) on each side of `cx` (the row's
        /// Δz and Δy terms summed: `t`).
        @inline(__always)
        private func row(_ cx: Int, _ y: Int, _ z: Int, _ t: Double, _ best: inout Best) {
            let line = bits + (z * by + y) * stride + 1
            let sx = spacing.x
            // The 64 cells cx − 32 ..< cx + 32 in one word (the zero words pad the row ends): the
            // nearest bit on either side within 32 cells is the row's nearest (ties: one value).
            let start = cx - 32
            let w0 = line[start >> 6]
            let shift = UInt64(start & 63)
            let window = shift == 0 ? w0 : w0 >> shift | line[start >> 6 + 1] << (64 - shift)
            let near = window >> 32
            let far = window << 32
            if near != 0 || far != 0 {
                let k = min(near != 0 ? near.trailingZeroBitCount : 64, far != 0 ? far.leadingZeroBitCount + 1 : 64)
                let dx = Double(k) * sx
                let value = t + dx * dx
                if value < best.value {
                    best = Best(value: value, x: near != 0 && near.trailingZeroBitCount == k ? cx + k : cx - k, y: y, z: z)
                }
                return
            }
            let reach = Double(32) * sx
            if t + reach * reach >= best.value { return }
            // At or right of cx.
            var w = cx >> 6
            var word = line[w] & (~UInt64(0) << UInt64(cx & 63))
            while true {
                if word != 0 {
                    let x = w << 6 + word.trailingZeroBitCount
                    let dx = Double(x - cx) * sx
                    let value = t + dx * dx
                    if value < best.value { best = Best(value: value, x: x, y: y, z: z) }
                    break
                }
                w += 1
                if w >= words { break }
                let dx = Double(w << 6 - cx) * sx
                if t + dx * dx >= best.value { break }
                word = line[w]
            }
            // Left of cx.
            if cx == 0 { return }
            let left = cx - 1
            w = left >> 6
            let bit = left & 63
            word = line[w] & (bit == 63 ? ~UInt64(0) : (UInt64(1) << UInt64(bit + 1)) &- 1)
            while true {
                if word != 0 {
                    let x = w << 6 + 63 - word.leadingZeroBitCount
                    let dx = Double(cx - x) * sx
                    let value = t + dx * dx
                    if value < best.value { best = Best(value: value, x: x, y: y, z: z) }
                    break
                }
                if w == 0 { break }
                w -= 1
                let dx = Double(cx - (w << 6 + 63)) * sx
                if t + dx * dx >= best.value { break }
                word = line[w]
            }
        }
    }
}
