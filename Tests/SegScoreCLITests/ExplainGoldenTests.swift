import Foundation
import SegScoreTestSupport
import Testing

/// `segscore explain` on golden cases written to PNG files, against what each library gave.
@Suite struct ExplainGoldenTests {
    static let cases = [
        "bin_perfect_2d", "bin_disjoint_2d", "bin_partial_2d", "bin_both_empty_2d", "bin_gt_empty_pred_nonempty_2d",
        "bin_gt_nonempty_pred_empty_2d", "bin_tiny_2d", "bin_full_2d", "lm_k3_all_present", "lm_k4_absent_in_gt",
        "lm_k5_absent_both", "lm_all_background",
    ]

    /// Which golden entry each explain variant reproduces, by source, impl prefix and settings.
    static func entry(for variant: String, in results: [[String: Any]], binary: Bool) -> [String: Any]? {
        results.first { r in
            let source = r["source"] as! String
            let impl = r["impl"] as! String
            let settings = r["settings"] as? [String: Any] ?? [:]
            switch variant {
            case "hard": return source == "ours" && r["variant"] as? String == "hard" && settings["empty"] as? String == "nan"
            case "keras":
                return source == "ours" && r["variant"] as? String == "soft" && settings["smooth_dr"] as? Double == 1e-7
                    && (settings["reduction"] as? String)?.hasPrefix("per class") == true
            case "vnet":
                return source == "ours" && r["variant"] as? String == "soft-squared" && settings["smooth"] as? Double == 0
            case "evaluate-segmentation": return source == "ours" && r["variant"] as? String == "fuzzy"
            case "medpy": return source == "medpy"
            case "miseval": return impl.hasPrefix("miseval.calc_DSC (")
            case "seg-metrics": return source == "seg-metrics"
            case "nnunet-eval": return impl.hasPrefix("nnunetv2.evaluation")
            case "monai-loss":
                return impl == "monai.losses.DiceLoss" && settings.count == 3 && settings["smooth_nr"] as? Double == 1e-5
                    && settings["include_background"] as? Bool == true
            case "monai-metric":
                return binary
                    ? impl.hasPrefix("monai.metrics.compute_dice(two-channel") && settings["include_background"] as? Bool == true
                        && settings["ignore_empty"] as? Bool == true
                    : impl.hasPrefix("monai.metrics.DiceMetric (one-hot") && settings["include_background"] as? Bool == true
                        && settings["ignore_empty"] as? Bool == true
            case "torchmetrics":
                return impl == "torchmetrics.segmentation.DiceScore(input_format='one-hot')"
                    && settings["average"] as? String == "none"
                    && settings["include_background"] as? Bool == true
                    && (settings["pred_dtype"] as? String)?.hasPrefix("int") == true
            default: return false
            }
        }
    }

    @Test func explainReproducesTheLibrariesOnGoldenCases() throws {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("golden/cases.json"))) as! [String: Any]
        let folder = try TemporaryFolder("explain-golden")
        defer { folder.remove() }
        var compared = 0
        for raw in root["cases"] as! [[String: Any]] where Self.cases.contains(raw["id"] as! String) {
            let id = raw["id"] as! String
            let shape = raw["shape"] as! [Int]
            func flat(_ value: Any) -> [UInt8] {
                (value as! [[NSNumber]]).flatMap { $0.map { UInt8($0.intValue) } }
            }
            let gt = folder.url("\(id)_gt.png")
            let pred = folder.url("\(id)_pred.png")
            try TestMasks.png(width: shape[1], height: shape[0], values: flat(raw["gt"]!), to: gt)
            try TestMasks.png(width: shape[1], height: shape[0], values: flat(raw["pred"]!), to: pred)
            let binary = (raw["kind"] as! String) == "binary"
            let results = raw["results"] as! [[String: Any]]
            let labels =
                binary
                ? [0, 1]
                : (results.first { $0["per_class"] != nil }!["per_class"] as! [String: Any]).keys.map { Int($0)! }.sorted()
            let output = try BinaryRunner.run([
                "explain", "--gt", gt.path, "--pred", pred.path, "--classes", labels.map(String.init).joined(separator: ","),
                "--json",
            ])
            #expect(output.status == 0, "\(id): \(output.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
            let ids = (report["classes"] as! [[String: Any]]).map { $0["id"] as! Int }
            for variant in report["variants"] as! [[String: Any]] {
                let name = variant["name"] as! String
                guard let entry = Self.entry(for: name, in: results, binary: binary),
                    let expected = entry["per_class"] as? [String: Any]
                else { continue }
                let values = (variant["values"] as! [Any]).map { ($0 as? Double) ?? .nan }
                for (key, value) in expected {
                    guard let position = ids.firstIndex(of: Int(key)!) else { continue }
                    let e = (value as? Double) ?? .nan
                    let a = values[position]
                    let same = (e.isNaN && a.isNaN) || abs(a - e) <= 1e-6 * max(abs(e), name == "monai-loss" ? 1 : 0) + 1e-9
                    #expect(same, "\(id) \(name) class \(key): explain \(a), library \(e)")
                    compared += 1
                }
            }
        }
        #expect(compared > 150)
    }
}
