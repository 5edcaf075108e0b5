import ArgumentParser
import DatasetScan
import Dispatch
import Foundation
import MaskIO
import MaskIOTesting
import Parallel
import SegMetrics
import SegScore

/// `segscore-bench`: is evaluation decode-bound? Generates a deterministic dataset, then times, on
/// the same files and alternately, (a) the plain C libpng/libtiff loop of
/// `Benchmarks/decode_limit/decode_limit.c` (with `--c-baseline`), (b) the whole `evaluate`
/// pipeline with JSON and CSV written, with the fast path, (c) the same forced onto libpng or
/// libtiff (`SEGSCORE_PNG_DECODER=libpng`, `SEGSCORE_TIFF_DECODER=libtiff`), and segscore's decoders alone.
@main
struct SegScoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segscore-bench",
        abstract: "Time segscore's evaluation against bare decoding on a generated dataset.",
        discussion: """
            Prints pairs/s, MB/s, the median over --runs alternated runs (after a warm-up) of, with \
            --c-baseline, the C libpng/libtiff decode-only loop (a), full evaluate with the fast path \
            (b), full evaluate forced onto libpng or libtiff (c) and segscore's decoders alone; \
            the ratios b/a and c/a (median and the lowest and highest run), a checksum, and the peak \
            RSS of `segscore evaluate`.
            Run a release build: `make bench`.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case png, palette, png16, tiff, nifti
    }

    /// How the TIFF set is compressed.
    enum TIFFCompression: String, ExpressibleByArgument, CaseIterable {
        case lzw, deflate
    }

    @Option(name: .customLong("pairs"), help: "Number of pairs (default 2000; 200 for nifti).") var pairsOption: Int?
    var pairs: Int { pairsOption ?? (format == .nifti ? 200 : 2000) }
    @Option(help: "Image side in pixels (default 512, 1024 for tiff, 256 for nifti).") var size: Int?
    @Option(
        help:
            "png (8-bit gray), palette (8-bit palette PNG), png16 (16-bit PNG), tiff (LZW + predictor), nifti (uint8 .nii.gz volumes, nnU-Net layout; default 200 pairs)."
    )
    var format: Format = .png
    @Option(help: "tiff: lzw or deflate (both with the horizontal predictor).") var tiffCompression = TIFFCompression.lzw
    @Option(help: "nifti: slices per volume.") var depth = 128
    @Option(help: "nifti: path of a built gunzip_limit (Benchmarks/gunzip_limit) to time as the floor.")
    var gunzipBaseline: String?
    @Option(help: "nifti: a python with nnunetv2 (and SimpleITK) to time compute_metrics_on_folder with.")
    var nnunetPython: String?
    @Option(help: "nifti: the script that runs compute_metrics_on_folder.")
    var nnunetScript = "Benchmarks/nnunet_folder/compute_metrics.py"
    @Option(help: "Classes including background.") var classes = 4
    @Option(help: "Worker threads (default: the number of cores).") var jobs: Int?
    @Option(help: "Timed runs of each measurement (the median is reported).") var runs = 5
    @Option(help: "Dataset folder: reused when it holds the same dataset, else generated (default: a temporary folder).")
    var dir: String?
    @Option(help: "Path of a built decode_limit (Benchmarks/decode_limit, `make bench-baseline`) to time as the C baseline.")
    var cBaseline: String?
    @Option(help: "The segscore binary used for the peak-RSS measurement (default: beside this one).")
    var segscore: String?
    @Flag(help: "Run even in a debug build (the numbers are then meaningless).") var allowDebug = false
    @Flag(help: "Only measure memory: the peak RSS of `segscore evaluate` on --pairs and on --memory-scale times as many pairs.")
    var memory = false
    @Option(help: "With --memory: the larger dataset has this many times --pairs.") var memoryScale = 10
    @Flag(help: "Boundary metrics: plain evaluate vs --surface-metrics all, per-pair 2-D and 3-D times (see SurfaceBench).")
    var surface = false
    @Option(help: "With --surface: a Python with medpy installed, timed on the same pairs.") var peerPython: String?
    @Option(help: "With --surface: the 3-D pair's size DxHxW.") var volume = "128x256x256"

    func run() throws {
        #if DEBUG
            if !allowDebug {
                throw ValidationError("segscore-bench is a debug build: its timings mean nothing. Use `make bench` (release).")
            }
            print("WARNING: debug build; timings are not representative")
        #endif
        let side = size ?? (format == .tiff ? 1024 : format == .nifti ? 256 : 512)
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let binary =
            segscore
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("segscore").path
        if format == .nifti {
            let count = pairs
            try NiftiBench(
                pairs: count, side: side, depth: depth, classes: classes, jobs: workers, runs: runs,
                root: dir ?? NSTemporaryDirectory() + "segscore-bench-nifti-\(side)-\(depth)-\(count)", segscore: binary,
                gunzip: gunzipBaseline, python: nnunetPython, script: nnunetScript
            ).run()
            return
        }
        let kind = format == .tiff ? "tiff-" + tiffCompression.rawValue : format.rawValue
        func prepare(_ count: Int) throws -> Dataset {
            let root =
                dir.map { memory ? $0 + "/\(count)" : $0 }
                ?? NSTemporaryDirectory() + "segscore-bench-\(kind)-\(side)-\(count)"
            let dataset = try Dataset.prepare(
                root: root, pairs: count, side: side, classes: classes, format: format, compression: tiffCompression,
                jobs: workers)
            print(
                "dataset: \(count) pairs of \(side)x\(side) \(kind), \(classes) classes, \(String(format: "%.1f", Double(dataset.bytes) / 1e6)) MB in \(root)"
            )
            return dataset
        }
        if memory {
            try measureMemory(binary: binary, small: try prepare(pairs), large: try prepare(pairs * memoryScale))
            return
        }
        let dataset = try prepare(pairs)
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, jobs \(workers)")
        if surface {
            let out = NSTemporaryDirectory() + "segscore-bench-surface-\(getpid())"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: out) }
            try SurfaceBench.run(
                dataset: dataset, jobs: workers, runs: runs, out: out, peerPython: peerPython,
                peerScript: "Benchmarks/surface_peers/medpy_times.py", volume: try volumeSize(), side: side)
            return
        }
        let rss = try peakRSS(binary: binary, dataset: dataset)

        let out = NSTemporaryDirectory() + "segscore-bench-out-\(getpid())"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let files = try dataset.files()
        // (c): the reference library, through the decoder switch of the format.
        let compareDecoders = true
        let variable = format == .tiff ? "SEGSCORE_TIFF_DECODER" : Self.decoderVariable
        let reference = format == .tiff ? "libtiff" : "libpng"
        let saved = getenv(variable).map { String(cString: $0) }
        defer { Self.chooseDecoder(saved, variable) }

        // Warm-up: fill the page cache and the allocator.
        Self.chooseDecoder("fast", variable)
        var checksum = decodeAll(files, jobs: workers)
        _ = try evaluate(dataset, jobs: workers, out: out)
        if compareDecoders {
            Self.chooseDecoder(reference, variable)
            _ = try evaluate(dataset, jobs: workers, out: out)
        }
        if let cBaseline { _ = try runC(cBaseline, dataset: dataset, jobs: workers) }

        var times = Times()
        for _ in 0..<runs {
            if let cBaseline { times.c.append(try runC(cBaseline, dataset: dataset, jobs: workers)) }
            Self.chooseDecoder("fast", variable)
            let start = DispatchTime.now()
            checksum &+= decodeAll(files, jobs: workers)
            times.decode.append(seconds(since: start))
            times.fast.append(try evaluate(dataset, jobs: workers, out: out))
            if compareDecoders {
                Self.chooseDecoder(reference, variable)
                times.libpng.append(try evaluate(dataset, jobs: workers, out: out))
            }
        }
        report(times, dataset: dataset)
        print("peak RSS of segscore evaluate: \(rss / 1024) MB")
        print("checksum: \(checksum)")
    }

    /// The environment variable that chooses segscore's PNG decoder.
    static let decoderVariable = "SEGSCORE_PNG_DECODER"

    /// Sets (or, for nil, removes) `variable` (`SEGSCORE_PNG_DECODER` or `SEGSCORE_TIFF_DECODER`);
    /// only between runs, when no worker decodes.
    static func chooseDecoder(_ value: String?, _ variable: String) {
        if let value { setenv(variable, value, 1) } else { unsetenv(variable) }
    }

    /// Seconds of each timed run, in run order.
    struct Times {
        /// The C decode-only loop (decode_limit).
        var c: [Double] = []
        /// segscore evaluate with the PNG fast path.
        var fast: [Double] = []
        /// segscore evaluate forced onto libpng.
        var libpng: [Double] = []
        /// segscore's decoders alone (fast path).
        var decode: [Double] = []
    }

    /// Prints the medians, pairs/s and MB/s, and the ratios to the C loop with their spread.
    private func report(_ times: Times, dataset: Dataset) {
        let megabytes = Double(dataset.bytes) / 1e6
        let library = format == .tiff ? "libtiff" : "libpng"
        func line(_ name: String, _ values: [Double]) {
            let t = median(values)
            let padded = name.padding(toLength: 44, withPad: " ", startingAt: 0)
            print(padded + String(format: "%7.3f s  %8.0f pairs/s  %7.1f MB/s", t, Double(pairs) / t, megabytes / t))
        }
        print("median of \(runs) alternated runs:")
        if !times.c.isEmpty { line("(a) C \(library) decode-only loop", times.c) }
        line("(b) segscore evaluate, fast path", times.fast)
        if !times.libpng.isEmpty { line("(c) segscore evaluate, forced onto \(library)", times.libpng) }
        line("    segscore decode-only, fast path", times.decode)
        /// The median of the per-run ratios, and their lowest and highest.
        func ratio(_ name: String, _ numerator: [Double], _ denominator: [Double]) {
            guard !numerator.isEmpty, numerator.count == denominator.count else { return }
            let ratios = zip(numerator, denominator).map { $0 / $1 }
            print(
                String(
                    format: "ratio %@: %.3f (runs %.3f–%.3f)", name as NSString, median(ratios), ratios.min() ?? 0,
                    ratios.max() ?? 0))
        }
        if !times.c.isEmpty {
            ratio("b/a (evaluate / C decode)", times.fast, times.c)
            ratio("c/a (evaluate on \(library) / C decode)", times.libpng, times.c)
            ratio("decode-only / C decode", times.decode, times.c)
            ratio("(b − decode-only)/a (counting + reports / C decode)", zip(times.fast, times.decode).map(-), times.c)
        }
        ratio("b/decode-only (evaluate / segscore decode)", times.fast, times.decode)
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// (a) Decodes every file once with `jobs` workers; returns a checksum of the samples.
    private func decodeAll(_ files: [String], jobs: Int) -> UInt64 {
        let decoder = MaskDecoder()
        let sums = Parallel.map(count: files.count, jobs: jobs) { index -> UInt64 in
            guard let mask = try? decoder.decode(path: files[index]) else { return 0 }
            let n = mask.samples.count
            return UInt64(n) &+ UInt64(mask.samples[n / 2]) &+ UInt64(mask.samples[n - 1])
        }
        return sums.reduce(0, &+)
    }

    /// (b) The whole pipeline, as `segscore evaluate --json --csv` runs it.
    private func evaluate(_ dataset: Dataset, jobs: Int, out: String) throws -> Double {
        let start = DispatchTime.now()
        let options = EvaluationOptions(jobs: jobs)
        let result = try Evaluation.run(truth: dataset.truth, prediction: dataset.prediction, options: options)
        let written = EvaluationReport.write(
            result: result, bootstrap: Bootstrap(), json: out + "/report.json", csv: out + "/per-image.csv")
        if let failure = written.failures.first { throw failure }
        guard result.records.count == dataset.pairs, !result.hasDataProblems else {
            throw ValidationError("evaluate scored \(result.records.count) of \(dataset.pairs) pairs")
        }
        return seconds(since: start)
    }

    /// (c) The C loop's own time_s.
    private func runC(_ path: String, dataset: Dataset, jobs: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t", String(jobs), dataset.truth, dataset.prediction]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ValidationError("\(path) failed (status \(process.terminationStatus)) on \(dataset.truth)")
        }
        guard let field = text.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix("time_s=") }),
            let seconds = Double(field.dropFirst("time_s=".count))
        else { throw ValidationError("decode_limit printed no time_s: \(text)") }
        return seconds
    }

    /// Peak RSS (KB) of one `segscore evaluate --json --csv` run on the dataset, as a child process.
    private func peakRSS(binary: String, dataset: Dataset) throws -> Int {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("\(binary): no segscore binary to measure (pass --segscore)")
        }
        let out = NSTemporaryDirectory() + "segscore-bench-rss-\(getpid())"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let arguments = [
            binary, "evaluate", dataset.truth, dataset.prediction, "--json", out + "/r.json", "--csv", out + "/r.csv", "--quiet",
        ]
        let run = try Spawned.run(arguments)
        guard run.status == 0 else {
            throw ValidationError("segscore evaluate failed on \(dataset.truth) (status \(run.status))")
        }
        return run.usage.ru_maxrss
    }

    /// Peak RSS on two dataset sizes (median of three runs each) and their ratio.
    private func measureMemory(binary: String, small: Dataset, large: Dataset) throws {
        func median3(_ dataset: Dataset) throws -> Int {
            let runs = try (0..<3).map { _ in try peakRSS(binary: binary, dataset: dataset) }.sorted()
            return runs[1]
        }
        let a = try median3(small)
        let b = try median3(large)
        print("peak RSS of segscore evaluate, median of 3 runs:")
        print(String(format: "  %6d pairs: %6.1f MB", small.pairs, Double(a) / 1024))
        print(String(format: "  %6d pairs: %6.1f MB", large.pairs, Double(b) / 1024))
        print(String(format: "ratio %d/%d pairs: %.3f (target: at most 1.10)", large.pairs, small.pairs, Double(b) / Double(a)))
    }
}
