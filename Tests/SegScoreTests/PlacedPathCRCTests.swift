import DatasetScan
import Foundation
import MaskIO
import SegMetrics
import SegScoreTestSupport
import Testing

@testable import SegScore

/// The deferred gzip CRC of the placed NIfTI path (`PlacedSamples.countChecked`), through the whole
/// evaluation: broken files in every layout, at sizes where the fused check-and-count runs (≥ 256
/// voxels) and where it does not, are reported exactly as the general path (which checks each file
/// as it reads it) reports them, in the same order.
@Suite struct PlacedPathCRCTests {
    static let dims = [16, 16, 8]  // 2,048 voxels

    static func values(_ seed: UInt64) -> [Double] { PlacedPathTests.volume(2048, seed: seed) }

    /// Reports (JSON) of the general path and the placed path at 1 and 2 jobs.
    static func reports(_ folder: TemporaryFolder) throws -> [String] {
        var reports: [String] = []
        for (jobs, placed) in [(1, false), (1, true), (2, true)] {
            var options = EvaluationOptions(jobs: jobs)
            options.placedReads = placed
            let result = try Evaluation.run(truth: folder.path("gt"), prediction: folder.path("pred"), options: options)
            reports.append(EvaluationReport(result: result, bootstrap: Bootstrap(resamples: 10)).json.rendered())
        }
        return reports
    }

    /// A ground truth whose data does not match its gzip CRC and a prediction that fails to decode
    /// (wrong ISIZE; truncated): the general path decodes the truth first and names it; so must
    /// the placed path (the pair's failure must not depend on the CPU's AVX-512).
    @Test func aBrokenTruthIsNamedEvenWhenThePredictionFailsToDecode() throws {
        let folder = try TemporaryFolder("placed-crc-order", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        var truth = TestMasks.niftiBytes(dims: Self.dims, values: Self.values(1))
        truth[15 + 352 + 700] ^= 0x02  // a voxel in the stored block: only the CRC can tell
        var wrongLength = TestMasks.niftiBytes(dims: Self.dims, values: Self.values(2))
        wrongLength[wrongLength.count - 3] ^= 0x01  // ISIZE
        let truncated = Array(TestMasks.niftiBytes(dims: Self.dims, values: Self.values(3)).dropLast(20))
        try folder.write(truth, to: "gt/a.nii.gz")
        try folder.write(wrongLength, to: "pred/a.nii.gz")
        try folder.write(truth, to: "gt/b.nii.gz")
        try folder.write(truncated, to: "pred/b.nii.gz")
        let reports = try Self.reports(folder)
        #expect(reports[0].contains("gt/a.nii.gz") && reports[0].contains("gt/b.nii.gz"), "general path names the truths")
        #expect(reports[1] == reports[0], "placed path, 1 job")
        #expect(reports[2] == reports[0], "placed path, 2 jobs")
    }

    /// Layouts other than vox_offset 352 (an extension, NIfTI-2, big-endian, two gzip members, two
    /// deflate blocks), good and with one byte of the header, the extension or the data changed in
    /// a stored block: the placed path reports what the general path reports.
    @Test func everyLayoutGoodOrBrokenReportsAsTheGeneralPath() throws {
        let folder = try TemporaryFolder("placed-crc-layouts", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let big = [64, 64, 20]  // 81,920 voxels: two stored blocks
        let layouts: [(String, ([Double]) -> [UInt8])] = [
            ("plain", { TestMasks.niftiBytes(dims: Self.dims, values: $0) }),
            ("ext", { TestMasks.niftiBytes(dims: Self.dims, values: $0, voxOffset: 368) }),
            ("odd", { TestMasks.niftiBytes(dims: Self.dims, values: $0, voxOffset: 353) }),
            ("v2", { TestMasks.niftiBytes(version: 2, dims: Self.dims, values: $0, voxOffset: 560) }),
            ("be", { TestMasks.niftiBytes(dims: Self.dims, values: $0, bigEndian: true) }),
            ("exact256", { TestMasks.niftiBytes(dims: [16, 16, 1], values: Array($0.prefix(256))) }),
            ("n257", { TestMasks.niftiBytes(dims: [257, 1, 1], values: Array($0.prefix(257))) }),
            (
                "members",
                {
                    let raw = TestMasks.niftiBytes(dims: Self.dims, values: $0, gzip: false)
                    return TestMasks.gzipStored(Array(raw[0..<1000])) + TestMasks.gzipStored(Array(raw[1000...]))
                }
            ),
        ]
        var seed: UInt64 = 10
        for (name, make) in layouts {
            // Good pair.
            try folder.write(make(Self.values(seed)), to: "gt/\(name)-good.nii.gz")
            try folder.write(make(Self.values(seed + 1)), to: "pred/\(name)-good.nii.gz")
            // Broken: a header byte (descrip / NIfTI-2 descrip), an extension byte, a data byte.
            for (part, rawIndex) in [("hdr", 150), ("pad", 349), ("data", 1500 - 1000)] {
                var truth = make(Self.values(seed + 2))
                let prediction = make(Self.values(seed + 3))
                if name == "members" { continue }
                let offset = name == "v2" ? 560 : name == "ext" ? 368 : name == "odd" ? 353 : 352
                let index = part == "data" ? offset + rawIndex : rawIndex
                guard index < truth.count - 8 - 15 else { continue }
                truth[15 + index] ^= 0x10
                try folder.write(truth, to: "gt/\(name)-\(part).nii.gz")
                try folder.write(prediction, to: "pred/\(name)-\(part).nii.gz")
                var badPrediction = make(Self.values(seed + 4))
                badPrediction[15 + index] ^= 0x10
                try folder.write(make(Self.values(seed + 5)), to: "gt/\(name)-\(part)-p.nii.gz")
                try folder.write(badPrediction, to: "pred/\(name)-\(part)-p.nii.gz")
            }
            seed += 10
        }
        // Two stored blocks: a byte changed in the second one.
        var truthBig = TestMasks.niftiBytes(dims: big, values: PlacedPathTests.volume(81_920, seed: 99))
        truthBig[15 + 65535 + 5 + 10_000] ^= 0x01
        try folder.write(truthBig, to: "gt/big.nii.gz")
        try folder.write(
            TestMasks.niftiBytes(dims: big, values: PlacedPathTests.volume(81_920, seed: 98)), to: "pred/big.nii.gz")
        let reports = try Self.reports(folder)
        #expect(reports[0].contains("big.nii.gz"))
        #expect(reports[1] == reports[0], "placed path, 1 job")
        #expect(reports[2] == reports[0], "placed path, 2 jobs")
    }

    /// Fewer than 256 voxels (255, 120) and 256 exactly, deferred but not counted by the kernel:
    /// `countChecked` must still check each pending CRC alone (`.checked`). No other test breaks a
    /// file of this size, so skipping that check went unnoticed.
    @Test func aSmallVolumesDeferredCRCIsStillChecked() throws {
        let folder = try TemporaryFolder("placed-crc-small", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        for (name, dims) in [("v120", [6, 5, 4]), ("v255", [255, 1, 1]), ("v256", [16, 16, 1])] {
            let n = dims.reduce(1, *)
            var truth = TestMasks.niftiBytes(dims: dims, values: Array(Self.values(21).prefix(n)))
            truth[15 + 352 + n / 2] ^= 0x04
            try folder.write(truth, to: "gt/\(name)-t.nii.gz")
            try folder.write(
                TestMasks.niftiBytes(dims: dims, values: Array(Self.values(22).prefix(n))), to: "pred/\(name)-t.nii.gz")
            var prediction = TestMasks.niftiBytes(dims: dims, values: Array(Self.values(23).prefix(n)))
            prediction[15 + 352 + n - 1] ^= 0x04
            try folder.write(
                TestMasks.niftiBytes(dims: dims, values: Array(Self.values(24).prefix(n))), to: "gt/\(name)-p.nii.gz")
            try folder.write(prediction, to: "pred/\(name)-p.nii.gz")
        }
        let reports = try Self.reports(folder)
        #expect(reports[0].components(separatedBy: "incorrect data check").count == 7)
        #expect(reports[1] == reports[0], "placed path, 1 job")
        #expect(reports[2] == reports[0], "placed path, 2 jobs")
    }
}
