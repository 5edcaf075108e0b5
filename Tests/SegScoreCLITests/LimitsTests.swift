import Foundation
import SegScoreTestSupport
import Testing

/// Resource bounds a user meets at the command line: `--bootstrap` is bounded, `--labels` files
/// cannot expand, and a dataset where nothing pairs is one line that says what to pass.
@Suite struct LimitsTests {
    static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    @Test(arguments: [
        (["--bootstrap", "100000000"], "segscore: error: --bootstrap takes 0 (no intervals) to 100000 resamples, not 100000000"),
        (["--bootstrap=-1"], "segscore: error: --bootstrap takes 0 (no intervals) to 100000 resamples, not -1"),
        (["--bootstrap", "100001"], "segscore: error: --bootstrap takes 0 (no intervals) to 100000 resamples, not 100001"),
    ])
    func bootstrapOutsideItsRangeIsAUsageError(_ flags: [String], _ message: String) throws {
        let scratch = try TemporaryFolder("bootstrap-range")
        defer { scratch.remove() }
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0])])
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred] + flags)
        #expect(run.status == 2)
        #expect(Self.firstLine(run.stderr) == message)
        #expect(run.stdout.isEmpty)
    }

    /// 0 turns the intervals off (no ci95, bootstrap absent); 100000 is accepted.
    @Test func bootstrapZeroIsOffAndTheMaximumRuns() throws {
        let scratch = try TemporaryFolder("bootstrap-ends")
        defer { scratch.remove() }
        // Two images, class 1 Dice 1 and 0: resampled means are 0, 0.5, 1 → interval [0, 1].
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0]), "b": ([1, 0], [0, 0])])
        let off = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--bootstrap", "0", "--json", "-", "--quiet"])
        #expect(off.status == 0, "\(off.stderr)")
        let aggregate = try #require(try jsonReport(off.stdout)["aggregate"] as? [String: Any])
        #expect(aggregate["ci95"] == nil && aggregate["bootstrap"] == nil)
        let most = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--bootstrap", "100000", "--json", "-", "--quiet"])
        #expect(most.status == 0, "\(most.stderr)")
        let full = try #require(try jsonReport(most.stdout)["aggregate"] as? [String: Any])
        #expect(full["ci95"] as? [Double] == [0, 1])
        #expect((full["bootstrap"] as? [String: Any])?["resamples"] as? Int == 100000)
    }

    @Test func helpStatesTheBootstrapBound() throws {
        let run = try BinaryRunner.run(["evaluate", "--help"])
        #expect(run.stdout.contains("0 (off) to 100000"))
    }

    /// The billion-laughs YAML: 59 s and 17 GB before; now refused at the first alias.
    @Test func aliasBombAsLabelsIsOneLineExitTwo() throws {
        let scratch = try TemporaryFolder("labels-bomb")
        defer { scratch.remove() }
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0])])
        let bomb =
            (1...9).map { level -> String in
                let name = String(UnicodeScalar(UInt8(96 + level)))
                let item = level == 1 ? "\"lol\"" : "*" + String(UnicodeScalar(UInt8(95 + level)))
                return "\(name): &\(name) [" + Array(repeating: item, count: 9).joined(separator: ",") + "]"
            }.joined(separator: "\n") + "\n"
        let labels = try scratch.write(bomb, to: "bomb.yaml")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--labels", labels])
        #expect(run.status == 2)
        #expect(
            Self.firstLine(run.stderr)
                == "segscore: error: --labels \(labels): YAML aliases (*name) are not accepted in a labels file (line 2)")
    }

    /// A YAML file named .json is read as JSON and refused saying so.
    @Test func yamlNamedJSONIsRefusedNamingTheParser() throws {
        let scratch = try TemporaryFolder("labels-yaml-json")
        defer { scratch.remove() }
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0])])
        let labels = try scratch.write("background: 0\nliver: 1\n", to: "labels.json")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--labels", labels])
        #expect(run.status == 2)
        let line = Self.firstLine(run.stderr)
        #expect(line.hasPrefix("segscore: error: --labels \(labels): not valid JSON: "))
        #expect(line.hasSuffix("(a .json file is read as JSON; name a YAML file .yaml or .yml)"))
    }

    // MARK: nothing pairs

    /// Writes one 2×1 PNG per relative path under `folder`.
    static func masks(_ scratch: TemporaryFolder, _ folder: String, _ names: [String]) throws -> String {
        for name in names {
            try scratch.write(TestMasks.pngBytes(width: 2, height: 1, samples: [1, 0]), to: "\(folder)/\(name)")
        }
        try scratch.makeFolder(folder)
        return scratch.path(folder)
    }

    static func numbered(_ suffix: String, _ count: Int = 40) -> [String] {
        (1...count).map { String(format: "%02d", $0) + suffix + ".png" }
    }

    /// DRIVE-style names: 40 ground truths `NN_manual1.png`, 40 predictions `NN_manual2.png`. One
    /// error line with the flags that pair them; the JSON still lists all 80 files; those flags
    /// then pair all 40 (exit 0).
    @Test func nothingPairsIsOneLineWithTheFlagsThatPair() throws {
        let scratch = try TemporaryFolder("nothing-pairs")
        defer { scratch.remove() }
        let gt = try Self.masks(scratch, "gt", Self.numbered("_manual1"))
        let pred = try Self.masks(scratch, "pred", Self.numbered("_manual2"))
        let run = try BinaryRunner.run(["evaluate", gt, pred, "--json", scratch.path("r.json")])
        #expect(run.status == 3)
        let message =
            "none of the 40 ground-truth files pairs with any of the 40 predictions: keys differ, e.g. ground truth "
            + "'01_manual1', prediction '01_manual2'; add --gt-suffix _manual1 --pred-suffix _manual2 (pairs all 40)"
        let report = try jsonReport(String(decoding: try Data(contentsOf: scratch.url("r.json")), as: UTF8.self))
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["message"] as? String == message)
        #expect(errors.first?["path"] as? String == gt)
        let inputs = try #require(report["inputs"] as? [String: Any])
        #expect((inputs["unmatched_gt"] as? [String])?.count == 40 && (inputs["unmatched_pred"] as? [String])?.count == 40)
        // One error line on stderr; the summary names no single file (no unmatched listing).
        #expect(run.stderr == "segscore: error: \(gt): \(message)\n", "\(run.stderr)")
        #expect(run.stdout.contains("\nerrors: 1 (listed on stderr)"))
        #expect(!run.stdout.contains("_manual2.png") && !run.stdout.contains("_manual1.png"))

        let again = try BinaryRunner.run([
            "evaluate", gt, pred, "--gt-suffix", "_manual1", "--pred-suffix", "_manual2", "--json", "-", "--quiet",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect((try jsonReport(again.stdout)["inputs"] as? [String: Any])?["pairs"] as? Int == 40)
    }

    /// Prefixes that differ (`gt_07` against `seg_07`): the first number is the key.
    @Test func differentPrefixesSuggestTheNumberAsKey() throws {
        let scratch = try TemporaryFolder("prefixes")
        defer { scratch.remove() }
        let gt = try Self.masks(scratch, "gt", ["gt_07.png", "gt_12.png"])
        let pred = try Self.masks(scratch, "pred", ["seg_07.png", "seg_12.png"])
        let run = try BinaryRunner.run(["evaluate", gt, pred, "--json", "-", "--quiet"])
        #expect(run.status == 3)
        let errors = try #require(try jsonReport(run.stdout)["errors"] as? [[String: Any]])
        #expect(
            errors.map { $0["message"] as? String } == [
                "none of the 2 ground-truth files pairs with any of the 2 predictions: keys differ, e.g. ground truth 'gt_07', "
                    + #"prediction 'seg_07'; add --key-regex '(?<key>\d+)' (pairs all 2)"#
            ])
        let again = try BinaryRunner.run(["evaluate", gt, pred, "--key-regex", #"(?<key>\d+)"#, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
    }

    /// Ground truth in sub-folders, predictions flat: `--flat`.
    @Test func subfoldersOnOneSideSuggestFlat() throws {
        let scratch = try TemporaryFolder("flat")
        defer { scratch.remove() }
        let gt = try Self.masks(scratch, "gt", ["a/case1.png", "b/case2.png"])
        let pred = try Self.masks(scratch, "pred", ["case1.png", "case2.png"])
        let run = try BinaryRunner.run(["evaluate", gt, pred, "--json", "-", "--quiet"])
        #expect(run.status == 3)
        let errors = try #require(try jsonReport(run.stdout)["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect((errors.first?["message"] as? String)?.hasSuffix("; add --flat (pairs all 2)") == true)
        #expect(try BinaryRunner.run(["evaluate", gt, pred, "--flat", "--quiet"]).status == 0)
    }

    /// An empty prediction folder is one error naming it, not one per ground-truth file.
    @Test func emptyPredictionFolderIsOneError() throws {
        let scratch = try TemporaryFolder("empty-pred")
        defer { scratch.remove() }
        let gt = try Self.masks(scratch, "gt", Self.numbered("", 5))
        let pred = try Self.masks(scratch, "pred", [])
        let run = try BinaryRunner.run(["evaluate", gt, pred, "--json", "-", "--quiet"])
        #expect(run.status == 3)
        let report = try jsonReport(run.stdout)
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["path"] as? String == pred)
        #expect(
            errors.first?["message"] as? String == "no prediction masks found: none of the 5 ground-truth files has a prediction")
        #expect(((report["inputs"] as? [String: Any])?["unmatched_gt"] as? [String])?.count == 5)
    }

    /// `--missing skip` scored nothing and exited 0 when nothing paired; it is a data problem.
    @Test func nothingPairedUnderMissingSkipIsStillAProblem() throws {
        let scratch = try TemporaryFolder("skip-none")
        defer { scratch.remove() }
        let gt = try Self.masks(scratch, "gt", ["01_a.png"])
        let pred = try Self.masks(scratch, "pred", ["01_b.png"])
        let run = try BinaryRunner.run(["evaluate", gt, pred, "--missing", "skip", "--json", "-", "--quiet"])
        #expect(run.status == 3)
        let report = try jsonReport(run.stdout)
        #expect(
            (report["errors"] as? [[String: Any]])?.first?["message"] as? String
                == "none of the 1 ground-truth file pairs with any of the 1 prediction: keys differ, e.g. ground truth '01_a', "
                + "prediction '01_b'; add --gt-suffix _a --pred-suffix _b (pairs all 1)")
        #expect((report["warnings"] as? [String]) == [])
    }

    /// Most files pair, one does not: that one keeps its own line.
    @Test func partialPairingKeepsPerFileLines() throws {
        let scratch = try TemporaryFolder("partial")
        defer { scratch.remove() }
        let gt = try Self.masks(scratch, "gt", ["a.png", "b.png", "c.png"])
        let pred = try Self.masks(scratch, "pred", ["a.png", "b.png"])
        let run = try BinaryRunner.run(["evaluate", gt, pred, "--json", "-", "--quiet"])
        #expect(run.status == 3)
        let errors = try #require(try jsonReport(run.stdout)["errors"] as? [[String: Any]])
        #expect(errors.map { $0["message"] as? String } == ["no prediction for this ground truth"])
        #expect(errors.first?["path"] as? String == gt + "/c.png")
    }

    @Test func emptyGroundTruthFolderAndBothEmpty() throws {
        let scratch = try TemporaryFolder("empty-gt")
        defer { scratch.remove() }
        let gt = try Self.masks(scratch, "gt", [])
        let pred = try Self.masks(scratch, "pred", ["a.png", "b.png"])
        let none = try Self.masks(scratch, "none", [])
        let one = try BinaryRunner.run(["evaluate", gt, pred, "--json", "-", "--quiet"])
        #expect(one.status == 3)
        #expect(
            (try jsonReport(one.stdout)["errors"] as? [[String: Any]])?.map { $0["message"] as? String } == [
                "no ground-truth masks found"
            ])
        let both = try BinaryRunner.run(["evaluate", gt, none, "--json", "-", "--quiet"])
        #expect(both.status == 3)
        #expect(
            (try jsonReport(both.stdout)["errors"] as? [[String: Any]])?.map { $0["message"] as? String }
                == ["no ground-truth masks found, and no prediction masks in \(none) either"])
    }
}
