import Foundation
import SegScoreTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every kind of bad input in one dataset: the run goes on, each bad file is listed with a
/// one-line reason, the good pairs are scored, the exit code is 3.
@Suite struct HostileInputTests {
    @Test func everyBadInputIsListedAndTheRestIsScored() throws {
        let folder = try TemporaryFolder("hostile", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let gt = folder.url("gt")
        let pred = folder.url("pred")
        let good = Fixtures.path("datasets/tiny/gt/a.png")
        func copy(_ source: String, _ target: URL) throws {
            try FileManager.default.copyItem(atPath: source, toPath: target.path)
        }

        // Bad predictions (each against a good ground truth of the right size where it matters).
        let badPredictions = [
            "truncated_in_data.png", "truncated_after_header.png", "bad_crc.png", "broken_zlib.png", "zero_width.png",
            "huge_100000x100000.png", "palette_index_overflow.png", "random.png", "random.tif", "empty.png", "text_named.png",
            "absurd_tile.tif", "missing_strip_offsets.tif", "pages_mismatch.tif", "f64_unsupported.tif",
            "complex_unsupported.tif",
            "bad_ifd_offset.tif",
        ]
        for name in badPredictions {
            let key = "bad_" + name.replacingOccurrences(of: ".", with: "_")
            try copy(good, gt.appendingPathComponent(key + ".png"))
            try copy(Fixtures.path("bad/" + name), pred.appendingPathComponent(key + (name.hasSuffix(".tif") ? ".tif" : ".png")))
        }
        // A folder named like a mask, a FIFO, a size mismatch, a label outside --classes.
        try copy(good, gt.appendingPathComponent("folder.png"))
        try folder.makeFolder("pred/folder.png")
        try copy(good, gt.appendingPathComponent("fifo.png"))
        #expect(mkfifo(pred.appendingPathComponent("fifo.png").path, 0o644) == 0)
        try copy(good, gt.appendingPathComponent("mismatch.png"))
        try copy(Fixtures.path("png/gray8.png"), pred.appendingPathComponent("mismatch.png"))
        // gray2.png holds labels 0…3: 3 is outside --classes 0,1,2.
        try copy(Fixtures.path("png/gray2.png"), gt.appendingPathComponent("outside.png"))
        try copy(Fixtures.path("png/gray2.png"), pred.appendingPathComponent("outside.png"))
        // A symbolic-link loop and a name that is not UTF-8 in the prediction tree.
        #expect(symlink(pred.path, pred.appendingPathComponent("loop").path) == 0)
        var raw = Array(pred.appendingPathComponent("bad").path.utf8) + [0xFF] + Array(".png".utf8) + [0]
        let descriptor = raw.withUnsafeMutableBufferPointer {
            open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
        }
        close(descriptor)
        // Two good pairs.
        for name in ["good1.png", "good2.png"] {
            try copy(good, gt.appendingPathComponent(name))
            try copy(good, pred.appendingPathComponent(name))
        }

        let output = try BinaryRunner.run(["evaluate", gt.path, pred.path, "--classes", "0,1,2", "--json", "-", "--quiet"])
        #expect(output.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let errors = report["errors"] as! [[String: Any]]
        let keys = Set(errors.compactMap { $0["key"] as? String })
        for name in badPredictions {
            #expect(keys.contains("bad_" + name.replacingOccurrences(of: ".", with: "_")), "\(name) not listed")
        }
        for key in ["folder", "fifo", "mismatch", "outside"] { #expect(keys.contains(key), "\(key) not listed") }
        let messages = errors.map { $0["message"] as! String }
        #expect(messages.allSatisfy { !$0.isEmpty && !$0.contains("\n") })
        #expect(messages.contains { $0.contains("name is not UTF-8") })
        #expect(messages.contains { $0.contains("label id 3 not among the classes 0,1,2") })
        #expect(messages.contains { $0.contains("not a regular file") })  // the FIFO, refused without waiting
        #expect(messages.contains { $0.contains("is a directory") })
        #expect(errors.count == badPredictions.count + 4 + 1)
        // Every stderr line names a file and a reason: one per error, one per warning (the loop).
        let lines = output.stderr.split(separator: "\n")
        let errorLines = lines.filter { $0.hasPrefix("segscore: error: ") }
        #expect(errorLines.count == errors.count)
        #expect(errorLines.allSatisfy { $0.hasPrefix("segscore: error: /") })
        #expect(lines.count == errors.count + (report["warnings"] as! [String]).count)
        #expect(lines.allSatisfy { $0.hasPrefix("segscore: error: /") || $0.hasPrefix("segscore: warning: ") })
        // The loop is a warning, and the good pairs are scored (identical masks: Dice 1).
        #expect((report["warnings"] as! [String]).contains { $0.contains("symbolic-link loop") })
        let images = report["images"] as! [[String: Any]]
        #expect(images.map { $0["key"] as! String } == ["good1", "good2"])
        // --classes 0,1,2: three classes per image, each Dice 1 (not vacuously true on no classes).
        for image in images { #expect((image["classes"] as? [[String: Any]])?.map { $0["dice"] as? Double } == [1, 1, 1]) }
    }

    @Test func interruptedRunLeavesTheEarlierReportIntactAndNoTemporaryFiles() throws {
        let folder = try TemporaryFolder("interrupt", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        let gt = folder.url("gt")
        let pred = folder.url("pred")
        for i in 0..<400 {
            let slice = Fixtures.path("demo/gt/slice_0\(i % 8).png")
            try FileManager.default.linkItem(atPath: slice, toPath: gt.appendingPathComponent("c\(i).png").path)
            try FileManager.default.linkItem(
                atPath: Fixtures.path("demo/pred/slice_0\(i % 8).png"), toPath: pred.appendingPathComponent("c\(i).png").path)
        }
        let report = root.appendingPathComponent("report.json")
        try "earlier report\n".write(to: report, atomically: true, encoding: .utf8)
        for signal in [SIGINT, SIGTERM] {
            let process = BinaryRunner.process(
                ["evaluate", gt.path, pred.path, "--json", report.path, "--jobs", "1", "--progress", "always"])
            let progress = Pipe()
            process.standardError = progress
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // The first progress line means the handler is installed and scoring has begun.
            _ = progress.fileHandleForReading.availableData
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            // Death by the signal itself (a shell sees WIFSIGNALED and reports $? = 128 + n).
            #expect(process.terminationReason == .uncaughtSignal, "signal \(signal)")
            #expect(process.terminationStatus == signal, "signal \(signal)")
            #expect(try String(contentsOf: report, encoding: .utf8) == "earlier report\n")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty)
        }
    }
}

/// Regression: when no pair at all can be scored, the reports are still written (a crash once).
@Suite struct NothingScoredTests {
    @Test func allPairsFailedStillWritesEveryReport() throws {
        let folder = try TemporaryFolder("none")
        defer { folder.remove() }
        let root = folder.url
        try folder.copy(fixture: "datasets/tiny/gt/a.png", to: "gt/x.png")
        try folder.copy(fixture: "bad/bad_crc.png", to: "pred/x.png")
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--classes", "1",
            "--json", "-", "--markdown", root.appendingPathComponent("r.md").path, "--junit",
            root.appendingPathComponent("j.xml").path,
            "--csv", root.appendingPathComponent("r.csv").path,
        ])
        #expect(output.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        #expect((report["images"] as! [Any]).isEmpty && (report["errors"] as! [Any]).count == 1)
        #expect(((report["classes"] as! [[String: Any]])[0]["ci95"]) is NSNull)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("r.md").path))
        #expect(
            try String(contentsOfFile: root.appendingPathComponent("j.xml").path, encoding: .utf8).contains(
                "<error type=\"data\""))
    }
}
