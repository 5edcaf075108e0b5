// The far part of `SurfaceRowSearch`'s search of one query: the rows of a plane beyond its nearest
// `nearRows` on either side, passed over by bands of `bandRows` rows.

extension SurfaceRowSearch.Map {
    /// The rows of plane `z` from `start` rows away on both sides (0: every row, the query's
    /// own once; `nearRows`: beyond the rows the caller visited), the side of the best feature
    /// first (out of line: most queries end within `nearRows`). From 0, the query's own band is
    /// passed over whole when its union's nearest bit, at Δy = 0, gives a value not below the best.
    @inline(never)
    func far(
        _ c: (x: Int, y: Int, z: Int), _ z: Int, _ tz: Double, from start: Int, _ best: inout SurfaceRowSearch.Best,
        budget: Int, visited: inout Int
    ) -> Bool {
        if !bandsMarked.pointee { markBands() }
        let first = best.z != z || best.y <= c.y ? -1 : 1
        var starts = (below: start, above: max(start, 1))
        if start == 0 {
            let band = z &* bandsPerPlane &+ c.y >> Self.bandShift
            let summary = bandSummaries[band]
            if summary == 0
                || bound(c.x, c.x >> 6, UInt64(c.x & 63), bandBits + band &* words, summary, tz) >= best.value
            {
                let low = (c.y >> Self.bandShift) << Self.bandShift
                starts = (c.y &- low &+ 1, min(low &+ Self.bandMask, by &- 1) &- c.y &+ 1)
            }
        }
        return side(c, z, tz, first, from: first < 0 ? starts.below : starts.above, &best, budget: budget, visited: &visited)
            && side(c, z, tz, -first, from: first < 0 ? starts.above : starts.below, &best, budget: budget, visited: &visited)
    }

    /// Lowers `best` over the rows of plane `z` from `start` rows below (`step` −1) or above
    /// (+1) the query outwards, until (Δy·sy)² alone reaches the best. A band of
    /// `bandRows` rows is passed over whole from its outer edge when it holds no feature or the
    /// nearest bit of its union, at the band's nearest row offset, gives a value not below the
    /// best (no row of it can give less).
    @inline(__always)
    func side(
        _ c: (x: Int, y: Int, z: Int), _ z: Int, _ tz: Double, _ step: Int, from start: Int,
        _ best: inout SurfaceRowSearch.Best, budget: Int, visited: inout Int
    ) -> Bool {
        let w = c.x >> 6
        let bit = UInt64(c.x & 63)
        let rows = z * by
        let bandBase = z * bandsPerPlane
        let edge = step < 0 ? Self.bandMask : 0
        let limit = 2 * budget
        // Wrapping arithmetic below: rows, bands and steps are far below Int's range.
        var y = c.y &+ step &* start
        while y >= 0 && y < by {
            let dy = Double(step < 0 ? c.y &- y : y &- c.y) * spacing.y
            let t = tz + dy * dy
            if t >= best.value { return true }
            visited &+= 1
            if visited > limit { return false }
            if y & Self.bandMask == edge {
                let band = bandBase &+ y >> Self.bandShift
                let summary = bandSummaries[band]
                if summary == 0 || bound(c.x, w, bit, bandBits + band &* words, summary, t) >= best.value {
                    y &+= step &* Self.bandRows
                    continue
                }
            }
            if summaries[rows &+ y] != 0 { row(c.x, w, bit, y, z, t, &best) }
            y &+= step
        }
        return true
    }

    /// `t` plus the squared x term of the nearest set bit to `cx` of a line (its words `line`,
    /// summary `summary`, not 0): a lower bound of every candidate of the rows it unites.
    @inline(__always)
    func bound(
        _ cx: Int, _ w: Int, _ bit: UInt64, _ line: UnsafeMutablePointer<UInt64>, _ summary: UInt64, _ t: Double
    ) -> Double {
        let (left, right) = SurfaceRowLine.offsets(cx, w, bit, line, summary)
        let dx = Double(min(left, right)) * spacing.x
        return t + dx * dx
    }
}
