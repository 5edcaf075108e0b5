/// The nearest set bits of one line of `SurfaceRowSearch`'s bit map: a row, or the union of a
/// band of rows (at most 64 words of 64 bits, with a summary word whose bit j says that word j is
/// not zero).
enum SurfaceRowLine {
    /// The offset of no bit (beyond any line).
    static let nothing = 1 << 20

    /// The cell offsets of the nearest set bits of a line left of `cx` and at or right of it
    /// (`nothing` for none), by trailing/leading-zero counts on `cx`'s word `w` (at `bit`) or,
    /// through the line's summary, the nearest non-zero word.
    @inline(__always)
    static func offsets(
        _ cx: Int, _ w: Int, _ bit: UInt64, _ line: UnsafeMutablePointer<UInt64>, _ summary: UInt64
    ) -> (left: Int, right: Int) {
        let own = line[w]
        var right = nothing
        let after = own & (~UInt64(0) << bit)
        if after != 0 {
            right = after.trailingZeroBitCount &- Int(bit)
        } else if w < 63 {
            let next = summary & (~UInt64(0) << UInt64(w + 1))
            if next != 0 {
                let v = next.trailingZeroBitCount
                right = v << 6 &+ line[v].trailingZeroBitCount &- cx
            }
        }
        var left = nothing
        let before = own & ((1 << bit) &- 1)
        if before != 0 {
            left = Int(bit) &- (63 &- before.leadingZeroBitCount)
        } else {
            let previous = summary & ((1 << UInt64(w)) &- 1)
            if previous != 0 {
                let v = 63 - previous.leadingZeroBitCount
                left = cx &- (v << 6 &+ 63 &- line[v].leadingZeroBitCount)
            }
        }
        return (left, right)
    }
}
