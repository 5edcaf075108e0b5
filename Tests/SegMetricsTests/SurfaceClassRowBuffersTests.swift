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
