import Foundation
import SegScoreTestSupport
import Testing

/// The two dataset.json forms nnunetv2 accepts that segscore used to refuse: a label value in the
/// volumes that dataset.json does not declare (not a class; its voxels are "not r" for every r),
/// and two names on one id (scored once). Hand-made volumes with hand-worked counts, and
/// nnunetv2's own summary.json files of ../shared (nnunet_label_rules) byte for byte.
@Suite struct NnUNetLabelRulesTests {
    /// 2×2×2 volumes; GT holds 1, 2 and 3, labels declare 1 and 3 only.
    ///   GT:   [1, 1, 2, 2, 3, 3, 0, 0]
    ///   pred: [1, 2, 2, 3, 3, 0, 0, 2]
    /// Label 1: TP 1 (voxel 0), FN 1 (voxel 1), FP 0 → Dice 2/3.
    /// Label 3: TP 1 (voxel 4), FN 1 (voxel 5), FP 1 (voxel 3) → Dice 2/4 = 0.5.
    /// Label 2 is not scored; TN of label 1 = 8 − 2 = 6, of label 3 = 8 − 3 = 5.
    static func folder(labels: String) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("nnunet-undeclared", subfolders: ["gt", "pred"])
        try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: [1, 1, 2, 2, 3, 3, 0, 0]), to: "gt/case.nii.gz")
        try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: [1, 2, 2, 3, 3, 0, 0, 2]), to: "pred/case.nii.gz")
        try folder.write(Array(labels.utf8), to: "dataset.json")
        return folder
    }

    static let declaresOneAndThree = #"{"labels": {"background": 0, "membrane": 1, "large cell": 3}, "file_ending": ".nii.gz"}"#

    static func classes(_ stdout: String) throws -> [Int: [String: Any]] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        let image = try #require((report["images"] as? [[String: Any]])?.first)
        var out: [Int: [String: Any]] = [:]
        for entry in try #require(image["classes"] as? [[String: Any]]) { out[entry["id"] as? Int ?? -1] = entry }
        return out
    }

    @Test func undeclaredLabelIsNotScoredWithAWarning() throws {
        let folder = try Self.folder(labels: Self.declaresOneAndThree)
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--variant", "nnunet-eval", "--labels",
            folder.path("dataset.json"), "--json", "-",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let classes = try Self.classes(output.stdout)
        // Background 0 is declared (scored, out of the headline); 2 is not a class.
        #expect(classes.keys.sorted() == [0, 1, 3])
        #expect(abs((classes[1]?["dice"] as? Double ?? 0) - 2.0 / 3.0) < 1e-12)
        #expect(classes[3]?["dice"] as? Double == 0.5)
        #expect(classes[1]?["tn"] as? Int == 6)
        #expect(classes[3]?["tn"] as? Int == 5)
        let lines = output.stderr.split(separator: "\n").filter { $0.contains("not declared") }
        #expect(
            lines == [
                "segscore: warning: label 2 is in 2 files (first \(folder.path("gt"))/case.nii.gz) but not declared in "
                    + "\(folder.path("dataset.json")): not scored, its voxels count as outside every class (as nnU-Net counts them)"
            ])
    }

    /// Undeclared values are refused where segscore's own forms are used: the list form of
    /// --labels, and --classes.
    @Test func listFormAndClassesStillRefuseUnknownIDs() throws {
        let folder = try Self.folder(labels: #"[{"id": 0, "name": "bg"}, {"id": 1, "name": "a"}, {"id": 3, "name": "c"}]"#)
        defer { folder.remove() }
        let list = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--labels", folder.path("dataset.json"),
        ])
        #expect(list.status == 3)
        let classes = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--classes", "1,3"])
        #expect(classes.status == 3)
    }

    /// `--classes 0,1,2,3` is nnU-Net's `-l 0 1 2 3`: label "0" in every case and in `mean`, but
    /// not in `foreground_mean`. Label 0: GT voxels 6, 7, pred 5, 6: TP 1, FP 1, FN 1, Dice 0.5.
    /// Label 2: GT 2, 3, pred 1, 2, 7: TP 1, FP 2, FN 1, Dice 0.4. foreground_mean Dice =
    /// mean(2/3, 0.4, 0.5) = 0.5222222222222223 (NumPy). nnunetv2 2.8.1's own summary.json for these
    /// volumes with labels [0, 1, 2, 3] is byte for byte this file.
    @Test func labelZeroIsInTheSummaryWhenClassesListIt() throws {
        let folder = try Self.folder(labels: "{}")
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--variant", "nnunet-eval", "--classes", "0,1,2,3",
            "--nnunet-summary", "-", "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let mean = try #require(summary["mean"] as? [String: [String: Any]])
        #expect(mean.keys.sorted() == ["0", "1", "2", "3"])
        #expect(mean["0"]?["Dice"] as? Double == 0.5)
        #expect(mean["2"]?["Dice"] as? Double == 0.4)
        // The text: Foundation's JSON parser may round the last digit.
        #expect(output.stdout.hasPrefix("{\n    \"foreground_mean\": {\n        \"Dice\": 0.5222222222222223,\n"))
        let cases = try #require(summary["metric_per_case"] as? [[String: Any]])
        #expect((cases.first?["metrics"] as? [String: Any])?.keys.sorted() == ["0", "1", "2", "3"])
    }

    @Test func twoNamesOnOneIDAreOneClass() throws {
        let folder = try Self.folder(
            labels: #"{"labels": {"background": 0, "membrane": 1, "also membrane": 1, "cell": 2, "large cell": 3}}"#)
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--labels", folder.path("dataset.json"), "--json", "-",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let classes = try #require(report["classes"] as? [[String: Any]])
        #expect(classes.map { $0["id"] as? Int } == [0, 1, 2, 3])
        #expect(classes.count == 4 && classes[1]["name"] as? String == "membrane")
        #expect(
            output.stderr.split(separator: "\n").filter { $0.contains("are both") } == [
                "segscore: warning: \(folder.path("dataset.json")): labels 'membrane' and 'also membrane' are both 1: "
                    + "scored once, as 'membrane' (nnU-Net scores each label value once)"
            ])
    }

    /// nnunetv2's own outputs for the accepted variants, byte for byte (run where nnU-Net ran,
    /// so the file paths in metric_per_case match).
    @Test(
        .enabled(
            if: Fixtures.hasShared("nifti-isbi3d"),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"),
        arguments: ["label_2_not_declared", "duplicate_id", "label_id_as_string", "single_element_lists_only"])
    func acceptedVariantsGiveNnUNetsSummary(_ variant: String) throws {
        let folder = Fixtures.shared("nifti-isbi3d/nnunet_label_rules")
        let process = BinaryRunner.process([
            "evaluate", "../isbi3d_plain/labelsTs", "../isbi3d_plain/predictions", "--variant", "nnunet-eval", "--labels",
            "dataset_\(variant).json", "--nnunet-summary", "-", "--quiet",
        ])
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let written = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reference = try Data(contentsOf: URL(fileURLWithPath: folder + "/summary_\(variant).json"))
        #expect(written == reference, "\(variant): --nnunet-summary differs from nnU-Net's summary")
    }
}
