import Foundation
import SegMetrics
import Testing

/// Every class's face boundary from one pass over a class-index map (`SurfaceClassBoundaries`)
/// against `SurfaceBoundary.pixels` of each class's binary mask and the plain oracle, and the
/// values measured from those boundaries against `SurfaceWorkspace.compute` on the masks.
@Suite struct SurfaceClassBoundariesTests {
    typealias Random = SurfaceEngineTests.Random
    static let none = SurfaceClassBoundaries.none

    /// A class-index map: blobs of classes 0..<classes painted over `none` (and over each other),
    /// single samples, and sometimes a class along a whole image edge.
    static func indexMap(_ grid: SurfaceGrid, classes: Int, _ random: inout Random) -> [UInt8] {
        var map = [UInt8](repeating: none, count: grid.count)
        for _ in 0..<random.int(1...5) {
            let blob = SurfaceEngineTests.blobs(grid, &random)
            let c = UInt8(random.int(0...(classes - 1)))
            for i in blob.indices where blob[i] != 0 { map[i] = c }
        }
        if random.int(0...2) == 0 {
            let c = UInt8(random.int(0...(classes - 1)))
            for z in 0..<grid.depth {
                for x in 0..<grid.width { map[(z * grid.height + grid.height - 1) * grid.width + x] = c }  // bottom edge
            }
        }
        for _ in 0..<random.int(0...6) { map[random.int(0...(grid.count - 1))] = UInt8(random.int(0...(classes - 1))) }
        return map
    }

    static func mask(_ map: [UInt8], _ c: Int) -> [UInt8] { map.map { Int($0) == c ? 1 : 0 } }

    /// `extract` equals the per-class boundaries, point for point in the same order.
    static func checkExtract(_ map: [UInt8], _ grid: SurfaceGrid, classes: Int, _ boundaries: inout SurfaceClassBoundaries) {
        map.withUnsafeBufferPointer { boundaries.extract($0, grid: grid, classes: classes) }
        #expect(boundaries.points.count >= classes)
        for c in 0..<classes {
            let binary = mask(map, c)
            let expected = binary.withUnsafeBufferPointer {
                SurfaceBoundary.pixels($0, grid: grid, neighbourhood: .face, edgeIsBoundary: true)
            }
            let oracle = SurfaceEngineTests.oracleBoundary(binary, grid).map {
                LatticePoint(x: Int32($0.0), y: Int32($0.1), z: Int32($0.2))
            }
            #expect(boundaries.points[c] == expected, "\(grid.width)×\(grid.height)×\(grid.depth) class \(c)")
            #expect(boundaries.points[c] == oracle, "\(grid.width)×\(grid.height)×\(grid.depth) class \(c) oracle")
        }
    }

    @Test("one pass equals one mask per class: random maps, 2-D and 3-D, widths below and above 8", arguments: [false, true])
    func randomMaps(threeD: Bool) {
        var random = Random(state: threeD ? 5150 : 5151)
        var boundaries = SurfaceClassBoundaries()  // reused: stale points must not survive
        for trial in 0..<60 {
            let grid =
                threeD
                ? SurfaceGrid(
                    width: random.int(1...30), height: random.int(1...20), depth: random.int(1...9), dimensions: 3)
                : SurfaceGrid(width: trial % 4 == 0 ? random.int(1...9) : random.int(10...90), height: random.int(1...60))
            let classes = random.int(1...6)
            Self.checkExtract(Self.indexMap(grid, classes: classes, &random), grid, classes: classes, &boundaries)
        }
    }

    @Test(
        "straight from 8-bit labels through a lookup (one or several labels per class, labels in none or beyond the classes) equals the index map"
    )
    func throughLookup() {
        var random = Random(state: 777)
        var direct = SurfaceClassBoundaries()
        var mapped = SurfaceClassBoundaries()
        for trial in 0..<60 {
            let threeD = trial % 2 == 1
            let grid =
                threeD
                ? SurfaceGrid(width: random.int(1...30), height: random.int(1...20), depth: random.int(1...9), dimensions: 3)
                : SurfaceGrid(width: random.int(1...90), height: random.int(1...60))
            var lookup = [UInt8](repeating: Self.none, count: 256)
            if trial % 3 == 0 {
                // One label per class (the lookup is injective), labels beyond the measured classes.
                for (c, label) in [3, 1, 7, 5].enumerated() { lookup[label] = UInt8(c) }
                lookup[2] = 5
                lookup[9] = 6
            } else {
                for label in 0..<10 { lookup[label] = random.int(0...2) == 0 ? Self.none : UInt8(random.int(0...5)) }
            }
            let labels = Self.indexMap(grid, classes: 10, &random).map { $0 == Self.none ? 0 : $0 }
            let index = labels.map { lookup[Int($0)] }
            labels.withUnsafeBufferPointer { l in
                lookup.withUnsafeBufferPointer { direct.extract(l, classOf: $0, grid: grid, classes: 4) }
            }
            index.withUnsafeBufferPointer { mapped.extract($0, grid: grid, classes: 4) }
            for c in 0..<4 {
                #expect(direct.points[c] == mapped.points[c], "trial \(trial) class \(c)")
                let expected = Self.mask(index, c).withUnsafeBufferPointer {
                    SurfaceBoundary.pixels($0, grid: grid, neighbourhood: .face, edgeIsBoundary: true)
                }
                #expect(direct.points[c] == expected, "trial \(trial) class \(c) mask")
            }
        }
    }

    @Test("the radix sort and the merge give the arrays of sorted(), bit for bit; −0 and NaN fall back")
    func sorting() {
        var random = Random(state: 31)
        for trial in 0..<200 {
            let n = random.int(0...600)
            let spacing = 0.1 + random.unit() * 3
            var values = (0..<n).map { _ in
                // Distances as the engine makes them: roots of sums of squared spacings, many equal.
                let dx = Double(random.int(0...6)) * spacing
                let dy = Double(random.int(0...6)) * 0.7
                return (dy * dy + dx * dx).squareRoot()
            }
            if trial % 10 == 0 { values += [1e300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0] }
            let sorted = SurfaceSorting.sorted(values)
            #expect(sorted.map(\.bitPattern) == values.sorted().map(\.bitPattern), "trial \(trial)")
            let other = Array(values.reversed().prefix(random.int(0...values.count)))
            let pooled = SurfaceSorting.pooled(values, other, sortedA: sorted, sortedB: SurfaceSorting.sorted(other))
            #expect(pooled.map(\.bitPattern) == (values + other).sorted().map(\.bitPattern), "trial \(trial) pooled")
        }
        let signed = (0..<100).map { Double($0 % 7) } + [-0.0]
        #expect(!SurfaceSorting.radixOrdered(signed))
        #expect(SurfaceSorting.sorted(signed).map(\.bitPattern) == signed.sorted().map(\.bitPattern))
        #expect(!SurfaceSorting.radixOrdered([1, .nan]))
    }

    @Test("edge cases: nothing, one class filling the image, single samples at the corners, one row, one slice")
    func edgeCases() {
        var boundaries = SurfaceClassBoundaries()
        let grids = [
            SurfaceGrid(width: 1, height: 1), SurfaceGrid(width: 17, height: 1), SurfaceGrid(width: 1, height: 17),
            SurfaceGrid(width: 16, height: 16), SurfaceGrid(width: 9, height: 5, depth: 1, dimensions: 3),
            SurfaceGrid(width: 12, height: 10, depth: 6),
        ]
        for grid in grids {
            let n = grid.count
            Self.checkExtract([UInt8](repeating: Self.none, count: n), grid, classes: 3, &boundaries)
            #expect(boundaries.points.prefix(3).allSatisfy { $0.isEmpty })
            let full = [UInt8](repeating: 1, count: n)
            Self.checkExtract(full, grid, classes: 2, &boundaries)
            var corners = [UInt8](repeating: 0, count: n)
            corners[0] = 1
            corners[n - 1] = 2
            corners[grid.width - 1] = Self.none
            Self.checkExtract(corners, grid, classes: 3, &boundaries)
        }
        // A 3×3 class-0 square inside class 1: only its ring of 8 and the image edge are boundary.
        let grid = SurfaceGrid(width: 11, height: 11)
        var map = [UInt8](repeating: 1, count: grid.count)
        for y in 4...6 { for x in 4...6 { map[y * 11 + x] = 0 } }
        map.withUnsafeBufferPointer { boundaries.extract($0, grid: grid, classes: 2) }
        #expect(boundaries.points[0].count == 8)
        #expect(!boundaries.points[0].contains(LatticePoint(x: 5, y: 5, z: 0)))
        #expect(boundaries.points[1].count == 40 + 12)  // image edge (40) and the ring around the square (12)
    }

    @Test(
        "values from the boundaries equal values from the masks, every centre variant, empty sides, bit for bit",
        arguments: [SurfaceVariant.segscore, .medpy, .monai])
    func valuesMatchMasks(variant: SurfaceVariant) {
        var random = Random(state: 6060)
        let workspace = SurfaceWorkspace()
        var gtBoundaries = SurfaceClassBoundaries()
        var predBoundaries = SurfaceClassBoundaries()
        for trial in 0..<40 {
            let threeD = trial % 2 == 1
            let spacing = (0.3 + random.unit() * 2, 0.3 + random.unit() * 2, 0.3 + random.unit() * 3)
            let grid =
                threeD
                ? SurfaceGrid(width: random.int(4...24), height: random.int(4...24), depth: random.int(2...8), spacing: spacing)
                : SurfaceGrid(width: random.int(4...80), height: random.int(4...60), spacing: spacing)
            let classes = 4
            let gt = Self.indexMap(grid, classes: classes, &random)
            let pred = Self.indexMap(grid, classes: classes, &random)
            gt.withUnsafeBufferPointer { gtBoundaries.extract($0, grid: grid, classes: classes + 1) }  // class 4: empty
            pred.withUnsafeBufferPointer { predBoundaries.extract($0, grid: grid, classes: classes + 1) }
            for c in 0...classes {
                let request = SurfaceRequest(
                    variant: variant, metrics: Set(SurfaceMetric.allCases), percentile: [95, 0, 50, 100][c % 4],
                    tolerance: 1.5, emptyRule: c % 2 == 0 ? .undefined : .diagonal)
                let expected = Self.mask(gt, c).withUnsafeBufferPointer { g in
                    Self.mask(pred, c).withUnsafeBufferPointer { p in
                        SurfaceMeasure.compute(gt: g, pred: p, grid: grid, request: request)
                    }
                }
                let got = workspace.compute(
                    gtBoundary: gtBoundaries.points[c], predBoundary: predBoundaries.points[c], grid: grid, request: request)
                #expect(got.undefined == expected.undefined)
                #expect(
                    got.values.mapValues(\.bitPattern) == expected.values.mapValues(\.bitPattern), "trial \(trial) class \(c)")
                #expect(!got.values.isEmpty)
            }
        }
    }
}
