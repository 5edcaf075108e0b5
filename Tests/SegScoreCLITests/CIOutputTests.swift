import Foundation
import SegScoreTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// What CI systems read: a bounded Markdown report, names that cannot inject markup or terminal
/// sequences, JUnit XML whose test names do not change with the data.
@Suite struct CIOutputTests {
    static let fixedDate = ["SOURCE_DATE_EPOCH": "1767225600"]

    /// A 2×2 label map 0/1/2.
    static func mask(_ url: URL, _ values: [UInt8] = [0, 1, 2, 1]) throws {
        try TestMasks.png(width: 2, height: 2, values: values, to: url)
    }

    // MARK: 6. bounded Markdown

    @Test func markdownStaysUnder60000CharactersWith2000UnmatchedFilesAnd300Classes() throws {
        let folder = try TemporaryFolder("ci-big", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        for name in ["a", "b"] {
            try Self.mask(root.appendingPathComponent("gt/\(name).png"))
            try Self.mask(root.appendingPathComponent("pred/\(name).png"), [0, 1, 1, 2])
        }
        let long = String(repeating: "x", count: 150)
        for i in 0..<2_000 {
            // Never decoded (no prediction): empty files are enough.
            _ = FileManager.default.createFile(
                atPath: root.appendingPathComponent("gt/unmatched_\(i)_\(long).png").path, contents: Data())
        }
        let labels = (0..<300).map { "\"class \($0) \(String(repeating: "n", count: 50))\": \($0)" }
        try ("{" + labels.joined(separator: ", ") + "}").write(
            to: root.appendingPathComponent("labels.json"), atomically: true, encoding: .utf8)
        let output = try BinaryRunner.run(
            [
                "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path,
                "--labels", root.appendingPathComponent("labels.json").path, "--fail-under", "0.99", "--markdown", "-", "--quiet",
            ],
            environment: Self.fixedDate)
        #expect(output.status == 3)
        let markdown = output.stdout
        #expect(markdown.utf8.count < 60_000, "\(markdown.utf8.count) bytes")
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func line(_ i: Int) -> String { i < lines.count ? lines[i] : "" }
        #expect(line(0) == "# segscore report")
        #expect(line(2) == "❌ **failed** (exit 3): 2,000 data problems; 1 of 1 gate failed")
        // The gates come right after the date line.
        #expect(line(6) == "## Gates")
        // Each unmatched file at most once (before: in the unmatched list and again among errors).
        var seen: [Int: Int] = [:]
        for line in lines {
            var rest = Substring(line)
            while let range = rest.range(of: "unmatched_") {
                let digits = rest[range.upperBound...].prefix { $0.isNumber }
                if let i = Int(digits) { seen[i, default: 0] += 1 }
                rest = rest[range.upperBound...]
            }
        }
        #expect(!seen.isEmpty && seen.values.allSatisfy { $0 == 1 })
        #expect(seen.count == 20)
        #expect(
            markdown.contains("<details><summary>2,000 ground truth without prediction (data errors, --missing fail)</summary>"))
        #expect(markdown.contains("- … and 1,980 more; see the JSON report"))
        #expect(markdown.contains("… and 260 more classes; see the JSON report."))
        #expect(!markdown.contains("<summary>2000 errors") && !markdown.contains("errors</summary>"))
    }

    @Test func markdownStaysBoundedWith2000LongClassNamesAndAGatePerClass() throws {
        let folder = try TemporaryFolder("ci-classes", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        for name in ["a", "b"] {
            try Self.mask(root.appendingPathComponent("gt/\(name).png"))
            try Self.mask(root.appendingPathComponent("pred/\(name).png"), [0, 1, 1, 2])
        }
        // 200-character names full of Markdown: `<`, `*`, `_`, `|` double when escaped.
        let labels = (0..<2_000).map { "\"c\($0) " + String(repeating: "<*_|", count: 50) + "\": \($0)" }
        let labelsFile = root.appendingPathComponent("labels.json")
        try ("{" + labels.joined(separator: ", ") + "}").write(to: labelsFile, atomically: true, encoding: .utf8)
        let common = [
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--labels",
            labelsFile.path, "--bootstrap", "0",
        ]
        let baseline = root.appendingPathComponent("baseline.json")
        let first = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("gt").path,
            "--labels", labelsFile.path, "--bootstrap", "0", "--json", baseline.path, "--quiet",
        ])
        #expect(first.status == 0)
        // A gate per class (2,000 of them), and the baseline's gates.
        let gates = (0..<2_000).flatMap { ["--fail-under-class", "\($0)=0.5"] }
        let output = try BinaryRunner.run(
            common + gates + ["--baseline", baseline.path, "--max-drop", "0.01", "--markdown", "-", "--quiet"],
            environment: Self.fixedDate)
        #expect(output.status == 1)
        #expect(output.stdout.utf8.count < 60_000, "\(output.stdout.utf8.count) bytes")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func line(_ i: Int) -> String { i < lines.count ? lines[i] : "" }
        #expect(line(2).hasPrefix("❌ **failed** (exit 1): 2,"))
        #expect(line(2).hasSuffix(" of 2,004 gates failed; every pair scored"))
        #expect(
            lines.contains {
                $0.hasPrefix("… and ") && $0.contains(" more gates (") && $0.hasSuffix("failed); see the JSON report.")
            })
        #expect(output.stdout.contains("  # (shortened)"))
        #expect(output.stdout.contains("more classes; see the JSON report."))
        #expect(output.stdout.contains("## Command"))
    }

    // MARK: 7. names cannot inject

    static let hostile = [
        "nl\n# heading", "esc\u{1B}[31mred", "osc\u{1B}]8;;http:x.test\u{7}link\u{1B}]8;;\u{7}", "tick`s", "<table>", "pi|pe",
        "**x**",
    ]

    /// gt holds every hostile name and `ok`; pred holds `ok`, `<table>` and `**x**` (paired), so
    /// five names are unmatched ground truth (data errors).
    static func hostileDataset() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("ci-names", subfolders: ["gt", "pred"])
        let root = folder.url
        for name in hostile + ["ok"] { try mask(root.appendingPathComponent("gt").appendingPathComponent(name + ".png")) }
        for name in ["ok", "<table>", "**x**"] {
            try mask(root.appendingPathComponent("pred").appendingPathComponent(name + ".png"), [0, 1, 1, 2])
        }
        let labels = #"{"background": 0, "<thin>": 1, "**bold**\n# h": 2}"#
        try labels.write(to: root.appendingPathComponent("labels.json"), atomically: true, encoding: .utf8)
        return folder
    }

    static func arguments(_ root: URL) -> [String] {
        [
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path,
            "--labels", root.appendingPathComponent("labels.json").path, "--fail-under-class", "<thin>=0.99",
            "--fail-under-class", "**bold**\n# h=0.99",
        ]
    }

    static let unmatched = [
        #"nl\n# heading"#, #"esc\u{1B}[31mred"#, #"osc\u{1B}]8;;http:x.test\u{7}link\u{1B}]8;;\u{7}"#, "tick`s", "pi|pe",
    ]

    static func hasRawControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }
    }

    @Test func textSummaryAndStderrShowNamesVisibly() throws {
        let folder = try Self.hostileDataset()
        defer { folder.remove() }
        let root = folder.url
        let output = try BinaryRunner.run(Self.arguments(root))
        #expect(output.status == 3)
        #expect(!Self.hasRawControls(output.stdout) && !Self.hasRawControls(output.stderr))
        let lines = output.stdout.split(separator: "\n").map(String.init)
        let gt = root.appendingPathComponent("gt").path
        let errorLines = output.stderr.split(separator: "\n").map(String.init)
        for name in Self.unmatched {
            #expect(errorLines.contains("segscore: error: \(gt)/\(name).png: no prediction for this ground truth"), "\(name)")
        }
        #expect(!lines.contains { $0.hasPrefix("# heading") || $0.hasPrefix("# h") })
        #expect(lines.contains { $0.hasPrefix(#"**bold**\n# h   2"#) })
        #expect(lines.contains(#"  FAIL  class **bold**\n# h mean >= 0.99: 0.0000 < 0.9900"#))
        let quiet = try BinaryRunner.run(Self.arguments(root) + ["--quiet"])
        #expect(!Self.hasRawControls(quiet.stderr))
        #expect(quiet.stderr.contains(#"segscore: error: \#(gt)/esc\u{1B}[31mred.png: no prediction for this ground truth"#))
    }

    @Test func markdownEscapesFileAndClassNames() throws {
        let folder = try Self.hostileDataset()
        defer { folder.remove() }
        let root = folder.url
        let output = try BinaryRunner.run(Self.arguments(root) + ["--markdown", "-", "--quiet"], environment: Self.fixedDate)
        #expect(output.status == 3)
        let markdown = output.stdout
        #expect(!Self.hasRawControls(markdown))
        let lines = markdown.split(separator: "\n").map(String.init)
        let gt = root.appendingPathComponent("gt").path
        #expect(lines.contains(#"- `\#(gt)/nl\n# heading.png`"#))
        #expect(lines.contains(#"- `\#(gt)/esc\u{1B}[31mred.png`"#))
        #expect(lines.contains("- ``\(gt)/tick`s.png``"))
        #expect(lines.contains("- `\(gt)/pi|pe.png`"))
        // Listed once: the unmatched list, not again among the errors.
        for name in Self.unmatched { #expect(markdown.components(separatedBy: name + ".png").count == 2, "\(name)") }
        // Keys in the worst-image tables are code; raw HTML never appears outside code.
        #expect(markdown.contains("| `<table>` |") && markdown.contains("| `**x**` |"))
        #expect(!markdown.replacingOccurrences(of: "`<table>`", with: "").contains("<table>"))
        // Class names: escaped in tables and sentences, HTML-escaped in <summary>.
        #expect(markdown.contains(#"| \<thin\> | 1 |"#))
        #expect(markdown.contains(##"| \*\*bold\*\*\\n\# h | 2 |"##))
        #expect(markdown.contains(##"Headline classes: \<thin\> (1), \*\*bold\*\*\\n\# h (2)."##))
        #expect(markdown.contains("<details><summary>&lt;thin&gt; (1): 3 lowest</summary>"))
        #expect(markdown.contains(##"| ❌ fail | class \*\*bold\*\*\\n\# h mean \>= 0.99 | 0.0000 | 0.0000 \< 0.9900 |"##))
        #expect(!lines.contains { $0.hasPrefix("# h") || $0.hasPrefix("# heading") })
        // The command stays one line that bash reads back ($'…' quoting).
        #expect(markdown.contains(#"--fail-under-class $'**bold**\n# h=0.99'"#))
    }

    @Test func junitAndJSONCarryNamesSafely() throws {
        let folder = try Self.hostileDataset()
        defer { folder.remove() }
        let root = folder.url
        let gt = root.appendingPathComponent("gt").path
        let junit = try BinaryRunner.run(Self.arguments(root) + ["--junit", "-", "--quiet"], environment: Self.fixedDate)
        #expect(junit.status == 3)
        #expect(!Self.hasRawControls(junit.stdout))
        #expect(
            junit.stdout.contains(#"<testcase classname="segscore.gates" name="class **bold**\n# h mean &gt;= 0.99" time="0">"#))
        #expect(
            junit.stdout.contains(#"<testcase classname="segscore.gates" name="class &lt;thin&gt; mean &gt;= 0.99" time="0">"#))
        #expect(
            junit.stdout.contains(
                #"\#(gt)/osc\u{1B}]8;;http:x.test\u{7}link\u{1B}]8;;\u{7}.png: no prediction for this ground truth"#))
        let shape = try JUnitShape.parse(junit.stdout)
        #expect(shape.testCases.count == 3 && shape.errors == 1 && shape.failures == 2)

        let json = try BinaryRunner.run(Self.arguments(root) + ["--json", "-", "--quiet"])
        #expect(!Self.hasRawControls(json.stdout))
        #expect(json.stdout.contains(#"esc\u001b[31mred.png"#))
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let unmatched = (report["inputs"] as! [String: Any])["unmatched_gt"] as! [String]
        // The JSON keeps the exact names.
        #expect(Set(unmatched) == Set(Self.hostile.filter { !["<table>", "**x**"].contains($0) }.map { "\(gt)/\($0).png" }))
    }

    @Test func invalidUTF8NamesAreReportedAndTheJSONStaysValid() throws {
        let folder = try TemporaryFolder("ci-utf8", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try Self.mask(root.appendingPathComponent("gt/ok.png"))
        try Self.mask(root.appendingPathComponent("pred/ok.png"))
        let path =
            Array(root.appendingPathComponent("gt").path.utf8) + Array("/bad\u{1B}".utf8) + [0xFF] + Array(".png".utf8) + [0]
        let fd = path.withUnsafeBufferPointer {
            open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
        }
        #expect(fd >= 0)
        close(fd)
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--json", "-",
        ])
        #expect(output.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let errors = report?["errors"] as? [[String: Any]] ?? []
        #expect(errors.contains { ($0["path"] as? String)?.hasSuffix("/bad\u{1B}\u{FFFD}.png") == true })
        #expect(!Self.hasRawControls(output.stderr))
        #expect(output.stderr.contains(#"/bad\u{1B}"# + "\u{FFFD}.png"))
    }

    @Test func explainMarkdownEscapesClassNamesAndKeys() throws {
        let folder = try Self.hostileDataset()
        defer { folder.remove() }
        let root = folder.url
        let md = root.appendingPathComponent("explain.md")
        let output = try BinaryRunner.run(
            [
                "explain", "--gt", root.appendingPathComponent("gt/<table>.png").path, "--pred",
                root.appendingPathComponent("pred/<table>.png").path,
                "--labels", root.appendingPathComponent("labels.json").path, "--markdown", md.path,
            ])
        #expect(output.status == 0)
        #expect(!Self.hasRawControls(output.stdout))
        #expect(output.stdout.contains(#"**bold**\n# h"#))
        let text = try String(contentsOf: md, encoding: .utf8)
        #expect(text.contains(##"| variant | formula | background | \<thin\> | \*\*bold\*\*\\n\# h | dataset |"##))
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("# h") })
    }

    // MARK: 9. JUnit

    static func testCaseNames(_ xml: String) throws -> [String] { try JUnitShape.parse(xml).testCases }

    @Test func junitTestNamesDoNotChangeWithTheData() throws {
        let folder = try TemporaryFolder("ci-stable", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        for name in ["a", "b", "c"] {
            try Self.mask(root.appendingPathComponent("gt/\(name).png"))
            try Self.mask(root.appendingPathComponent("pred/\(name).png"), [0, 1, 1, 2])
        }
        let args = [
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path,
            "--fail-under", "0.9", "--junit", "-", "--quiet",
        ]
        let three = try BinaryRunner.run(args, environment: Self.fixedDate)
        try FileManager.default.removeItem(at: root.appendingPathComponent("pred/c.png"))
        let two = try BinaryRunner.run(args, environment: Self.fixedDate)
        #expect(three.status == 1 && two.status == 3)
        #expect(try Self.testCaseNames(three.stdout) == ["every pair scored", "mean >= 0.9"])
        #expect(try Self.testCaseNames(two.stdout) == ["every pair scored", "mean >= 0.9"])
        #expect(
            three.stdout.contains(
                "<system-out>3 pairs scored, 0 failed; 0 ground truth without prediction, 0 predictions without ground truth; 0 data problems</system-out>"
            ))
    }

    @Test func baselineFailureTextCarriesTheWholeVerdict() throws {
        let gt = "Fixtures/demo/gt"
        let folder = try TemporaryFolder("ci-baseline")
        defer { folder.remove() }
        let baseline = folder.url("baseline.json")
        let labels = ["--labels", "Fixtures/demo/labels.json"]
        #expect(try BinaryRunner.run(["evaluate", gt, gt, "--json", baseline.path, "--quiet"] + labels).status == 0)
        let output = try BinaryRunner.run(
            ["evaluate", gt, "Fixtures/demo/pred", "--baseline", baseline.path, "--max-drop", "0.01", "--junit", "-", "--quiet"]
                + labels,
            environment: Self.fixedDate)
        #expect(output.status == 1)
        let shape = try JUnitShape.parse(output.stdout)
        let headline = try #require(shape.failureTexts["mean drop <= 0.01 vs baseline"])
        let lines = headline.split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        func line(_ i: Int) -> String { i < lines.count ? lines[i] : "" }
        #expect(
            line(0).hasPrefix(
                "mean drop <= 0.01 vs baseline failed: 0.7942 vs baseline 1.0000: change -0.2058, allowed drop 0.0100, 95% CI of the change ["
            ))
        #expect(line(0).hasSuffix("] (beyond noise)"))
        #expect(line(1).hasPrefix("value: 0.794"))
        #expect(line(2) == "allowed drop: 0.01")
        #expect(line(3) == "baseline: 1")
        #expect(line(4).hasPrefix("difference: -0.205"))
        #expect(line(5).hasPrefix("difference 95% CI: [-0."))
        #expect(line(6) == "drop beyond noise: yes")
    }

    @Test func junitIsTimedAndReproducibleUnderSourceDateEpoch() throws {
        let args = [
            "evaluate", "Fixtures/datasets/tiny/gt", "Fixtures/datasets/tiny/pred", "--missing", "skip", "--junit", "-",
            "--quiet",
        ]
        let fixed = try BinaryRunner.run(args, environment: Self.fixedDate)
        let again = try BinaryRunner.run(args, environment: Self.fixedDate)
        #expect(fixed.stdout == again.stdout)
        var shape = try JUnitShape.parse(fixed.stdout)
        #expect(shape.timestamp == "2026-01-01T00:00:00" && shape.times == ["0", "0", "0"])
        let live = try BinaryRunner.run(args, environment: ["SOURCE_DATE_EPOCH": ""])
        shape = try JUnitShape.parse(live.stdout)
        #expect(shape.timestamp?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$"#, options: .regularExpression) != nil)
        // The suites and the data case carry the run's wall time (milliseconds, > 0).
        #expect(shape.times.count == 3 && shape.times.allSatisfy { Double($0) != nil } && shape.times[0] == shape.times[1])
        #expect(shape.times[0] != "0")
    }
}
