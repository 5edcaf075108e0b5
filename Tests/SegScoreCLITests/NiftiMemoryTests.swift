import Foundation
import SegScoreTestSupport
import Testing

/// Float NIfTI volumes holding whole numbers are read as labels: that conversion allocates a
/// label array beside the floats (and 32-bit labels need their id sets), which `--max-memory`
/// counts before anything is decoded.
@Suite struct NiftiMemoryTests {
    /// 64³ voxels: float32 1.0 MiB; uint8 256.0 KiB.
    static func folder() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("nifti-memory", subfolders: ["gt", "pred"])
        let n = 64 * 64 * 64
        let values = (0..<n).map { Double($0 % 4) }
        try folder.write(TestMasks.niftiBytes(dims: [64, 64, 64], type: .float32, values: values), to: "gt/case.nii.gz")
        try folder.write(TestMasks.niftiBytes(dims: [64, 64, 64], values: values), to: "pred/case.nii.gz")
        return folder
    }

    /// Without the conversion the pair would need 4.5 MiB (floats 1.0 MiB, labels 256.0 KiB, the
    /// float file inflated whole: its 1.0 MiB of stored-block gzip and 1.0 MiB of contents, counting
    /// 1.25 MiB) and pass a 6 MiB limit; with it, 9.5 MiB: the conversion's 1.0 MiB and 4.0 MiB of
    /// 32-bit id sets (16 bytes a voxel) join.
    @Test func evaluateCountsTheConversion() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--max-memory", "6M"])
        #expect(output.status == 3)
        #expect(
            output.stderr.contains(
                "too large: the pair needs 9.5 MiB to decode and count (ground truth 1.0 MiB, prediction 256.0 KiB, "
                    + "float-to-label conversion 1.0 MiB, gzip inflation 2.0 MiB, counting"))
        #expect(output.stderr.contains("more than --max-memory 6M"))
        let roomy = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--max-memory", "16M"])
        #expect(roomy.status == 0, "\(roomy.stderr)")
    }

    /// `inspect`: the floats (1.0 MiB), the labels (1.0 MiB at most) and their 32-bit statistics
    /// (20 bytes a voxel, 5.0 MiB), the whole-file inflation (2.0 MiB): 9.0 MiB; 3.0 MiB without
    /// the conversion.
    @Test func inspectCountsTheConversion() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let path = folder.path("gt") + "/case.nii.gz"
        let output = try BinaryRunner.run(["inspect", path, "--max-memory", "6M"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("decoding and counting its values needs 9.0 MiB, more than --max-memory 6M"))
        let roomy = try BinaryRunner.run(["inspect", path, "--max-memory", "16M"])
        #expect(roomy.status == 0, "\(roomy.stderr)")
        #expect(roomy.stdout.contains("float32"))
    }
}
