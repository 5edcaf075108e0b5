import Foundation

/// Which neighbours decide that a foreground sample lies on the boundary.
package enum SurfaceNeighbourhood: Sendable {
    /// The 4 (2-D) or 6 (3-D) face neighbours.
    case face
    /// medpy's `connectivity=2` in 3-D: faces and edges (18 neighbours); 8 in 2-D.
    case faceEdge
    /// All 8 (2-D) or 26 (3-D) neighbours.
    case full
}

/// Boundary elements of a binary mask.
package enum SurfaceBoundary {
    /// Foreground samples with at least one neighbour of `neighbourhood` that is background, in C
    /// order (z, then y, then x). Outside the grid counts as background when `edgeIsBoundary`
    /// (medpy, MONAI, the base definition) and is ignored otherwise (ITK's contour filters).
    package static func pixels(
        _ mask: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, neighbourhood: SurfaceNeighbourhood, edgeIsBoundary: Bool
    ) -> [LatticePoint] {
        let w = grid.width
        let h = grid.height
        let d = grid.dimensions == 3 ? grid.depth : 1
        guard let m = mask.baseAddress, mask.count >= w * h * d, w > 0, h > 0, d > 0 else { return [] }
        let offsets = neighbourOffsets(neighbourhood, threeD: grid.dimensions == 3)
        let linear = offsets.map { ($0.z * h + $0.y) * w + $0.x }
        let threeD = grid.dimensions == 3
        var points: [LatticePoint] = []
        points.reserveCapacity(1024)
        linear.withUnsafeBufferPointer { lin in
            for z in 0..<d {
                for y in 0..<h {
                    let row = m + (z * h + y) * w
                    let rowInterior = y > 0 && y < h - 1 && (!threeD || (z > 0 && z < d - 1))
                    var x = 0
                    while x < w {
                        // Skip background eight bytes at a time.
                        if x + 8 <= w && UnsafeRawPointer(row + x).loadUnaligned(as: UInt64.self) == 0 {
                            x += 8
                            continue
                        }
                        // Skip eight interior foreground samples whose neighbours are all foreground.
                        if rowInterior && x >= 1 && x + 9 <= w && !hasZeroByte(row + x)
                            && !lin.contains(where: { hasZeroByte(row + x + $0) })
                        {
                            x += 8
                            continue
                        }
                        if row[x] == 0 {
                            x += 1
                            continue
                        }
                        var edge = false
                        if rowInterior && x > 0 && x < w - 1 {
                            let p = row + x
                            for o in lin where p[o] == 0 {
                                edge = true
                                break
                            }
                        } else {
                            for o in offsets {
                                let nx = x + o.x
                                let ny = y + o.y
                                let nz = z + o.z
                                if nx < 0 || ny < 0 || nz < 0 || nx >= w || ny >= h || nz >= d {
                                    if edgeIsBoundary {
                                        edge = true
                                        break
                                    }
                                } else if m[(nz * h + ny) * w + nx] == 0 {
                                    edge = true
                                    break
                                }
                            }
                        }
                        if edge { points.append(LatticePoint(x: Int32(x), y: Int32(y), z: Int32(z))) }
                        x += 1
                    }
                }
            }
        }
        return points
    }

    /// Whether any of the eight bytes at `p` is zero.
    @inline(__always)
    private static func hasZeroByte(_ p: UnsafePointer<UInt8>) -> Bool {
        let v = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        return (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080 != 0
    }

    /// Neighbour offsets: faces, faces and edges, or all, in 2-D or 3-D.
    static func neighbourOffsets(_ neighbourhood: SurfaceNeighbourhood, threeD: Bool) -> [(x: Int, y: Int, z: Int)] {
        var offsets: [(x: Int, y: Int, z: Int)] = []
        for dz in threeD ? -1...1 : 0...0 {
            for dy in -1...1 {
                for dx in -1...1 {
                    let nonzero = abs(dx) + abs(dy) + abs(dz)
                    if nonzero == 0 { continue }
                    switch neighbourhood {
                    case .face where nonzero > 1: continue
                    case .faceEdge where nonzero > 2: continue
                    default: break
                    }
                    offsets.append((dx, dy, dz))
                }
            }
        }
        return offsets
    }

    /// Corner surfels (DeepMind's lattice, also MONAI's subvoxels): every voxel corner whose
    /// 2×2 (2×2×2) neighbourhood holds both foreground and background, the mask padded with
    /// background all round (the object is closed along the image edge). Corner (x, y, z) sits
    /// between voxels x−1 and x along each axis; its code has bit 1 for voxel (x, y, z), 2 for
    /// (x−1, y, z), 4 for (x, y−1, z), 8 for (x−1, y−1, z) and, in 3-D, 16…128 for the same four at
    /// z−1 (the encoding kernels `[[8, 4], [2, 1]]` and `[[[128, 64], [32, 16]], [[8, 4], [2, 1]]]`).
    /// Returned in C order of the corners, with their codes.
    package static func corners(_ mask: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid) -> (points: [LatticePoint], codes: [UInt8])
    {
        let w = grid.width
        let h = grid.height
        let threeD = grid.dimensions == 3
        let d = threeD ? grid.depth : 1
        guard let m = mask.baseAddress, mask.count >= w * h * d, w > 0, h > 0, d > 0 else { return ([], []) }
        // Bounding box of the foreground: corners outside box + 1 have code 0.
        var x0 = w
        var x1 = -1
        var y0 = h
        var y1 = -1
        var z0 = d
        var z1 = -1
        for z in 0..<d {
            for y in 0..<h {
                let row = m + (z * h + y) * w
                var first = -1
                var last = -1
                for x in 0..<w where row[x] != 0 {
                    if first < 0 { first = x }
                    last = x
                }
                if first >= 0 {
                    x0 = min(x0, first)
                    x1 = max(x1, last)
                    y0 = min(y0, y)
                    y1 = max(y1, y)
                    z0 = min(z0, z)
                    z1 = max(z1, z)
                }
            }
        }
        if x1 < 0 { return ([], []) }
        func at(_ x: Int, _ y: Int, _ z: Int) -> UInt8 {
            if x < 0 || y < 0 || z < 0 || x >= w || y >= h || z >= d { return 0 }
            return m[(z * h + y) * w + x] != 0 ? 1 : 0
        }
        let full: UInt8 = threeD ? 255 : 15
        var points: [LatticePoint] = []
        var codes: [UInt8] = []
        for z in (threeD ? z0...(z1 + 1) : 0...0) {
            for y in y0...(y1 + 1) {
                for x in x0...(x1 + 1) {
                    var code = at(x, y, z) | at(x - 1, y, z) << 1 | at(x, y - 1, z) << 2 | at(x - 1, y - 1, z) << 3
                    if threeD {
                        code |=
                            at(x, y, z - 1) << 4 | at(x - 1, y, z - 1) << 5 | at(x, y - 1, z - 1) << 6
                            | at(x - 1, y - 1, z - 1) << 7
                    }
                    if code != 0 && code != full {
                        points.append(LatticePoint(x: Int32(x), y: Int32(y), z: Int32(z)))
                        codes.append(code)
                    }
                }
            }
        }
        return (points, codes)
    }
}
