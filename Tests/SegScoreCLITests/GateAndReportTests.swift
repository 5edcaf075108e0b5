import Foundation
import SegScoreTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Gates, the Markdown and JUnit reports, and the bootstrap intervals, through the binary.
@Suite struct GateAndReportTests {
    let tiny = ["evaluate", "Fixtures/datasets/tiny/gt", "Fixtures/datasets/tiny/pred", "--missing", "skip"]
    let demo = ["evaluate", "Fixtures/demo/gt", "Fixtures/demo/pred", "--labels", "Fixtures/demo/labels.json"]
    let fixedDate = ["SOURCE_DATE_EPOCH": "1767225600"]  // 2026-01-01T00:00:00Z

    // Tiny set, --missing skip: headline = (class 1 mean 0.375 + class 2 mean 2/3)/2 = 0.5208;
    // class 1 mean 0.375, class 2 mean 0.6667.

    static let gateCases: [([String], Int32)] = [
        (["--fail-under", "0.52"], 0), (["--fail-under", "0.53"], 1),
        (["--fail-under-class", "2=0.66"], 0), (["--fail-under-class", "1=0.4"], 1),
        (["--fail-under-class", "nosuchclass=0.4"], 2), (["--fail-under-class", "2"], 2),
    ]

    @Test(arguments: gateCases)
    func headlineAndClassGates(_ gate: [String], _ status: Int32) throws {
        let output = try BinaryRunner.run(tiny + gate + ["--quiet"])
        #expect(output.status == status, "\(output.stderr)")
    }

    @Test func dataProblemsWinOverAFailedGate() throws {
        let output = try BinaryRunner.run([
            "evaluate", "Fixtures/datasets/tiny/gt", "Fixtures/datasets/tiny/pred", "--fail-under", "0.99", "--quiet",
        ])
        #expect(output.status == 3)
    }

    @Test func baselineMaxDrop() throws {
        let folder = try TemporaryFolder("baseline")
        defer { folder.remove() }
        let baseline = folder.path("old.json")
        #expect(try BinaryRunner.run(demo + ["--json", baseline, "--quiet"]).status == 0)
        // Same data: no drop → pass.
        let same = try BinaryRunner.run(demo + ["--baseline", baseline, "--max-drop", "0", "--json", "-", "--quiet"])
        #expect(same.status == 0)
        let gates =
            (try JSONSerialization.jsonObject(with: Data(same.stdout.utf8)) as! [String: Any])["gates"] as! [[String: Any]]
        #expect(gates.count == 5)  // headline and four classes
        #expect(gates.allSatisfy { $0["passed"] as? Bool == true && $0["difference"] as? Double == 0 })
        // Ground truth scored against itself: every mean rises to 1, no drop. The prediction scored
        // as ground truth against the baseline run's ground truth gives the same means: pass too.
        let perfect = try BinaryRunner.run([
            "evaluate", "Fixtures/demo/gt", "Fixtures/demo/gt", "--labels", "Fixtures/demo/labels.json", "--baseline", baseline,
            "--max-drop", "0", "--quiet",
        ])
        #expect(perfect.status == 0)
        // The baseline is the perfect run; the demo predictions drop by more than 0.1 → exit 1, and the
        // paired bootstrap places the whole interval of the change below zero.
        let perfectBaseline = folder.path("perfect.json")
        #expect(
            try BinaryRunner.run([
                "evaluate", "Fixtures/demo/gt", "Fixtures/demo/gt", "--labels", "Fixtures/demo/labels.json", "--json",
                perfectBaseline, "--quiet",
            ]).status == 0)
        let worse = try BinaryRunner.run(demo + ["--baseline", perfectBaseline, "--max-drop", "0.1", "--json", "-", "--quiet"])
        #expect(worse.status == 1)
        let worseGates =
            (try JSONSerialization.jsonObject(with: Data(worse.stdout.utf8)) as! [String: Any])["gates"] as! [[String: Any]]
        let headline = worseGates[0]
        #expect(headline["passed"] as? Bool == false)
        #expect(abs((headline["difference"] as! Double) - (0.7942 - 1)) < 1e-3)
        #expect(headline["drop_beyond_noise"] as? Bool == true)
        #expect(((headline["difference_ci95"] as! [Double])[1]) < 0)
        // A missing baseline file is a configuration error.
        #expect(try BinaryRunner.run(demo + ["--baseline", "/no/such.json", "--max-drop", "0.1"]).status == 2)
        #expect(try BinaryRunner.run(demo + ["--max-drop", "0.1"]).status == 2)
    }

    @Test func bootstrapIsDeterministicAcrossRunsAndJobs() throws {
        let one = try BinaryRunner.run(demo + ["--jobs", "1", "--json", "-", "--quiet"])
        let two = try BinaryRunner.run(demo + ["--jobs", "2", "--json", "-", "--quiet"])
        let again = try BinaryRunner.run(demo + ["--jobs", "8", "--json", "-", "--quiet"])
        #expect(one.stdout == two.stdout && two.stdout == again.stdout)
        let report = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as! [String: Any]
        let ci = (report["aggregate"] as! [String: Any])["ci95"] as! [Double]
        #expect(ci[0] < 0.7942 && 0.7942 < ci[1])
    }

    @Test func identicalImagesGiveZeroWidthIntervals() throws {
        let output = try BinaryRunner.run(["evaluate", "Fixtures/demo/gt", "Fixtures/demo/gt", "--json", "-", "--quiet"])
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        // The demo's four classes (0…3), each interval [1, 1]; not vacuously true on no classes.
        let classes = report["classes"] as? [[String: Any]] ?? []
        #expect(classes.map { $0["ci95"] as? [Double] } == Array(repeating: [1, 1], count: 4))
        #expect((report["aggregate"] as! [String: Any])["ci95"] as? [Double] == [1, 1])
        let off = try BinaryRunner.run([
            "evaluate", "Fixtures/demo/gt", "Fixtures/demo/gt", "--bootstrap", "0", "--json", "-", "--quiet",
        ])
        #expect(!off.stdout.contains("ci95"))
    }

    /// A committed snapshot (excluded from the target in Package.swift: read here, not a resource).
    static func snapshot(_ name: String) -> URL {
        Fixtures.inPackage("Tests/SegScoreCLITests/Snapshots/\(name)")
    }

    /// Compares with a committed snapshot. SEGSCORE_RECORD=1 rewrites it instead and records an
    /// issue, so a recording run never passes: review the diff, then run again without it.
    static func assertSnapshot(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = snapshot(name)
        if ProcessInfo.processInfo.environment["SEGSCORE_RECORD"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            Issue.record(
                "snapshot \(name) recorded; review the diff, then re-run without SEGSCORE_RECORD", sourceLocation: sourceLocation)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "snapshot \(name) differs (SEGSCORE_RECORD=1 rewrites it)", sourceLocation: sourceLocation)
    }

    @Test func markdownSnapshotAndWellFormedTables() throws {
        let output = try BinaryRunner.run(
            tiny + ["--fail-under", "0.6", "--fail-under-class", "1=0.3", "--markdown", "-", "--quiet"], environment: fixedDate)
        #expect(output.status == 1)
        try Self.assertSnapshot(output.stdout, "tiny.md")
        // Every table row has as many cells as its header (escaped pipes are not separators).
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var header: Int?
        var tableRows = 0
        for line in lines {
            guard line.hasPrefix("|") else {
                header = nil
                continue
            }
            tableRows += 1
            let cells = Self.cells(line)
            if let header { #expect(cells == header, "\(line)") } else { header = cells }
        }
        // The loop above checked something: the report holds its tables (gates, classes, images…).
        #expect(tableRows >= 10, "\(tableRows) table rows")
        // The date line carries SOURCE_DATE_EPOCH's date, not the clock's.
        let dateLine = lines.count > 4 ? lines[4] : ""
        #expect(dateLine.hasPrefix("segscore ") && dateLine.hasSuffix(" · 2026-01-01T00:00:00Z"), "\(dateLine)")
    }

    static func cells(_ line: String) -> Int {
        var count = 0
        var escaped = false
        for character in line {
            if character == "|" && !escaped { count += 1 }
            escaped = character == "\\" && !escaped
        }
        return count - 1
    }

    @Test func pipesInFileNamesAreEscaped() throws {
        let folder = try TemporaryFolder("pipe")
        defer { folder.remove() }
        for side in ["gt", "pred"] { try folder.copy(fixture: "datasets/tiny/gt/a.png", to: "\(side)/a|b.png") }
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--markdown", "-", "--quiet"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("`a\\|b`"))
    }

    @Test func junitSnapshotParses() throws {
        // SOURCE_DATE_EPOCH fixes the timestamp and makes every time 0: the snapshot is stable.
        let output = try BinaryRunner.run(
            tiny + ["--fail-under", "0.6", "--fail-under-class", "1=0.3", "--junit", "-", "--quiet"], environment: fixedDate)
        #expect(output.status == 1)
        try Self.assertSnapshot(output.stdout, "tiny-junit.xml")
        let parser = XMLParser(data: Data(output.stdout.utf8))
        let counter = TestCaseCounter()
        parser.delegate = counter
        #expect(parser.parse())
        #expect(counter.testCases == 3 && counter.failures == 1)
    }

    @Test func githubStepSummaryGetsTheMarkdown() throws {
        let folder = try TemporaryFolder("summary")
        defer { folder.remove() }
        let file = try folder.write("previous step\n", to: "summary.md")
        let output = try BinaryRunner.run(tiny + ["--quiet"], environment: ["GITHUB_STEP_SUMMARY": file])
        #expect(output.status == 0)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("previous step\n# segscore report"))
    }
}

final class TestCaseCounter: NSObject, XMLParserDelegate {
    var testCases = 0
    var failures = 0

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if name == "testcase" { testCases += 1 }
        if name == "failure" { failures += 1 }
    }
}
