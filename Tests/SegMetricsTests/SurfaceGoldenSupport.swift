import Foundation
import MaskIO
import SegMetrics
import SegScoreTestSupport

/// One case of `Fixtures/golden/surface/surface-cases.json` (a copy of the spec's
/// `golden/surface-cases.json`): two binary masks, the grid, and what each library returned.
struct SurfaceGoldenCase {
    var name: String
    var grid: SurfaceGrid
    var gt: [UInt8]
    var pred: [UInt8]
    var results: [[String: Any]]

    static let folder = Fixtures.url("golden/surface")
    /// The spec's folder beside the project (research-only masks: DRIVE, CamVid).
    static let sharedFolder = Fixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/spec/golden")

    /// The cases whose masks are inline or under `folders` (tried in order); the others are skipped.
    static func load(from folders: [URL], only names: Set<String>? = nil) throws -> [SurfaceGoldenCase] {
        let data = try Data(contentsOf: folder.appendingPathComponent("surface-cases.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var cases: [SurfaceGoldenCase] = []
        for raw in root["cases"] as! [[String: Any]] {
            let name = raw["name"] as! String
            if let names, !names.contains(name) { continue }
            guard let gt = try mask(raw["gt"]!, folders), let pred = try mask(raw["pred"]!, folders) else { continue }
            let shape = raw["shape"] as! [Int]
            let spacing = raw["spacing"] as! [Double]
            let grid =
                shape.count == 3
                ? SurfaceGrid(
                    width: shape[2], height: shape[1], depth: shape[0], spacing: (spacing[2], spacing[1], spacing[0]),
                    dimensions: 3)
                : SurfaceGrid(width: shape[1], height: shape[0], spacing: (spacing[1], spacing[0], 1), dimensions: 2)
            precondition(gt.count == grid.count && pred.count == grid.count, "\(name): mask size")
            cases.append(
                SurfaceGoldenCase(name: name, grid: grid, gt: gt, pred: pred, results: raw["results"] as! [[String: Any]]))
        }
        return cases
    }

    /// An inline nested list, or a PNG/TIFF file (foreground = nonzero); nil when the file is absent.
    private static func mask(_ value: Any, _ folders: [URL]) throws -> [UInt8]? {
        if let file = (value as? [String: Any])?["file"] as? String {
            for folder in folders {
                let path = folder.appendingPathComponent(file).path
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let decoded = try MaskDecoder().decode(path: path)
                return (0..<decoded.pixelCount).map { decoded.samples[$0 * decoded.channels] != 0 ? 1 : 0 }
            }
            return nil
        }
        func flatten(_ v: Any) -> [UInt8] {
            if let list = v as? [Any] { return list.flatMap(flatten) }
            return (v as! NSNumber).doubleValue != 0 ? [1] : [0]
        }
        return flatten(value)
    }
}

/// What one golden entry means in segscore's terms, and the value segscore gives for it.
enum SurfaceGoldenAdapter {
    /// The preset an entry belongs to (for the tally), or nil when segscore does not claim it.
    static func preset(_ entry: [String: Any]) -> String {
        let library = entry["library"] as! String
        let metric = entry["metric"] as! String
        switch library {
        case "medpy": return metric == "hd95_connectivity2" ? "medpy (connectivity=2)" : "medpy"
        case "medpy0.4.0": return "segscore masd (medpy 0.4.0 assd)"
        case "monai": return metric.hasSuffix("_subvoxels") ? "monai-subvoxels" : "monai"
        case "deepmind": return "deepmind"
        default: return metric.hasSuffix("_fully_connected_false") ? "seg-metrics-face" : "seg-metrics"
        }
    }

    /// The expected value: NaN for inf, NaN or an exception (undefined). DeepMind's calls that
    /// fail under NumPy 2 (`np.Inf`) are checked against their NumPy 1 result.
    static func expected(_ entry: [String: Any]) -> Double {
        let raw = entry["result_numpy1"] ?? entry["result"]!
        if let number = raw as? NSNumber { return number.doubleValue.isFinite ? number.doubleValue : .nan }
        return .nan
    }

    /// Relative tolerance: 1e-9 for float64 libraries, 1e-6 for float32 ones.
    static func tolerance(_ entry: [String: Any]) -> Double {
        ["monai", "seg-metrics"].contains(entry["library"] as! String) ? 1e-6 : 1e-9
    }

    /// segscore's value for the entry, through `SurfaceWorkspace` (`compute` is `prepare` then
    /// `values`); `cache` holds the case's prepared distances per variant.
    static func actual(_ c: SurfaceGoldenCase, _ entry: [String: Any], cache: inout [SurfaceVariant: SurfacePrepared]) -> Double {
        let library = entry["library"] as! String
        var metricName = entry["metric"] as! String
        var tolerance: Double?
        if metricName.hasPrefix("nsd@") {
            let body = metricName.dropFirst(4).replacingOccurrences(of: "_subvoxels", with: "")
            tolerance = Double(body)
            metricName = "nsd"
        }
        let variant: SurfaceVariant
        let metric: SurfaceMetric
        switch (library, metricName) {
        case ("medpy", "hd95_connectivity2"):
            return c.directedValue { gt, pred, grid, engine in
                let d = SurfacePresets.centreDistances(
                    gt: gt, pred: pred, grid: grid, engine: engine, neighbourhood: grid.dimensions == 3 ? .faceEdge : .full)
                return SurfacePresets.medpy(d, request: SurfaceRequest(variant: .medpy, metrics: [.hd95]), metric: .hd95)
            }
        case ("monai", "hd_directed_pred_to_gt"), ("monai", "hd95_directed_pred_to_gt"):
            let which: SurfaceMetric = metricName.hasPrefix("hd95") ? .hd95 : .hd
            guard case .directed(var d) = c.prepared(.monai, cache: &cache) else { return .nan }
            d.b = d.a
            return SurfacePresets.monai(d, request: SurfaceRequest(variant: .monai, metrics: [which]), metric: which) ?? -1
        case ("medpy0.4.0", "assd"): (variant, metric) = (.segscore, .masd)
        case ("deepmind", "assd_mean_of_directed (derived)"): (variant, metric) = (.deepmind, .masd)
        case ("seg-metrics", let m):
            variant = m.hasSuffix("_fully_connected_false") ? .segMetricsFace : .segMetrics
            let base = m.replacingOccurrences(of: "_fully_connected_false", with: "")
            metric = ["hd": .hd, "hd95": .hd95, "msd": .assd, "mdsd": .medianSD, "stdsd": .stdSD][base]!
        case (_, let m):
            let presets: [String: SurfaceVariant] = ["medpy": .medpy, "monai": .monai, "deepmind": .deepmind]
            variant = (entry["metric"] as! String).hasSuffix("_subvoxels") ? .monaiSubvoxels : presets[library]!
            metric = SurfaceMetric(rawValue: m)!
        }
        let request = SurfaceRequest(variant: variant, metrics: [metric], tolerance: tolerance)
        let values = SurfaceWorkspace().values(of: c.prepared(variant, cache: &cache), grid: c.grid, request: request)
        return values[metric] ?? -1
    }
}

extension SurfaceGoldenCase {
    /// The variant's distances, computed once per case.
    func prepared(_ variant: SurfaceVariant, cache: inout [SurfaceVariant: SurfacePrepared]) -> SurfacePrepared {
        if let prepared = cache[variant] { return prepared }
        let prepared = gt.withUnsafeBufferPointer { g in
            pred.withUnsafeBufferPointer { p in SurfaceWorkspace().prepare(gt: g, pred: p, grid: grid, variant: variant) }
        }
        cache[variant] = prepared
        return prepared
    }

    /// A value from the package-level distances; NaN when a mask is empty (the library's
    /// directed values are then inf or NaN).
    func directedValue(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, SurfaceGrid, SurfaceDistanceEngine) -> Double?
    ) -> Double {
        if !gt.contains(1) || !pred.contains(1) { return .nan }
        let value = gt.withUnsafeBufferPointer { g in
            pred.withUnsafeBufferPointer { p in body(g, p, grid, SurfaceDistanceEngine()) }
        }
        return value.map { $0.isFinite ? $0 : .nan } ?? -1
    }
}
