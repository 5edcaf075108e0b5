import Foundation
import SegScoreTestSupport
import Testing

/// `evaluate` and `inspect` on NIfTI volumes written byte by byte.
@Suite struct NiftiCommandTests {
    /// gt/case1.nii.gz, pred/case1.nii.gz (uint8, 2×2×2); gt/case2.nii.gz (int16), pred/case2.nii
    /// (uncompressed NIfTI-2): keys strip `.nii.gz` and `.nii` whole, so both pairs match.
    static func volumes(_ folder: TemporaryFolder) throws {
        try folder.write(
            TestMasks.niftiBytes(dims: [2, 2, 2], values: [1, 1, 0, 0, 2, 2, 0, 0], pixdim: [0.8, 0.8, 2.5]),
            to: "gt/case1.nii.gz")
        try folder.write(
            TestMasks.niftiBytes(dims: [2, 2, 2], values: [1, 0, 0, 0, 2, 2, 2, 0], pixdim: [0.8, 0.8, 2.5]),
            to: "pred/case1.nii.gz")
        try folder.write(
            TestMasks.niftiBytes(dims: [2, 2, 2], type: .int16, values: [0, 1, 1, 0, 0, 2, 2, 0]), to: "gt/case2.nii.gz")
        try folder.write(
            TestMasks.niftiBytes(version: 2, dims: [2, 2, 2], values: [0, 1, 1, 0, 0, 2, 2, 0], gzip: false),
            to: "pred/case2.nii")
    }

    @Test func evaluateScoresTwoVolumesWithHandCheckedDice() throws {
        let folder = try TemporaryFolder("nifti-evaluate", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.volumes(folder)
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--json", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        let images = report["images"] as? [[String: Any]] ?? []
        #expect(images.map { $0["key"] as? String } == ["case1", "case2"])
        // case1: class 1 GT {0, 1}, prediction {0}: 2·1/(2 + 1) = 2/3; class 2 GT {4, 5},
        // prediction {4, 5, 6}: 2·2/(2 + 3) = 0.8. case2 is identical: 1 and 1.
        func dice(_ image: [String: Any], _ id: Int) -> Double? {
            (image["classes"] as? [[String: Any]])?.first { $0["id"] as? Int == id }?["dice"] as? Double
        }
        #expect(images.count == 2)
        if images.count == 2 {
            #expect(abs((dice(images[0], 1) ?? 0) - 2.0 / 3.0) < 1e-12)
            #expect(dice(images[0], 2) == 0.8)
            #expect(dice(images[1], 1) == 1)
            #expect(dice(images[1], 2) == 1)
            // The mean over classes 1 and 2 (background left out): (2/3 + 0.8) / 2.
            #expect(abs((images[0]["mean"] as? Double ?? 0) - (2.0 / 3.0 + 0.8) / 2) < 1e-12)
        }
    }

    @Test func inspectShowsDimsDataTypeSpacingAndUnits() throws {
        let folder = try TemporaryFolder("nifti-inspect")
        defer { folder.remove() }
        let path = try folder.write(
            TestMasks.niftiBytes(dims: [3, 2, 1, 1], type: .int16, values: [0, 1, 2, 0, 1, 2], pixdim: [4, 4, 50], units: 3),
            to: "v.nii.gz")
        let output = try BinaryRunner.run(["inspect", path])
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(path): NIFTI 3x2, 1 page, 1 channel, int16 read as uint16, gzip")
        #expect(
            lines.dropFirst().first
                == "  NIfTI-1: dims 3x2x1x1, int16 little-endian; spacing 0.004 x 0.004 x 0.05 mm (pixdim 4 x 4 x 50 um); "
                + "qform_code 1, sform_code 0")
        let json = try BinaryRunner.run(["inspect", "--json", path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        let nifti = object["nifti"] as? [String: Any] ?? [:]
        #expect(object["format"] as? String == "nifti")
        #expect(nifti["datatype"] as? String == "int16")
        #expect(nifti["dims"] as? [Int] == [3, 2, 1, 1])
        #expect(nifti["units"] as? String == "um")
        #expect(nifti["spacing_mm"] as? [Double] == [0.004, 0.004, 0.05])
        #expect(nifti["pixdim"] as? [Double] == [4, 4, 50])
        #expect(nifti["qform_code"] as? Int == 1 && nifti["sform_code"] as? Int == 0)
    }
}
