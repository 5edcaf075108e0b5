import ArgumentParser
import DatasetScan
import Foundation
import MaskIO
import MaskIOTesting
import Parallel
import SegMetrics

/// A generated dataset: blob-shaped label maps and predictions with boundary errors, missed and
/// spurious objects, the same for the same parameters on every machine.
struct Dataset {
    var truth: String
    var prediction: String
    var pairs: Int
    var bytes: Int

    func files() throws -> [String] {
        let (a, b) = DirectoryWalk.list(truth, prediction)
        return try a.get().files.map(\.path) + b.get().files.map(\.path)
    }

    static func prepare(
        root: String, pairs: Int, side: Int, classes: Int, format: SegScoreBench.Format,
        compression: SegScoreBench.TIFFCompression = .lzw, jobs: Int
    ) throws -> Dataset {
        let truth = root + "/gt"
        let prediction = root + "/pred"
        let stamp = root + "/DATASET"
        let tiff = format == .tiff ? " compression=\(compression.rawValue)" : ""
        let description = "pairs=\(pairs) side=\(side) classes=\(classes) format=\(format.rawValue)\(tiff) generator=2"
        let fm = FileManager.default
        if (try? String(contentsOfFile: stamp, encoding: .utf8)) != description {
            try? fm.removeItem(atPath: root)
            try fm.createDirectory(atPath: truth, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: prediction, withIntermediateDirectories: true)
            let failure = Locked<String?>(nil)
            Parallel.forEach(count: pairs, jobs: jobs) { index in
                let (gt, pred) = generatePair(index: index, side: side, classes: classes)
                let name = String(format: "case_%05d", index) + (format == .tiff ? ".tif" : ".png")
                let container: MaskEncoder.Container
                switch format {
                case .png, .nifti: container = .png8
                case .palette: container = .palettePNG
                case .png16: container = .png16
                case .tiff:
                    container =
                        compression == .lzw ? .tiffLZW(bits: 8, rowsPerStrip: 16) : .tiffDeflate(bits: 8, rowsPerStrip: 16)
                }
                do {
                    try MaskEncoder.write(labels: gt, width: side, height: side, as: container, to: truth + "/" + name)
                    try MaskEncoder.write(labels: pred, width: side, height: side, as: container, to: prediction + "/" + name)
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
            }
            if let message = failure.withLock({ $0 }) { throw ValidationError(message) }
            try description.write(toFile: stamp, atomically: true, encoding: .utf8)
        }
        return Dataset(truth: truth, prediction: prediction, pairs: pairs, bytes: try folderBytes([truth, prediction]))
    }

    /// The total size of the files directly inside `folders`.
    static func folderBytes(_ folders: [String]) throws -> Int {
        let fm = FileManager.default
        var bytes = 0
        for folder in folders {
            for name in try fm.contentsOfDirectory(atPath: folder) {
                bytes += (try fm.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0
            }
        }
        return bytes
    }

    /// One ground truth with 12–27 elliptic blobs of classes 1…K−1, and its prediction: every blob
    /// 2 px larger or smaller (boundary errors), one in eight missed, three spurious blobs.
    static func generatePair(index: Int, side: Int, classes: Int) -> ([UInt16], [UInt16]) {
        var random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ 17)
        var truth = [UInt16](repeating: 0, count: side * side)
        var prediction = truth
        let scale = Double(side) / 512
        let blobs = 12 + random.index(below: 16)
        for _ in 0..<blobs {
            let label = UInt16(1 + random.index(below: max(1, classes - 1)))
            let cx = Double(random.index(below: side))
            let cy = Double(random.index(below: side))
            let rx = (8 + Double(random.index(below: 48))) * scale
            let ry = (8 + Double(random.index(below: 48))) * scale
            fill(&truth, side: side, cx: cx, cy: cy, rx: rx, ry: ry, label: label)
            if random.index(below: 8) == 0 { continue }  // missed
            let grow = (random.index(below: 2) == 0 ? 2.0 : -2.0) * scale
            fill(&prediction, side: side, cx: cx + 1, cy: cy, rx: max(1, rx + grow), ry: max(1, ry + grow), label: label)
        }
        for _ in 0..<3 {
            let label = UInt16(1 + random.index(below: max(1, classes - 1)))
            fill(
                &prediction, side: side, cx: Double(random.index(below: side)), cy: Double(random.index(below: side)),
                rx: 10 * scale, ry: 7 * scale, label: label)
        }
        return (truth, prediction)
    }

    static func fill(_ image: inout [UInt16], side: Int, cx: Double, cy: Double, rx: Double, ry: Double, label: UInt16) {
        let y0 = max(0, Int(cy - ry))
        let y1 = min(side - 1, Int(cy + ry))
        let x0 = max(0, Int(cx - rx))
        let x1 = min(side - 1, Int(cx + rx))
        guard y0 <= y1, x0 <= x1 else { return }
        for y in y0...y1 {
            let dy = (Double(y) - cy) / ry
            for x in x0...x1 {
                let dx = (Double(x) - cx) / rx
                if dx * dx + dy * dy <= 1 { image[y * side + x] = label }
            }
        }
    }
}
