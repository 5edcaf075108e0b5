import Foundation
import SegScoreTestSupport
import Testing

/// Reports that can be trusted: every number prints, every write is checked, two outputs never
/// share a file, and the reports of one run are replaced together or not at all (issue 12,
/// items 16, 18–21).
@Suite struct ReportTrustTests {
    /// A dataset of one 2×2 pair: ground truth 0 1 / 1 0, prediction 0 1 / 0 0.
    /// Class 1: TP 1, FP 0, FN 1 → hard Dice 2/3. Class 2 appears in neither mask.
    final class Dataset {
        let folder: TemporaryFolder
        var root: URL { folder.url }
        var gt: String { folder.path("gt") }
        var pred: String { folder.path("pred") }
        var out: URL { folder.url("out") }

        init() throws {
            folder = try TemporaryFolder("trust", subfolders: ["gt", "pred", "out"])
            try TestMasks.png(width: 2, height: 2, values: [0, 1, 1, 0], to: folder.url("gt/a.png"))
            try TestMasks.png(width: 2, height: 2, values: [0, 1, 0, 0], to: folder.url("pred/a.png"))
        }

        func path(_ name: String) -> String { out.appendingPathComponent(name).path }

        /// The files in `out`, hidden ones included (a leftover temporary shows up here).
        func listing() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        }

        func plant(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: out.appendingPathComponent(name))
        }

        func contents(_ name: String) throws -> String {
            try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        }
    }

    // MARK: item 16 — every number prints, however large

    @Test func hugeValuesPrintInEveryFormat() throws {
        let data = try Dataset()
        // Soft Dice with nr = 1e300, dr = 1 (doubles: 2 + 1e300 = 1e300, and /4 is exact):
        // class 2, absent from both masks: (0 + 1e300)/(0 + 1) = 1e300;
        // class 1: (2·1 + 1e300)/(2 + 1 + 1) = 2.5e299; headline (1e300 + 2.5e299)/2 = 6.25e299.
        let output = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--variant", "soft", "--classes", "1,2", "--smooth-nr", "1e300", "--smooth-dr",
                "1",
                "--bootstrap", "0", "--json", data.path("r.json"), "--csv", data.path("r.csv"), "--summary-csv",
                data.path("s.csv"),
                "--markdown", data.path("r.md"), "--junit", data.path("r.xml"), "--fail-under", "0.5",
            ])
        #expect(output.status == 0, "\(output.stderr)")
        // Text summary: mean, median, min, max and pooled of each class.
        let lines = output.stdout.split(separator: "\n")
        let rows = ["1 ", "2 "].map { prefix in
            lines.first { $0.hasPrefix(prefix) }.map { $0.split(separator: " ").map(String.init) } ?? []
        }
        #expect(
            rows[0] == ["1", "1", "2.5e+299", "0.0000", "2.5e+299", "2.5e+299", "2.5e+299", "1", "0", "2.5e+299"],
            "\(output.stdout)")
        #expect(rows[1] == ["2", "2", "1e+300", "0.0000", "1e+300", "1e+300", "1e+300", "1", "0", "1e+300"], "\(output.stdout)")
        #expect(output.stdout.contains("headline: mean 6.25e+299 · "))
        #expect(output.stdout.contains("pass  mean >= 0.5: 6.25e+299 >= 0.5000"))
        let json = try data.contents("r.json")
        #expect(json.contains(#""smooth_nr": [1e+300]"#))
        #expect(json.contains(#""mean": 6.25e+299"#))
        #expect(json.contains(#""dice": 1e+300"#))
        let csv = try data.contents("r.csv").split(separator: "\r\n")
        #expect(csv.count == 3)
        #expect(csv[1].hasPrefix("a,\(data.gt)/a.png,\(data.pred)/a.png,1,1,2.5e+299,"))
        #expect(csv[2].hasPrefix("a,\(data.gt)/a.png,\(data.pred)/a.png,2,2,1e+300,"))
        let summary = try data.contents("s.csv").split(separator: "\r\n")
        #expect(summary[2].hasPrefix("2,2,1e+300,1e+300,0,1e+300,1e+300,1,0,1e+300,"))
        let markdown = try data.contents("r.md")
        #expect(markdown.contains("| 2 | 2 | 1e+300 ± 0.0000 | 1e+300 | 1e+300 | 1e+300 | 1 | 0 |"), "\(markdown)")
        #expect(markdown.contains("| mean of class means | 6.25e+299 |"))
        #expect(markdown.contains("- smoothing: numerator 1e+300, denominator 1"))
        #expect(try data.contents("r.xml").contains(#"name="mean &gt;= 0.5" time="0"/>"#))
    }

    @Test func subnormalValuesPrintInEveryFormat() throws {
        let data = try Dataset()
        // nr = 5e-324 (the smallest subnormal), dr = 1: class 2 = 5e-324; class 1 = (2 + 5e-324)/4 = 0.5.
        let output = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--variant", "soft", "--classes", "1,2", "--smooth-nr", "5e-324", "--smooth-dr",
                "1",
                "--bootstrap", "0", "--json", data.path("r.json"), "--csv", data.path("r.csv"), "--markdown", data.path("r.md"),
            ])
        #expect(output.status == 0, "\(output.stderr)")
        let row = output.stdout.split(separator: "\n").first { $0.hasPrefix("2 ") }.map {
            $0.split(separator: " ").map(String.init)
        }
        #expect(row == ["2", "2", "0.0000", "0.0000", "0.0000", "0.0000", "0.0000", "1", "0", "0.0000"], "\(output.stdout)")
        #expect(output.stdout.contains("headline: mean 0.2500 · "))
        #expect(try data.contents("r.json").contains(#""dice": 5e-324"#))
        #expect(
            try data.contents("r.csv").split(separator: "\r\n")[2].hasPrefix("a,\(data.gt)/a.png,\(data.pred)/a.png,2,2,5e-324,"))
        #expect(try data.contents("r.md").contains("- smoothing: numerator 5e-324, denominator 1"))
    }

    @Test func hugeValuesInAFailedGatePrintInJUnit() throws {
        let data = try Dataset()
        // Class 1 = 3/(3 + 1e-300) = 1 exactly in doubles; class 2 = 1e300.
        let output = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--variant", "soft", "--classes", "1,2", "--smooth-nr", "1", "--smooth-dr",
                "1e-300",
                "--bootstrap", "0", "--fail-under-class", "1=1", "--fail-under-class", "2=1", "--junit", "-", "--quiet",
            ])
        // 1 ≥ 1 and 1e300 ≥ 1: both pass.
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains(#"name="class 2 mean &gt;= 1.0" time="0"/>"#))
    }

    static let badThresholds: [[String]] = [
        ["--fail-under", "1e300"], ["--fail-under=-1e300"], ["--fail-under", "1.0000001"], ["--fail-under=-0.1"],
        ["--fail-under", "nan"], ["--fail-under", "inf"], ["--fail-under-class", "1=1e300"], ["--fail-under-class=1=-0.5"],
        ["--fail-under-class", "1=nan"], ["--max-drop", "1e300", "--baseline", "old.json"],
        ["--max-drop=-0.01", "--baseline", "old.json"],
        ["--max-drop", "nan", "--baseline", "old.json"],
    ]

    @Test(arguments: badThresholds)
    func gateThresholdsOutsideZeroToOneAreUsageErrors(_ gate: [String]) throws {
        let data = try Dataset()
        let output = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--quiet"] + gate)
        #expect(output.status == 2, "\(output.stderr)")
        #expect(
            output.stderr.hasPrefix("segscore: error: \(gate[0].split(separator: "=")[0]) takes a value in [0, 1], not "),
            "\(output.stderr)")
    }

    static let edgeThresholds: [([String], Int32)] = [
        (["--fail-under", "0"], 0), (["--fail-under", "1"], 1), (["--fail-under-class", "1=0.6"], 0), (["--fail-under=-0"], 0),
        (["--fail-under-class", "1=1"], 1),
    ]

    @Test(arguments: edgeThresholds)
    func gateThresholdsAtTheEdgesAreAccepted(_ gate: [String], _ status: Int32) throws {
        let data = try Dataset()
        #expect(try BinaryRunner.run(["evaluate", data.gt, data.pred, "--quiet"] + gate).status == status)
    }

    @Test func baselineHoldingHugeValuesPrints() throws {
        let data = try Dataset()
        let baseline = data.path("old.json")
        // A real report of the same definition, with its class mean and headline edited.
        let written = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--quiet", "--json", baseline])
        #expect(written.status == 0, "\(written.stderr)")
        var document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: baseline))) as! [String: Any]
        var classes = document["classes"] as! [[String: Any]]
        for index in classes.indices where classes[index]["id"] as? Int == 1 { classes[index]["mean"] = 1e300 }
        document["classes"] = classes
        var aggregate = document["aggregate"] as! [String: Any]
        aggregate["mean"] = -1e300
        document["aggregate"] = aggregate
        document["images"] = [Any]()
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: baseline))
        let output = try BinaryRunner.run([
            "evaluate", data.gt, data.pred, "--baseline", baseline, "--max-drop", "0.02", "--bootstrap", "0",
        ])
        // Class 1: 0.6667 against 1e300 is a drop of 1e300 → the gate fails (exit 1), and prints.
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stdout.contains("vs baseline 1e+300: change -1e+300"), "\(output.stdout)")
        #expect(output.stdout.contains("vs baseline -1e+300: change +1e+300"), "\(output.stdout)")
    }

    // MARK: item 18 — GITHUB_STEP_SUMMARY that cannot be written

    @Test(arguments: ["/dev/full", "/nonexistent-segscore-folder/summary.md"])
    func unwritableStepSummaryExitsTwo(_ summary: String) throws {
        let data = try Dataset()
        let output = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--quiet"], environment: ["GITHUB_STEP_SUMMARY": summary])
        #expect(output.status == 2, "\(output.stderr)")
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("GITHUB_STEP_SUMMARY \(summary)"), "\(output.stderr)")
    }

    @Test func unwritableStepSummaryLeavesTheOtherReportsAlone() throws {
        let data = try Dataset()
        try data.plant("r.json", "old json")
        let output = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--quiet", "--json", data.path("r.json")],
            environment: ["GITHUB_STEP_SUMMARY": "/dev/full"])
        #expect(output.status == 2)
        #expect(try data.contents("r.json") == "old json")
        #expect(try data.listing() == ["r.json"])
    }

    // MARK: item 19 — write errors on stdout and on files

    @Test(arguments: [["--csv", "-"], ["--json", "-"], ["--summary-csv", "-"], ["--markdown", "-"], ["--junit", "-"], []])
    func fullStdoutExitsTwo(_ report: [String]) throws {
        let data = try Dataset()
        let output = try BinaryRunner.run(["evaluate", data.gt, data.pred] + report, stdoutPath: "/dev/full")
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("stdout: cannot write: no space left on device"), "\(output.stderr)")
    }

    @Test(arguments: ["--json", "--csv", "--summary-csv", "--markdown", "--junit"])
    func fullDeviceAsAReportFileExitsTwo(_ option: String) throws {
        let data = try Dataset()
        let output = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--quiet", option, "/dev/full"])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr == "segscore: error: /dev/full: cannot write: no space left on device\n")
    }

    @Test(arguments: [
        ["explain"], ["explain", "--json"], ["explain", "--variant", "soft"], ["inspect", "Fixtures/png/gray8.png"],
        ["inspect", "--json", "Fixtures/png/gray8.png"], ["--help"], ["evaluate", "--help"], ["--version"],
    ])
    func fullStdoutInOtherCommandsExitsTwo(_ arguments: [String]) throws {
        let output = try BinaryRunner.run(arguments, stdoutPath: "/dev/full")
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("stdout: cannot write: no space left on device"), "\(output.stderr)")
    }

    @Test func explainMarkdownToAFullDeviceExitsTwo() throws {
        let data = try Dataset()
        let output = try BinaryRunner.run(["explain", "--gt", data.gt, "--pred", data.pred, "--markdown", "/dev/full"])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr == "segscore: error: /dev/full: cannot write: no space left on device\n")
    }

    // MARK: item 20 — two outputs on one path

    @Test func twoOutputsOnOnePathAreRefusedBeforeAnyWork() throws {
        let data = try Dataset()
        try data.plant("r", "old")
        try FileManager.default.createSymbolicLink(atPath: data.path("link"), withDestinationPath: data.path("r"))
        try FileManager.default.createSymbolicLink(atPath: data.path("dangling"), withDestinationPath: "new")
        let dotted = data.out.path + "/./r"
        let cases: [[String]] = [
            ["--json", data.path("r"), "--csv", data.path("r")],
            ["--summary-csv", data.path("x"), "--markdown", data.path("x")],
            ["--json", "-", "--junit", "-"],
            ["--json", data.path("r"), "--csv", dotted],
            ["--json", data.path("r"), "--markdown", data.out.path + "/../out/r"],
            ["--json", data.path("r"), "--csv", data.path("link")],
            ["--json", data.path("new"), "--csv", data.path("dangling")],
            ["--json", "-", "--csv", "/dev/stdout"],
        ]
        // A missing ground-truth folder: the refusal must come before the scan (it names no folder).
        for arguments in cases {
            let output = try BinaryRunner.run(["evaluate", "/nonexistent-segscore-gt", data.pred, "--quiet"] + arguments)
            #expect(output.status == 2, "\(arguments): \(output.stderr)")
            #expect(
                output.stderr.contains("same file") && !output.stderr.contains("nonexistent"), "\(arguments): \(output.stderr)")
        }
        #expect(try data.contents("r") == "old")
        #expect(try data.listing() == ["dangling", "link", "r"])
    }

    @Test func stepSummaryOnAReportPathIsRefused() throws {
        let data = try Dataset()
        try data.plant("r.json", "old")
        let output = try BinaryRunner.run(
            ["evaluate", "/nonexistent-segscore-gt", data.pred, "--json", data.path("r.json")],
            environment: ["GITHUB_STEP_SUMMARY": data.out.path + "/./r.json"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("GITHUB_STEP_SUMMARY") && output.stderr.contains("same file"), "\(output.stderr)")
        #expect(try data.contents("r.json") == "old")
    }

    @Test func theNullDeviceMayTakeSeveralReports() throws {
        let data = try Dataset()
        let output = try BinaryRunner.run([
            "evaluate", data.gt, data.pred, "--quiet", "--json", "/dev/null", "--csv", "/dev/null",
        ])
        #expect(output.status == 0, "\(output.stderr)")
    }

    // MARK: item 21 — the reports of one run are replaced together or not at all

    @Test(arguments: ["--summary-csv", "--markdown", "--junit"])
    func oneUnwritableReportKeepsEveryOldReport(_ failing: String) throws {
        let data = try Dataset()
        try data.plant("r.json", "old json")
        try data.plant("r.csv", "old csv")
        let output = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--quiet", "--json", data.path("r.json"), "--csv", data.path("r.csv"), failing,
                "/dev/full",
            ])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(try data.contents("r.json") == "old json")
        #expect(try data.contents("r.csv") == "old csv")
        #expect(try data.listing() == ["r.csv", "r.json"])  // no temporary left behind
    }

    @Test func aReportInAMissingFolderKeepsEveryOldReport() throws {
        let data = try Dataset()
        try data.plant("r.json", "old json")
        try data.plant("r.md", "old markdown")
        let output = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--quiet", "--json", data.path("r.json"), "--markdown", data.path("r.md"),
                "--csv", data.path("missing/r.csv"),
            ])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("\(data.path("missing/r.csv")): cannot write"), "\(output.stderr)")
        #expect(try data.contents("r.json") == "old json")
        #expect(try data.contents("r.md") == "old markdown")
        #expect(try data.listing() == ["r.json", "r.md"])
    }

    @Test func aFullStdoutKeepsEveryOldReport() throws {
        let data = try Dataset()
        try data.plant("r.json", "old json")
        let output = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--json", data.path("r.json"), "--csv", "-"], stdoutPath: "/dev/full")
        #expect(output.status == 2, "\(output.stderr)")
        #expect(try data.contents("r.json") == "old json")
        #expect(try data.listing() == ["r.json"])
    }

    /// SIGTERM while the reports are being written: the run is held at a point it cannot pass (the
    /// job summary is a FIFO nobody reads, opened once every report is staged), so the outcome
    /// does not depend on when the signal lands after the first temporary appeared.
    @Test func anInterruptedRunKeepsEveryOldReport() throws {
        let data = try Dataset()
        try data.plant("r.json", "old json")
        try data.plant("r.csv", "old csv")
        let fifo = data.root.appendingPathComponent("summary.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let process = BinaryRunner.process(
            ["evaluate", data.gt, data.pred, "--quiet", "--json", data.path("r.json"), "--csv", data.path("r.csv")],
            environment: ["GITHUB_STEP_SUMMARY": fifo])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The handler is installed before any temporary is made; wait (on a condition) for one.
        var staged = false
        for _ in 0..<6000 where !staged {
            staged = try data.listing().contains { $0.hasPrefix(".r.") }
            if !staged { usleep(10_000) }
        }
        #expect(staged)
        process.terminate()
        process.waitUntilExit()
        // Killed by SIGTERM itself, after the cleanup (not exit(143)): a parent sees WIFSIGNALED.
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
        #expect(try data.contents("r.json") == "old json")
        #expect(try data.contents("r.csv") == "old csv")
        #expect(try data.listing() == ["r.csv", "r.json"])
    }

    /// `--csv -` into a pipe nobody reads (`| head` that has left): SIGPIPE ends the run as the
    /// shell expects (death by SIGPIPE, $? = 141, no message), and the JSON staged before it is
    /// neither put in place nor left behind.
    @Test func aClosedStdoutPipeKeepsEveryOldReport() throws {
        let data = try Dataset()
        try data.plant("r.json", "old json")
        let process = BinaryRunner.process(["evaluate", data.gt, data.pred, "--json", data.path("r.json"), "--csv", "-"])
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGPIPE)
        #expect(try data.contents("r.json") == "old json")
        #expect(try data.listing() == ["r.json"])
    }

    @Test func allReportsAreReplacedWhenAllAreWritten() throws {
        let data = try Dataset()
        for name in ["r.json", "r.csv", "s.csv", "r.md", "r.xml"] { try data.plant(name, "old") }
        let output = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--quiet", "--json", data.path("r.json"), "--csv", data.path("r.csv"),
                "--summary-csv", data.path("s.csv"), "--markdown", data.path("r.md"), "--junit", data.path("r.xml"),
            ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try data.contents("r.json").hasPrefix("{\n  \"schema\": \"segscore.report/1\""))
        #expect(try data.contents("r.csv").hasPrefix("key,gt,pred,class_id"))
        #expect(try data.contents("s.csv").hasPrefix("class_id,class_name,mean"))
        #expect(try data.contents("r.md").hasPrefix("# segscore report"))
        #expect(try data.contents("r.xml").hasPrefix("<?xml"))
        #expect(try data.listing() == ["r.csv", "r.json", "r.md", "r.xml", "s.csv"])
    }
}
