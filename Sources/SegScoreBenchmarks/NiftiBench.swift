import ArgumentParser
import Dispatch
import Foundation
import MaskIO
import Parallel
import SegMetrics

/// `segscore-bench --format nifti`: 3-D `.nii.gz` label volumes in nnU-Net's layout, timed, on the
/// same files and alternately: (a) `segscore evaluate --variant nnunet-eval --labels dataset.json`
/// (the binary, as a user runs it), (c) the C loop that only inflates the same files
/// (Benchmarks/gunzip_limit: libdeflate's gzip call, CRC by libdeflate_crc32), (f) the same loop
/// inflating as segscore does files up to 256 MiB (libdeflate's deflate call, CRC by segscore's
/// `cmask_crc32`), (z) the same loop with zlib's streaming inflate, (p) not a gunzip-only loop but
/// the floor of counting pairs in C (each pair inflated as (f) does, then both CRCs checked and the
/// joint histogram counted in one pass, as segscore's pair path does: what segscore adds beyond
/// it is its own overhead), and (n) nnunetv2's `compute_metrics_on_folder`
/// (Benchmarks/nnunet_folder/compute_metrics.py: SimpleITK reader, nnU-Net's default processes).
struct NiftiBench {
    var pairs: Int
    var side: Int
    var depth: Int
    var classes: Int
    var jobs: Int
    var runs: Int
    var root: String
    var segscore: String
    var gunzip: String?
    var python: String?
    var script: String

    func run() throws {
        let dataset = try prepare()
        print(
            "dataset: \(pairs) pairs of \(side)x\(side)x\(depth) uint8 .nii.gz, \(classes) classes, "
                + String(format: "%.1f MB", Double(dataset.bytes) / 1e6) + " in \(root)")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, segscore jobs \(jobs)")
        let out = NSTemporaryDirectory() + "segscore-bench-nifti-\(getpid())"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }

        // Warm-up: the page cache holds the files for every contender.
        _ = try timeSegscore(dataset, out: out)
        if let gunzip { _ = try timeGunzip(gunzip, dataset) }
        var times: [String: [Double]] = [:]
        var nnunetNote = ""
        // One of each per round, the order rotated from round to round: whatever runs right after
        // the long zlib loop (2.5 s on both cores) ran slower on the bench machine, so no
        // contender is always the one that follows it. nnU-Net runs apart (below).
        var contenders: [(String, () throws -> Double)] = []
        if let gunzip {
            contenders.append(("c", { try timeGunzip(gunzip, dataset) }))
            contenders.append(("f", { try timeGunzip(gunzip, dataset, flag: "-f") }))
            contenders.append(("z", { try timeGunzip(gunzip, dataset, flag: "-z") }))
            // The fused check-and-count needs AVX-512 VPCLMULQDQ (gunzip_limit -p exits 2 without).
            if PlacedSamples.countsChecked {
                contenders.append(("p", { try timeGunzip(gunzip, dataset, flag: "-p") }))
            }
        }
        contenders.append(("a", { try timeSegscore(dataset, out: out) }))
        for round in 0..<runs {
            for index in 0..<contenders.count {
                let (name, time) = contenders[(round + index) % contenders.count]
                times[name, default: []].append(try time())
            }
            // nnU-Net last in each round, then a pause: its worker processes and memory were still
            // being released when the next contender started (segscore ran 3× slower after it).
            if let python {
                let (seconds, note) = try timeNnUNet(python, dataset, out: out)
                times["n", default: []].append(seconds)
                nnunetNote = note
                Thread.sleep(forTimeInterval: 3)
            }
        }
        let megabytes = Double(dataset.bytes) / 1e6
        func line(_ name: String, _ t: Double) -> String {
            String(format: "%-44@ %8.3f s  %7.1f pairs/s  %7.1f MB/s", name as NSString, t, Double(pairs) / t, megabytes / t)
        }
        print("median of \(runs) alternated runs:")
        let a = median(times["a"] ?? [])
        if let c = times["c"].map(median) { print(line("(c) C gunzip-only loop (libdeflate, \(jobs) thr.)", c)) }
        if let f = times["f"].map(median) { print(line("(f) C gunzip-only loop (segscore's, \(jobs) thr.)", f)) }
        if let z = times["z"].map(median) { print(line("(z) C gunzip-only loop (zlib, \(jobs) threads)", z)) }
        if let p = times["p"].map(median) { print(line("(p) C pair floor: inflate, check and count", p)) }
        print(line("(a) segscore evaluate --variant nnunet-eval", a))
        if let n = times["n"].map(median) { print(line("(n) nnunetv2 compute_metrics_on_folder", n)) }
        if let c = times["c"].map(median) {
            print(String(format: "ratio a/c (segscore / libdeflate gunzip-only): %.3f", a / c))
        }
        if let f = times["f"].map(median) {
            print(String(format: "ratio a/f (segscore / its own gunzip-only):    %.3f", a / f))
        }
        if let z = times["z"].map(median) { print(String(format: "ratio a/z (segscore / zlib gunzip-only):       %.3f", a / z)) }
        if let fastest = ["c", "f", "z"].compactMap({ times[$0].map(median) }).min() {
            print(String(format: "ratio against the fastest gunzip-only loop:   %.3f (goal: at most 1.2)", a / fastest))
        }
        if let p = times["p"].map(median), let f = times["f"].map(median) {
            print(String(format: "ratio p/f (the C pair floor / its own gunzip-only): %.3f", p / f))
            print(String(format: "ratio a/p (segscore / the C pair floor):            %.3f", a / p))
        }
        if let n = times["n"].map(median) { print(String(format: "ratio n/a (nnU-Net / segscore):      %.2f", n / a)) }
        if !nnunetNote.isEmpty { print("nnU-Net: \(nnunetNote)") }
    }

    struct Files {
        var truth: String
        var prediction: String
        var labels: String
        var bytes: Int
    }

    /// Generates the volumes once (a stamp file records the parameters), gzip-compressed by
    /// `gzip -6 -n` (the level SimpleITK and nibabel's writers are near), with a dataset.json.
    func prepare() throws -> Files {
        let truth = root + "/labelsTs"
        let prediction = root + "/predictions"
        let labels = root + "/dataset.json"
        let stamp = root + "/DATASET"
        let description = "nifti pairs=\(pairs) side=\(side) depth=\(depth) classes=\(classes) generator=1"
        let fm = FileManager.default
        if (try? String(contentsOfFile: stamp, encoding: .utf8)) != description {
            try? fm.removeItem(atPath: root)
            try fm.createDirectory(atPath: truth, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: prediction, withIntermediateDirectories: true)
            let names = (1..<classes).map { "\"class \($0)\": \($0)" }.joined(separator: ", ")
            try "{\"labels\": {\"background\": 0, \(names)}, \"file_ending\": \".nii.gz\"}\n".write(
                toFile: labels, atomically: true, encoding: .utf8)
            let failure = Locked<String?>(nil)
            Parallel.forEach(count: pairs, jobs: jobs) { index in
                let (gt, pred) = Self.volumePair(index: index, side: side, depth: depth, classes: classes)
                let name = String(format: "case_%04d.nii", index)
                do {
                    for (folder, values) in [(truth, gt), (prediction, pred)] {
                        let path = folder + "/" + name
                        try Data(Self.niftiHeader(width: side, height: side, depth: depth) + values).write(
                            to: URL(fileURLWithPath: path))
                        let gzip = Process()
                        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
                        gzip.arguments = ["-6", "-n", "-f", path]
                        try gzip.run()
                        gzip.waitUntilExit()
                        if gzip.terminationStatus != 0 { throw ValidationError("gzip failed on \(path)") }
                    }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
            }
            if let message = failure.withLock({ $0 }) { throw ValidationError(message) }
            try description.write(toFile: stamp, atomically: true, encoding: .utf8)
        }
        let bytes = try Dataset.folderBytes([truth, prediction])
        return Files(truth: truth, prediction: prediction, labels: labels, bytes: bytes)
    }

    /// A NIfTI-1 header for uint8 (x, y, z) with 1 mm voxels, qform and sform the identity (code 1),
    /// and the 4 zero bytes before vox_offset 352.
    static func niftiHeader(width: Int, height: Int, depth: Int) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 352)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { h[offset + i] = b } }
        }
        func putFloat(_ value: Float, at offset: Int) { put(value.bitPattern, at: offset) }
        put(Int32(348), at: 0)
        for (i, d) in [3, width, height, depth, 1, 1, 1, 1].enumerated() { put(Int16(d), at: 40 + 2 * i) }
        put(Int16(2), at: 70)
        put(Int16(8), at: 72)
        for i in 0..<8 { putFloat(1, at: 76 + 4 * i) }
        putFloat(352, at: 108)
        h[123] = 2
        put(Int16(1), at: 252)
        put(Int16(1), at: 254)
        for (row, values) in [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]].enumerated() {
            for (i, v) in values.enumerated() { putFloat(Float(v), at: 280 + 16 * row + 4 * i) }
        }
        for (i, b) in Array("n+1\0".utf8).enumerated() { h[344 + i] = b }
        return h
    }

    /// A ground truth of 12–27 ellipsoids of classes 1…K−1 and its prediction: each 2 voxels larger
    /// or smaller and shifted by one, one in eight missed, three spurious; the same on every machine.
    static func volumePair(index: Int, side: Int, depth: Int, classes: Int) -> ([UInt8], [UInt8]) {
        var random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ 29)
        var truth = [UInt8](repeating: 0, count: side * side * depth)
        var prediction = truth
        let scale = Double(side) / 256
        for _ in 0..<(12 + random.index(below: 16)) {
            let label = UInt8(1 + random.index(below: max(1, classes - 1)))
            let c = (Double(random.index(below: side)), Double(random.index(below: side)), Double(random.index(below: depth)))
            let r = (
                (6 + Double(random.index(below: 36))) * scale, (6 + Double(random.index(below: 36))) * scale,
                (4 + Double(random.index(below: 24))) * scale
            )
            fill(&truth, side: side, depth: depth, center: c, radii: r, label: label)
            if random.index(below: 8) == 0 { continue }
            let grow = (random.index(below: 2) == 0 ? 2.0 : -2.0) * scale
            fill(
                &prediction, side: side, depth: depth, center: (c.0 + 1, c.1, c.2),
                radii: (max(1, r.0 + grow), max(1, r.1 + grow), max(1, r.2 + grow)), label: label)
        }
        for _ in 0..<3 {
            let label = UInt8(1 + random.index(below: max(1, classes - 1)))
            let c = (Double(random.index(below: side)), Double(random.index(below: side)), Double(random.index(below: depth)))
            fill(&prediction, side: side, depth: depth, center: c, radii: (8 * scale, 6 * scale, 5 * scale), label: label)
        }
        return (truth, prediction)
    }

    static func fill(
        _ volume: inout [UInt8], side: Int, depth: Int, center: (Double, Double, Double),
        radii: (Double, Double, Double), label: UInt8
    ) {
        let x0 = max(0, Int(center.0 - radii.0))
        let x1 = min(side - 1, Int(center.0 + radii.0))
        let y0 = max(0, Int(center.1 - radii.1))
        let y1 = min(side - 1, Int(center.1 + radii.1))
        let z0 = max(0, Int(center.2 - radii.2))
        let z1 = min(depth - 1, Int(center.2 + radii.2))
        guard x0 <= x1, y0 <= y1, z0 <= z1 else { return }
        for z in z0...z1 {
            let dz = (Double(z) - center.2) / radii.2
            for y in y0...y1 {
                let dy = (Double(y) - center.1) / radii.1
                let row = (z * side + y) * side
                for x in x0...x1 {
                    let dx = (Double(x) - center.0) / radii.0
                    if dx * dx + dy * dy + dz * dz <= 1 { volume[row + x] = label }
                }
            }
        }
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs a program to its end; its standard output, or an error naming it.
    private func launch(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ValidationError("\(path) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))")
        }
        return text
    }

    /// (a) Wall time of the segscore binary, process start to exit (`Spawned`: Foundation's
    /// `Process.waitUntilExit` added tens of milliseconds; the C loops report their own time).
    private func timeSegscore(_ files: Files, out: String) throws -> Double {
        let run = try Spawned.run([
            segscore, "evaluate", files.truth, files.prediction, "--variant", "nnunet-eval", "--labels", files.labels,
            "--json", out + "/report.json", "--quiet", "--jobs", String(jobs),
        ])
        guard run.status == 0 else { throw ValidationError("\(segscore) evaluate failed (wait status \(run.status))") }
        return run.seconds
    }

    /// (c) The gunzip loop's own time_s; `flag` -f (f) or -z (z) for the other loops.
    private func timeGunzip(_ path: String, _ files: Files, flag: String? = nil) throws -> Double {
        let text = try launch(path, (flag.map { [$0] } ?? []) + ["-t", String(jobs), files.truth, files.prediction])
        return try field("time_s", in: text, of: path)
    }

    /// (n) compute_metrics_on_folder's own time (imports and interpreter start left out).
    private func timeNnUNet(_ python: String, _ files: Files, out: String) throws -> (Double, String) {
        let text = try launch(python, [script, files.truth, files.prediction, out + "/summary.json", String(classes)])
        let note = text.split(separator: "\n").first { $0.hasPrefix("impl=") }.map(String.init) ?? ""
        return (try field("time_s", in: text, of: script), note)
    }

    private func field(_ name: String, in text: String, of path: String) throws -> Double {
        guard let item = text.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix(name + "=") }),
            let value = Double(item.dropFirst(name.count + 1))
        else { throw ValidationError("\(path) printed no \(name): \(text)") }
        return value
    }
}
