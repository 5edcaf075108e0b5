import Foundation
import SegScoreTestSupport
import Testing

/// Shards of NIfTI volumes: what a run learns per pair beyond its counts — geometry warnings and
/// nnU-Net labels the labels file does not declare — comes out of a merge in the unsharded run's
/// order and words, with the boundary metrics at the volumes' spacing.
@Suite struct ShardVolumeTests {
    @Test func geometryWarningsAndUndeclaredLabelsMergeLikeTheUnshardedRun() throws {
        let data = try TemporaryFolder("shard-volumes", subfolders: ["gt", "pred"])
        defer { data.remove() }
        for k in 0..<9 {
            let truth: [Double] = [1, 1, 0, 0, 2, 2, 0, 0]
            // Label 5 is not declared; every third prediction holds it, every second is placed elsewhere.
            let prediction: [Double] = [1, 0, 0, 0, 2, 2, k % 3 == 0 ? 5 : 0, Double(k % 2)]
            let moved = TestMasks.NiftiTransform(qoffset: [0, 0, k % 2 == 0 ? 4 : 0])
            try data.write(
                TestMasks.niftiBytes(dims: [2, 2, 2], values: truth, pixdim: [1, 1, 2.5]), to: "gt/case\(k).nii.gz")
            try data.write(
                TestMasks.niftiBytes(dims: [2, 2, 2], values: prediction, pixdim: [1, 1, 2.5], transform: moved),
                to: "pred/case\(k).nii.gz")
        }
        try data.write(Array(#"{"labels": {"background": 0, "a": 1, "b": 2}}"#.utf8), to: "dataset.json")
        let scoring = [
            data.path("gt"), data.path("pred"), "--labels", data.path("dataset.json"), "--surface-metrics", "hd,assd",
        ]
        try ShardMergeTests.checkEveryN(
            scoring, extra: [], status: 0,
            says: ["geometry differs", "label 5 is in 3 files (first \(data.path("pred"))/case0.nii.gz)"])
    }

    /// 26 pairs placed differently: every shard lists its first 20, the merge the run's first 20
    /// and one line counting the other 6, as the unsharded run.
    @Test func geometryWarningsBeyondTheListedMergeLikeTheUnshardedRun() throws {
        let data = try TemporaryFolder("shard-geometry-many", subfolders: ["gt", "pred"])
        defer { data.remove() }
        for k in 0..<26 {
            let values: [Double] = [1, 1, 0, 0, 2, 2, 0, Double(k % 3)]
            let name = "case\(k < 10 ? "0" : "")\(k).nii.gz"
            try data.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: values), to: "gt/" + name)
            try data.write(
                TestMasks.niftiBytes(dims: [2, 2, 2], values: values, transform: .init(qoffset: [0, 0, 3])), to: "pred/" + name)
        }
        try ShardMergeTests.checkEveryN(
            [data.path("gt"), data.path("pred")], extra: [], status: 0,
            says: ["case19.nii.gz: geometry differs", "in 6 more files (26 in all; the first 20 are listed)"])
    }

    /// A real (ISBI 2012-derived) nnU-Net set in the repository, with nnU-Net's numbers and file
    /// and boundary metrics at the volumes' spacing (a ground truth without prediction skipped).
    @Test func nnUNetFixtureMergesLikeTheUnshardedRun() throws {
        let folder = Fixtures.path("nnunet/isbi3d_missing_pred")
        try ShardMergeTests.checkEveryN(
            [
                folder + "/labelsTs", folder + "/predictions", "--variant", "nnunet-eval", "--labels",
                folder + "/dataset.json", "--missing", "skip", "--surface-metrics", "hd95,nsd", "--nsd-tolerance", "1",
            ], extra: ["--fail-under", "0.5"], status: 0)
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("nifti-isbi3d"),
            "needs ../shared/data/real/nifti-isbi3d (the reference nnU-Net sets) beside the repository"),
        arguments: ["isbi3d_plain", "isbi3d_regions", "isbi3d_ignore"])
    func realNnUNetSetsMergeLikeTheUnshardedRun(_ name: String) throws {
        let folder = Fixtures.shared("nifti-isbi3d/" + name)
        try ShardMergeTests.checkEveryN(
            [
                folder + "/labelsTs", folder + "/predictions", "--variant", "nnunet-eval", "--labels",
                folder + "/dataset.json", "--surface-metrics", "hd95,assd",
            ], extra: [], status: 0)
    }
}
