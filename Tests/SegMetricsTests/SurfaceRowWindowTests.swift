import Foundation
import SegMetrics
import Testing

/// The 7×7 window of the 2-D row search (`SurfaceRowWindow`): its rings worked out by hand, and
/// the search with it equal to the k-d tree and the brute force bit for bit where windows cross
/// words, rows and the padded box's edges, and where a feature outside the window is nearer.
@Suite struct SurfaceRowWindowTests {
    typealias Random = SurfaceEngineTests.Random

    @Test("rings of unit spacing: squared distances 0, 1, 2, 4, 5, 8, 9, 10, 13 (not 16 and up)")
    func isotropicRings() {
        let rings = SurfaceRowWindow(spacing: (1, 1, 1))
        #expect(rings.values == [0, 1, 2, 4, 5, 8, 9, 10, 13])
        #expect(rings.masks.map(\.nonzeroBitCount) == [1, 4, 4, 4, 8, 4, 4, 8, 8])
        // Bit 7k + j is Δy = k − 3, Δx = j − 3: the centre is bit 24, its row neighbours 23 and 25.
        #expect(rings.masks[0] == 1 << 24)
        #expect(rings.masks[1] == (1 << 17 | 1 << 23 | 1 << 25 | 1 << 31))
    }

    @Test("rings of spacing x 1, y 0.5: only values up to (4·0.5)² = 4, the window's nearest outside")
    func anisotropicRings() {
        let rings = SurfaceRowWindow(spacing: (1, 0.5, 1))
        #expect(rings.values == [0, 0.25, 1, 1.25, 2, 2.25, 3.25, 4])
        #expect(rings.masks.map(\.nonzeroBitCount) == [1, 2, 4, 4, 4, 2, 4, 2])
    }

    @Test("a feature outside the window nearer than one inside it (spacing x 0.1, y 1)")
    func outsideIsNearer() {
        let engine = SurfaceDistanceEngine()
        let query = [LatticePoint(x: 10, y: 10, z: 0)]
        let features = [LatticePoint(x: 15, y: 10, z: 0), LatticePoint(x: 10, y: 11, z: 0)]
        for strategy in [SurfaceDistanceEngine.Strategy.rows, .automatic, .tree] {
            engine.strategy = strategy
            let d = engine.distances(from: query, to: features, spacing: (0.1, 1, 1))
            #expect(abs(d[0] - 0.5) < 1e-12, "\(strategy)")
        }
        engine.strategy = .rows
        // The same with unit spacing: the feature below (distance 1) is in the window.
        #expect(engine.distances(from: query, to: features, spacing: (1, 1, 1)) == [1])
    }

    @Test("every query of a region against sparse features around word boundaries, widths 63, 64, 65, 128, 200")
    func wordBoundaries() {
        var random = Random(state: 6363)
        let engine = SurfaceDistanceEngine()
        let spacings: [(x: Double, y: Double, z: Double)] = [(1, 1, 1), (0.7, 0.7, 1), (0.3, 1.9, 1), (2.2, 0.45, 1)]
        for width in [63, 64, 65, 128, 200] {
            for (s, spacing) in spacings.enumerated() {
                let height = 12 + s
                var queries: [LatticePoint] = []
                for y in 0..<height {
                    for x in 0..<width { queries.append(LatticePoint(x: Int32(x), y: Int32(y), z: 0)) }
                }
                for trial in 0..<6 {
                    // Features near the word boundaries and the edges, 1 to 12 of them.
                    let columns = [0, 1, 2, 3, 60, 61, 62, 63, 64, 65, 66, 67, 125, 126, 127, 128, 129, width - 1]
                        .filter { $0 < width }
                    let features = (0..<random.int(1...12)).map { _ in
                        LatticePoint(
                            x: Int32(columns[random.int(0...(columns.count - 1))]), y: Int32(random.int(0...(height - 1))),
                            z: 0)
                    }
                    engine.strategy = .tree
                    let expected = engine.distances(from: queries, to: features, spacing: spacing)
                    for strategy in [SurfaceDistanceEngine.Strategy.rows, .automatic] {
                        engine.strategy = strategy
                        let got = engine.distances(from: queries, to: features, spacing: spacing)
                        #expect(
                            got.map(\.bitPattern) == expected.map(\.bitPattern),
                            "width \(width) spacing \(spacing) trial \(trial) \(strategy)")
                    }
                }
            }
        }
    }

    @Test("masks of widths 63, 64, 65, 128 with boundaries 0–5 samples apart, single pixels, full images")
    func masks() {
        var random = Random(state: 6464)
        let spacings: [(x: Double, y: Double, z: Double)] = [(1, 1, 1), (0.5, 1.5, 1), (1.5, 0.5, 1), (0.1, 1, 1)]
        var compared = 0
        for width in [63, 64, 65, 128] {
            for spacing in spacings {
                let grid = SurfaceGrid(width: width, height: random.int(5...40), spacing: spacing)
                let gt = SurfaceEngineTests.blobs(grid, &random)
                // The prediction: the truth shifted by 0–5 columns and 0–2 rows, a few pixels flipped.
                let (sx, sy) = (random.int(0...5), random.int(0...2))
                var pred = [UInt8](repeating: 0, count: grid.count)
                for y in 0..<grid.height {
                    for x in 0..<width where x >= sx && y >= sy {
                        pred[y * width + x] = gt[(y - sy) * width + x - sx]
                    }
                }
                for _ in 0..<3 { pred[random.int(0...(grid.count - 1))] ^= 1 }
                compared += SurfaceRowSearchTests.check(gt, pred, grid)
                // A single pixel against the full image, and the full image against itself.
                var one = [UInt8](repeating: 0, count: grid.count)
                one[random.int(0...(grid.count - 1))] = 1
                let full = [UInt8](repeating: 1, count: grid.count)
                compared += SurfaceRowSearchTests.check(one, full, grid)
                compared += SurfaceRowSearchTests.check(full, full, grid)
            }
        }
        #expect(compared > 3000)
    }
}
