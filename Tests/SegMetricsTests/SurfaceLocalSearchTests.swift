import Foundation
import SegMetrics
import Testing

/// The local search (`SurfaceLocalSearch`, the engine's `.automatic` and `.local` strategies)
/// against the engine before it (`.legacy`, `.tree`, `.grid`) and the brute force, bit for bit,
/// on masks whose boundaries mostly coincide or lie a few samples apart, plus far blobs.
@Suite struct SurfaceLocalSearchTests {
    typealias Random = SurfaceEngineTests.Random

    /// A prediction made from `gt`: its boundary moved by a sample here and there (dilated or
    /// eroded in random patches), and sometimes a far blob added or a piece removed.
    static func perturbed(_ gt: [UInt8], _ grid: SurfaceGrid, _ random: inout Random) -> [UInt8] {
        var pred = gt
        let w = grid.width
        let h = grid.height
        let d = grid.depth
        func at(_ x: Int, _ y: Int, _ z: Int) -> UInt8 {
            x < 0 || y < 0 || z < 0 || x >= w || y >= h || z >= d ? 0 : gt[(z * h + y) * w + x]
        }
        let patch = max(2, w / 4)
        let px = random.int(0...(w - 1))
        let py = random.int(0...(h - 1))
        for z in 0..<d {
            for y in 0..<h {
                for x in 0..<w {
                    let inPatch = abs(x - px) < patch && abs(y - py) < patch
                    let neighbours = [at(x - 1, y, z), at(x + 1, y, z), at(x, y - 1, z), at(x, y + 1, z)]
                    let i = (z * h + y) * w + x
                    if inPatch && gt[i] == 0 && neighbours.contains(1) { pred[i] = 1 }  // dilate
                    if !inPatch && gt[i] == 1 && neighbours.contains(0) && random.int(0...3) == 0 { pred[i] = 0 }  // erode
                }
            }
        }
        if random.int(0...1) == 0 {
            // A far blob (a false positive) in a corner.
            for z in 0..<max(1, d / 3) {
                for y in 0..<max(1, h / 5) {
                    for x in 0..<max(1, w / 5) { pred[(z * h + y) * w + x] = 1 }
                }
            }
        }
        return pred
    }

    static func grid(_ random: inout Random, threeD: Bool, isotropic: Bool) -> SurfaceGrid {
        let s = isotropic ? 0.7 : 0
        let spacing =
            isotropic ? (s, s, s) : (0.3 + random.unit() * 2, 0.3 + random.unit() * 2, 0.3 + random.unit() * 4)
        return threeD
            ? SurfaceGrid(
                width: random.int(8...28), height: random.int(8...28), depth: random.int(3...12), spacing: spacing,
                dimensions: 3)
            : SurfaceGrid(width: random.int(16...96), height: random.int(16...96), spacing: spacing, dimensions: 2)
    }

    static func run(
        _ strategy: SurfaceDistanceEngine.Strategy, corners: Bool, _ gt: [UInt8], _ pred: [UInt8], _ grid: SurfaceGrid
    )
        -> [Double]
    {
        let engine = SurfaceDistanceEngine()
        engine.strategy = strategy
        let directed = gt.withUnsafeBufferPointer { g in
            pred.withUnsafeBufferPointer { p in
                corners
                    ? SurfacePresets.cornerDistances(
                        gt: g, pred: p, grid: grid, engine: engine, weights: [Double](repeating: 1, count: 256))
                    : SurfacePresets.centreDistances(gt: g, pred: p, grid: grid, engine: engine)
            }
        }
        return directed.a + directed.b
    }

    @Test(
        "near-coincident boundaries: the local search equals the engine before it and the brute force bit for bit",
        arguments: [false, true], [false, true])
    func matchesOldEngine(threeD: Bool, isotropic: Bool) {
        var random = Random(state: (threeD ? 101 : 202) + (isotropic ? 7 : 0))
        var compared = 0
        var zero = 0
        var near = 0
        for trial in 0..<40 {
            let grid = Self.grid(&random, threeD: threeD, isotropic: isotropic)
            let gt = SurfaceEngineTests.blobs(grid, &random)
            let pred = Self.perturbed(gt, grid, &random)
            let corners = trial % 3 == 2
            let local = Self.run(.local, corners: corners, gt, pred, grid)
            let automatic = Self.run(.automatic, corners: corners, gt, pred, grid)
            let legacy = Self.run(.legacy, corners: corners, gt, pred, grid)
            let tree = Self.run(.tree, corners: corners, gt, pred, grid)
            let transform = Self.run(.grid, corners: corners, gt, pred, grid)
            #expect(local.count == legacy.count)
            for i in 0..<min(local.count, legacy.count) {
                let values = [automatic[i], legacy[i], tree[i], transform[i]]
                if values.contains(where: { $0.bitPattern != local[i].bitPattern }) {
                    Issue.record("\(grid.width)×\(grid.height)×\(grid.depth) #\(i): local \(local[i]), others \(values)")
                }
                if local[i] == 0 { zero += 1 } else if local[i] <= 3 * max(grid.spacing.x, grid.spacing.y) { near += 1 }
            }
            if !corners {
                let a = Self.oracle(pred, gt, grid)
                let b = Self.oracle(gt, pred, grid)
                #expect((a + b).map(\.bitPattern) == local.map(\.bitPattern))
            }
            compared += local.count
        }
        // The masks exercise what the search is for: mostly coincident or near points.
        #expect(compared > 2000)
        #expect(zero + near > compared / 2)
        #expect(near > compared / 20)
    }

    static func oracle(_ from: [UInt8], _ to: [UInt8], _ grid: SurfaceGrid) -> [Double] {
        let spacing = (grid.spacing.x, grid.spacing.y, grid.dimensions == 3 ? grid.spacing.z : 1)
        return SurfaceEngineTests.oracleDistances(
            SurfaceEngineTests.oracleBoundary(from, grid), SurfaceEngineTests.oracleBoundary(to, grid), spacing)
    }

    @Test("random point sets, dense and sparse, with ties: .local and .automatic equal the k-d tree bit for bit")
    func pointSets() {
        var random = Random(state: 909)
        let engine = SurfaceDistanceEngine()
        for trial in 0..<200 {
            let threeD = trial % 2 == 1
            let extent = trial % 5 == 0 ? 200 : 24
            func points(_ n: Int) -> [LatticePoint] {
                (0..<n).map { _ in
                    LatticePoint(
                        x: Int32(random.int(0...extent)), y: Int32(random.int(0...extent)),
                        z: threeD ? Int32(random.int(0...(extent / 3))) : 0)
                }
            }
            let queries = points(random.int(1...300))
            let features = points(random.int(1...40))
            let spacing =
                trial % 4 == 0
                ? (x: 0.7, y: 0.7, z: 0.7) : (x: 0.2 + random.unit() * 2, y: 0.2 + random.unit() * 2, z: 0.2 + random.unit() * 5)
            engine.strategy = .tree
            let expected = engine.distances(from: queries, to: features, spacing: spacing)
            for strategy in [SurfaceDistanceEngine.Strategy.local, .automatic] {
                engine.strategy = strategy
                let got = engine.distances(from: queries, to: features, spacing: spacing)
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "trial \(trial) \(strategy)")
            }
        }
    }
}
