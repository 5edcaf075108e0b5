import Foundation
import SegScoreTestSupport
import Testing

/// Ground truth and prediction of the same shape whose headers place them differently: one
/// warning line per pair (stderr, every report, the summary's count), exit code unchanged.
@Suite struct NiftiGeometryTests {
    static let truthValues: [Double] = [1, 1, 0, 0, 2, 2, 0, 0]

    static func volume(
        pixdim: [Double] = [1, 1, 1], units: UInt8 = 2, transform: TestMasks.NiftiTransform = .init()
    ) -> [UInt8] {
        TestMasks.niftiBytes(dims: [2, 2, 2], values: truthValues, pixdim: pixdim, units: units, transform: transform)
    }

    static func run(
        truth: [UInt8], prediction: [UInt8], extra: [String] = []
    ) throws -> (output: BinaryRunner.Output, folder: TemporaryFolder) {
        let folder = try TemporaryFolder("nifti-geometry", subfolders: ["gt", "pred"])
        try folder.write(truth, to: "gt/case.nii.gz")
        try folder.write(prediction, to: "pred/case.nii.gz")
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred")] + extra)
        return (output, folder)
    }

    static func warningLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains("geometry differs") }
    }

    @Test func spacingDifferenceIsOneWarningNamingBothFilesAndValues() throws {
        let (output, folder) = try Self.run(
            truth: Self.volume(), prediction: Self.volume(pixdim: [1, 1, 2]), extra: ["--json", "-"])
        defer { folder.remove() }
        #expect(output.status == 0, "\(output.stderr)")
        let lines = Self.warningLines(output.stderr)
        #expect(
            lines == [
                "segscore: warning: \(folder.path("pred"))/case.nii.gz: geometry differs from the ground truth "
                    + "\(folder.path("gt"))/case.nii.gz (prediction vs ground truth): spacing (1, 1, 2) mm vs (1, 1, 1) mm; "
                    + "scored voxel by voxel all the same (was the prediction resampled or saved with another header?)"
            ])
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        let warnings = report["warnings"] as? [String] ?? []
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("spacing (1, 1, 2) mm vs (1, 1, 1) mm") == true)
        // Identical voxels: Dice 1 for both classes all the same.
        let image = (report["images"] as? [[String: Any]])?.first ?? [:]
        #expect(image["mean"] as? Double == 1)
    }

    @Test func summaryCountsTheWarning() throws {
        let (output, folder) = try Self.run(
            truth: Self.volume(), prediction: Self.volume(transform: .init(qoffset: [0, 0, 5])))
        defer { folder.remove() }
        #expect(output.status == 0)
        #expect(output.stdout.contains("warnings: 1 (listed on stderr)"))
        #expect(Self.warningLines(output.stderr).first?.contains("origin (0, 0, 5) mm vs (0, 0, 0) mm") == true)
    }

    @Test func directionDifferenceIsNamed() throws {
        let (output, folder) = try Self.run(truth: Self.volume(), prediction: Self.volume(transform: .init(qfac: -1)))
        defer { folder.remove() }
        #expect(output.status == 0)
        #expect(
            Self.warningLines(output.stderr).first?.contains(
                "direction (1, 0, 0, 0, 1, 0, 0, 0, -1) vs (1, 0, 0, 0, 1, 0, 0, 0, 1)") == true)
    }

    /// All three at once: one line, three phrases.
    @Test func everyDifferenceInOneLine() throws {
        let (output, folder) = try Self.run(
            truth: Self.volume(),
            prediction: Self.volume(pixdim: [2, 1, 1], transform: .init(qfac: -1, qoffset: [3, 0, 0])))
        defer { folder.remove() }
        let lines = Self.warningLines(output.stderr)
        #expect(lines.count == 1)
        #expect(
            lines.first?.contains("spacing (2, 1, 1) mm vs (1, 1, 1) mm; origin (3, 0, 0) mm vs (0, 0, 0) mm; direction") == true)
    }

    /// Within the tolerances: the same grid written in micrometres and in millimetres (as nibabel
    /// and SimpleITK write the ground truth and the prediction of an nnU-Net run), an origin off
    /// by 1e-4 of a voxel, a spacing off by 1e-6 relative: no warning.
    @Test func sameGridInOtherUnitsOrWithinToleranceIsQuiet() throws {
        let truth = Self.volume(pixdim: [4, 4, 50], units: 3, transform: .init(qoffset: [1000, 0, 0]))
        let prediction = Self.volume(
            pixdim: [0.004, 0.004, 0.05 * (1 + 1e-6)], transform: .init(qoffset: [1 + 4e-7, 0, 0]))
        let (output, folder) = try Self.run(truth: truth, prediction: prediction)
        defer { folder.remove() }
        #expect(output.status == 0)
        #expect(Self.warningLines(output.stderr).isEmpty, "\(output.stderr)")
        #expect(!output.stdout.contains("warnings:"))
    }

    /// A different shape stays an error (exit 3), with no geometry warning beside it.
    @Test func differentShapeIsAnErrorNotAWarning() throws {
        let folder = try TemporaryFolder("nifti-geometry-shape", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try folder.write(Self.volume(), to: "gt/case.nii.gz")
        try folder.write(
            TestMasks.niftiBytes(dims: [2, 2, 1], values: [1, 1, 0, 0], pixdim: [1, 1, 3]), to: "pred/case.nii.gz")
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred")])
        #expect(output.status == 3)
        #expect(output.stderr.contains("size mismatch"))
        #expect(Self.warningLines(output.stderr).isEmpty)
    }

    /// The nnU-Net reference pairs (ground truth by nibabel in µm, predictions by SimpleITK in mm)
    /// lie on the same grid: no warning.
    @Test func nnUNetFixturePairsAreQuiet() throws {
        let set = Fixtures.path("nnunet/isbi3d_missing_pred")
        let output = try BinaryRunner.run([
            "evaluate", set + "/labelsTs", set + "/predictions", "--labels", set + "/dataset.json", "--missing", "skip",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(Self.warningLines(output.stderr).isEmpty)
    }

    /// 23 moved predictions: the first 20 (key order) a line each, then one line for the other 3;
    /// the JSON report lists the same 21 lines.
    @Test func manyWarningsAreListedUpToTwentyThenCounted() throws {
        let folder = try TemporaryFolder("nifti-geometry-many", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        for k in 0..<23 {
            let name = "case\(k < 10 ? "0" : "")\(k).nii.gz"
            try folder.write(Self.volume(), to: "gt/" + name)
            try folder.write(Self.volume(transform: .init(qoffset: [0, 0, 5])), to: "pred/" + name)
        }
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--json", "-"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = Self.warningLines(output.stderr)
        #expect(lines.count == 21)
        #expect(lines[19].contains("/case19.nii.gz: geometry differs"))
        #expect(
            lines.last
                == "segscore: warning: geometry differs from the ground truth in 3 more files (23 in all; the first 20 "
                + "are listed): scored voxel by voxel all the same")
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((report["warnings"] as? [String])?.count == 21)
    }
}
