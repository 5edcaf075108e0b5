import Foundation
import SegMetrics
import Testing

/// The row-mask pass of `SurfaceClassBoundaries.extract` (one label per class, rows of 16 samples
/// or more: `SurfaceClassRowBuffers`) against `SurfaceBoundary.pixels` of each class's mask and the
/// plain oracle, point for point in C order, at the widths where its vectors and words meet the
/// row's end.
@Suite struct SurfaceClassRowBuffersTests {
    typealias Random = SurfaceEngineTests.Random
    typealias Maps = SurfaceClassBoundariesTests
    static let none = SurfaceClassBoundaries.none

    @Test(
        "random maps at widths 16, 17, 31, 63, 64, 65, 127, 128, 129, 200; one to three rows; 3-D of one to four slices",
        arguments: [false, true])
    func widths(threeD: Bool) {
        var random = Random(state: threeD ? 1616 : 1617)
        var boundaries = SurfaceClassBoundaries()  // reused: stale points must not survive
        for width in [16, 17, 31, 63, 64, 65, 127, 128, 129, 200] {
            for trial in 0..<4 {
                let height = trial < 3 ? trial + 1 : random.int(4...24)
                let grid =
                    threeD
                    ? SurfaceGrid(width: width, height: height, depth: random.int(1...4), dimensions: 3)
                    : SurfaceGrid(width: width, height: height)
                let classes = random.int(1...5)
                Maps.checkExtract(Maps.indexMap(grid, classes: classes, &random), grid, classes: classes, &boundaries)
            }
        }
    }

    @Test("a class filling the image, single samples at every row end, a vertical stripe at each word edge")
    func adversarial() {
        var boundaries = SurfaceClassBoundaries()
        for width in [16, 63, 64, 65, 128, 130] {
            for grid in [SurfaceGrid(width: width, height: 9), SurfaceGrid(width: width, height: 5, depth: 4)] {
                let n = grid.count
                Maps.checkExtract([UInt8](repeating: 0, count: n), grid, classes: 1, &boundaries)
                #expect(
                    boundaries.points[0].count == SurfaceEngineTests.oracleBoundary([UInt8](repeating: 1, count: n), grid).count)
                var ends = [UInt8](repeating: Self.none, count: n)
                for row in 0..<(grid.height * grid.depth) {
                    ends[row * width] = 0
                    ends[row * width + width - 1] = 1
                }
                Maps.checkExtract(ends, grid, classes: 2, &boundaries)
                var stripes = [UInt8](repeating: 2, count: n)
                for i in 0..<n where [15, 16, 63, 64, 65, 127].contains(i % width) { stripes[i] = UInt8(i % width % 2) }
                Maps.checkExtract(stripes, grid, classes: 3, &boundaries)
            }
        }
    }

    @Test("a hand-worked 16 × 3 map: the middle row's class-1 run of 4 has its two ends on the boundary, edges always")
    func handWorked() {
        let grid = SurfaceGrid(width: 16, height: 3)
        var map = [UInt8](repeating: 1, count: 48)
        for x in 0..<16 {
            map[x] = 0
            map[32 + x] = 0
        }
        for x in 0..<6 { map[16 + x] = 0 }
        for x in 10..<16 { map[16 + x] = 0 }
        // Row 1 holds class 1 at x = 6…9; rows 0 and 2 are class 0: every class-1 sample touches
        // class 0 above, so all four are on the boundary; class 0's are its 32 edge-row samples
        // and row 1's x = 0 (edge), 5, 10 and 15 (edge).
        var boundaries = SurfaceClassBoundaries()
        map.withUnsafeBufferPointer { boundaries.extract($0, grid: grid, classes: 2) }
        #expect(boundaries.points[1].map(\.x) == [6, 7, 8, 9])
        #expect(boundaries.points[0].count == 36)
        #expect(boundaries.points[0].filter { $0.y == 1 }.map(\.x) == [0, 5, 10, 15])
    }
}

/// The differing samples of a row by each kernel this CPU runs (AVX-512 BW, AVX2) and by the
/// portable Swift code, against a plain loop: every width from 16 to 300 (and 1…15 for AVX-512),
/// 2-D and 3-D, labels drawn from two, three or all 256 values, the C kernels with and without a
/// label left out.
@Suite struct SurfaceRowKernelTests {
    typealias Random = SurfaceEngineTests.Random

    /// Bit x set when sample x of the middle row differs from a face neighbour (the last
    /// sample's right neighbour, the next row's first, left out: its bit is the caller's).
    static func reference(_ map: [UInt8], row: Int, w: Int, plane: Int) -> [UInt64] {
        var bits = [UInt64](repeating: 0, count: (w + 63) >> 6)
        for x in 0..<w {
            let i = row + x
            var neighbours = [i - 1, i - w, i + w]
            if x < w - 1 { neighbours.append(i + 1) }
            if plane > 0 { neighbours += [i - plane, i + plane] }
            if neighbours.contains(where: { map[$0] != map[i] }) { bits[x >> 6] |= 1 << UInt64(x & 63) }
        }
        return bits
    }

    /// What `differing` sets by `level` for the row at `row` of `map`, the buffer first filled
    /// with `fill`: the row's words, the last sample's bit cleared (the caller's), and the whole
    /// buffer.
    static func kernelBits(
        _ map: [UInt8], row: Int, w: Int, plane: Int, level: Int, exclude: Int, fill: UInt64
    ) -> (row: [UInt64], buffer: [UInt64]) {
        let words = (w + 63) >> 6
        var bits = [UInt64](repeating: fill, count: 2 * (words + 1))
        map.withUnsafeBufferPointer { m in
            bits.withUnsafeMutableBufferPointer { b in
                SurfaceClassRowBuffers.differing(
                    m.baseAddress! + row, w: w, plane: plane, b.baseAddress!, words: words, kernel: level, exclude: exclude)
            }
        }
        var got = Array(bits[0..<words])
        got[words - 1] &= ~(UInt64(1) << UInt64((w - 1) & 63))
        return (got, bits)
    }

    /// `reference`, the last sample's bit cleared, and for the C kernels (`level` > 0) the
    /// samples of `exclude` (≥ 0) left out.
    static func expectedBits(_ map: [UInt8], row: Int, w: Int, plane: Int, level: Int, exclude: Int) -> [UInt64] {
        var want = reference(map, row: row, w: w, plane: plane)
        if level > 0 && exclude >= 0 {
            for x in 0..<w where Int(map[row + x]) == exclude { want[x >> 6] &= ~(1 << UInt64(x & 63)) }
        }
        want[want.count - 1] &= ~(UInt64(1) << UInt64((w - 1) & 63))
        return want
    }

    @Test("every kernel equals the plain loop, widths 1…300, 2-D and 3-D", arguments: [false, true])
    func kernels(threeD: Bool) {
        var random = Random(state: threeD ? 3131 : 3130)
        let levels = [0, 1, 2].filter { $0 <= SurfaceClassRowBuffers.kernel }
        for w in 1...300 {
            for trial in 0..<3 {
                let plane = threeD ? 3 * w : 0
                // Three rows (and three planes in 3-D): the middle row of the middle plane is scored.
                let count = threeD ? 9 * w : 3 * w
                let alphabet = [2, 3, 256][trial]
                var map = (0..<count).map { _ in UInt8(random.int(0...(alphabet - 1))) }
                if trial == 0 {
                    // Long runs: mostly one label, a few others.
                    map = map.map { $0 == 1 && random.int(0...7) == 0 ? 1 : 0 }
                }
                let row = threeD ? plane + w : w
                let words = (w + 63) >> 6
                for level in levels where (level != 1 || w >= 32) && (level != 0 || w >= 16) {
                    // Left out by the C kernels when asked: label 0's samples.
                    for exclude in [-1, 0] {
                        let (got, bits) = Self.kernelBits(
                            map, row: row, w: w, plane: plane, level: level, exclude: exclude, fill: 0xDEAD_BEEF)
                        let want = Self.expectedBits(map, row: row, w: w, plane: plane, level: level, exclude: exclude)
                        #expect(got == want, "width \(w), trial \(trial), kernel \(level), exclude \(exclude)")
                        // No bit beyond the row.
                        if w & 63 != 0 { #expect(bits[words - 1] >> UInt64(w & 63) == 0, "width \(w) kernel \(level)") }
                    }
                }
            }
        }
    }

    @Test("bytes to bits: SSE2 and the portable multiplication agree on every one-byte and random vector")
    func byteMasks() {
        var random = Random(state: 77)
        var vectors: [SIMD16<UInt8>] = [.zero, SIMD16(repeating: 255)]
        for lane in 0..<16 {
            for value: UInt8 in [1, 0x80, 0x7F, 0xFF] {
                var v = SIMD16<UInt8>.zero
                v[lane] = value
                vectors.append(v)
            }
        }
        for _ in 0..<2000 {
            var v = SIMD16<UInt8>.zero
            for lane in 0..<16 where random.int(0...2) == 0 { v[lane] = UInt8(random.int(0...255)) }
            vectors.append(v)
        }
        for v in vectors {
            var expected: UInt64 = 0
            for lane in 0..<16 where v[lane] != 0 { expected |= 1 << UInt64(lane) }
            #expect(ByteMasks.nonzero(v) == expected)
            #expect(ByteMasks.portableNonzero(v) == expected)
        }
    }
}
