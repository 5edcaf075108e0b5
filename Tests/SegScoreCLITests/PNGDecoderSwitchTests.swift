import Foundation
import SegScoreTestSupport
import Testing

/// `SEGSCORE_PNG_DECODER`: the demo (512×512 palette PNGs) scored through the PNG fast path
/// (unset, `fast`) and forced onto libpng gives byte-identical reports, and the same exit code,
/// output and refusals for a broken file.
@Suite struct PNGDecoderSwitchTests {
    /// Every report of one `evaluate` run of the demo plus a truncated and a bad-CRC prediction.
    static func reports(decoder: String?) throws -> [String: Data] {
        let folder = try TemporaryFolder("pngdecoder", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("demo/gt")).sorted()
        #expect(names.count >= 2)
        for name in names {
            try FileManager.default.copyItem(atPath: Fixtures.path("demo/gt/" + name), toPath: folder.path("gt/" + name))
            try FileManager.default.copyItem(
                atPath: Fixtures.path("demo/pred/" + name), toPath: folder.path("pred/" + name))
        }
        try FileManager.default.copyItem(atPath: Fixtures.path("demo/gt/" + names[0]), toPath: folder.path("gt/z1.png"))
        try FileManager.default.copyItem(atPath: Fixtures.path("bad/bad_crc.png"), toPath: folder.path("pred/z1.png"))
        try FileManager.default.copyItem(atPath: Fixtures.path("demo/gt/" + names[1]), toPath: folder.path("gt/z2.png"))
        try FileManager.default.copyItem(
            atPath: Fixtures.path("bad/truncated_in_data.png"), toPath: folder.path("pred/z2.png"))
        var environment = ["SOURCE_DATE_EPOCH": "1700000000"]
        if let decoder { environment["SEGSCORE_PNG_DECODER"] = decoder }
        let outputs = ["report.json", "per-image.csv", "per-class.csv", "report.md"]
        return try RunBytes.collect(

            [
                "evaluate", folder.path("gt"), folder.path("pred"), "--labels", Fixtures.path("demo/labels.json"),
                "--json", folder.path("report.json"), "--csv", folder.path("per-image.csv"), "--summary-csv",
                folder.path("per-class.csv"), "--markdown", folder.path("report.md"), "--jobs", "2",
            ], environment: environment, folder: folder, outputs: outputs)
    }

    @Test func reportsAreByteIdenticalThroughBothDecoders() throws {
        let libpng = try Self.reports(decoder: "libpng")
        #expect(libpng["status"] == Data("3".utf8))
        let stderr = String(decoding: libpng["stderr"] ?? Data(), as: UTF8.self)
        #expect(stderr.contains("libpng: unexpected end of file (truncated)"))
        #expect(stderr.contains("CRC error"))
        for decoder in [nil, "fast"] as [String?] {
            let fast = try Self.reports(decoder: decoder)
            #expect(fast.keys.sorted() == libpng.keys.sorted())
            for (name, bytes) in libpng {
                #expect(fast[name] == bytes, "\(name) with SEGSCORE_PNG_DECODER=\(decoder ?? "unset")")
            }
        }
    }
}
