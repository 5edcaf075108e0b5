import Foundation
import SegScoreTestSupport
import Testing

/// `SEGSCORE_TIFF_DECODER`: a TIFF dataset (LZW with and without the predictor, Deflate, a
/// prediction whose code stream is cut short) scored through the TIFF fast path (unset, `fast`) and forced onto
/// libtiff gives byte-identical reports, and the same exit code, output and refusal.
@Suite struct TIFFDecoderSwitchTests {
    /// A 40×30 label map of three classes: bands that shift with the seed.
    static func labels(_ seed: Int) -> [UInt8] {
        (0..<1200).map { i in UInt8(((i % 40) / (7 + seed) + (i / 40) / 9 + seed) % 3) }
    }

    /// The predictor's differences of `labels` (each sample minus the one before it in its row).
    static func differenced(_ labels: [UInt8]) -> [UInt8] {
        labels.indices.map { i in i % 40 == 0 ? labels[i] : labels[i] &- labels[i - 1] }
    }

    static func reports(decoder: String?) throws -> [String: Data] {
        let folder = try TemporaryFolder("tiffdecoder", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        for seed in 0..<4 {
            let gt = TestTIFF.gray8(width: 40, height: 30, compression: 5, data: TestTIFF.lzwLiterals(labels(seed)))
            let truth = labels(seed + 1)
            let pred: [UInt8] =
                switch seed {
                case 0: TestTIFF.gray8(width: 40, height: 30, compression: 5, data: TestTIFF.lzwLiterals(truth))
                case 1:
                    TestTIFF.gray8(
                        width: 40, height: 30, compression: 5, predictor: 2, data: TestTIFF.lzwLiterals(differenced(truth)))
                case 2: TestTIFF.gray8(width: 40, height: 30, compression: 8, data: TestMasks.zlibStored(truth))
                default:  // the code stream cut short: libtiff refuses the strip
                    TestTIFF.gray8(
                        width: 40, height: 30, compression: 5, data: Array(TestTIFF.lzwLiterals(truth).prefix(600)))
                }
            try Data(gt).write(to: folder.url("gt/case\(seed).tif"))
            try Data(pred).write(to: folder.url("pred/case\(seed).tif"))
        }
        var environment = ["SOURCE_DATE_EPOCH": "1700000000"]
        if let decoder { environment["SEGSCORE_TIFF_DECODER"] = decoder }
        let outputs = ["report.json", "per-image.csv", "per-class.csv"]
        return try RunBytes.collect(

            [
                "evaluate", folder.path("gt"), folder.path("pred"), "--json", folder.path("report.json"), "--csv",
                folder.path("per-image.csv"), "--summary-csv", folder.path("per-class.csv"), "--jobs", "2",
            ], environment: environment, folder: folder, outputs: outputs)
    }

    @Test func reportsAreByteIdenticalThroughBothDecoders() throws {
        let libtiff = try Self.reports(decoder: "libtiff")
        #expect(libtiff["status"] == Data("3".utf8))
        let stderr = String(decoding: libtiff["stderr"] ?? Data(), as: UTF8.self)
        #expect(stderr.contains("case3.tif"))
        #expect(stderr.contains("libtiff"))
        let csv = String(decoding: libtiff["per-image.csv"] ?? Data(), as: UTF8.self)
        #expect(csv.contains("case0") && csv.contains("case1") && csv.contains("case2"))
        for decoder in [nil, "fast"] as [String?] {
            let fast = try Self.reports(decoder: decoder)
            #expect(fast.keys.sorted() == libtiff.keys.sorted())
            for (name, bytes) in libtiff {
                #expect(fast[name] == bytes, "\(name) with SEGSCORE_TIFF_DECODER=\(decoder ?? "unset")")
            }
        }
    }

    @Test func helpNamesBothDecoderSwitches() throws {
        let output = try BinaryRunner.run(["--help"], environment: ["COLUMNS": "200"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("SEGSCORE_TIFF_DECODER=libtiff"))
        #expect(output.stdout.contains("SEGSCORE_PNG_DECODER=libpng"))
    }
}
