import DatasetScan
import Foundation
import MaskIO
import SegMetrics
import SegScoreTestSupport
import Testing

@testable import SegScore

/// Pairs of 8-bit NIfTI volumes that are only counted are counted where the decoder inflated them
/// (`PairEvaluator.countPlacedEightBit`): the same report, byte for byte, as the general path, for
/// any `--jobs`, and the path is taken only where nothing but the counts is needed.
@Suite struct PlacedPathTests {
    /// A 4-class volume of `count` voxels, different per `seed` (runs of 1 to 40 voxels).
    static func volume(_ count: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        var values: [Double] = []
        while values.count < count {
            let label = Double(random.below(4))
            values += [Double](repeating: label, count: 1 + random.below(40))
        }
        return Array(values.prefix(count))
    }

    /// Writes ground truth and prediction folders: gzip with vox_offset 352, with extensions,
    /// big-endian, NIfTI-2, not gzipped, two gzip members, a volume of several deflate blocks, a
    /// prediction holding an undeclared label, a 16-bit pair (the general path), a size mismatch
    /// and a truncated prediction (data problems).
    static func writeDataset(_ folder: TemporaryFolder) throws {
        let dims = [6, 5, 4]
        let n = 120
        func pair(_ name: String, _ seed: UInt64, _ make: ([Double]) -> [UInt8], prediction: (([Double]) -> [UInt8])? = nil)
            throws
        {
            let truth = volume(n, seed: seed)
            var guess = volume(n, seed: seed &+ 1000)
            for i in 0..<n where i % 3 != 0 { guess[i] = truth[i] }
            try folder.write(make(truth), to: "gt/" + name)
            if let prediction {
                try folder.write(prediction(guess), to: "pred/" + name)
            } else {
                try folder.write(make(guess), to: "pred/" + name)
            }
        }
        try pair("a.nii.gz", 1) { TestMasks.niftiBytes(dims: dims, values: $0) }
        try pair("b.nii.gz", 2) { TestMasks.niftiBytes(dims: dims, values: $0, voxOffset: 368) }
        try pair("c.nii.gz", 3) { TestMasks.niftiBytes(dims: dims, values: $0, bigEndian: true) }
        try pair("d.nii.gz", 4) { TestMasks.niftiBytes(version: 2, dims: dims, values: $0, voxOffset: 560) }
        try pair("e.nii.gz", 5) { TestMasks.niftiBytes(dims: dims, values: $0, gzip: false) }
        try pair("f.nii.gz", 6) {
            let raw = TestMasks.niftiBytes(dims: dims, values: $0, gzip: false)
            return TestMasks.gzipStored(Array(raw[0..<300])) + TestMasks.gzipStored(Array(raw[300...]))
        }
        let big = [60, 50, 30]
        let truthBig = volume(90_000, seed: 7)
        var predictionBig = volume(90_000, seed: 8)
        for i in 0..<90_000 where i % 5 != 0 { predictionBig[i] = truthBig[i] }
        predictionBig[12_345] = 9  // not declared in dataset.json
        try folder.write(TestMasks.niftiBytes(dims: big, values: truthBig), to: "gt/g.nii.gz")
        try folder.write(TestMasks.niftiBytes(dims: big, values: predictionBig), to: "pred/g.nii.gz")
        try pair("h.nii.gz", 9) { TestMasks.niftiBytes(dims: dims, type: .uint16, values: $0) }
        let plain: ([Double]) -> [UInt8] = { TestMasks.niftiBytes(dims: dims, values: $0) }
        let shorter: ([Double]) -> [UInt8] = { TestMasks.niftiBytes(dims: [6, 5, 3], values: Array($0.prefix(90))) }
        let truncated: ([Double]) -> [UInt8] = { Array(TestMasks.niftiBytes(dims: dims, values: $0).dropLast(20)) }
        try pair("i.nii.gz", 10, plain, prediction: shorter)
        try pair("j.nii.gz", 11, plain, prediction: truncated)
        try folder.write(
            #"{"labels": {"background": 0, "one": 1, "two": 2, "three": 3}, "file_ending": ".nii.gz"}"#,
            to: "dataset.json")
    }

    @Test func placedAndGeneralPathsReportTheSameBytesForAnyJobs() throws {
        let folder = try TemporaryFolder("placed-path", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.writeDataset(folder)
        let labels = try LabelSpec.load(path: folder.path("dataset.json"))
        for nnunet in [true, false] {
            var reports: [String] = []
            for (jobs, placed) in [(1, false), (1, true), (2, true), (3, true), (2, false)] {
                var options = EvaluationOptions(jobs: jobs)
                if nnunet {
                    options.variant = Preset.nnunetEval.variant
                    options.labels = labels
                }
                options.placedReads = placed
                let result = try Evaluation.run(truth: folder.path("gt"), prediction: folder.path("pred"), options: options)
                // Ten pairs, two of them data problems (i, j).
                #expect(result.records.count == 8)
                reports.append(EvaluationReport(result: result, bootstrap: Bootstrap(resamples: 100)).json.rendered())
            }
            #expect(Set(reports).count == 1, "nnunet \(nnunet)")
            // The data problems are reported, naming the prediction files.
            #expect(reports[0].contains("size mismatch"))
            #expect(reports[0].contains("j.nii.gz"))
        }
    }

    /// Volumes large enough for the checked count (`cmask_crc32_count_pair`, from 256 voxels), one
    /// pair good, one with a truth whose data does not match its gzip CRC, one with such a
    /// prediction (stored deflate blocks: only the CRC can tell): the placed path, which checks
    /// the CRCs while counting, reports what the general path reports, byte for byte, and names
    /// each broken file with zlib's reason.
    @Test func aCRCCheckedWhileCountingFailsAsAPlainReadFails() throws {
        let folder = try TemporaryFolder("placed-path-crc", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let dims = [16, 16, 8]
        func file(_ seed: UInt64, broken: Bool = false) -> [UInt8] {
            var bytes = TestMasks.niftiBytes(dims: dims, values: Self.volume(2048, seed: seed))
            if broken { bytes[10 + 5 + 352 + 700] ^= 0x02 }
            return bytes
        }
        try folder.write(file(1), to: "gt/a.nii.gz")
        try folder.write(file(2), to: "pred/a.nii.gz")
        try folder.write(file(3, broken: true), to: "gt/b.nii.gz")
        try folder.write(file(4), to: "pred/b.nii.gz")
        try folder.write(file(5), to: "gt/c.nii.gz")
        try folder.write(file(6, broken: true), to: "pred/c.nii.gz")
        var reports: [String] = []
        for (jobs, placed) in [(1, false), (1, true), (2, true)] {
            var options = EvaluationOptions(jobs: jobs)
            options.placedReads = placed
            let result = try Evaluation.run(truth: folder.path("gt"), prediction: folder.path("pred"), options: options)
            #expect(result.records.count == 1)
            reports.append(EvaluationReport(result: result, bootstrap: Bootstrap(resamples: 100)).json.rendered())
        }
        #expect(Set(reports).count == 1)
        #expect(reports[0].contains("gt/b.nii.gz") && reports[0].contains("pred/c.nii.gz"))
        #expect(reports[0].components(separatedBy: "incorrect data check").count == 3)
    }

    @Test func thePathIsTakenOnlyWhereTheCountsAreAllThatIsNeeded() throws {
        let folder = try TemporaryFolder("placed-path-taken", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        try Self.writeDataset(folder)
        try folder.write(TestMasks.niftiBytes(dims: [6, 5, 4], values: Self.volume(120, seed: 1)), to: "roi/a.nii.gz")
        func taken(_ name: String, roi: Bool = false, _ configure: (inout EvaluationOptions) -> Void = { _ in }) throws
            -> (counted: Bool, buffers: [Int])
        {
            var options = EvaluationOptions()
            configure(&options)
            let evaluator = PairEvaluator(options: options, decoder: MaskDecoder())
            let decoder = MaskDecoder()
            let pair = MaskPair(
                key: name, truth: MaskFile(path: folder.path("gt/" + name), relativePath: name),
                prediction: MaskFile(path: folder.path("pred/" + name), relativePath: name),
                roi: roi ? MaskFile(path: folder.path("roi/" + name), relativePath: name) : nil)
            let readers = PairEvaluator.PairReaders(
                truth: try decoder.open(path: pair.truth.path), prediction: try decoder.open(path: folder.path("pred/" + name)),
                roi: roi ? try decoder.open(path: folder.path("roi/" + name)) : nil)
            var used: [MaskSamples] = []
            let counted = try evaluator.countPlacedEightBit(pair, readers, used: &used)
            return (counted != nil, used.map(\.count))
        }
        // 120 voxels after a 352-byte header (vox_offset 352; 368 with extensions): the buffers hold both.
        #expect(try taken("a.nii.gz") == (true, [472, 472]))
        #expect(try taken("b.nii.gz") == (true, [488, 488]))
        // Not gzipped: read at offset 0, into buffers of exactly the samples.
        #expect(try taken("e.nii.gz") == (true, [120, 120]))
        #expect(try taken("h.nii.gz").counted == false)  // 16-bit
        #expect(try taken("i.nii.gz").counted == false)  // shapes differ
        #expect(try taken("a.nii.gz", roi: true).counted == false)
        #expect(try taken("a.nii.gz") { $0.surface.metrics = [.hd95] }.counted == false)
        #expect(try taken("a.nii.gz") { $0.placedReads = false }.counted == false)
        #expect(try taken("a.nii.gz") { $0.truthEncoding = .channels }.counted == false)
    }
}
