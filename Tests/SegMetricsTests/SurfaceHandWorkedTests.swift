import Foundation
import SegMetrics
import Testing

/// Boundary metrics on masks small enough to work out by hand.
@Suite struct SurfaceHandWorkedTests {
    @Test("metrics order, compare and hash by their case: report order, nine distinct keys, raw values kept")
    func metricIdentity() {
        let all = SurfaceMetric.allCases
        #expect(all.reversed().sorted() == all)
        #expect(Set(all).count == 9)
        for (i, a) in all.enumerated() {
            for (j, b) in all.enumerated() { #expect((a == b) == (i == j) && (a < b) == (i < j)) }
        }
        let keyed = Dictionary(uniqueKeysWithValues: all.map { ($0, $0.rawValue) })
        #expect(keyed[.asdPredToGt] == "asd_pred_to_gt" && keyed[.stdSD] == "std_sd" && keyed[.hd] == "hd")
    }

    /// A 2-D grid with the given foreground pixels (x, y).
    static func mask(_ grid: SurfaceGrid, _ pixels: [(Int, Int)]) -> [UInt8] {
        var m = [UInt8](repeating: 0, count: grid.count)
        for (x, y) in pixels { m[y * grid.width + x] = 1 }
        return m
    }

    static func measure(_ gt: [UInt8], _ pred: [UInt8], _ grid: SurfaceGrid, _ request: SurfaceRequest) -> SurfaceValues {
        gt.withUnsafeBufferPointer { g in
            pred.withUnsafeBufferPointer { p in SurfaceMeasure.compute(gt: g, pred: p, grid: grid, request: request) }
        }
    }

    @Test("NumPy's percentile takes the rank as (p/100)·(n−1), not (n−1)·p/100")
    func percentileRank() {
        // 0.95 is stored as 0.9499999999999999556; ×3 rounds to 2.8499999999999996447, so
        // t = 0.8499999999999996447 and b − (b − a)(1 − t) = 1 − 0.15000000000000035527.
        #expect(SurfaceStatistics.numpyPercentile(sorted: [0, 0, 0, 1], 95) == 0.8499999999999996)
        // (n−1)·p/100 = 285/100 = 2.85 exactly as a double would give 0.85.
        #expect(SurfaceStatistics.numpyPercentile(sorted: [0, 0, 0, 1], 95) != 0.85)
    }

    @Test("two single pixels with spacing (x 0.5, y 2): every base metric is √(1.5² + 8²)")
    func singlePixelsAnisotropic() {
        let grid = SurfaceGrid(width: 8, height: 8, spacing: (0.5, 2, 1))
        let gt = Self.mask(grid, [(1, 1)])
        let pred = Self.mask(grid, [(4, 5)])
        let d = 66.25.squareRoot()
        let values = Self.measure(gt, pred, grid, SurfaceRequest(metrics: Set(SurfaceMetric.allCases), tolerance: 8))
        for metric in [SurfaceMetric.hd, .hd95, .assd, .masd, .asdPredToGt, .asdGtToPred, .medianSD] {
            #expect(values[metric] == d, "\(metric)")
        }
        #expect(values[.stdSD] == 0)
        #expect(values[.nsd] == 0)
        #expect(Self.measure(gt, pred, grid, SurfaceRequest(metrics: [.nsd], tolerance: 8.2))[.nsd] == 1)
        #expect(values.undefined == nil)
    }

    @Test("DeepMind: a pixel's four corners, each weighted ½·√(sy² + sx²), distances corner to corner")
    func deepmindCorners() {
        let grid = SurfaceGrid(width: 8, height: 8, spacing: (0.5, 2, 1))
        let gt = Self.mask(grid, [(1, 1)])
        let pred = Self.mask(grid, [(4, 5)])
        // Prediction corners (4,5) (5,5) (4,6) (5,6) to the nearest ground-truth corner (2,2)
        // or (2,2)/(3,4)-symmetric: offsets (2,3) (3,3) (2,4) (3,4) in (x, y).
        let distances = [37.0, 38.25, 65, 66.25].map { $0.squareRoot() }
        let values = Self.measure(
            gt, pred, grid, SurfaceRequest(variant: .deepmind, metrics: [.hd, .hd95, .asdPredToGt, .masd, .nsd], tolerance: 7))
        #expect(values[.hd] == 66.25.squareRoot())
        #expect(values[.hd95] == 66.25.squareRoot())
        let mean = values[.asdPredToGt] ?? 0
        #expect(abs(mean - distances.reduce(0, +) / 4) <= 1e-12)
        #expect(abs((values[.masd] ?? 0) - mean) <= 1e-12)
        // √37 and √38.25 are within 7, √65 and √66.25 are not, on both sides.
        #expect(values[.nsd] == 0.5)
        let lengths = SurfaceAreaTables.contourLengths(sy: 2, sx: 0.5)
        #expect(lengths[1] == 0.5 * 4.25.squareRoot() && lengths[3] == 0.5 && lengths[5] == 2 && lengths[6] == 4.25.squareRoot())
        #expect(lengths[0] == 0 && lengths[15] == 0)
    }

    @Test("DeepMind's area of a one-voxel corner with spacing (z 2, y 1, x 0.5) is √(0.5² + 1² + 2²)/8")
    func deepmindArea() {
        let areas = SurfaceAreaTables.surfaceAreas(sz: 2, sy: 1, sx: 0.5)
        #expect(areas[1] == 5.25.squareRoot() / 8)
        #expect(areas[128] == 5.25.squareRoot() / 8)
        #expect(areas[0] == 0 && areas[255] == 0)
        // A face between two slices (codes 15 and 240): area sy·sx = 0.5, two triangles' halves.
        #expect(areas[15] == 0.5 && areas[240] == 0.5)
        #expect(SurfaceAreaTables.surfaceAreasFloat32(sz: 2, sy: 1, sx: 0.5)[15] == 0.5)
    }

    @Test("empty masks: NaN when both are, NSD 0 and undefined distances when one is, the diagonal on request")
    func emptyRules() {
        let grid = SurfaceGrid(width: 8, height: 8)
        let empty = [UInt8](repeating: 0, count: 64)
        let block = Self.mask(grid, [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3), (4, 3)])
        let all = Set(SurfaceMetric.allCases)
        let gtEmpty = Self.measure(empty, block, grid, SurfaceRequest(metrics: all, tolerance: 1))
        #expect(gtEmpty.undefined == .gtEmpty)
        #expect(gtEmpty[.hd]!.isNaN && gtEmpty[.assd]!.isNaN && gtEmpty[.nsd] == 0)
        let diagonal = Self.measure(block, empty, grid, SurfaceRequest(metrics: all, tolerance: 1, emptyRule: .diagonal))
        #expect(diagonal.undefined == .predEmpty)
        #expect(diagonal[.hd] == 128.0.squareRoot() && diagonal[.hd95] == 128.0.squareRoot() && diagonal[.stdSD] == 0)
        #expect(diagonal[.nsd] == 0)
        let both = Self.measure(empty, empty, grid, SurfaceRequest(metrics: all, tolerance: 1, emptyRule: .diagonal))
        #expect(both.undefined == .bothEmpty && both.values.values.allSatisfy(\.isNaN) && both.values.count == all.count)
        for variant in [SurfaceVariant.segMetrics, .segMetricsFace] {
            let values = Self.measure(empty, block, grid, SurfaceRequest(variant: variant, metrics: all))
            #expect(values.values.count == 5 && values.values.values.allSatisfy { $0 == 0 } && values.undefined == nil)
        }
        for variant in [SurfaceVariant.monai, .monaiSubvoxels, .deepmind] {
            #expect(Self.measure(block, empty, grid, SurfaceRequest(variant: variant, metrics: [.nsd], tolerance: 1))[.nsd] == 0)
        }
    }

    @Test("seg-metrics: the image edge is no boundary, and a mask filling the image has no contour")
    func segMetricsEdgeRule() {
        let grid = SurfaceGrid(width: 8, height: 8)
        let left4 = Self.mask(grid, (0..<8).flatMap { y in (0..<4).map { ($0, y) } })
        let left5 = Self.mask(grid, (0..<8).flatMap { y in (0..<5).map { ($0, y) } })
        // ITK contours: columns x = 3 and x = 4 only, one pixel apart: every distance is 1.
        for variant in [SurfaceVariant.segMetrics, .segMetricsFace] {
            let values = Self.measure(left4, left5, grid, SurfaceRequest(variant: variant, metrics: [.hd, .assd, .stdSD]))
            #expect(values[.hd] == 1 && values[.assd] == 1 && values[.stdSD] == 0)
        }
        // Base: 20 ground-truth boundary pixels (6 at distance 1), 22 predicted (8 at distance 1).
        #expect(Self.measure(left4, left5, grid, SurfaceRequest(metrics: [.assd]))[.assd] == 14.0 / 42)
        // A full ground truth has no contour: ITK's map keeps FLT_MAX, whose root in float32 is 2⁶⁴ − 2⁴⁰.
        let full = [UInt8](repeating: 1, count: 64)
        var holed = full
        holed[3 * 8 + 3] = 0
        let values = Self.measure(full, holed, grid, SurfaceRequest(variant: .segMetrics, metrics: [.hd, .assd, .stdSD]))
        #expect(values[.hd] == 18_446_742_974_197_923_840 && values[.assd] == 18_446_742_974_197_923_840)
        #expect(values[.stdSD] == 0)
    }

    @Test("NSD at a tolerance the float64 distance just exceeds: 3·0.1 > 0.3, but not in MONAI's float32")
    func toleranceEdge() {
        let grid = SurfaceGrid(width: 8, height: 4, spacing: (0.1, 0.1, 1))
        let gt = Self.mask(grid, [(1, 1)])
        let pred = Self.mask(grid, [(4, 1)])
        #expect(Self.measure(gt, pred, grid, SurfaceRequest(metrics: [.nsd], tolerance: 0.3))[.nsd] == 0)
        #expect(Self.measure(gt, pred, grid, SurfaceRequest(variant: .monai, metrics: [.nsd], tolerance: 0.3))[.nsd] == 1)
        #expect(Self.measure(gt, pred, grid, SurfaceRequest(metrics: [.hd]))[.hd] == 0.30000000000000004)
    }

    @Test("pooled against directed percentile: medpy's hd95 pools both directions, the base takes the larger")
    func pooledPercentile() {
        // Ground truth: one pixel; prediction: the same pixel and one 3 columns away. A = [0, 3]
        // (prediction → ground truth), B = [0]. Base: max(P95([0, 3]), P95([0])) = 0.95·3 rounded
        // as NumPy does; medpy: P95([0, 0, 3]) with rank 0.95·2 = 1.9: 0 + 3·0.9 → 3 − 3·0.1.
        let grid = SurfaceGrid(width: 8, height: 3)
        let gt = Self.mask(grid, [(1, 1)])
        let pred = Self.mask(grid, [(1, 1), (4, 1)])
        let base = Self.measure(gt, pred, grid, SurfaceRequest(metrics: [.hd95]))[.hd95] ?? 0
        let medpy = Self.measure(gt, pred, grid, SurfaceRequest(variant: .medpy, metrics: [.hd95]))[.hd95] ?? 0
        let q = 0.95
        let t: Double = q * 2 - 1
        let directed: Double = 3 - 3 * (1 - q)
        let pooled: Double = 3 - 3 * (1 - t)
        #expect(base == directed)
        #expect(medpy == pooled)
    }

    @Test("a 3-D grid of one slice: the faces above and below are image edges, so every voxel is boundary")
    func singleSliceVolume() {
        let grid = SurfaceGrid(width: 5, height: 5, depth: 1, spacing: (1, 1, 3), dimensions: 3)
        // 3×3 block vs the same block: in 2-D the centre would be interior; in 3-D it touches
        // the edge above and below, so both boundaries hold all 9 voxels and every distance is 0.
        let block = Self.mask(grid, (1...3).flatMap { y in (1...3).map { ($0, y) } })
        for variant in [SurfaceVariant.segscore, .medpy, .monai, .deepmind, .segMetrics] {
            let values = Self.measure(block, block, grid, SurfaceRequest(variant: variant, metrics: [.hd, .nsd], tolerance: 0))
            #expect(values[.hd] == 0, "\(variant)")
        }
        // One voxel against one 2 columns away: 2 in 3-D, as in 2-D.
        let a = Self.mask(grid, [(0, 2)])
        let b = Self.mask(grid, [(2, 2)])
        #expect(Self.measure(a, b, grid, SurfaceRequest(metrics: [.assd]))[.assd] == 2)
    }

    @Test("MONAI takes the maximum when the percentile is 0 (`if not percentile`), the base the minimum")
    func monaiPercentileZero() {
        let grid = SurfaceGrid(width: 8, height: 3)
        let gt = Self.mask(grid, [(1, 1)])
        let pred = Self.mask(grid, [(1, 1), (4, 1)])
        #expect(Self.measure(gt, pred, grid, SurfaceRequest(variant: .monai, metrics: [.hd95], percentile: 0))[.hd95] == 3)
        #expect(Self.measure(gt, pred, grid, SurfaceRequest(metrics: [.hd95], percentile: 0))[.hd95] == 0)
    }

    @Test("any nonzero byte is foreground: 255 and 7 give the values of 1 in every variant")
    func nonzeroIsForeground() {
        let grid = SurfaceGrid(width: 24, height: 20)
        let gt = Self.mask(grid, (3...14).flatMap { y in (2...11).map { ($0, y) } })
        let pred = Self.mask(grid, (5...16).flatMap { y in (4...19).map { ($0, y) } })
        for variant in SurfaceVariant.allCases {
            let request = SurfaceRequest(variant: variant, metrics: Set(SurfaceMetric.allCases), tolerance: 1.5)
            let ones = Self.measure(gt, pred, grid, request)
            let other = Self.measure(gt.map { $0 * 255 }, pred.map { $0 * 7 }, grid, request)
            #expect(ones == other, "\(variant)")
            #expect(!ones.values.isEmpty)
        }
    }
}
