import Foundation
import SegScoreTestSupport
import Testing

/// Where messages go (errors and warnings on stderr, one line each; stdout only the summary or a
/// `-` report), and the small things users hit: whole-command `--help` examples, progress on a
/// dumb terminal, the thresholds in the summary, the std convention, and what `inspect` says
/// about colours and about `--encoding auto`.
@Suite struct MessagesTests {
    static let tiny = ["evaluate", "Fixtures/datasets/tiny/gt", "Fixtures/datasets/tiny/pred"]

    /// A dataset with three data problems: b is a size mismatch (2×1 against 3×1), c's prediction
    /// is not an image, e has no prediction; a scores.
    static func threeProblems() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("messages", subfolders: ["gt", "pred"])
        let root = folder.url
        let gt = root.appendingPathComponent("gt")
        let pred = root.appendingPathComponent("pred")
        for name in ["a", "b", "c", "e"] {
            try TestMasks.png(width: 2, height: 1, samples: [0, 1], to: gt.appendingPathComponent("\(name).png"))
        }
        try TestMasks.png(width: 2, height: 1, samples: [0, 1], to: pred.appendingPathComponent("a.png"))
        try TestMasks.png(width: 3, height: 1, samples: [0, 1, 1], to: pred.appendingPathComponent("b.png"))
        try Data("not a png".utf8).write(to: pred.appendingPathComponent("c.png"))
        return folder
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    // MARK: item 8 — stderr for problems

    @Test func dataErrorsGoToStderrOneLineEachAndNotToStdout() throws {
        let folder = try Self.threeProblems()
        defer { folder.remove() }
        let root = folder.url
        let run = try BinaryRunner.run(["evaluate", root.path + "/gt", root.path + "/pred", "--bootstrap", "0"])
        #expect(run.status == 3)
        // Unpaired files first (found while pairing), then the pairs in key order.
        let r = root.path
        #expect(
            run.stderr == """
                segscore: error: \(r)/gt/e.png: no prediction for this ground truth
                segscore: error: \(r)/pred/b.png: size mismatch: prediction is 3x1, ground truth \(r)/gt/b.png is 2x1
                segscore: error: \(r)/pred/c.png: not a mask: not a PNG, TIFF or NIfTI file (unrecognised signature)

                """)
        // stdout is the summary: it counts the errors and lists none of them.
        for name in ["b.png", "c.png", "e.png"] { #expect(!run.stdout.contains(name), "\(run.stdout)") }
        #expect(run.stdout.contains("\nerrors: 3 (listed on stderr)"), "\(run.stdout)")
        #expect(run.stdout.contains("pairs: 1 scored, 2 failed"))
    }

    /// A name holding ESC, an OSC title sequence and a newline stays one stderr line, with the
    /// control characters shown as \u{…} (nothing reaches the terminal raw).
    @Test func controlCharactersInANameCannotBreakTheStderrLine() throws {
        let folder = try TemporaryFolder("control", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        let name = "x\u{1B}]0;owned\u{07}\ny.png"
        try TestMasks.png(width: 2, height: 1, samples: [0, 1], to: root.appendingPathComponent("gt/\(name)"))
        // A pair that does pair, so the run is not "nothing pairs" (one line about the folder).
        try TestMasks.png(width: 2, height: 1, samples: [0, 1], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 2, height: 1, samples: [0, 1], to: root.appendingPathComponent("pred/a.png"))
        let run = try BinaryRunner.run(["evaluate", root.path + "/gt", root.path + "/pred", "--quiet"])
        #expect(run.status == 3)
        #expect(
            run.stderr == "segscore: error: \(root.path)/gt/x\\u{1B}]0;owned\\u{7}\\ny.png: no prediction for this ground truth\n"
        )
    }

    @Test func quietStillPrintsEveryErrorOnStderr() throws {
        let folder = try Self.threeProblems()
        defer { folder.remove() }
        let root = folder.url
        let run = try BinaryRunner.run(["evaluate", root.path + "/gt", root.path + "/pred", "--quiet"])
        #expect(run.status == 3)
        #expect(run.stdout == "")
        #expect(Self.lines(run.stderr).count == 3)
        #expect(Self.lines(run.stderr).allSatisfy { $0.hasPrefix("segscore: error: ") })
    }

    @Test func aDashReportKeepsStdoutPureAndErrorsStillGetTheirLines() throws {
        let folder = try Self.threeProblems()
        defer { folder.remove() }
        let root = folder.url
        let run = try BinaryRunner.run(["evaluate", root.path + "/gt", root.path + "/pred", "--json", "-", "--bootstrap", "0"])
        #expect(run.status == 3)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect((json?["errors"] as? [Any])?.count == 3)
        let errorLines = Self.lines(run.stderr).filter { $0.hasPrefix("segscore: error: ") }
        #expect(errorLines.count == 3, "\(run.stderr)")
    }

    @Test func warningsGoToStderrWithAPrefix() throws {
        let run = try BinaryRunner.run(Self.tiny + ["--missing", "skip", "--bootstrap", "0"])
        #expect(run.status == 0)
        #expect(run.stderr == "segscore: warning: Fixtures/datasets/tiny/gt/d.png: no prediction, skipped (--missing skip)\n")
        #expect(!run.stdout.contains("d.png"))
        #expect(run.stdout.contains("\nwarnings: 1 (listed on stderr)"), "\(run.stdout)")
    }

    @Test(
        arguments: [
            (
                ["evaluate", "/nonexistent-segscore-gt", "Fixtures/datasets/tiny/pred"],
                "segscore: error: /nonexistent-segscore-gt: cannot read: no such file or directory\n"
            ),
            (tiny + ["--smooth", "1,x"], "segscore: error: --smooth takes non-negative numbers: 1e-5 or 1e-5,1,100\n"),
            (
                tiny + ["--labels", "/nonexistent-segscore.json"],
                "segscore: error: --labels /nonexistent-segscore.json: cannot read the file\n"
            ),
            (
                tiny + ["--baseline", "/nonexistent-segscore.json", "--max-drop", "0.1"],
                "segscore: error: --baseline /nonexistent-segscore.json: cannot read the file\n"
            ),
            (tiny + ["--classes", "1,x"], "segscore: error: --classes takes non-negative ids separated by commas, e.g. 1,2,5\n"),
            (tiny + ["--variant", "nope"], nil),
            (
                ["explain", "--gt", "Fixtures/datasets/tiny/gt", "--pred", "Fixtures/datasets/tiny/pred", "--smooth", "x"],
                "segscore: error: --smooth takes non-negative numbers: 1e-5 or 1e-5,1,100\n"
            ),
            (["explain", "--variant", "nope"], nil),
        ] as [([String], String?)])
    func runtimeErrorsAreOneLineWithoutUsage(arguments: [String], expected: String?) throws {
        let run = try BinaryRunner.run(arguments)
        #expect(run.status == 2)
        #expect(run.stdout == "")
        #expect(!run.stderr.contains("Usage"), "\(run.stderr)")
        #expect(Self.lines(run.stderr).count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("segscore: error: "))
        if let expected { #expect(run.stderr == expected) }
    }

    @Test func trueParseErrorsKeepTheUsageHint() throws {
        let run = try BinaryRunner.run(Self.tiny + ["--no-such-flag"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Usage: segscore evaluate"))
    }

    // MARK: item 11 — help examples are whole commands

    @Test(arguments: [["--help"], ["evaluate", "--help"], ["explain", "--help"], ["inspect", "--help"]])
    func helpExamplesAreWholeCommandsAt80Columns(arguments: [String]) throws {
        let run = try BinaryRunner.run(arguments, environment: ["COLUMNS": "80"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "Examples:") else {
            Issue.record("no Examples: block in \(arguments)")
            return
        }
        var examples: [String] = []
        for line in lines[(start + 1)...] {
            if line.isEmpty { break }
            examples.append(line)
        }
        #expect(examples.count >= 2)
        for (index, line) in examples.enumerated() {
            #expect(line.count <= 80, "\(line)")
            let continued = index > 0 && examples[index - 1].hasSuffix(" \\")
            if continued {
                #expect(line.hasPrefix("      --") || line.hasPrefix("      "), "continuation: \(line)")
            } else {
                #expect(line.hasPrefix("  segscore ") || line == "  segscore", "not a whole command: \(line)")
            }
        }
        // The last line of an example ends it (no dangling continuation).
        #expect(examples.last?.hasSuffix("\\") == false)
    }

    // MARK: item 11 — progress without escape codes on a dumb terminal

    @Test func progressOnADumbTerminalIsPlainLinesPerTenPercent() throws {
        let run = try BinaryRunner.run(
            Self.tiny + ["--missing", "skip", "--progress", "always", "--jobs", "1", "--bootstrap", "0"],
            environment: ["TERM": "dumb"])
        #expect(run.status == 0)
        #expect(!run.stderr.contains("\u{1B}"))
        #expect(!run.stderr.contains("\r"))
        // 3 pairs: 33%, 66%, 100% each cross a 10% step.
        #expect(run.stderr.hasPrefix("  1/3 pairs (33%)\n  2/3 pairs (66%)\n  3/3 pairs (100%)\n"), "\(run.stderr)")
    }

    @Test func progressOnACapableTerminalRedrawsOneLine() throws {
        let run = try BinaryRunner.run(
            Self.tiny + ["--missing", "skip", "--progress", "always", "--jobs", "1", "--bootstrap", "0"],
            environment: ["TERM": "xterm-256color"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("\r  3/3 pairs"))
        #expect(run.stderr.contains("\u{1B}[K"))
    }

    // MARK: item 11 — the thresholds in effect, in the summary

    /// gt 0/255 (binary, class 1 at pixels 1–3); pred an 8-bit probability map 0, 77, 128, 255
    /// (p = 0, 0.302, 0.502, 1). At 0.5: TP 2, FN 1 → 4/5; at 0.3: TP 3 → 1.
    static func probabilitySet() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("thresholds", subfolders: ["gt", "pred"])
        try TestMasks.png(width: 4, height: 1, samples: [0, 255, 255, 255], to: folder.url("gt/p.png"))
        try TestMasks.png(width: 4, height: 1, samples: [0, 77, 128, 255], to: folder.url("pred/p.png"))
        return folder
    }

    static func classMean(_ json: String, id: Int) throws -> Double? {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let classes = object?["classes"] as? [[String: Any]] ?? []
        return classes.first { ($0["id"] as? Int) == id }?["mean"] as? Double
    }

    @Test(
        arguments: [
            (["--threshold", "0.3"], "probability maps binarised by p > 0.3;", 1.0),
            (["--threshold", "0.4,0.6"], "probability maps binarised by p > 0.4 (channel 0), 0.6 (channel 1 and later);", 0.8),
            ([], "probability maps binarised by p > 0.5;", 0.8),
            (["--binarize", "gt:0.3"], "probability maps binarised by p > 0.3;", 1.0),
        ] as [([String], String, Double)])
    func summaryStatesTheThresholdsInEffect(extra: [String], line: String, mean: Double) throws {
        let folder = try Self.probabilitySet()
        defer { folder.remove() }
        let root = folder.url
        let base = ["evaluate", root.path + "/gt", root.path + "/pred", "--pred-encoding", "probability", "--bootstrap", "0"]
        let run = try BinaryRunner.run(base + extra)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(line), "\(run.stdout)")
        #expect(!run.stdout.contains("gt:"), "\(run.stdout)")
        let json = try BinaryRunner.run(base + extra + ["--json", "-", "--quiet"])
        #expect(try Self.classMean(json.stdout, id: 1) == mean)
    }

    @Test func binarizeAndThresholdThatDisagreeAreRefused() throws {
        let run = try BinaryRunner.run(Self.tiny + ["--binarize", "gt:0.3", "--threshold", "0.5"])
        #expect(run.status == 2)
        #expect(run.stderr == "segscore: error: --binarize gt:0.3 and --threshold 0.5 disagree: give the threshold once\n")
    }

    // MARK: item 11 — the std convention

    @Test func stdConventionIsDocumentedInHelpAndJSON() throws {
        let help = try BinaryRunner.run(["evaluate", "--help"], environment: ["COLUMNS": "200"])
        #expect(help.stdout.contains("population standard deviation (ddof = 0"), "\(help.stdout)")
        let run = try BinaryRunner.run(Self.tiny + ["--missing", "skip", "--json", "-", "--quiet", "--bootstrap", "0"])
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let config = object?["config"] as? [String: Any]
        #expect(config?["std_ddof"] as? Int == 0)
    }

    // MARK: item 11 — inspect: colours and what auto decides

    static func inspect(_ write: (URL) throws -> Void) throws -> (text: String, json: [String: Any]) {
        let folder = try TemporaryFolder("inspect", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        let file = root.appendingPathComponent("gt/m.png")
        try write(file)
        let text = try BinaryRunner.run(["inspect", file.path])
        let json = try BinaryRunner.run(["inspect", "--json", file.path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        return (text.stdout, object)
    }

    @Test func inspectShowsRGBColourTriplesAndThatAutoNeedsLabels() throws {
        let (text, json) = try Self.inspect { url in
            try TestMasks.png(width: 3, height: 1, color: .rgb, samples: [255, 0, 0, 255, 0, 0, 0, 0, 0], to: url)
        }
        #expect(text.contains("\n  colors: [0,0,0]: 1, [255,0,0]: 2\n"), "\(text)")
        #expect(
            text.contains(
                "\n  auto: rgb — an RGB mask needs --labels with colours ([r,g,b] per class), or --encoding channels\n"),
            "\(text)")
        #expect(json["colors"] as? [String: Int] == ["[0,0,0]": 1, "[255,0,0]": 2])
        #expect(json["auto"] as? String == "rgb")
        #expect(
            json["auto_detail"] as? String
                == "an RGB mask needs --labels with colours ([r,g,b] per class), or --encoding channels")
    }

    @Test func inspectShowsPaletteColours() throws {
        // TestMasks' palette is a grey ramp: entry i is (i, i, i).
        let (text, json) = try Self.inspect { url in
            try TestMasks.png(width: 3, height: 1, color: .palette, samples: [0, 2, 2], paletteSize: 3, to: url)
        }
        #expect(text.contains("\n  colors: [0,0,0]: 1, [2,2,2]: 2\n"), "\(text)")
        #expect(json["colors"] as? [String: Int] == ["[0,0,0]": 1, "[2,2,2]": 2])
        #expect(json["auto"] as? String == "palette-labels")
        #expect(json["auto_detail"] as? String == "palette indices are the labels: ids 0, 2")
    }

    @Test(
        arguments: [
            ([0, 255, 255, 0], "binary", "0/255: 255 is label 1"),
            ([0, 1, 1, 0], "labels", "ids 0, 1"),
            ([0, 1, 2, 7], "labels", "ids 0, 1, 2, 7"),
            ([0, 0, 0, 0], "labels", "ids 0"),
        ] as [([Int], String, String)])
    func inspectSaysWhatAutoDecides(samples: [Int], name: String, detail: String) throws {
        let (text, json) = try Self.inspect { url in
            try TestMasks.png(width: 4, height: 1, samples: samples, to: url)
        }
        #expect(text.contains("\n  auto: \(name) — \(detail)"), "\(text)")
        #expect(json["auto"] as? String == name)
        #expect(json["auto_detail"] as? String == detail)
        #expect(json["colors"] == nil)
    }

    @Test func inspectSaysAutoReadsFloatAsProbabilityAndFlagsValuesOutsideTheRange() throws {
        let good = try Self.inspect { url in
            try TestMasks.floatTIFF(width: 2, height: 1, values: [0, 0.75], to: url)
        }
        #expect(good.json["auto"] as? String == "probability")
        #expect(good.json["auto_detail"] as? String == "one float channel: p, foreground where p > --threshold")
        let bad = try Self.inspect { url in
            try TestMasks.floatTIFF(width: 2, height: 1, values: [-1, 2.5], to: url)
        }
        #expect(bad.json["auto"] as? String == "probability")
        #expect(
            bad.json["auto_detail"] as? String
                == "one float channel: p, foreground where p > --threshold; but values lie outside [0, 1] (min -1, max 2.5): evaluate refuses this file"
        )
        let channels = try Self.inspect { url in
            try TestMasks.floatTIFF(width: 1, height: 1, channels: 3, values: [0.1, 0.2, 0.7], to: url)
        }
        #expect(channels.json["auto"] as? String == "probability-channels")
        #expect(channels.json["auto_detail"] as? String == "3 float channels: class = channel index")
    }
}
