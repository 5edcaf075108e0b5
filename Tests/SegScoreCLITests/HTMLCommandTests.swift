import Foundation
import SegScoreTestSupport
import Testing

/// `--html`, `--overlays`, `--worst` through the binary: escaping of hostile file and class names,
/// the report batch (replaced together or not at all), the overlay files and the Markdown links.
@Suite struct HTMLCommandTests {
    /// Two pairs of 3×2 label maps; the first pair's file name holds a script tag, quotes and a
    /// newline. Class 1 of the hostile pair scores 0.5, of `b` 1.
    static let hostileName = "<script>alert(1)\"'\nx"

    static func dataset(_ folder: TemporaryFolder) throws {
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [0, 1, 1, 2, 0, 0]), to: "gt/\(hostileName).png")
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [0, 1, 0, 2, 0, 1]), to: "pred/\(hostileName).png")
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [1, 0, 0, 0, 0, 2]), to: "gt/b.png")
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [1, 0, 0, 0, 0, 2]), to: "pred/b.png")
        try folder.write(
            #"{"background": 0, "<img src=x onerror=alert(2)>": 1, "two\u001b[31m": 2}"#, to: "labels.json")
    }

    @Test func hostileFileAndClassNamesAreEscapedInThePage() throws {
        let folder = try TemporaryFolder("html-hostile", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.dataset(folder)
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--labels", folder.path("labels.json"), "--html",
            folder.path("r.html"), "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let page = try String(contentsOfFile: folder.path("r.html"), encoding: .utf8)
        #expect(page.components(separatedBy: "<script").count - 1 == 2)
        #expect(!page.contains("<img src=x"))
        #expect(!page.contains("\u{1B}"))
        #expect(page.contains("&lt;img src=x onerror=alert(2)&gt; (1)"))
        #expect(page.contains("two\\u{1B}[31m (2)"))
        // The worst image of class 1 (0.5) is the hostile key, shown escaped with its newline visible.
        #expect(page.contains("1. <span class=\"mono\">&lt;script&gt;alert(1)&quot;&apos;\\nx</span> · 0.5000"))
        #expect(page.contains("src=\"data:image/png;base64,"))
        // The image data: the key as a JSON string whose < and > are \u escapes.
        #expect(page.contains(#""\u003cscript\u003ealert(1)\"'\\nx""#))
    }

    @Test func overlaysAreWrittenAndTheMarkdownLinksThemRelatively() throws {
        let folder = try TemporaryFolder("html-overlays", subfolders: ["gt", "pred", "md"])
        defer { folder.remove() }
        try Self.dataset(folder)
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--overlays", folder.path("ov"), "--worst", "1", "--markdown",
            folder.path("md/r.md"), "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        // Worst 1 of classes 1 and 2: the hostile key for class 1 (0.5), the same key for class 2 (1, tie by key).
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path("ov")).sorted()
        #expect(files == ["class1-1-_script_alert_1____x.png", "class2-1-_script_alert_1____x.png"])
        let png = try Data(contentsOf: folder.url("ov/" + (files.first ?? "")))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let markdown = try String(contentsOfFile: folder.path("md/r.md"), encoding: .utf8)
        #expect(markdown.contains("[png](../ov/class1-1-_script_alert_1____x.png)"))
        #expect(markdown.contains("| rank | image | dice | overlay |"))
    }

    @Test func aFailedReportLeavesTheOldPageAndNoOverlayOrTemporary() throws {
        let folder = try TemporaryFolder("html-batch", subfolders: ["gt", "pred", "out"])
        defer { folder.remove() }
        try Self.dataset(folder)
        try folder.write("old page", to: "out/r.html")
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--html", folder.path("out/r.html"), "--overlays",
            folder.path("out"), "--summary-csv", "/dev/full", "--quiet",
        ])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(try String(contentsOfFile: folder.path("out/r.html"), encoding: .utf8) == "old page")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("out")) == ["r.html"])
    }

    @Test func worstZeroDrawsNothingAndOutOfRangeIsAUsageError() throws {
        let folder = try TemporaryFolder("html-worst", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.dataset(folder)
        let none = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--overlays", folder.path("ov"), "--worst", "0", "--html",
            folder.path("r.html"), "--quiet",
        ])
        #expect(none.status == 0, "\(none.stderr)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.path("ov"))) == [])
        #expect(try String(contentsOfFile: folder.path("r.html"), encoding: .utf8).contains("No overlays"))
        let bad = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--worst", "101"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--worst takes 0 to 100 images per class, not 101"))
    }

    @Test func htmlAndJSONOnOneFileAreRefusedBeforeAnyWork() throws {
        let folder = try TemporaryFolder("html-conflict", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.dataset(folder)
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--json", folder.path("r"), "--html", folder.path("r"),
        ])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--html"))
    }
}

extension HTMLCommandTests {
    @Test func overlaysOnAFileOrInAMissingFolderIsRefusedBeforeAnyWork() throws {
        let folder = try TemporaryFolder("html-overlay-folder", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.dataset(folder)
        try folder.write("x", to: "file")
        let onFile = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--overlays", folder.path("file")])
        #expect(onFile.status == 2)
        #expect(onFile.stderr == "segscore: error: \(folder.path("file")): cannot write: --overlays names a file, not a folder\n")
        let missing = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--overlays", folder.path("no/such"),
        ])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("folder \(folder.path("no")) does not exist (--overlays)"))
    }

    @Test func channelDataGetsOneWarningAndNoPictures() throws {
        let folder = try TemporaryFolder("html-channels", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.dataset(folder)
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--encoding", "channels", "--html", folder.path("r.html"),
            "--overlays", folder.path("ov"), "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let warnings = output.stderr.split(separator: "\n").filter { $0.contains("overlays are drawn for label maps") }
        #expect(warnings.count == 1)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.path("ov"))) == [])
        #expect(try String(contentsOfFile: folder.path("r.html"), encoding: .utf8).contains("No confusion matrix"))
    }
}
