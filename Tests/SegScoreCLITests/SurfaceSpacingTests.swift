import Foundation
import SegScoreTestSupport
import Testing

/// Spacing from TIFF resolution tags and ImageJ's description (see `TIFFSpacing` for the rule).
@Suite struct SurfaceSpacingTests {
    /// An 8-bit, uncompressed, little-endian TIFF of `pages` (each width × height), every page
    /// with XResolution/YResolution (as `numerator/1`), ResolutionUnit and ImageDescription when given.
    static func tiff(
        width: Int, height: Int, pages: [[UInt8]], resolution: (x: Int, y: Int)?, unit: Int?, description: String?
    ) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        var file: [UInt8] = [0x49, 0x49] + le16(42) + le32(0)
        var previousLink = 4
        for page in pages {
            let dataOffset = file.count
            file += page
            var text = -1
            var textCount = 0
            if let description {
                text = file.count
                let bytes = Array(description.utf8) + [0]
                textCount = bytes.count
                file += bytes
            }
            var rationals = -1
            if let resolution {
                rationals = file.count
                file += le32(resolution.x) + le32(1) + le32(resolution.y) + le32(1)
            }
            if file.count % 2 == 1 { file.append(0) }
            let ifd = file.count
            file.replaceSubrange(previousLink..<(previousLink + 4), with: le32(ifd))
            var entries: [(Int, Int, Int, Int)] = [
                (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
            ]
            if text >= 0 { entries.append((270, 2, textCount, text)) }
            entries += [(273, 4, 1, dataOffset), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, page.count)]
            if rationals >= 0 { entries += [(282, 5, 1, rationals), (283, 5, 1, rationals + 8)] }
            if let unit { entries.append((296, 3, 1, unit)) }
            file += le16(entries.count)
            for (tag, type, count, value) in entries {
                file += le16(tag) + le16(type) + le32(count)
                file += type == 3 ? le16(value) + le16(0) : le32(value)
            }
            previousLink = file.count
            file += le32(0)
        }
        return file
    }

    func evaluate(gt: [UInt8], pred: [UInt8], _ arguments: [String] = []) throws -> [String: Any] {
        let folder = try TemporaryFolder("tiffspacing", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Data(gt).write(to: folder.url("gt/a.tif"))
        try Data(pred).write(to: folder.url("pred/a.tif"))
        let output = try BinaryRunner.run(
            [
                "evaluate", folder.path("gt"), folder.path("pred"), "--json", "-", "--bootstrap", "0", "--quiet",
                "--surface-metrics", "hd",
            ] + arguments)
        #expect(output.status == 0, "\(output.stderr)")
        return try SurfaceMetricsTests.json(output)
    }

    static func surfaceConfig(_ report: [String: Any]) -> [String: Any] {
        (report["config"] as? [String: Any])?["surface"] as? [String: Any] ?? [:]
    }

    @Test func centimetreResolutionGivesMillimetrePixels() throws {
        // 5 pixels per cm along x (2 mm), 10 along y (1 mm): the one-column shift is 2 mm.
        let gt = Self.tiff(
            width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 1)], resolution: (5, 10), unit: 3, description: nil)
        let pred = Self.tiff(
            width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 2)], resolution: (5, 10), unit: 3, description: nil)
        let report = try evaluate(gt: gt, pred: pred)
        #expect(try SurfaceMetricsTests.imageClass(report, id: 1)["hd"] as? Double == 2)
        #expect(Self.surfaceConfig(report)["spacing"] as? [Double] == [2, 1, 1])
        #expect(Self.surfaceConfig(report)["spacing_source"] as? String == "file")
        // --spacing wins over the file.
        let given = try evaluate(gt: gt, pred: pred, ["--spacing", "3,1"])
        #expect(try SurfaceMetricsTests.imageClass(given, id: 1)["hd"] as? Double == 3)
        #expect(Self.surfaceConfig(given)["spacing_source"] as? String == "option")
    }

    @Test func inchResolutionAndNoUnit() throws {
        // 254 dpi: 25.4 / 254 mm per pixel.
        let gt = Self.tiff(
            width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 1)], resolution: (254, 254), unit: 2, description: nil)
        let pred = Self.tiff(
            width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 2)], resolution: (254, 254), unit: 2, description: nil)
        let hd = try #require(try SurfaceMetricsTests.imageClass(try evaluate(gt: gt, pred: pred), id: 1)["hd"] as? Double)
        #expect(abs(hd - 0.1) < 1e-12)  // JSONSerialization may read the last digit one ulp off
        // ResolutionUnit none: no physical size, spacing 1.
        let gtNone = Self.tiff(
            width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 1)], resolution: (5, 5), unit: 1, description: nil)
        let predNone = Self.tiff(
            width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 2)], resolution: (5, 5), unit: 1, description: nil)
        let none = try evaluate(gt: gtNone, pred: predNone)
        #expect(try SurfaceMetricsTests.imageClass(none, id: 1)["hd"] as? Double == 1)
        #expect(Self.surfaceConfig(none)["spacing_source"] as? String == "default")
    }

    @Test func imageJSpacingGivesTheSliceDistance() throws {
        // 4×4×2 stack, 1 pixel per micron, slices 2.5 microns apart: the block moves one slice, 0.0025 mm.
        func block(_ on: Bool) -> [UInt8] { (0..<16).map { on && (1...2).contains($0 % 4) && (1...2).contains($0 / 4) ? 1 : 0 } }
        let description = "ImageJ=1.54f\nimages=2\nslices=2\nunit=micron\nspacing=2.5\nloop=false\n"
        let gt = Self.tiff(
            width: 4, height: 4, pages: [block(true), block(false)], resolution: (1, 1), unit: 1, description: description)
        let pred = Self.tiff(
            width: 4, height: 4, pages: [block(false), block(true)], resolution: (1, 1), unit: 1, description: description)
        let report = try evaluate(gt: gt, pred: pred)
        #expect(try SurfaceMetricsTests.imageClass(report, id: 1)["hd"] as? Double == 0.0025)
        #expect(Self.surfaceConfig(report)["spacing"] as? [Double] == [0.001, 0.001, 0.0025])
    }

    /// Two pairs of different spacings (2 mm and 1 mm columns, then a file without a unit): the
    /// config states the first and that they vary; each image row carries its own.
    @Test func spacingsThatDifferArePerImage() throws {
        let folder = try TemporaryFolder("tiffspacing-varies", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        func pair(_ key: String, resolution: (Int, Int), unit: Int) throws {
            let gt = Self.tiff(
                width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 1)], resolution: resolution, unit: unit,
                description: nil)
            let pred = Self.tiff(
                width: 6, height: 6, pages: [SurfaceMetricsTests.square(x: 2)], resolution: resolution, unit: unit,
                description: nil)
            try Data(gt).write(to: folder.url("gt/\(key).tif"))
            try Data(pred).write(to: folder.url("pred/\(key).tif"))
        }
        try pair("a", resolution: (5, 10), unit: 3)
        try pair("b", resolution: (10, 10), unit: 3)
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--json", "-", "--bootstrap", "0", "--surface-metrics", "hd",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try SurfaceMetricsTests.json(output)
        let config = Self.surfaceConfig(report)
        #expect(config["spacing"] as? [Double] == [2, 1, 1])
        #expect(config["spacing_varies"] as? Bool == true)
        let images = try #require(report["images"] as? [[String: Any]])
        #expect(images.map { $0["spacing"] as? [Double] } == [[2, 1, 1], [1, 1, 1]])
        #expect(output.stderr.contains("boundary (segscore, spacing per image (first 2,1) file)"), "\(output.stderr)")
        let explained = try BinaryRunner.run([
            "explain", "--gt", folder.path("gt"), "--pred", folder.path("pred"), "--surface-metrics", "hd",
        ])
        #expect(explained.stdout.contains("spacing per image (first 2,1) (file)"), "\(explained.stdout)")
        // One spacing for every pair: no spacing_varies.
        try FileManager.default.removeItem(at: folder.url("gt/b.tif"))
        try FileManager.default.removeItem(at: folder.url("pred/b.tif"))
        let one = try SurfaceMetricsTests.json(
            try BinaryRunner.run([
                "evaluate", folder.path("gt"), folder.path("pred"), "--json", "-", "--bootstrap", "0", "--quiet",
                "--surface-metrics", "hd",
            ]))
        #expect(Self.surfaceConfig(one)["spacing_varies"] == nil)
    }
}
