import Foundation
import SegScoreTestSupport
import Testing

/// `--encoding auto` reads a file whose only nonzero value is 255 (65535) as a binary mask with
/// label 1, except where the run says the stored value is the label: a class list that declares
/// the value (`--labels` `"vessel": 255`, `--classes 255`), and `nnunet-eval`, whose library
/// compares stored values with the label ids. Counts worked out by hand on 4×2 masks:
///
///     truth      [M, M, 0, 0,  M, 0, 0, 0]
///     prediction [M, 0, M, 0,  M, M, 0, 0]
///
/// With M the class: TP 2 (pixels 0, 4), FN 1 (pixel 1), FP 2 (pixels 2, 5), TN 3, Dice 4/7.
@Suite struct StoredLabelValueTests {
    static let truth = [1, 1, 0, 0, 1, 0, 0, 0]
    static let prediction = [1, 0, 1, 0, 1, 1, 0, 0]

    /// gt/ and pred/ holding one PNG each, `value` for 1; `truthValue` overrides the truth's.
    static func folder(bitDepth: Int = 8, value: Int, truthValue: Int? = nil, labels: String? = nil) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("stored-labels", subfolders: ["gt", "pred"])
        try folder.write(
            TestMasks.pngBytes(width: 4, height: 2, bitDepth: bitDepth, samples: truth.map { $0 * (truthValue ?? value) }),
            to: "gt/case.png")
        try folder.write(
            TestMasks.pngBytes(width: 4, height: 2, bitDepth: bitDepth, samples: prediction.map { $0 * value }),
            to: "pred/case.png")
        if let labels { try folder.write(Array(labels.utf8), to: "dataset.json") }
        return folder
    }

    /// The report's classes of the one image, by id.
    static func classes(_ stdout: String) throws -> [Int: [String: Any]] { try NnUNetLabelRulesTests.classes(stdout) }

    static func expectCounts(_ entry: [String: Any]?, tp: Int, fp: Int, fn: Int, dice: Double?) {
        #expect(entry?["tp"] as? Int == tp)
        #expect(entry?["fp"] as? Int == fp)
        #expect(entry?["fn"] as? Int == fn)
        if let dice {
            #expect(abs((entry?["dice"] as? Double ?? -1) - dice) < 1e-15)
        }
    }

    /// nnU-Net's dataset.json declares the vessel as 255: both 0/255 files hold label 255.
    @Test func nnunetEvalScoresDeclaredTwoFiftyFive() throws {
        let folder = try Self.folder(value: 255, labels: #"{"labels": {"background": 0, "vessel": 255}, "file_ending": ".png"}"#)
        defer { folder.remove() }
        let summary = folder.path("summary.json")
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--variant", "nnunet-eval", "--labels",
            folder.path("dataset.json"), "--nnunet-summary", summary, "--json", "-",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(!output.stderr.contains("not declared"))
        Self.expectCounts(try Self.classes(output.stdout)[255], tp: 2, fp: 2, fn: 1, dice: 4.0 / 7.0)
        let written = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary))) as? [String: Any])
        let mean = try #require((written["mean"] as? [String: Any])?["255"] as? [String: Any])
        #expect(abs((mean["Dice"] as? Double ?? -1) - 4.0 / 7.0) < 1e-15)
        #expect(mean["TP"] as? Double == 2)
    }

    /// The same files with segscore's own variant: the declared 255 is the label too.
    @Test func declaredTwoFiftyFiveIsTheLabelForEveryVariant() throws {
        let folder = try Self.folder(value: 255, labels: #"{"labels": {"background": 0, "vessel": 255}}"#)
        defer { folder.remove() }
        for extra in [["--labels", folder.path("dataset.json")], ["--classes", "255"]] {
            let output = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--json", "-"] + extra)
            #expect(output.status == 0, "\(extra): \(output.stderr)")
            let classes = try Self.classes(output.stdout)
            Self.expectCounts(classes[255], tp: 2, fp: 2, fn: 1, dice: 4.0 / 7.0)
            #expect(classes[1] == nil)
        }
    }

    /// nnU-Net compares stored values: a 0/255 prediction against 0/1 labels holds no label 1 (255
    /// is undeclared, named in a warning), so label 1 has TP 0, FP 0, FN 3 and Dice 0.
    @Test func nnunetEvalDoesNotReadTwoFiftyFiveAsOne() throws {
        let folder = try Self.folder(value: 255, truthValue: 1, labels: #"{"labels": {"background": 0, "vessel": 1}}"#)
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--variant", "nnunet-eval", "--labels",
            folder.path("dataset.json"), "--json", "-",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        Self.expectCounts(try Self.classes(output.stdout)[1], tp: 0, fp: 0, fn: 3, dice: 0)
        #expect(output.stderr.contains("label 255 is in 1 file"), "\(output.stderr)")
    }

    /// segscore's own variants keep the binary reading when 255 is not declared: 0/255 against 0/1
    /// is label 1 on both sides.
    @Test func undeclaredTwoFiftyFiveStaysBinaryOutsideNnunet() throws {
        let folder = try Self.folder(value: 255, truthValue: 1, labels: #"{"labels": {"background": 0, "vessel": 1}}"#)
        defer { folder.remove() }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--labels", folder.path("dataset.json"), "--json", "-",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        Self.expectCounts(try Self.classes(output.stdout)[1], tp: 2, fp: 2, fn: 1, dice: 4.0 / 7.0)
    }

    /// The 16-bit sibling (the general path, not the 8-bit histogram): 0/65535 with `--classes 65535`.
    @Test func declaredSixtyFiveFiveThreeFiveIsTheLabel() throws {
        let folder = try Self.folder(bitDepth: 16, value: 65535)
        defer { folder.remove() }
        let declared = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--classes", "65535", "--json", "-",
        ])
        #expect(declared.status == 0, "\(declared.stderr)")
        Self.expectCounts(try Self.classes(declared.stdout)[65535], tp: 2, fp: 2, fn: 1, dice: 4.0 / 7.0)
        let plain = try BinaryRunner.run(["evaluate", folder.path("gt"), folder.path("pred"), "--json", "-"])
        #expect(plain.status == 0, "\(plain.stderr)")
        Self.expectCounts(try Self.classes(plain.stdout)[1], tp: 2, fp: 2, fn: 1, dice: 4.0 / 7.0)
    }
}
