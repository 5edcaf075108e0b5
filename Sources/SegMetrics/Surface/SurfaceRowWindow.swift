/// The nearest feature within 3 cells of a 2-D query of `SurfaceRowSearch`, read from the 7×7
/// cells around it without the row-by-row search: the 7 cells of each of the 7 rows index a table
/// of the rings they lie on, and the lowest ring met (their OR) is the nearest.
///
/// The window holds bit `7k + j` for the cell at Δy = k − 3, Δx = j − 3 (the bit map is padded by 3
/// cells on every side in 2-D, so the 7 rows and 7 columns around any query are inside it). The
/// offsets of the window are grouped by their value `((0·sz)² + (Δy·sy)²) + (Δx·sx)²` (the
/// expression of every candidate of the search, the same doubles) into rings of equal value,
/// ascending; the first ring that meets the window holds the nearest feature of the window. Every
/// feature outside the window has |Δx| ≥ 4 or |Δy| ≥ 4, so a value not below (4·sx)² or (4·sy)²
/// (a float64 sum is never below a term and (k·s)² grows with k); only rings not above the
/// smaller of the two are kept, and a ring that meets the window then gives the minimum over all
/// features, bit for bit the search's. On the 2,000-pair bench set 90% of the queries are
/// answered here (squared distances 0…13).
package struct SurfaceRowWindow {
    /// Cells on each side of the query.
    static let radius = 3
    /// Cells per window row.
    static let side = 2 * radius + 1
    /// The most rings kept (the nearest; the rest go to the search).
    static let maxRings = 12

    /// The window bits of each ring, ascending by value.
    package private(set) var masks: [UInt64] = []
    /// The squared distance of each ring.
    package private(set) var values: [Double] = []
    /// The distance of each ring (the square root of its value).
    private(set) var roots: [Double] = []
    /// For |Δy| = 0…3 (128 entries each) and the 7 cells of a window row: bit r set when a set
    /// cell lies on ring r (the rings of Δy and −Δy are the same: (−k·s)² = (k·s)²).
    private(set) var table: [UInt16] = []

    /// The rings of a grid with `spacing` (finite and positive).
    package init(spacing: (x: Double, y: Double, z: Double)) {
        func term(_ k: Int, _ s: Double) -> Double {
            let t = Double(k) * s
            return t * t
        }
        // Every feature outside the window is at least this far (squared).
        let outside = min(term(Self.radius + 1, spacing.x), term(Self.radius + 1, spacing.y))
        let dz = Double(0) * spacing.z
        var offsets: [(value: Double, bit: Int)] = []
        for k in 0..<Self.side {
            for j in 0..<Self.side {
                let dy = Double(k - Self.radius) * spacing.y
                let dx = Double(j - Self.radius) * spacing.x
                let value = (dz * dz + dy * dy) + dx * dx
                if value <= outside { offsets.append((value, k * Self.side + j)) }
            }
        }
        offsets.sort { $0.value < $1.value || ($0.value == $1.value && $0.bit < $1.bit) }
        for offset in offsets {
            if let last = values.last, last == offset.value {
                masks[masks.count - 1] |= 1 << UInt64(offset.bit)
            } else {
                if values.count == Self.maxRings { break }
                values.append(offset.value)
                masks.append(1 << UInt64(offset.bit))
            }
        }
        roots = values.map { $0.squareRoot() }
        table = [UInt16](repeating: 0, count: (Self.radius + 1) << Self.side)
        for dy in 0...Self.radius {
            for cells in 0..<(1 << Self.side) {
                var rings: UInt16 = 0
                for j in 0..<Self.side where cells & (1 << j) != 0 {
                    let bit = UInt64((Self.radius + dy) * Self.side + j)
                    for r in masks.indices where masks[r] & (1 << bit) != 0 { rings |= 1 << UInt16(r) }
                }
                table[dy << Self.side + cells] = rings
            }
        }
    }

    /// The rings (bit r: ring r) meeting the 7×7 cells of a padded bit map around (`cx`, `cy`) of
    /// plane 0 (rows of `words` words; one readable word past the last row), through `table`.
    @inline(__always)
    static func rings(
        _ bits: UnsafeMutablePointer<UInt64>, words: Int, _ cx: Int, _ cy: Int, table: UnsafePointer<UInt16>
    ) -> UInt16 {
        let start = cx &- radius
        var row = bits + (cy &- radius) &* words
        var rings: UInt16 = 0
        for k in 0..<side {
            rings |= table[abs(k &- radius) << side &+ Int(cells(row, from: start))]
            row += words
        }
        return rings
    }

    /// The 7×7 cells of a padded bit map around (`cx`, `cy`) of plane 0 (rows of `words` words;
    /// one readable word past the last row).
    @inline(__always)
    static func window(_ bits: UnsafeMutablePointer<UInt64>, words: Int, _ cx: Int, _ cy: Int) -> UInt64 {
        let start = cx &- radius
        var row = bits + (cy &- radius) &* words
        var window: UInt64 = 0
        for k in 0..<side {
            window |= cells(row, from: start) &<< UInt64(k &* side)
            row += words
        }
        return window
    }

    /// The 7 cells of `row` from cell `start` on (bit j: cell `start + j`); reads up to the word
    /// after the one holding `start + 6`.
    @inline(__always)
    private static func cells(_ row: UnsafeMutablePointer<UInt64>, from start: Int) -> UInt64 {
        #if _endian(little)
            // The 8 bytes from the one holding `start`: its 7 cells are bits `start & 7`… of the
            // little-endian word (bit x of a row is bit x & 63 of its word x >> 6).
            (UnsafeRawPointer(row).loadUnaligned(fromByteOffset: start >> 3, as: UInt64.self) &>> UInt64(start & 7)) & 0x7F
        #else
            // Across a word boundary: the next word's bits land at or above 64 − shift, below 7
            // only when the cells cross into it.
            let shift = UInt64(start & 63)
            let word = row + start >> 6
            return ((word[0] &>> shift) | ((word[1] &<< 1) &<< (63 &- shift))) & 0x7F
        #endif
    }
}
