import Foundation
import SegScoreTestSupport
import Testing

/// `--labels`: nnU-Net's "ignore" entry is an ignore label, and ids that are not integers in range
/// are refused with one line naming the file and the entry.
@Suite struct LabelsFileTests {
    // One 8×1 image. GT  1 1 9 9 0 0 2 2
    //                pred 1 1 1 1 0 0 2 0
    // Ignore 9 (pixels 2, 3 left out, as nnU-Net's compute_metrics masks gt == ignore_label):
    //   class 1: TP 2, FP 0, FN 0 → 1;  class 2: TP 1, FN 1 → 2/3;  background: TP 2, FP 1 → 4/5.
    //   nnU-Net foreground_mean = (1 + 2/3)/2 = 5/6.
    // Scored as a class instead (the bug): class 1 4/6, class 2 2/3, class 9 0 → mean 4/9.
    static let gt: [UInt8] = [1, 1, 9, 9, 0, 0, 2, 2]
    static let pred: [UInt8] = [1, 1, 1, 1, 0, 0, 2, 0]

    static let ignoreFiles: [(String, String)] = [
        (
            "dataset.json",
            #"{"channel_names": {"0": "CT"}, "labels": {"background": 0, "a": 1, "b": 2, "ignore": 9}, "numTraining": 1, "file_ending": ".png"}"#
        ),
        ("labels.json", #"{"background": 0, "a": 1, "b": 2, "ignore": 9}"#),
        ("labels.yaml", "labels:\n  background: 0\n  a: 1\n  b: 2\n  ignore: 9\n"),
        ("list.yaml", "- {id: 0, name: background}\n- {id: 1, name: a}\n- {id: 2, name: b}\n- {id: 9, name: ignore}\n"),
        (
            "flag.json",
            #"[{"id": 0, "name": "background"}, {"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 9, "name": "unlabelled", "ignore": true}]"#
        ),
    ]

    @Test(arguments: ignoreFiles)
    func ignoreEntryIsAnIgnoreLabelAsNnUNetEvaluates(_ name: String, _ text: String) throws {
        let scratch = try TemporaryFolder("ignore")
        defer { scratch.remove() }
        let data = try scratch.dataset("set", ["case": (Self.gt, Self.pred)])
        let labels = try scratch.write(text, to: name)
        let run = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--labels", labels, "--variant", "nnunet-eval", "--json", "-", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try jsonReport(run.stdout)
        let config = try #require(report["config"] as? [String: Any])
        #expect(config["ignore_labels"] as? [Int] == [9])
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(classes.map { $0["id"] as? Int } == [0, 1, 2])
        let means = classes.map { $0["mean"] as? Double ?? .nan }
        #expect(abs(means[0] - 0.8) < 1e-12 && means[1] == 1 && abs(means[2] - 2.0 / 3) < 1e-12)
        #expect(classes[1]["pooled_fp"] as? Int == 0 && classes[1]["pooled_tp"] as? Int == 2)
        let aggregate = try #require(report["aggregate"] as? [String: Any])
        #expect(aggregate["classes"] as? [Int] == [1, 2])
        let library = try #require(aggregate["library"] as? [String: Any])
        #expect(library["name"] as? String == "foreground_mean")
        #expect(abs((library["value"] as? Double ?? 0) - 5.0 / 6) < 1e-12)
        #expect(abs((aggregate["mean"] as? Double ?? 0) - 5.0 / 6) < 1e-12)
    }

    @Test func ignoreEntryJoinsAnExplicitIgnoreLabel() throws {
        let scratch = try TemporaryFolder("ignore-both")
        defer { scratch.remove() }
        let gt: [UInt8] = Self.gt + [255]
        let pred: [UInt8] = Self.pred + [1]
        let data = try scratch.dataset("set", ["case": (gt, pred)])
        let labels = try scratch.write(#"{"background": 0, "a": 1, "b": 2, "ignore": 9}"#, to: "dataset.json")
        let run = try BinaryRunner.run(
            ["evaluate", data.gt, data.pred, "--labels", labels, "--ignore-label", "255", "--json", "-", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try jsonReport(run.stdout)
        #expect((report["config"] as? [String: Any])?["ignore_labels"] as? [Int] == [255, 9])
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(classes[1]["mean"] as? Double == 1)  // the 255 pixel predicted as 1 is left out too
        // The same id twice is listed once.
        let twice = try BinaryRunner.run(
            [
                "evaluate", data.gt, data.pred, "--labels", labels, "--ignore-label", "9", "--ignore-label", "255", "--json", "-",
                "--quiet",
            ])
        #expect((try jsonReport(twice.stdout)["config"] as? [String: Any])?["ignore_labels"] as? [Int] == [9, 255])
    }

    @Test func scoringTheIgnoreLabelIsAUsageError() throws {
        let scratch = try TemporaryFolder("ignore-class")
        defer { scratch.remove() }
        let data = try scratch.dataset("set", ["case": (Self.gt, Self.pred)])
        let labels = try scratch.write(#"{"background": 0, "a": 1, "b": 2, "ignore": 9}"#, to: "dataset.json")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--labels", labels, "--classes", "1,9", "--quiet"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--classes 9 is also an ignore label"), "\(run.stderr)")
        // A class named "ignore" cannot be gated either: it is not a class.
        let gate = try BinaryRunner.run([
            "evaluate", data.gt, data.pred, "--labels", labels, "--fail-under-class", "ignore=0.5", "--quiet",
        ])
        #expect(gate.status == 2)
    }

    static let badIDs: [(String, String)] = [
        (#"{"background": 0, "a": 1e20}"#, "label 'a': id must be an integer in 0…4294967295"),
        (#"{"background": 0, "a": 1.0e+20}"#, "label 'a': id must be an integer in 0…4294967295, not 1e+20"),
        (#"{"background": 0, "a": 1.5}"#, "label 'a': id must be an integer in 0…4294967295, not 1.5"),
        (#"{"background": 0, "a": -1}"#, "label 'a': id must be an integer in 0…4294967295, not -1"),
        (#"{"background": 0, "a": "abc"}"#, "label 'a': id must be an integer in 0…4294967295, not 'abc'"),
        (#"{"background": 0, "a": 4294967296}"#, "label 'a': id must be an integer in 0…4294967295, not 4294967296"),
        (#"{"background": 0, "a": true}"#, "label 'a': id must be an integer in 0…4294967295, not true"),
        (#"{"background": 0, "a": null}"#, "label 'a': id must be an integer in 0…4294967295, not null"),
        (#"{"labels": {"background": 0, "ignore": 2.5}}"#, "label 'ignore': id must be an integer in 0…4294967295, not 2.5"),
        (#"[{"id": 0}, {"id": 1e300, "name": "x"}]"#, "entry 2: id must be an integer in 0…4294967295"),
    ]

    @Test(arguments: badIDs)
    func idsThatAreNotIntegersInRangeAreAUsageError(_ text: String, _ reason: String) throws {
        let scratch = try TemporaryFolder("bad-ids")
        defer { scratch.remove() }
        let labels = try scratch.write(text, to: "dataset.json")
        let run = try BinaryRunner.run(
            ["evaluate", Fixtures.path("datasets/tiny/gt"), Fixtures.path("datasets/tiny/pred"), "--labels", labels])
        #expect(run.status == 2)
        let first = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(
            first == "segscore: error: --labels \(labels): \(reason)"
                || first.hasPrefix("segscore: error: --labels \(labels): \(reason)"), "\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
    }

    @Test(arguments: [["--ignore-label=-1"], ["--ignore-label", "4294967296"], ["--classes", "1,4294967296"]])
    func ignoreLabelsAndClassesOutOfRangeAreAUsageErrorNotACrash(_ flags: [String]) throws {
        let run = try BinaryRunner.run(
            ["evaluate", Fixtures.path("datasets/tiny/gt"), Fixtures.path("datasets/tiny/pred"), "--missing", "skip"] + flags)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("ids lie in 0…4294967295"), "\(run.stderr)")
    }

    // Regions (nnU-Net's region mode): each region is the union of its labels on both sides, scored
    // as one class; a pixel may be in several regions; the ground truth's ignore label is left out.
    // gt   0 1 2 3 1 2 2 4      wt {1,2,3}: TP 5 (pixels 1…5), FN 1 (6), FP 0, TN 1 (0; 7 ignored) → 10/11
    // pred 0 2 1 3 1 3 0 1      core {2,3}: TP 2 (3, 5), FP 1 (1), FN 2 (2, 6) → 4/7; et {3}: TP 1, FP 1 → 2/3
    @Test(arguments: [8, 16])
    func regionsAreUnionsScoredAsOneClass(_ bitDepth: Int) throws {
        let scratch = try TemporaryFolder("regions")
        defer { scratch.remove() }
        _ = try scratch.makeFolder("gt")
        _ = try scratch.makeFolder("pred")
        try TestMasks.png(
            width: 8, height: 1, bitDepth: bitDepth, samples: [0, 1, 2, 3, 1, 2, 2, 4], to: scratch.url("gt/a.png"))
        try TestMasks.png(
            width: 8, height: 1, bitDepth: bitDepth, samples: [0, 2, 1, 3, 1, 3, 0, 1], to: scratch.url("pred/a.png"))
        let labels = try scratch.write(
            #"{"labels": {"background": 0, "whole tumour": [1, 2, 3], "core": [2, 3], "enhancing": 3, "ignore": 4}, "regions_class_order": [1, 2, 3], "file_ending": ".png"}"#,
            to: "dataset.json")
        let run = try BinaryRunner.run([
            "evaluate", scratch.path("gt"), scratch.path("pred"), "--labels", labels, "--variant", "nnunet-eval", "--json", "-",
            "--quiet",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try jsonReport(run.stdout)
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(classes.map { $0["id"] as? Int } == [1, 2, 3])
        #expect(classes.map { $0["name"] as? String } == ["whole tumour", "core", "enhancing"])
        let means = classes.map { $0["mean"] as? Double ?? .nan }
        #expect(abs(means[0] - 10.0 / 11) < 1e-12 && abs(means[1] - 4.0 / 7) < 1e-12 && abs(means[2] - 2.0 / 3) < 1e-12)
        #expect(classes[0]["pooled_tn"] as? Int == 1 && classes[0]["pooled_fn"] as? Int == 1)
        #expect(
            classes[1]["pooled_tp"] as? Int == 2 && classes[1]["pooled_fp"] as? Int == 1 && classes[1]["pooled_fn"] as? Int == 2)
        let library = try #require((report["aggregate"] as? [String: Any])?["library"] as? [String: Any])
        #expect(abs((library["value"] as? Double ?? 0) - (10.0 / 11 + 4.0 / 7 + 2.0 / 3) / 3) < 1e-12)
        // --nnunet-summary names the regions as nnU-Net does: the tuple of a list, the id of a scalar.
        let summary = try BinaryRunner.run([
            "evaluate", scratch.path("gt"), scratch.path("pred"), "--labels", labels, "--nnunet-summary", "-", "--quiet",
        ])
        let file = try jsonReport(summary.stdout)
        let mean = try #require(file["mean"] as? [String: [String: Any]])
        #expect(Set(mean.keys) == ["(1, 2, 3)", "(2, 3)", "3"])
        #expect(mean["(2, 3)"]?["TP"] as? Double == 2 && mean["(2, 3)"]?["FP"] as? Double == 1)
        #expect(mean["(1, 2, 3)"]?["TN"] as? Double == 1 && mean["(1, 2, 3)"]?["n_ref"] as? Double == 6)
        #expect(abs((mean["3"]?["IoU"] as? Double ?? 0) - 0.5) < 1e-15)
        let foreground = try #require(file["foreground_mean"] as? [String: Any])
        #expect(abs((foreground["Dice"] as? Double ?? 0) - (10.0 / 11 + 4.0 / 7 + 2.0 / 3) / 3) < 1e-15)
        let cases = try #require(file["metric_per_case"] as? [[String: Any]])
        #expect(cases.count == 1 && (cases.first?["reference_file"] as? String)?.hasSuffix("gt/a.png") == true)
    }

    // nnU-Net's file_ending: only files ending with it are paired (nnUNetv2_evaluate_folder lists
    // the folders with that suffix); the TIFF without prediction is left out, not a missing pair.
    @Test func fileEndingLimitsTheFilesPaired() throws {
        let scratch = try TemporaryFolder("file-ending")
        defer { scratch.remove() }
        _ = try scratch.makeFolder("gt")
        _ = try scratch.makeFolder("pred")
        try TestMasks.png(width: 4, height: 1, values: [0, 1, 1, 2], to: scratch.url("gt/a.png"))
        try TestMasks.png(width: 4, height: 1, values: [0, 1, 0, 2], to: scratch.url("pred/a.png"))
        try TestMasks.uint32TIFF(width: 4, height: 1, values: [0, 1, 1, 2], to: scratch.url("gt/b.tif"))
        let dataset = #"{"labels": {"background": 0, "a": 1, "b": 2}, "file_ending": ".png"}"#
        let arguments = ["evaluate", scratch.path("gt"), scratch.path("pred"), "--json", "-", "--quiet", "--labels"]
        let run = try BinaryRunner.run(arguments + [try scratch.write(dataset, to: "dataset.json")])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try jsonReport(run.stdout)
        let images = try #require(report["images"] as? [[String: Any]])
        #expect(images.map { $0["key"] as? String } == ["a"])
        let means = try #require(report["classes"] as? [[String: Any]]).map { $0["mean"] as? Double ?? .nan }
        #expect(means[1] == 2.0 / 3 && means[2] == 1)
        // Without file_ending both files count: b.tif has no prediction, a data problem.
        let labels = try scratch.write(#"{"labels": {"background": 0, "a": 1, "b": 2}}"#, to: "labels.json")
        #expect(try BinaryRunner.run(arguments + [labels]).status == 3)
        // A file_ending that is not a string is refused.
        let bad = try scratch.write(#"{"labels": {"background": 0, "a": 1}, "file_ending": 3}"#, to: "bad.json")
        let refused = try BinaryRunner.run(arguments + [bad])
        #expect(refused.status == 2 && refused.stderr.contains("'file_ending' must be a non-empty string"), "\(refused.stderr)")
    }

    // Regions are unions of stored labels: a probability prediction has none to unite.
    @Test func regionsRefuseChannelData() throws {
        let scratch = try TemporaryFolder("regions-channels")
        defer { scratch.remove() }
        _ = try scratch.makeFolder("gt")
        _ = try scratch.makeFolder("pred")
        try TestMasks.png(width: 4, height: 1, values: [0, 1, 2, 2], to: scratch.url("gt/a.png"))
        try TestMasks.floatTIFF(width: 4, height: 1, values: [0.1, 0.9, 0.8, 0.2], to: scratch.url("pred/a.tif"))
        let labels = try scratch.write(#"{"labels": {"background": 0, "both": [1, 2], "b": 2}}"#, to: "dataset.json")
        let run = try BinaryRunner.run(["evaluate", scratch.path("gt"), scratch.path("pred"), "--labels", labels, "--quiet"])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("pred/a.tif: region labels (--labels with regions) need label maps"), "\(run.stderr)")
    }
}
