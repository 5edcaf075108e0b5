import Foundation
import SegScoreTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A dataset in a temporary folder.
extension TemporaryFolder {
    /// Writes a 4×2 8-bit PNG with these values (creating folders).
    fileprivate func png(_ relative: String, _ values: [UInt8]) throws {
        try write(TestMasks.pngBytes(width: 4, height: 2, samples: values.map(Int.init)), to: relative)
    }

    /// Writes a text file (creating folders).
    fileprivate func text(_ relative: String) throws {
        try write("not a mask\n", to: relative)
    }

    /// Runs `segscore evaluate gt pred extra… --json -` and parses the report.
    fileprivate func evaluate(_ extra: [String] = []) throws -> (status: Int32, report: [String: Any]) {
        let output = try BinaryRunner.run(["evaluate", path("gt"), path("pred"), "--json", "-", "--quiet"] + extra)
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        return (output.status, report)
    }
}

private let half: [UInt8] = [1, 1, 1, 1, 0, 0, 0, 0]
private let none: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
private let all: [UInt8] = [1, 1, 1, 1, 1, 1, 1, 1]

private func errors(_ report: [String: Any]) -> [(key: String?, path: String, message: String)] {
    (report["errors"] as? [[String: Any]] ?? []).map {
        ($0["key"] as? String, $0["path"] as? String ?? "", $0["message"] as? String ?? "")
    }
}

private func pairCount(_ report: [String: Any]) -> Int? { (report["inputs"] as? [String: Any])?["pairs"] as? Int }

@Suite struct ScanTrustTests {
    /// gt/one and gt/two are links to one folder; the predictions differ: Dice 1 and Dice 0.
    @Test func twoLinksToOneGroundTruthFolderAreBothScored() throws {
        let data = try TemporaryFolder("trust-twolinks")
        defer { data.remove() }
        try data.png("shared/x.png", half)
        try data.makeFolder("gt")
        #expect(symlink(data.path("shared"), data.path("gt/one")) == 0)
        #expect(symlink(data.path("shared"), data.path("gt/two")) == 0)
        try data.png("pred/one/x.png", half)
        try data.png("pred/two/x.png", none)
        let (status, report) = try data.evaluate()
        #expect(status == 0)
        #expect(pairCount(report) == 2)
        let images = report["images"] as? [[String: Any]] ?? []
        #expect(images.map { $0["key"] as? String } == ["one/x", "two/x"])
        // Class 1 per image: 2·4/(2·4+0+0) = 1 and 0/(0+0+4) = 0; the mean is 0.5.
        #expect((report["aggregate"] as? [String: Any])?["mean"] as? Double == 0.5)
        #expect((report["warnings"] as? [String]) == [])
    }

    @Test func imagesInFormatsItCannotReadAreErrorsOnEverySide() throws {
        let data = try TemporaryFolder("trust-formats")
        defer { data.remove() }
        for side in ["gt", "pred"] {
            try data.png("\(side)/a.png", half)
            try data.png("\(side)/b.png", half)
        }
        try data.png("roi/a.png", all)
        try data.png("roi/b.png", all)
        for name in [
            "gt/c.jpg", "gt/d.mha", "gt/notes.txt", "pred/e.webp", "pred/sub/f.npy", "pred/meta.json", "roi/g.bmp",
            "roi/readme.txt",
        ] {
            try data.text(name)
        }
        let (status, report) = try data.evaluate(["--roi-dir", data.path("roi")])
        #expect(status == 3)
        #expect(pairCount(report) == 2)
        // notes.txt, meta.json and the region folder's readme.txt.
        #expect((report["inputs"] as? [String: Any])?["ignored_files"] as? Int == 3)
        let found = errors(report)
        #expect(found.map(\.path) == ["gt/c.jpg", "gt/d.mha", "pred/e.webp", "pred/sub/f.npy", "roi/g.bmp"].map(data.path))
        #expect(
            found.map(\.message) == [
                "image format segscore does not read: .jpg (masks are PNG, TIFF or NIfTI)",
                "image format segscore does not read: .mha (masks are PNG, TIFF or NIfTI)",
                "image format segscore does not read: .webp (masks are PNG, TIFF or NIfTI)",
                "image format segscore does not read: .npy (masks are PNG, TIFF or NIfTI)",
                "image format segscore does not read: .bmp (masks are PNG, TIFF or NIfTI)",
            ])
    }

    @Test func fiveOfSixGroundTruthImagesUnreadableIsNotAPassingRun() throws {
        let data = try TemporaryFolder("trust-fiveofsix")
        defer { data.remove() }
        try data.png("gt/a.png", half)
        try data.png("pred/a.png", half)
        for name in ["b.jpg", "c.jpeg", "d.bmp", "e.gif", "f.tiff.gz"] { try data.text("gt/" + name) }
        let (status, report) = try data.evaluate()
        #expect(status == 3)
        // Five images it cannot read (a gzipped TIFF too); one image scored is no passing run.
        #expect(errors(report).map(\.path) == ["gt/b.jpg", "gt/c.jpeg", "gt/d.bmp", "gt/e.gif", "gt/f.tiff.gz"].map(data.path))
        #expect(errors(report).last?.message == "image format segscore does not read: .tiff.gz (masks are PNG, TIFF or NIfTI)")
        #expect((report["inputs"] as? [String: Any])?["ignored_files"] as? Int == 0)
    }

    @Test func twoRegionOfInterestFilesOnOneKeyAreAnError() throws {
        let data = try TemporaryFolder("trust-roidup")
        defer { data.remove() }
        for side in ["gt", "pred"] {
            try data.png("\(side)/a.png", half)
            try data.png("\(side)/b.png", half)
        }
        try data.png("roi/a.png", all)
        try data.png("roi/a.tif", none)  // the walk lists it by name; pairing must not pick one of the two
        try data.png("roi/b.png", all)
        let (status, report) = try data.evaluate(["--roi-dir", data.path("roi")])
        #expect(status == 3)
        #expect(pairCount(report) == 1)
        let found = errors(report)
        #expect(found.count == 1)
        #expect(found.first?.key == "a")
        #expect(found.first?.message == "two files on key 'a': \(data.path("roi/a.png")) and \(data.path("roi/a.tif"))")
    }

    @Test func aFolderThatCannotBeExaminedIsAnError() throws {
        let data = try TemporaryFolder("trust-deep")
        defer { data.remove() }
        try data.png("gt/a.png", half)
        try data.png("pred/a.png", half)
        // Folders nested until the path passes PATH_MAX, made through descriptors.
        let name = String(repeating: "d", count: 250)
        var descriptor = open(data.path("gt"), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        var made: [Int32] = [descriptor]
        for _ in 0..<18 {
            mkdirat(descriptor, name, 0o755)
            descriptor = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            made.append(descriptor)
        }
        close(openat(descriptor, "m.png", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644))
        defer {
            // Remove the chain from the bottom up, each through its parent's descriptor.
            unlinkat(made[made.count - 1], "m.png", 0)
            for level in stride(from: made.count - 2, through: 0, by: -1) {
                close(made[level + 1])
                unlinkat(made[level], name, AT_REMOVEDIR)
            }
            close(made[0])
        }
        let (status, report) = try data.evaluate()
        #expect(status == 3)
        #expect(pairCount(report) == 1)
        let found = errors(report)
        #expect(found.count == 1)
        #expect(found.first?.message == "unreadable folder: file name too long")
    }
}
