import Foundation
import SegScoreTestSupport
import Testing

/// `nnUNetv2_evaluate_folder` lists only the files directly in each folder; segscore walks every
/// level unless `--max-depth` says otherwise. With `--nnunet-summary` a pair in a sub-folder is a
/// warning naming it, and `--max-depth 1` scores exactly nnU-Net's cases.
@Suite struct NnUNetFolderWalkTests {
    /// `case` at the top (label 1: TP 1, FN 1 → Dice 2/3) and `sub/case_99` below it (label 1
    /// predicted exactly → every Dice 1), in both folders.
    static func folder() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("nnunet-depth", subfolders: ["gt/sub", "pred/sub"])
        try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: [1, 1, 2, 2, 3, 3, 0, 0]), to: "gt/case.nii.gz")
        try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: [1, 2, 2, 3, 3, 0, 0, 2]), to: "pred/case.nii.gz")
        let exact = TestMasks.niftiBytes(dims: [2, 2, 2], values: [1, 1, 2, 2, 3, 3, 0, 0])
        try folder.write(exact, to: "gt/sub/case_99.nii.gz")
        try folder.write(exact, to: "pred/sub/case_99.nii.gz")
        return folder
    }

    static func summary(_ stdout: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    }

    @Test func subFolderPairIsScoredWithAWarning() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--variant", "nnunet-eval", "--classes", "1,2,3",
            "--nnunet-summary", "-", "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try Self.summary(output.stdout)
        #expect((summary["metric_per_case"] as? [Any])?.count == 2)
        let mean = try #require(summary["mean"] as? [String: [String: Any]])
        #expect(mean["1"]?["Dice"] as? Double == (2.0 / 3.0 + 1) / 2)
        #expect(
            output.stderr.split(separator: "\n").map(String.init) == [
                "segscore: warning: --nnunet-summary: 1 of 2 cases lie in sub-folders (sub/case_99.nii.gz); "
                    + "nnUNetv2_evaluate_folder lists only the top level of each folder and would leave them out: "
                    + "pass --max-depth 1 to score as it does"
            ])
    }

    @Test func maxDepthOneScoresNnUNetsCases() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--variant", "nnunet-eval", "--classes", "1,2,3",
            "--max-depth", "1", "--nnunet-summary", "-", "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.isEmpty)
        let summary = try Self.summary(output.stdout)
        let cases = try #require(summary["metric_per_case"] as? [[String: Any]])
        #expect(cases.map { $0["reference_file"] as? String } == [folder.path("gt") + "/case.nii.gz"])
        let mean = try #require(summary["mean"] as? [String: [String: Any]])
        #expect(mean["1"]?["Dice"] as? Double == 2.0 / 3.0)
        #expect(mean["3"]?["Dice"] as? Double == 0.5)
    }

    /// Two levels reach `sub/`; without --nnunet-summary no warning is given (segscore's own walk).
    @Test func deeperLimitsAndRefusals() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let two = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--classes", "1,2,3", "--max-depth", "2", "--json", "-",
            "--quiet",
        ])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.stderr.isEmpty)
        let report = try Self.summary(two.stdout)
        #expect((report["images"] as? [[String: Any]])?.map { $0["key"] as? String } == ["case", "sub/case_99"])
        for bad in ["0", "-1"] {
            let refused = try BinaryRunner.run([
                "evaluate", folder.path("gt"), folder.path("pred"), "--max-depth=\(bad)", "--quiet",
            ])
            #expect(refused.status == 2, "--max-depth \(bad)")
            #expect(refused.stderr.contains("--max-depth takes 1"), "\(refused.stderr)")
        }
    }
}
