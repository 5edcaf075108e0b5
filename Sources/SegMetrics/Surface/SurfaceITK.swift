import Foundation

/// SimpleITK's float32 distance map as seg-metrics uses it: `Abs(SignedMaurerDistanceMap(mask))`,
/// the distance from every pixel to the nearest pixel of the mask's fully connected contour
/// (foreground pixels with a background pixel among their 8 or 26 neighbours inside the image),
/// computed by ITK's Maurer algorithm in float32, axis x, then y, then z, and the square root
/// taken in double and rounded to float32. A pixel that no contour reaches (a mask filling the
/// image has no contour) keeps FLT_MAX, whose root is 2⁶⁴ − 2⁴⁰.
package enum SurfaceITKDistance {
    /// The map, x fastest, over the whole grid (ITK's coordinates i·spacing start at the image origin).
    package static func maurerMap(_ mask: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid) -> [Float] {
        let w = grid.width
        let h = grid.height
        let d = grid.dimensions == 3 ? grid.depth : 1
        let count = w * h * d
        var map = [Float](repeating: .greatestFiniteMagnitude, count: count)
        let contour = SurfaceBoundary.pixels(mask, grid: grid, neighbourhood: .full, edgeIsBoundary: false)
        for p in contour { map[(Int(p.z) * h + Int(p.y)) * w + Int(p.x)] = 0 }
        let longest = max(w, h, d)
        var g = [Float](repeating: 0, count: longest)
        var hh = [Float](repeating: 0, count: longest)
        map.withUnsafeMutableBufferPointer { buffer in
            g.withUnsafeMutableBufferPointer { gb in
                hh.withUnsafeMutableBufferPointer { hb in
                    guard let base = buffer.baseAddress, let gp = gb.baseAddress, let hp = hb.baseAddress else { return }
                    for z in 0..<d {
                        for y in 0..<h {
                            voronoi(base + (z * h + y) * w, count: w, stride: 1, spacing: grid.spacing.x, gp, hp)
                        }
                    }
                    for z in 0..<d {
                        for x in 0..<w { voronoi(base + z * h * w + x, count: h, stride: w, spacing: grid.spacing.y, gp, hp) }
                    }
                    if grid.dimensions == 3 {
                        for i in 0..<(w * h) { voronoi(base + i, count: d, stride: w * h, spacing: grid.spacing.z, gp, hp) }
                    }
                    for i in 0..<count { base[i] = Float(Double(base[i]).squareRoot()) }
                }
            }
        }
        return map
    }

    /// One line of ITK's `Voronoi`: the sites (values other than FLT_MAX) pruned with `Remove`, at
    /// coordinates float(i)·float(spacing); then every pixel takes |g| + (h − float(i·spacing))² of
    /// the first site not beaten by the next. All float32, no fused operations.
    private static func voronoi(
        _ line: UnsafeMutablePointer<Float>, count n: Int, stride: Int, spacing: Double, _ g: UnsafeMutablePointer<Float>,
        _ h: UnsafeMutablePointer<Float>
    ) {
        let spacingF = Float(spacing)
        var l = -1
        for i in 0..<n {
            let di = line[i * stride]
            if di == .greatestFiniteMagnitude { continue }
            let iw = Float(i) * spacingF
            if l >= 1 {
                while l >= 1 && remove(g[l - 1], g[l], di, h[l - 1], h[l], iw) { l -= 1 }
            }
            l += 1
            g[l] = di
            h[l] = iw
        }
        if l == -1 { return }
        let ns = l
        l = 0
        for i in 0..<n {
            let iw = Float(Double(i) * spacing)
            var d1 = abs(g[l]) + (h[l] - iw) * (h[l] - iw)
            while l < ns {
                let d2 = abs(g[l + 1]) + (h[l + 1] - iw) * (h[l + 1] - iw)
                if d1 <= d2 { break }
                l += 1
                d1 = d2
            }
            line[i * stride] = d1
        }
    }

    @inline(__always)
    private static func remove(_ d1: Float, _ d2: Float, _ df: Float, _ x1: Float, _ x2: Float, _ xf: Float) -> Bool {
        let a = x2 - x1
        let b = xf - x2
        let c = xf - x1
        let first = c * abs(d2) - b * abs(d1)
        let value = first - a * abs(df) - a * b * c
        return value > 0
    }
}
