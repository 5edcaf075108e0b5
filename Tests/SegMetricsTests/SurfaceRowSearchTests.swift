import Foundation
import SegMetrics
import Testing

/// The row search (`SurfaceRowSearch`, the engine's `.automatic` and `.rows` strategies) against
/// the engines before it (`.localFirst`, `.legacy`, `.tree`) and the brute force, bit for bit.
@Suite struct SurfaceRowSearchTests {
    typealias Random = SurfaceEngineTests.Random
    typealias Local = SurfaceLocalSearchTests

    /// The directed distances of every strategy, each checked against `.rows` bit for bit, and
    /// against the brute force on the face boundaries; the number of values compared.
    @discardableResult
    static func check(_ gt: [UInt8], _ pred: [UInt8], _ grid: SurfaceGrid, corners: Bool = false) -> Int {
        let rows = Local.run(.rows, corners: corners, gt, pred, grid)
        for strategy in [SurfaceDistanceEngine.Strategy.automatic, .localFirst, .legacy, .tree] {
            let other = Local.run(strategy, corners: corners, gt, pred, grid)
            #expect(
                other.map(\.bitPattern) == rows.map(\.bitPattern),
                "\(grid.width)×\(grid.height)×\(grid.depth) \(grid.spacing) \(strategy)")
        }
        if !corners {
            let oracle = Local.oracle(pred, gt, grid) + Local.oracle(gt, pred, grid)
            #expect(oracle.map(\.bitPattern) == rows.map(\.bitPattern), "\(grid.width)×\(grid.height)×\(grid.depth) oracle")
        }
        return rows.count
    }

    @Test(
        "near-coincident and far boundaries, 2-D (rows over several words) and 3-D, isotropic and anisotropic",
        arguments: [false, true], [false, true])
    func matchesOtherEngines(threeD: Bool, isotropic: Bool) {
        var random = Random(state: (threeD ? 303 : 404) + (isotropic ? 5 : 0))
        var compared = 0
        for trial in 0..<30 {
            var grid = Local.grid(&random, threeD: threeD, isotropic: isotropic)
            if !threeD && trial % 3 == 0 { grid.width = random.int(100...300) }  // rows of 2–5 words
            let gt = SurfaceEngineTests.blobs(grid, &random)
            let pred = Local.perturbed(gt, grid, &random)
            compared += Self.check(gt, pred, grid, corners: trial % 4 == 3)
        }
        #expect(compared > 2000)
    }

    @Test("a single pixel, image corners and edges, a class filling the image, one row, one column")
    func edgeCases() {
        let spacings: [(x: Double, y: Double, z: Double)] = [(1, 1, 1), (0.3, 2.5, 1.7), (2.5, 0.3, 0.9)]
        for spacing in spacings {
            for (w, h, d) in [(1, 1, 1), (70, 1, 1), (1, 70, 1), (65, 9, 1), (64, 64, 1), (130, 3, 1), (9, 7, 5), (66, 3, 4)] {
                let grid = SurfaceGrid(width: w, height: h, depth: d, spacing: spacing, dimensions: d > 1 ? 3 : 2)
                let n = grid.count
                let last = n - 1
                // Single pixels at opposite corners, at the first and last sample.
                var a = [UInt8](repeating: 0, count: n)
                var b = a
                a[0] = 1
                b[last] = 1
                Self.check(a, b, grid)
                Self.check(b, a, grid)
                // The same single pixel on both sides: distance 0.
                Self.check(a, a, grid)
                // A class filling the image against a pixel on the right edge.
                let full = [UInt8](repeating: 1, count: n)
                var edge = [UInt8](repeating: 0, count: n)
                edge[w - 1] = 1
                Self.check(full, edge, grid)
                // Left column against right column (the bits at both ends of the rows).
                var left = [UInt8](repeating: 0, count: n)
                var right = left
                for row in 0..<(h * d) {
                    left[row * w] = 1
                    right[row * w + w - 1] = 1
                }
                Self.check(left, right, grid)
                Self.check(left, right, grid, corners: true)
            }
        }
    }

    @Test("an empty side: +∞ from every query, nothing from an empty query set")
    func emptySides() {
        let engine = SurfaceDistanceEngine()
        engine.strategy = .rows
        let points = [LatticePoint(x: 3, y: 4, z: 0), LatticePoint(x: 0, y: 0, z: 0)]
        #expect(engine.distances(from: points, to: [], spacing: (1, 1, 1)) == [.infinity, .infinity])
        #expect(engine.distances(from: [], to: points, spacing: (1, 1, 1)).isEmpty)
        // 3·4·5 triangle along y and x; the same point: 0.
        #expect(engine.distances(from: points, to: [points[1]], spacing: (1, 1, 1)) == [5, 0])
        #expect(engine.distances(from: points, to: [points[1]], spacing: (2, 0.5, 1)) == [(36.0 + 4).squareRoot(), 0])
    }

    @Test("random point sets, dense and sparse, with ties, far apart: .rows and .automatic equal the k-d tree")
    func pointSets() {
        var random = Random(state: 4242)
        let engine = SurfaceDistanceEngine()
        for trial in 0..<300 {
            let threeD = trial % 2 == 1
            let extent = trial % 5 == 0 ? 400 : trial % 5 == 1 ? 90 : 24
            func points(_ n: Int, offset: Int) -> [LatticePoint] {
                (0..<n).map { _ in
                    LatticePoint(
                        x: Int32(offset + random.int(0...extent)), y: Int32(random.int(0...extent)),
                        z: threeD ? Int32(random.int(0...(extent / 3))) : 0)
                }
            }
            let queries = points(random.int(1...300), offset: 0)
            let features = points(random.int(1...40), offset: trial % 7 == 0 ? 500 : 0)
            let spacing =
                trial % 4 == 0
                ? (x: 0.7, y: 0.7, z: 0.7) : (x: 0.2 + random.unit() * 2, y: 0.2 + random.unit() * 2, z: 0.2 + random.unit() * 5)
            engine.strategy = .tree
            let expected = engine.distances(from: queries, to: features, spacing: spacing)
            for strategy in [SurfaceDistanceEngine.Strategy.rows, .automatic] {
                engine.strategy = strategy
                let got = engine.distances(from: queries, to: features, spacing: spacing)
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "trial \(trial) \(strategy)")
            }
        }
    }

    /// Sets the samples of `mask` inside the ellipse (ellipsoid in 3-D) centred at `c` with radii `r`.
    static func paint(
        _ mask: inout [UInt8], _ grid: SurfaceGrid, centre c: (Double, Double, Double), radii r: (Double, Double, Double)
    ) {
        for z in 0..<grid.depth {
            for y in 0..<grid.height {
                for x in 0..<grid.width {
                    let dx = (Double(x) - c.0) / r.0
                    let dy = (Double(y) - c.1) / r.1
                    let dz = grid.depth > 1 ? (Double(z) - c.2) / r.2 : 0
                    if dx * dx + dy * dy + dz * dz <= 1 { mask[(z * grid.height + y) * grid.width + x] = 1 }
                }
            }
        }
    }

    @Test(
        "far objects across many bands of rows: spurious and missed blobs far from the other side, strongly anisotropic spacing, 2-D and 3-D"
    )
    func farObjects() {
        var random = Random(state: 8181)
        let spacings: [(x: Double, y: Double, z: Double)] = [(1, 1, 1), (3, 0.2, 1), (0.2, 3, 1), (0.7, 1.3, 2.5)]
        var compared = 0
        for trial in 0..<24 {
            let threeD = trial % 4 == 3
            let spacing = spacings[(trial / 2) % 4]
            let grid =
                threeD
                ? SurfaceGrid(
                    width: random.int(20...70), height: random.int(60...120), depth: random.int(3...7), spacing: spacing)
                : SurfaceGrid(width: random.int(40...200), height: random.int(120...300), spacing: spacing)
            let w = Double(grid.width)
            let h = Double(grid.height)
            let d = Double(grid.depth)
            var gt = [UInt8](repeating: 0, count: grid.count)
            var pred = gt
            // A large object near one end on both sides (the second a little moved and wider).
            let r = (w / 4, h / 8, d / 2)
            Self.paint(&gt, grid, centre: (w / 2, h / 6, d / 2), radii: r)
            Self.paint(&pred, grid, centre: (w / 2 + 1, h / 6 + 1, d / 2), radii: (r.0 + 1, r.1, r.2))
            // A spurious object of the prediction and a missed one of the truth, far from everything
            // (many bands away), at random columns; sometimes a single sample.
            let far = (random.unit() * w, h - 2 - random.unit() * h / 4, random.unit() * d)
            Self.paint(&pred, grid, centre: far, radii: trial % 3 == 0 ? (0.4, 0.4, 0.4) : (w / 10 + 1, 3, 1.5))
            Self.paint(&gt, grid, centre: (random.unit() * w, h / 2 + random.unit() * h / 4, d / 2), radii: (4, 2 + h / 20, 1))
            if trial % 5 == 4 { pred = pred.map { 1 - $0 } }  // the complement: a long boundary at the edge
            compared += Self.check(gt, pred, grid)
            compared += Self.check(pred, gt, grid, corners: trial % 6 == 5)
        }
        #expect(compared > 10_000)
    }
}
