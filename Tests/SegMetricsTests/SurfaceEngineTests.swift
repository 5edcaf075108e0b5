import Foundation
import SegMetrics
import SegScoreTestSupport
import Testing

/// The distance engine against an independent brute-force float64 computation (every boundary
/// element against every other, O(n·m)) on random 2-D and 3-D anisotropic masks.
@Suite struct SurfaceEngineTests {
    typealias Random = SplitMix64

    /// Random blobs: a few filled ellipses / ellipsoids plus salt noise.
    static func blobs(_ grid: SurfaceGrid, _ random: inout Random) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: grid.count)
        for _ in 0..<random.int(1...3) {
            let cx = random.unit() * Double(grid.width)
            let cy = random.unit() * Double(grid.height)
            let cz = random.unit() * Double(grid.depth)
            let rx = 1 + random.unit() * Double(grid.width) / 3
            let ry = 1 + random.unit() * Double(grid.height) / 3
            let rz = 1 + random.unit() * Double(grid.depth) / 3
            for z in 0..<grid.depth {
                for y in 0..<grid.height {
                    for x in 0..<grid.width {
                        let dx = (Double(x) - cx) / rx
                        let dy = (Double(y) - cy) / ry
                        let dz = grid.dimensions == 3 ? (Double(z) - cz) / rz : 0
                        if dx * dx + dy * dy + dz * dz <= 1 { mask[(z * grid.height + y) * grid.width + x] = 1 }
                    }
                }
            }
        }
        for _ in 0..<random.int(1...4) { mask[random.int(0...(grid.count - 1))] = 1 }
        return mask
    }

    /// Face boundary, written plainly: foreground with a face neighbour outside or background.
    static func oracleBoundary(_ mask: [UInt8], _ grid: SurfaceGrid) -> [(Int, Int, Int)] {
        func on(_ x: Int, _ y: Int, _ z: Int) -> Bool {
            x >= 0 && y >= 0 && z >= 0 && x < grid.width && y < grid.height && z < grid.depth
                && mask[(z * grid.height + y) * grid.width + x] != 0
        }
        var points: [(Int, Int, Int)] = []
        for z in 0..<grid.depth {
            for y in 0..<grid.height {
                for x in 0..<grid.width where on(x, y, z) {
                    var edge = !on(x - 1, y, z) || !on(x + 1, y, z) || !on(x, y - 1, z) || !on(x, y + 1, z)
                    if grid.dimensions == 3 { edge = edge || !on(x, y, z - 1) || !on(x, y, z + 1) }
                    if edge { points.append((x, y, z)) }
                }
            }
        }
        return points
    }

    /// Brute-force nearest distance from each `from` point to the `to` points, float64.
    static func oracleDistances(_ from: [(Int, Int, Int)], _ to: [(Int, Int, Int)], _ s: (x: Double, y: Double, z: Double))
        -> [Double]
    {
        from.map { p in
            var best = Double.infinity
            for q in to {
                let dz = Double(p.2 - q.2) * s.z
                let dy = Double(p.1 - q.1) * s.y
                let dx = Double(p.0 - q.0) * s.x
                best = min(best, (dz * dz + dy * dy) + dx * dx)
            }
            return best.squareRoot()
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        (a.isNaN && b.isNaN) || a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    }

    static func randomGrid(_ random: inout Random, threeD: Bool) -> SurfaceGrid {
        let spacing = (0.3 + random.unit() * 2, 0.3 + random.unit() * 2, 0.3 + random.unit() * 3)
        return threeD
            ? SurfaceGrid(
                width: random.int(3...18), height: random.int(3...18), depth: random.int(2...10), spacing: spacing, dimensions: 3)
            : SurfaceGrid(width: random.int(3...40), height: random.int(3...40), spacing: spacing, dimensions: 2)
    }

    @Test(
        "directed distances equal brute force on random anisotropic masks, 2-D and 3-D, transform and k-d tree",
        arguments: [false, true], [SurfaceDistanceEngine.Strategy.grid, .tree])
    func engineMatchesBruteForce(threeD: Bool, strategy: SurfaceDistanceEngine.Strategy) {
        var random = Random(state: threeD ? 33 : 22)
        let engine = SurfaceDistanceEngine()
        engine.strategy = strategy
        var compared = 0
        for _ in 0..<60 {
            let grid = Self.randomGrid(&random, threeD: threeD)
            let gt = Self.blobs(grid, &random)
            let pred = Self.blobs(grid, &random)
            let gtOracle = Self.oracleBoundary(gt, grid)
            let predOracle = Self.oracleBoundary(pred, grid)
            let directed = gt.withUnsafeBufferPointer { g in
                pred.withUnsafeBufferPointer { p in SurfacePresets.centreDistances(gt: g, pred: p, grid: grid, engine: engine) }
            }
            let a = Self.oracleDistances(predOracle, gtOracle, grid.spacing)
            let b = Self.oracleDistances(gtOracle, predOracle, grid.spacing)
            #expect(directed.a.count == a.count && directed.b.count == b.count)
            guard directed.a.count == a.count, directed.b.count == b.count else { continue }
            for (x, y) in zip(directed.a + directed.b, a + b) where !Self.close(x, y) {
                Issue.record("\(grid.width)×\(grid.height)×\(grid.depth): engine \(x), brute force \(y)")
            }
            compared += a.count + b.count
        }
        #expect(compared > 1000)
    }

    @Test(
        "corner surfels: codes from the 2×2(×2) neighbourhoods, distances equal brute force",
        arguments: [false, true], [SurfaceDistanceEngine.Strategy.grid, .tree])
    func cornersMatchBruteForce(threeD: Bool, strategy: SurfaceDistanceEngine.Strategy) {
        var random = Random(state: threeD ? 55 : 44)
        let engine = SurfaceDistanceEngine()
        engine.strategy = strategy
        for _ in 0..<30 {
            let grid = Self.randomGrid(&random, threeD: threeD)
            let gt = Self.blobs(grid, &random)
            let pred = Self.blobs(grid, &random)
            func oracleCorners(_ mask: [UInt8]) -> [(Int, Int, Int)] {
                func on(_ x: Int, _ y: Int, _ z: Int) -> Bool {
                    x >= 0 && y >= 0 && z >= 0 && x < grid.width && y < grid.height && z < grid.depth
                        && mask[(z * grid.height + y) * grid.width + x] != 0
                }
                var points: [(Int, Int, Int)] = []
                for z in 0...(threeD ? grid.depth : 0) {
                    for y in 0...grid.height {
                        for x in 0...grid.width {
                            var inside = 0
                            var cells = 0
                            for dz in threeD ? [0, 1] : [0] {
                                for dy in [0, 1] {
                                    for dx in [0, 1] {
                                        cells += 1
                                        if on(x - dx, y - dy, threeD ? z - dz : 0) { inside += 1 }
                                    }
                                }
                            }
                            if inside > 0 && inside < cells { points.append((x, y, z)) }
                        }
                    }
                }
                return points
            }
            let gtCorners = oracleCorners(gt)
            let predCorners = oracleCorners(pred)
            let weights = [Double](repeating: 1, count: 256)
            let directed = gt.withUnsafeBufferPointer { g in
                pred.withUnsafeBufferPointer { p in
                    SurfacePresets.cornerDistances(gt: g, pred: p, grid: grid, engine: engine, weights: weights)
                }
            }
            let spacing = (grid.spacing.x, grid.spacing.y, threeD ? grid.spacing.z : 1)
            let a = Self.oracleDistances(predCorners, gtCorners, spacing)
            let b = Self.oracleDistances(gtCorners, predCorners, spacing)
            #expect(directed.a.count == a.count && directed.b.count == b.count)
            guard directed.a.count == a.count, directed.b.count == b.count else { continue }
            for (x, y) in zip(directed.a + directed.b, a + b) where !Self.close(x, y) {
                Issue.record("corners \(grid.width)×\(grid.height)×\(grid.depth): engine \(x), brute force \(y)")
            }
        }
    }

    @Test("base metrics through SurfaceMeasure equal the brute-force distances' statistics")
    func baseMetricsMatchBruteForce() {
        var random = Random(state: 77)
        for trial in 0..<40 {
            let grid = Self.randomGrid(&random, threeD: trial % 2 == 1)
            let gt = Self.blobs(grid, &random)
            let pred = Self.blobs(grid, &random)
            let a = Self.oracleDistances(Self.oracleBoundary(pred, grid), Self.oracleBoundary(gt, grid), grid.spacing)
            let b = Self.oracleDistances(Self.oracleBoundary(gt, grid), Self.oracleBoundary(pred, grid), grid.spacing)
            let tolerance = 1.5
            let request = SurfaceRequest(metrics: Set(SurfaceMetric.allCases), percentile: 90, tolerance: tolerance)
            let values = gt.withUnsafeBufferPointer { g in
                pred.withUnsafeBufferPointer { p in SurfaceMeasure.compute(gt: g, pred: p, grid: grid, request: request) }
            }
            func percentile(_ v: [Double], _ p: Double) -> Double {
                let s = v.sorted()
                let rank = p / 100 * Double(s.count - 1)
                let lo = Int(rank)
                let hi = min(lo + 1, s.count - 1)
                return s[lo] + (s[hi] - s[lo]) * (rank - Double(lo))
            }
            let pooled = a + b
            let mean = pooled.reduce(0, +) / Double(pooled.count)
            let expected: [SurfaceMetric: Double] = [
                .hd: max(a.max()!, b.max()!), .hd95: max(percentile(a, 90), percentile(b, 90)), .assd: mean,
                .masd: (a.reduce(0, +) / Double(a.count) + b.reduce(0, +) / Double(b.count)) / 2,
                .asdPredToGt: a.reduce(0, +) / Double(a.count), .asdGtToPred: b.reduce(0, +) / Double(b.count),
                .nsd: Double(pooled.filter { $0 <= tolerance }.count) / Double(pooled.count),
                .medianSD: percentile(pooled, 50),
                .stdSD: (pooled.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(pooled.count)).squareRoot(),
            ]
            for (metric, value) in expected {
                let actual = values[metric] ?? -1
                #expect(abs(actual - value) <= 1e-9 * max(abs(value), 1e-9), "\(metric): \(actual) vs \(value)")
            }
        }
    }

    @Test("sparse points in a huge box take the k-d tree: no 10¹¹-cell buffer, the same exact value")
    func hugeSparseBox() {
        let engine = SurfaceDistanceEngine()
        let far = LatticePoint(x: 99_999, y: 99_999, z: 9_999)
        let near = LatticePoint(x: 0, y: 1, z: 0)
        let spacing = (x: 0.5, y: 0.7, z: 3.0)
        let d = engine.distances(from: [LatticePoint(x: 0, y: 0, z: 0)], to: [far, near], spacing: spacing)
        #expect(d == [0.7])
        let back = engine.distances(from: [far], to: [LatticePoint(x: 0, y: 0, z: 0)], spacing: spacing)
        let dz = 9_999 * 3.0
        let dy = 99_999 * 0.7
        let dx = 99_999 * 0.5
        #expect(back == [((dz * dz + dy * dy) + dx * dx).squareRoot()])
    }
}
