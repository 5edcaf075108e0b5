import Foundation
import SegScoreTestSupport
import Testing

/// Everything beyond plain scoring, on 3-D NIfTI volumes: regions of interest, `--classes`, ignore
/// labels, bootstrap, gates, `explain`, `inspect`. One 2×2×2 pair, counts worked out by hand:
///
///     voxel  0  1  2  3  4  5  6  7
///     GT     1  1  0  0  2  2  0  0
///     pred   1  0  0  0  2  2  2  0
///
/// Class 1: TP 1, FN 1 → Dice 2/3. Class 2: TP 2, FP 1 → Dice 4/5. Mean over 1 and 2: 11/15.
@Suite struct NiftiVolumeFeaturesTests {
    static let truth: [Double] = [1, 1, 0, 0, 2, 2, 0, 0]
    static let prediction: [Double] = [1, 0, 0, 0, 2, 2, 2, 0]

    static func folder(cases: [String] = ["case"], roi: [Double]? = nil) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("nifti-features", subfolders: ["gt", "pred", "roi"])
        for name in cases {
            try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: truth), to: "gt/\(name).nii.gz")
            try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: prediction), to: "pred/\(name).nii.gz")
            if let roi { try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: roi), to: "roi/\(name).nii.gz") }
        }
        return folder
    }

    static func report(_ folder: TemporaryFolder, _ extra: [String]) throws -> (Int32, [String: Any]) {
        let output = try BinaryRunner.run(
            ["evaluate", folder.path("gt"), folder.path("pred"), "--json", "-", "--quiet"] + extra)
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        return (output.status, report)
    }

    static func dice(_ report: [String: Any]) -> [Int: Double] {
        field("dice", report).compactMapValues { $0 as? Double }
    }

    /// `images[0].classes[].<name>` by class id.
    static func field(_ name: String, _ report: [String: Any]) -> [Int: Any] {
        let image = (report["images"] as? [[String: Any]])?.first ?? [:]
        var out: [Int: Any] = [:]
        for entry in image["classes"] as? [[String: Any]] ?? [] {
            if let id = entry["id"] as? Int, let value = entry[name] { out[id] = value }
        }
        return out
    }

    /// ROI volume [1, 1, 1, 1, 1, 0, 0, 0]: voxels 0–4 count. GT [1, 1, 0, 0, 2], prediction
    /// [1, 0, 0, 0, 2]: class 1 Dice 2/3, class 2 Dice 1 (voxel 6's false positive is outside).
    @Test func regionOfInterestVolume() throws {
        let folder = try Self.folder(roi: [1, 1, 1, 1, 1, 0, 0, 0])
        defer { folder.remove() }
        let (status, report) = try Self.report(folder, ["--roi-dir", folder.path("roi")])
        #expect(status == 0)
        let dice = Self.dice(report)
        #expect(abs((dice[1] ?? 0) - 2.0 / 3.0) < 1e-12)
        #expect(dice[2] == 1)
        // Five voxels counted: class 1 has TP 1, FN 1, so TN 3.
        #expect(Self.field("tn", report)[1] as? Int == 3)
    }

    /// A region-of-interest volume placed elsewhere (origin 4 mm along z) is a warning naming it,
    /// as a prediction's would be; the numbers are those of `regionOfInterestVolume`.
    @Test func regionOfInterestPlacedElsewhereIsAWarning() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        try folder.write(
            TestMasks.niftiBytes(
                dims: [2, 2, 2], values: [1, 1, 1, 1, 1, 0, 0, 0], transform: .init(qoffset: [0, 0, 4])),
            to: "roi/case.nii.gz")
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--roi-dir", folder.path("roi")])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            output.stderr.split(separator: "\n").map(String.init) == [
                "segscore: warning: \(folder.path("roi"))/case.nii.gz: geometry differs from the ground truth "
                    + "\(folder.path("gt"))/case.nii.gz (region of interest vs ground truth): origin (0, 0, 4) mm vs "
                    + "(0, 0, 0) mm; applied voxel by voxel all the same (was the region of interest resampled or saved "
                    + "with another header?)"
            ])
        #expect(output.stdout.contains("warnings: 1"))
    }

    /// A region-of-interest volume of another shape is the pair's error.
    @Test func regionOfInterestOfAnotherShapeIsAnError() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        try folder.write(TestMasks.niftiBytes(dims: [2, 2, 1], values: [1, 1, 1, 1]), to: "roi/case.nii.gz")
        let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--roi-dir", folder.path("roi")])
        #expect(output.status == 3)
        #expect(output.stderr.contains("size mismatch: region of interest is 2x2x1, ground truth is 2x2x2"))
    }

    /// --classes 0,1,2 scores background too: GT 0 at voxels 2, 3, 6, 7, prediction 0 at 1, 2, 3,
    /// 7: TP 3, FP 1, FN 1, Dice 0.75. --classes 2 alone refuses the pair, which holds label 1.
    @Test func classesOnVolumes() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let (status, report) = try Self.report(folder, ["--classes", "0,1,2"])
        #expect(status == 0)
        let dice = Self.dice(report)
        #expect(dice.keys.sorted() == [0, 1, 2])
        #expect(dice[0] == 0.75 && dice[2] == 0.8)
        let refused = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--classes", "2"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("label id 1 not among the classes 2"))
    }

    /// --ignore-label 2 leaves out voxels 4 and 5 (GT 2): class 1 keeps Dice 2/3 over 6 voxels
    /// (TN 4), background has TP 3, FP 1, FN 1 (0.75), and 2 is not scored.
    @Test func ignoreLabelLeavesItsVoxelsOut() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let (status, report) = try Self.report(folder, ["--ignore-label", "2"])
        #expect(status == 0)
        let dice = Self.dice(report)
        #expect(dice.keys.sorted() == [0, 1])
        #expect(abs((dice[1] ?? 0) - 2.0 / 3.0) < 1e-12)
        #expect(dice[0] == 0.75)
        #expect(Self.field("tn", report)[1] as? Int == 4)
    }

    /// Two identical pairs: every bootstrap resample has the same mean, so the interval is that
    /// mean, 11/15.
    @Test func bootstrapOverVolumes() throws {
        let folder = try Self.folder(cases: ["a", "b"])
        defer { folder.remove() }
        let (status, report) = try Self.report(folder, ["--bootstrap", "200"])
        #expect(status == 0)
        let aggregate = report["aggregate"] as? [String: Any] ?? [:]
        let interval = aggregate["ci95"] as? [Double] ?? []
        #expect(interval.count == 2)
        #expect(interval.allSatisfy { abs($0 - 11.0 / 15.0) < 1e-12 })
    }

    /// Headline 11/15 ≈ 0.733: under 0.75 fails (exit 1), 0.7 passes; class 2's 0.8 under 0.9 fails.
    @Test func gatesOnVolumes() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        func status(_ extra: [String]) throws -> Int32 {
            try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--quiet"] + extra).status
        }
        #expect(try status(["--fail-under", "0.75"]) == 1)
        #expect(try status(["--fail-under", "0.7"]) == 0)
        #expect(try status(["--fail-under-class", "2=0.9"]) == 1)
        #expect(try status(["--fail-under-class", "2=0.8"]) == 0)
    }

    /// `explain` on one pair of volumes: class 2's counts and Dice.
    @Test func explainOnVolumes() throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "explain", "--gt", folder.path("gt") + "/case.nii.gz", "--pred", folder.path("pred") + "/case.nii.gz", "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("0.8"))
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(object != nil)
    }

    /// `inspect` on a volume rotated 180° about z (quaternion (0, 0, 1)): axes −x, −y, +z, so LPS.
    @Test func inspectShowsOrientationOriginAndAxes() throws {
        let folder = try TemporaryFolder("nifti-orientation")
        defer { folder.remove() }
        let path = try folder.write(
            TestMasks.niftiBytes(
                dims: [2, 2, 2], values: Self.truth, transform: .init(quatern: [0, 0, 1], qoffset: [10, -20, 30])),
            to: "v.nii.gz")
        let output = try BinaryRunner.run(["inspect", path])
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("  orientation LPS from the qform; origin (10, -20, 30) mm; axes (-1, 0, 0) (0, -1, 0) (0, 0, 1)"))
        let json = try BinaryRunner.run(["inspect", "--json", path])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        let nifti = object["nifti"] as? [String: Any] ?? [:]
        #expect(nifti["orientation"] as? String == "LPS")
        #expect(nifti["transform"] as? String == "qform")
        #expect(nifti["origin_mm"] as? [Double] == [10, -20, 30])
        #expect(nifti["direction"] as? [Double] == [-1, 0, 0, 0, -1, 0, 0, 0, 1])
    }
}
