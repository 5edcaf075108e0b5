import Foundation
import SegScoreTestSupport
import Testing

extension TemporaryFolder {
    /// Writes `name/gt/KEY.png` and `name/pred/KEY.png` (one row of pixels each); returns the two folders.
    func dataset(_ name: String, _ images: [String: (gt: [UInt8], pred: [UInt8])]) throws -> (gt: String, pred: String) {
        for side in ["gt", "pred"] { try makeFolder("\(name)/\(side)") }
        for (key, pair) in images {
            try TestMasks.png(width: pair.gt.count, height: 1, values: pair.gt, to: url("\(name)/gt/\(key).png"))
            try TestMasks.png(width: pair.pred.count, height: 1, values: pair.pred, to: url("\(name)/pred/\(key).png"))
        }
        return (path("\(name)/gt"), path("\(name)/pred"))
    }
}

func jsonReport(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// Baselines: the interval is of the change the gate reports, and a baseline that scored
/// something else is refused (exit 2) or doubted (a warning on stderr and in the reports).
@Suite struct BaselineTrustTests {
    // 20 pixels, ground truth 1 on pixels 0…9.
    static let truth: [UInt8] = Array(repeating: 1, count: 10) + Array(repeating: 0, count: 10)
    // Prediction 1 on 1…10: TP 9, FP 1, FN 1 → Dice 18/20 = 0.9.
    static let good: [UInt8] = [0] + Array(repeating: 1, count: 10) + Array(repeating: 0, count: 9)
    // Prediction 1 on 7…16: TP 3, FP 7, FN 7 → Dice 6/20 = 0.3.
    static let poor: [UInt8] = Array(repeating: 0, count: 7) + Array(repeating: 1, count: 10) + Array(repeating: 0, count: 3)

    static func fourGood(_ scratch: TemporaryFolder, _ name: String = "old") throws -> (gt: String, pred: String) {
        try scratch.dataset(name, ["a": (truth, good), "b": (truth, good), "c": (truth, good), "d": (truth, good)])
    }

    func baseline(_ scratch: TemporaryFolder, _ extra: [String] = [], data: (gt: String, pred: String)? = nil) throws -> String {
        let folders = try data ?? Self.fourGood(scratch)
        let path = scratch.path("baseline-\(UUID().uuidString).json")
        let run = try BinaryRunner.run(["evaluate", folders.gt, folders.pred, "--json", path, "--quiet"] + extra)
        #expect(run.status == 0, "\(run.stderr)")
        return path
    }

    /// Item 9. Baseline: a…d at 0.9 (mean 0.9). Now: a…d at 0.9 and a new image e at 0.3, mean
    /// (4·0.9 + 0.3)/5 = 0.78: change −0.12. The old interval came from the images of both runs
    /// only (a…d, change 0 in each): [0, 0], which excludes −0.12. The interval of the same
    /// statistic resamples the 5 keys: k draws of e give −0.12·k, k ~ Binomial(5, 1/5):
    /// P(k = 0) = 0.33 > 2.5% → upper 0; P(k ≥ 3) = 5.8% > 2.5% > P(k ≥ 4) = 0.67% → lower −0.36.
    @Test func intervalIsOfTheReportedChangeAndContainsIt() throws {
        let scratch = try TemporaryFolder("interval")
        defer { scratch.remove() }
        let old = try baseline(scratch, ["--classes", "1"])
        let now = try scratch.dataset(
            "new",
            [
                "a": (Self.truth, Self.good), "b": (Self.truth, Self.good), "c": (Self.truth, Self.good),
                "d": (Self.truth, Self.good), "e": (Self.truth, Self.poor),
            ])
        let run = try BinaryRunner.run(
            ["evaluate", now.gt, now.pred, "--classes", "1", "--baseline", old, "--max-drop", "0.2", "--json", "-", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let gates = try #require(try jsonReport(run.stdout)["gates"] as? [[String: Any]])
        #expect(gates.count == 2)  // headline and class 1, the same numbers
        for gate in gates {
            let difference = try #require(gate["difference"] as? Double)
            let interval = try #require(gate["difference_ci95"] as? [Double])
            #expect(abs(difference + 0.12) < 1e-9)
            #expect(abs(interval[0] + 0.36) < 1e-9 && interval[1] == 0)
            #expect(interval[0] <= difference && difference <= interval[1])
            #expect(gate["drop_beyond_noise"] as? Bool == false)
        }
        #expect(run.stderr.isEmpty)  // 4 of 5 images in common: no doubt
    }

    /// A drop the shared images show and the new image confirms: beyond the noise.
    @Test func aDropOnEveryImageIsBeyondNoise() throws {
        let scratch = try TemporaryFolder("beyond")
        defer { scratch.remove() }
        let old = try baseline(scratch, ["--classes", "1"])
        let now = try scratch.dataset(
            "new",
            [
                "a": (Self.truth, Self.poor), "b": (Self.truth, Self.poor), "c": (Self.truth, Self.poor),
                "d": (Self.truth, Self.poor), "e": (Self.truth, Self.poor),
            ])
        let run = try BinaryRunner.run(
            ["evaluate", now.gt, now.pred, "--classes", "1", "--baseline", old, "--max-drop", "0.1", "--json", "-", "--quiet"])
        #expect(run.status == 1)
        let gate = try #require((try jsonReport(run.stdout)["gates"] as? [[String: Any]])?.first)
        #expect(abs((gate["difference"] as? Double ?? 0) + 0.6) < 1e-9)
        let interval = try #require(gate["difference_ci95"] as? [Double])
        #expect(abs(interval[0] + 0.6) < 1e-9 && abs(interval[1] + 0.6) < 1e-9)
        #expect(gate["drop_beyond_noise"] as? Bool == true)
    }

    // Item 10: a baseline that scored something else is exit 2, naming what differs.
    static let mismatches: [([String], [String], String)] = [
        ([], ["--variant", "jaccard"], "variant 'hard' in the baseline, 'jaccard' here"),
        ([], ["--variant", "nnunet-eval"], "variant 'hard' in the baseline, 'nnunet-eval' here"),
        ([], ["--empty", "one"], "0/0 rule (--empty) nan in the baseline, one here"),
        ([], ["--smooth", "1"], "--smooth-nr 0.0 in the baseline, 1.0 here"),
        ([], ["--include-background"], "--include-background false in the baseline, true here"),
        ([], ["--ignore-label", "7"], "ignore labels none in the baseline, 7 here"),
        (["--classes", "1"], ["--classes", "0,1"], "classes 1 in the baseline, 0,1 here"),
        ([], ["--classes", "1"], "classes 0,1 in the baseline, 1 here"),
    ]

    @Test(arguments: mismatches)
    func baselineOfAnotherDefinitionIsRefused(_ then: [String], _ now: [String], _ reason: String) throws {
        let scratch = try TemporaryFolder("mismatch")
        defer { scratch.remove() }
        let old = try baseline(scratch, then)
        let data = try Self.fourGood(scratch, "now")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--baseline", old, "--max-drop", "0.1", "--quiet"] + now)
        #expect(run.status == 2)
        let first = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains(old) && first.contains(reason), "\(run.stderr)")
    }

    @Test func otherClassNamesForTheSameIdsAreRefused() throws {
        let scratch = try TemporaryFolder("names")
        defer { scratch.remove() }
        let before = try scratch.write(#"{"background": 0, "liver": 1}"#, to: "before.json")
        let after = try scratch.write(#"{"background": 0, "kidney": 1}"#, to: "after.json")
        let old = try baseline(scratch, ["--labels", before])
        let data = try Self.fourGood(scratch, "now")
        let run = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--labels", after, "--baseline", old, "--max-drop", "0.1", "--quiet"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("class 1 is 'liver' in the baseline, 'kidney' here"), "\(run.stderr)")
        // The same names: accepted.
        let same = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--labels", before, "--baseline", old, "--max-drop", "0.1", "--quiet"])
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test func anotherFormulaUnderTheSameVariantNameIsRefused() throws {
        let scratch = try TemporaryFolder("formula")
        defer { scratch.remove() }
        let old = try baseline(scratch)
        let text = try String(contentsOfFile: old, encoding: .utf8)
        let edited = text.replacingOccurrences(of: #""formula": "2TP/(2TP+FP+FN)""#, with: #""formula": "TP/(TP+FP+FN)""#)
        #expect(edited != text)
        let path = try scratch.write(edited, to: "edited.json")
        let data = try Self.fourGood(scratch, "now")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--baseline", path, "--max-drop", "0.1", "--quiet"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("formula 'TP/(TP+FP+FN)' in the baseline, '2TP/(2TP+FP+FN)' here"), "\(run.stderr)")
    }

    /// Few images in common (1 of 5 here, 4 in the baseline), or none: compared, with a warning on
    /// stderr and in the JSON, text and Markdown reports.
    @Test(arguments: [
        (["a", "x", "y", "z", "w"], "only 1 image in common (5 here, 4 in the baseline)"),
        (["p", "q"], "no image in common (2 here, 4 in the baseline)"),
    ])
    func fewImagesInCommonIsAWarning(_ keys: [String], _ warning: String) throws {
        let scratch = try TemporaryFolder("common")
        defer { scratch.remove() }
        let old = try baseline(scratch)
        var images: [String: (gt: [UInt8], pred: [UInt8])] = [:]
        for key in keys { images[key] = (Self.truth, Self.good) }
        let data = try scratch.dataset("now", images)
        let markdown = scratch.path("report.md")
        let run = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--baseline", old, "--max-drop", "0.1", "--json", "-", "--markdown", markdown])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("segscore: warning: --baseline \(old): \(warning)"), "\(run.stderr)")
        let warnings = try #require(try jsonReport(run.stdout)["warnings"] as? [String])
        #expect(warnings.contains { $0.contains(warning) })
        #expect(try String(contentsOfFile: markdown, encoding: .utf8).contains(warning))
    }

    @Test func aClassWithoutBaselineMeanIsNamedNotSilentlySkipped() throws {
        let scratch = try TemporaryFolder("nullmean")
        defer { scratch.remove() }
        // Class 3 appears nowhere: NaN in every image, its mean null in both reports.
        let old = try baseline(scratch, ["--classes", "1,3"])
        let data = try Self.fourGood(scratch, "now")
        let run = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--classes", "1,3", "--baseline", old, "--max-drop", "0.1", "--json", "-",
                "--quiet",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("class 3 has no mean (null), not compared"), "\(run.stderr)")
        let gates = try #require(try jsonReport(run.stdout)["gates"] as? [[String: Any]])
        #expect(
            gates.map { $0["name"] as? String ?? "" } == ["mean drop <= 0.1 vs baseline", "class 1 mean drop <= 0.1 vs baseline"])
    }

    static let notReports: [(String, String)] = [
        (#"{"foo": 1}"#, "no 'schema', expected a segscore.report/1 report"),
        (#"{"schema": "segscore.report/2", "classes": []}"#, "schema 'segscore.report/2', expected a segscore.report/1 report"),
        (#"{"metric_per_case": [], "mean": {"1": {"Dice": 0.8}}, "foreground_mean": {"Dice": 0.8}}"#, "no 'schema'"),
        (#"{"schema": 5}"#, "schema '(not a string)', expected a segscore.report/1 report"),
        ("[1, 2]", "not a JSON object"),
        ("not json", "not a JSON object"),
        (#"{"schema": "segscore.report/1", "classes": []}"#, "not a complete segscore.report/1 report (missing 'config')"),
        (
            #"{"schema": "segscore.report/1", "config": {"variant": "hard", "formula": "x"}, "classes": [{"id": "one"}]}"#,
            "not a complete segscore.report/1 report (unexpected value at 'classes[0].id')"
        ),
    ]

    @Test(arguments: notReports)
    func aFileThatIsNotASegscoreReportIsRefused(_ text: String, _ reason: String) throws {
        let scratch = try TemporaryFolder("schema")
        defer { scratch.remove() }
        let path = try scratch.write(text, to: "other.json")
        let data = try Self.fourGood(scratch, "now")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--baseline", path, "--max-drop", "0.1", "--quiet"])
        #expect(run.status == 2)
        let first = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("--baseline \(path): ") && first.contains(reason), "\(run.stderr)")
    }
}
