import ArgumentParser
import Dispatch
import Foundation
import SegMetrics
import SegScore

/// `segscore-bench --surface`: what boundary metrics cost. On the generated PNG set: plain
/// `evaluate` against `evaluate --surface-metrics all` (median of alternated runs); per pair:
/// `SurfaceMeasure.compute` of every metric on one 512×512 binary pair (class 1 of pair 0) and on
/// a 128×256×256 pair of ellipsoids; with `--peer-python`, medpy's `hd95` on the same two pairs
/// (raw masks handed to `Benchmarks/surface_peers/medpy_times.py`), side by side.
enum SurfaceBench {
    static func run(
        dataset: Dataset, jobs: Int, runs: Int, out: String, peerPython: String?, peerScript: String,
        volume: (depth: Int, height: Int, width: Int) = (128, 256, 256), side: Int = 512
    ) throws {
        let request = SurfaceRequest(metrics: Set(SurfaceMetric.allCases), tolerance: 2)
        func evaluate(surface: Bool) throws -> Double {
            let start = DispatchTime.now()
            var options = EvaluationOptions(jobs: jobs)
            if surface {
                options.surface = SurfaceOptions(metrics: SurfaceVariant.segscore.definedMetrics.sorted(), tolerances: [2])
            }
            let result = try Evaluation.run(truth: dataset.truth, prediction: dataset.prediction, options: options)
            let written = EvaluationReport.write(
                result: result, bootstrap: Bootstrap(), json: out + "/report.json", csv: out + "/per-image.csv")
            if let failure = written.failures.first { throw failure }
            return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        }
        _ = try evaluate(surface: false)
        _ = try evaluate(surface: true)
        var plain: [Double] = []
        var surface: [Double] = []
        for _ in 0..<runs {
            plain.append(try evaluate(surface: false))
            surface.append(try evaluate(surface: true))
        }
        let a = median(plain)
        let b = median(surface)
        print("median of \(runs) alternated runs on \(dataset.pairs) pairs:")
        print(String(format: "  evaluate                          %8.3f s  %8.0f pairs/s", a, Double(dataset.pairs) / a))
        print(String(format: "  evaluate --surface-metrics all    %8.3f s  %8.0f pairs/s", b, Double(dataset.pairs) / b))
        print(String(format: "  ratio surface / plain: %.2f", b / a))

        // One 2-D binary pair (class 1 of pair 0) and one 3-D pair.
        let (gt2, pred2) = Dataset.generatePair(index: 0, side: side, classes: 4)
        let flat = (gt2.map { $0 == 1 ? UInt8(1) : 0 }, pred2.map { $0 == 1 ? UInt8(1) : 0 })
        let (d, h, w) = volume
        let masks = ellipsoids(depth: d, height: h, width: w)
        let cases: [(name: String, gt: [UInt8], pred: [UInt8], grid: SurfaceGrid, shape: String)] = [
            ("\(side)x\(side) binary pair", flat.0, flat.1, SurfaceGrid(width: side, height: side), "\(side),\(side)"),
            ("\(d)x\(h)x\(w) volume", masks.0, masks.1, SurfaceGrid(width: w, height: h, depth: d), "\(d),\(h),\(w)"),
        ]
        print("per pair, every metric (hd, hd95, assd, masd, asd, nsd, median_sd, std_sd), one thread:")
        for c in cases {
            let repeats = c.grid.depth > 1 ? 3 : 10
            var times: [Double] = []
            var check = 0.0
            for _ in 0..<repeats {
                let start = DispatchTime.now()
                let values = c.gt.withUnsafeBufferPointer { g in
                    c.pred.withUnsafeBufferPointer { p in SurfaceMeasure.compute(gt: g, pred: p, grid: c.grid, request: request) }
                }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
                check += values[.hd95] ?? 0
            }
            print(
                String(
                    format: "  segscore %-22@ %8.4f s  (hd95 %.4f)", c.name as NSString, median(times), check / Double(repeats)))
            guard let peerPython else { continue }
            let gtPath = out + "/peer_gt.raw"
            let predPath = out + "/peer_pred.raw"
            try Data(c.gt).write(to: URL(fileURLWithPath: gtPath))
            try Data(c.pred).write(to: URL(fileURLWithPath: predPath))
            print("  " + (try peer(peerPython, script: peerScript, arguments: [gtPath, predPath, c.shape, String(repeats)])))
        }
    }

    /// Two overlapping ellipsoids in a depth × height × width volume (x fastest).
    static func ellipsoids(depth: Int, height: Int, width: Int) -> ([UInt8], [UInt8]) {
        var gt = [UInt8](repeating: 0, count: depth * height * width)
        var pred = gt
        for z in 0..<depth {
            for y in 0..<height {
                for x in 0..<width {
                    func inside(_ cx: Double, _ cy: Double, _ cz: Double, _ r: (Double, Double, Double)) -> Bool {
                        let dx = (Double(x) - cx) / r.0
                        let dy = (Double(y) - cy) / r.1
                        let dz = (Double(z) - cz) / r.2
                        return dx * dx + dy * dy + dz * dz <= 1
                    }
                    let i = (z * height + y) * width + x
                    let (sx, sy, sz) = (Double(width) / 256, Double(height) / 256, Double(depth) / 128)
                    if inside(128 * sx, 128 * sy, 64 * sz, (80 * sx, 60 * sy, 40 * sz)) { gt[i] = 1 }
                    if inside(132 * sx, 125 * sy, 66 * sz, (76 * sx, 64 * sy, 38 * sz)) { pred[i] = 1 }
                }
            }
        }
        return (gt, pred)
    }

    static func peer(_ python: String, script: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }
}

extension SegScoreBench {
    /// `--volume DxHxW`.
    func volumeSize() throws -> (depth: Int, height: Int, width: Int) {
        let parts = volume.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--volume takes DxHxW, e.g. 128x256x256")
        }
        return (parts[0], parts[1], parts[2])
    }
}
