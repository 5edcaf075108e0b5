import Foundation

/// The face boundaries of every class of a class-index map, found in one pass over the map.
///
/// The map holds one byte per sample (x fastest, as `SurfaceGrid` describes): the index of the
/// sample's class (0…254), or `none` for a sample in no measured class. A sample of class c is on
/// c's boundary when one of its 4 (2-D) or 6 (3-D) face neighbours holds another byte or lies
/// outside the grid: exactly `SurfaceBoundary.pixels(mask, neighbourhood: .face, edgeIsBoundary:
/// true)` of c's binary mask (the classes are disjoint), in the same C order, for all classes at
/// once. Sixteen samples are checked together by the XORs of their bytes with their face
/// neighbours' (one vector per neighbour), eight `none` samples on an edge row are skipped
/// together; when every measured class has one label, a sample whose XOR is nonzero is on its
/// class's boundary without looking its neighbours up.
package struct SurfaceClassBoundaries {
    /// The byte of a sample in no measured class.
    package static let none: UInt8 = 255

    /// The boundary of class index c, in C order (z, then y, then x).
    package private(set) var points: [[LatticePoint]] = []

    /// The buffers of the row-mask pass (`SurfaceClassRowBuffers`).
    private let rowBuffers = SurfaceClassRowBuffers()

    /// Bytes the point arrays and buffers hold between calls.
    package var retainedBytes: Int {
        points.reduce(0) { $0 + $1.capacity } * MemoryLayout<LatticePoint>.stride + rowBuffers.retainedBytes
    }

    /// Empty boundaries.
    package init() {}

    /// Replaces `points` by the boundaries of classes 0..<`classes` (at most 255) of `index`
    /// (`grid.count` bytes; only the first plane of a 2-D grid is read). The arrays are reused.
    package mutating func extract(_ index: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, classes: Int) {
        Self.identity.withUnsafeBufferPointer { extract(index, classOf: $0, grid: grid, classes: classes) }
    }

    private static let identity = (0..<256).map { UInt8($0) }

    /// `extract` of the class-index map `classOf[labels[i]]` (256 entries), read straight from
    /// the 8-bit labels: equal labels are equal classes, so the skips compare labels.
    package mutating func extract(
        _ labels: UnsafeBufferPointer<UInt8>, classOf: UnsafeBufferPointer<UInt8>, grid: SurfaceGrid, classes: Int
    ) {
        if points.count < classes { points.append(contentsOf: repeatElement([], count: classes - points.count)) }
        for c in points.indices { points[c].removeAll(keepingCapacity: true) }
        let w = grid.width
        let h = grid.height
        let threeD = grid.dimensions == 3
        let d = threeD ? grid.depth : 1
        guard let m = labels.baseAddress, let lookup = classOf.baseAddress, labels.count >= w * h * d, classOf.count >= 256,
            w > 0, h > 0, d > 0, classes > 0
        else { return }
        let plane = w * h
        // When no two labels share a measured class, a label differing from a neighbour's is a
        // class differing from it: the class of a sample found by the XORs is all there is to check.
        var owners = [Int](repeating: 0, count: classes)
        for v in 0..<256 where Int(lookup[v]) < classes { owners[Int(lookup[v])] += 1 }
        let injective = owners.allSatisfy { $0 <= 1 }
        if injective && w >= 16 {
            rowBuffers.extract(m, lookup: lookup, w: w, h: h, d: d, threeD: threeD, classes: classes, into: &points)
            return
        }
        for z in 0..<d {
            for y in 0..<h {
                let row = m + (z * h + y) * w
                let interior = y > 0 && y < h - 1 && (!threeD || (z > 0 && z < d - 1))
                var x = 0
                while x < w {
                    if interior && x >= 1 && x + 17 <= w {
                        // Sixteen samples at once: the nonzero bytes of the XORs with the face
                        // neighbours are the samples on a boundary between labels.
                        let v = Self.load16(row + x)
                        var differs = (v ^ Self.load16(row + x - 1)) | (v ^ Self.load16(row + x + 1))
                        differs |= (v ^ Self.load16(row + x - w)) | (v ^ Self.load16(row + x + w))
                        if threeD { differs |= (v ^ Self.load16(row + x - plane)) | (v ^ Self.load16(row + x + plane)) }
                        let halves = unsafeBitCast(differs, to: SIMD2<UInt64>.self)
                        if halves[0] | halves[1] != 0 {
                            for part in 0..<2 {
                                let half = x + 8 * part
                                var bytes = halves[part]
                                while bytes != 0 {
                                    let i = bytes.trailingZeroBitCount >> 3
                                    bytes &= ~(0xFF << UInt64(i << 3))
                                    let c =
                                        injective
                                        ? Self.ownClass(row[half + i], lookup: lookup, classes: classes)
                                        : Self.boundaryClass(
                                            row, half + i, edge: false, w: w, plane: threeD ? plane : 0, lookup: lookup,
                                            classes: classes)
                                    if c >= 0 { points[c].append(LatticePoint(x: Int32(half + i), y: Int32(y), z: Int32(z))) }
                                }
                            }
                        }
                        x += 16
                        continue
                    }
                    if x + 8 <= w {
                        let v = Self.load(row + x)
                        if v == UInt64(row[x]) &* 0x0101_0101_0101_0101 && lookup[Int(row[x])] == Self.none {
                            x += 8
                            continue
                        }
                    }
                    let c = Self.boundaryClass(
                        row, x, edge: !interior || x == 0 || x == w - 1, w: w, plane: threeD ? plane : 0, lookup: lookup,
                        classes: classes)
                    if c >= 0 { points[c].append(LatticePoint(x: Int32(x), y: Int32(y), z: Int32(z))) }
                    x += 1
                }
            }
        }
    }

    /// The class index of sample `x` of `row` when it is on its class's boundary (`edge`: on the
    /// image edge), else −1. `plane` is 0 in 2-D.
    @inline(__always)
    private static func boundaryClass(
        _ row: UnsafePointer<UInt8>, _ x: Int, edge: Bool, w: Int, plane: Int, lookup: UnsafePointer<UInt8>, classes: Int
    ) -> Int {
        let c = lookup[Int(row[x])]
        if c == none || Int(c) >= classes { return -1 }
        if edge { return Int(c) }
        let p = row + x
        let differs =
            lookup[Int(p[-1])] != c || lookup[Int(p[1])] != c || lookup[Int(p[-w])] != c || lookup[Int(p[w])] != c
            || (plane > 0 && (lookup[Int(p[-plane])] != c || lookup[Int(p[plane])] != c))
        return differs ? Int(c) : -1
    }

    /// The class index of a sample with label `label` when it is a measured class, else −1.
    @inline(__always)
    private static func ownClass(_ label: UInt8, lookup: UnsafePointer<UInt8>, classes: Int) -> Int {
        let c = lookup[Int(label)]
        return c == none || Int(c) >= classes ? -1 : Int(c)
    }

    @inline(__always)
    private static func load16(_ p: UnsafePointer<UInt8>) -> SIMD16<UInt8> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<UInt8>) -> UInt64 { UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) }
}

extension SurfaceWorkspace {
    /// Whether `variant` measures face boundaries at pixel centres (the image edge a boundary),
    /// so that `compute(gtBoundary:predBoundary:grid:request:)` gives its values.
    package static func measuresFaceBoundaries(_ variant: SurfaceVariant) -> Bool {
        variant == .segscore || variant == .medpy || variant == .monai
    }

    /// `compute` from the two masks' face boundaries (`SurfaceClassBoundaries`), for a variant
    /// that `measuresFaceBoundaries`: the same values as from the masks (a mask is empty exactly
    /// when its face boundary is).
    package func compute(
        gtBoundary: [LatticePoint], predBoundary: [LatticePoint], grid: SurfaceGrid, request: SurfaceRequest
    ) -> SurfaceValues {
        if request.metrics.isDisjoint(with: request.variant.definedMetrics) { return SurfaceValues() }
        let prepared: SurfacePrepared
        if gtBoundary.isEmpty || predBoundary.isEmpty {
            let both = gtBoundary.isEmpty && predBoundary.isEmpty
            prepared = .empty(both ? .bothEmpty : gtBoundary.isEmpty ? .gtEmpty : .predEmpty)
        } else {
            let spacing = SurfacePresets.physicalSpacing(grid)
            let (a, b) = engine.distances(between: predBoundary, and: gtBoundary, spacing: spacing)
            prepared = .directed(SurfaceDirected(a: a, b: b))
        }
        return values(of: prepared, grid: grid, request: request)
    }
}
