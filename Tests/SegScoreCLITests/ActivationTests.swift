import Foundation
import SegScoreTestSupport
import Testing

/// `--activation`, the class-summed Generalized Dice and pooled soft values, on hand-worked data.
@Suite struct ActivationTests {
    static func evaluate(_ root: URL, _ extra: [String]) throws -> BinaryRunner.Output {
        try BinaryRunner.run(
            ["evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--bootstrap", "0"]
                + extra)
    }

    static func json(_ output: BinaryRunner.Output) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
    }

    static func classValue(_ report: [String: Any], image: Int, id: Int) -> Double? {
        let images = report["images"] as! [[String: Any]]
        let classes = images[image]["classes"] as! [[String: Any]]
        return classes.first { $0["id"] as! Int == id }?["dice"] as? Double
    }

    /// gt [1, 1, 0, 0]; logits [ln 3, 0, −ln 3, 0] → σ = [3/4, 1/2, 1/4, 1/2].
    static func logitsPair(_ name: String) throws -> TemporaryFolder {
        let folder = try TemporaryFolder(name, subfolders: ["gt", "pred"])
        let root = folder.url
        try TestMasks.png(width: 4, height: 1, values: [1, 1, 0, 0], to: root.appendingPathComponent("gt/a.png"))
        let l = Float(log(3.0))
        try TestMasks.floatTIFF(width: 4, height: 1, values: [l, 0, -l, 0], to: root.appendingPathComponent("pred/a.tif"))
        return folder
    }

    @Test func sigmoidTurnsLogitsIntoProbabilitiesForSoftAndHardVariants() throws {
        let folder = try Self.logitsPair("sigmoid")
        defer { folder.remove() }
        // Soft, class 1: I = 3/4 + 1/2 = 5/4, St = 2, Sp = 2 → 2·(5/4)/4 = 0.625.
        // Class 0 (1 − σ = [1/4, 1/2, 3/4, 1/2], truth [0, 0, 1, 1]): I = 5/4, St = 2, Sp = 2 → 0.625.
        let soft = try Self.evaluate(folder.url, ["--variant", "soft", "--activation", "sigmoid", "--json", "-", "--quiet"])
        #expect(soft.status == 0, "\(soft.stderr)")
        let report = try Self.json(soft)
        #expect(abs(Self.classValue(report, image: 0, id: 1)! - 0.625) < 1e-6)
        #expect(abs(Self.classValue(report, image: 0, id: 0)! - 0.625) < 1e-6)
        #expect((report["config"] as! [String: Any])["activation"] as? String == "sigmoid")
        // Hard: σ > 0.5 only at pixel 0 (σ(0) = 0.5 is not > 0.5): TP 1, FN 1 → 2/3.
        let hard = try Self.evaluate(folder.url, ["--activation", "sigmoid", "--json", "-", "--quiet"])
        #expect(hard.status == 0, "\(hard.stderr)")
        #expect(abs(Self.classValue(try Self.json(hard), image: 0, id: 1)! - 2.0 / 3) < 1e-12)
        // The summary line states the activation.
        let summary = try Self.evaluate(folder.url, ["--variant", "soft", "--activation", "sigmoid"])
        #expect(summary.stdout.split(separator: "\n")[1].contains("activation sigmoid"))
    }

    @Test func withoutAnActivationLogitsAreRefusedAndTheMessageNamesTheOption() throws {
        let folder = try Self.logitsPair("noact")
        defer { folder.remove() }
        let output = try Self.evaluate(folder.url, ["--variant", "soft", "--quiet"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("2 of 4 values lie outside [0, 1]"))
        #expect(output.stderr.contains("--activation sigmoid"))
    }

    @Test func reportsWithoutAnActivationHaveNoActivationKey() throws {
        let folder = try TemporaryFolder("nokey", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 4, height: 1, values: [1, 1, 0, 0], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.floatTIFF(
            width: 4, height: 1, values: [0.75, 0.5, 0.25, 0.5], to: root.appendingPathComponent("pred/a.tif"))
        let none = try Self.evaluate(root, ["--variant", "soft", "--json", "-", "--quiet"])
        let explicit = try Self.evaluate(root, ["--variant", "soft", "--activation", "none", "--json", "-", "--quiet"])
        #expect(none.status == 0 && explicit.status == 0)
        #expect(!none.stdout.contains("activation"))
        #expect(none.stdout == explicit.stdout)
        // Probabilities are the same numbers as the sigmoid of the logits above.
        #expect(abs(Self.classValue(try Self.json(none), image: 0, id: 1)! - 0.625) < 1e-6)
    }

    @Test func softmaxActsAcrossChannels() throws {
        let folder = try TemporaryFolder("softmax", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 2, height: 1, values: [1, 0], to: root.appendingPathComponent("gt/a.png"))
        // Pixel 0: logits (0, ln 3) → (1/4, 3/4); pixel 1: (ln 3, 0) → (3/4, 1/4).
        let l = Float(log(3.0))
        try TestMasks.floatTIFF(
            width: 2, height: 1, channels: 2, values: [0, l, l, 0], to: root.appendingPathComponent("pred/a.tif"))
        let output = try Self.evaluate(
            root, ["--variant", "soft", "--activation", "softmax", "--include-background", "--json", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try Self.json(output)
        // Class 1: truth [1, 0], p [3/4, 1/4] → 2·(3/4)/(1 + 1) = 0.75; class 0 likewise.
        #expect(abs(Self.classValue(report, image: 0, id: 1)! - 0.75) < 1e-6)
        #expect(abs(Self.classValue(report, image: 0, id: 0)! - 0.75) < 1e-6)
    }

    @Test func softmaxOnOneChannelIsAPairError() throws {
        let folder = try Self.logitsPair("softmax1")
        defer { folder.remove() }
        let output = try Self.evaluate(folder.url, ["--variant", "soft", "--activation", "softmax", "--quiet"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("pred/a.tif: --activation softmax needs 2 or more channels, this prediction has 1"))
    }

    @Test(arguments: ["sigmoid", "tanh", "softmax"])
    func anActivationOnALabelMapPredictionIsAPairError(_ activation: String) throws {
        let folder = try TemporaryFolder("actlabels", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 4, height: 1, values: [1, 1, 0, 2], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 4, height: 1, values: [1, 0, 0, 2], to: root.appendingPathComponent("pred/a.png"))
        let output = try Self.evaluate(root, ["--activation", activation, "--quiet"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("pred/a.png: --activation \(activation) applies to float predictions"))
        #expect(output.stderr.contains("uint8"))
    }

    @Test func aMissingPredictionScoredAsEmptyIsNotActivated() throws {
        let folder = try TemporaryFolder("actmissing", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try TestMasks.png(width: 4, height: 1, values: [1, 1, 0, 0], to: folder.url.appendingPathComponent("gt/a.png"))
        let output = try Self.evaluate(folder.url, ["--missing", "empty", "--activation", "sigmoid", "--json", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        // All background against truth [1, 1, 0, 0]: class 1 scores 0 (TP 0, FN 2).
        #expect(Self.classValue(try Self.json(output), image: 0, id: 1) == 0)
    }

    @Test func aBaselineScoredWithAnotherActivationIsRefused() throws {
        let folder = try Self.logitsPair("actbase")
        defer { folder.remove() }
        let baseline = folder.url.appendingPathComponent("base.json").path
        let first = try Self.evaluate(
            folder.url, ["--variant", "soft", "--activation", "sigmoid", "--json", baseline, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Self.evaluate(
            folder.url, ["--variant", "soft", "--activation", "tanh", "--baseline", baseline, "--max-drop", "0.1", "--quiet"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("--activation sigmoid in the baseline, tanh here"))
    }

    @Test func explainStatesTheActivationAndNamesItAsACause() throws {
        let folder = try TemporaryFolder("actexplain", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 4, height: 1, values: [1, 1, 0, 0], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.floatTIFF(
            width: 4, height: 1, values: [0.75, 0.5, 0.25, 0.5], to: root.appendingPathComponent("pred/a.tif"))
        let gt = root.appendingPathComponent("gt/a.png").path
        let pred = root.appendingPathComponent("pred/a.tif").path
        let output = try BinaryRunner.run(["explain", "--gt", gt, "--pred", pred, "--activation", "sigmoid"])
        #expect(output.status == 0, "\(output.stderr)")
        // σ([3/4, 1/2, 1/4, 1/2]) = [0.679179, 0.622459, 0.562177, 0.622459]: class 1 I = 1.301638,
        // St = 2, Sp = 2.486274 → 2.603276/4.486274 = 0.580276; without it (the values as given) 0.625.
        #expect(output.stdout.contains("a class 1: activation: 0.580276 under soft with sigmoid; 0.625 under soft without"))
        let facts = try BinaryRunner.run(["explain", "--variant", "soft", "--activation", "tanh", "--json"])
        #expect(facts.stdout.contains("activation tanh"))
    }

    @Test func explainWithLogitsSaysTheyScoreOnlyWithTheActivation() throws {
        let folder = try Self.logitsPair("actexplain2")
        defer { folder.remove() }
        let gt = folder.url.appendingPathComponent("gt/a.png").path
        let pred = folder.url.appendingPathComponent("pred/a.tif").path
        let output = try BinaryRunner.run(["explain", "--gt", gt, "--pred", pred, "--activation", "sigmoid"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("a: activation: scored only with sigmoid; without it: 2 of 4 values lie outside [0, 1]"))
    }

    // MARK: pooled soft values (MONAI DiceLoss batch=True)

    @Test func pooledSoftValueSumsTermsOverImagesAndSmoothsOnce() throws {
        let folder = try TemporaryFolder("pooled", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 2, height: 1, values: [1, 0], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 2, height: 1, values: [1, 1], to: root.appendingPathComponent("gt/b.png"))
        try TestMasks.floatTIFF(width: 2, height: 1, values: [0.5, 0.5], to: root.appendingPathComponent("pred/a.tif"))
        try TestMasks.floatTIFF(width: 2, height: 1, values: [1, 0], to: root.appendingPathComponent("pred/b.tif"))
        let output = try Self.evaluate(root, ["--variant", "soft", "--smooth", "1", "--json", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try Self.json(output)
        let class1 = (report["classes"] as! [[String: Any]]).first { $0["id"] as! Int == 1 }!
        // Summed: I = 0.5 + 1 = 1.5, St = 1 + 2 = 3, Sp = 1 + 1 = 2 → (2·1.5 + 1)/(3 + 2 + 1) = 2/3
        // (smoothing twice would give 5/7). Per image: a (1+1)/(1+1+1) = 2/3, b (2+1)/(2+1+1) = 3/4.
        #expect(abs((class1["pooled"] as! Double) - 2.0 / 3) < 1e-12)
        #expect(abs((class1["mean"] as! Double) - (2.0 / 3 + 0.75) / 2) < 1e-12)
    }

    // MARK: Generalized Dice summed over the headline classes

    @Test func generalizedSumsTheHeadlineClassesPerImage() throws {
        let folder = try TemporaryFolder("gdsum", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        // a: gt [1, 1, 2, 0], pred [1, 0, 2, 2]. Class 1: St 2, Sp 1, I 1; class 2: St 1, Sp 2, I 1.
        try TestMasks.png(width: 4, height: 1, values: [1, 1, 2, 0], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 4, height: 1, values: [1, 0, 2, 2], to: root.appendingPathComponent("pred/a.png"))
        // b: class 2 absent from the ground truth: gt [1, 0, 0, 0], pred [1, 2, 0, 0].
        try TestMasks.png(width: 4, height: 1, values: [1, 0, 0, 0], to: root.appendingPathComponent("gt/b.png"))
        try TestMasks.png(width: 4, height: 1, values: [1, 2, 0, 0], to: root.appendingPathComponent("pred/b.png"))
        // c: both sides all background: every weight falls back to 1 and the denominator is 0 → 1.
        try TestMasks.png(width: 4, height: 1, values: [0, 0, 0, 0], to: root.appendingPathComponent("gt/c.png"))
        try TestMasks.png(width: 4, height: 1, values: [0, 0, 0, 0], to: root.appendingPathComponent("pred/c.png"))
        let output = try Self.evaluate(root, ["--variant", "generalized:square", "--json", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try Self.json(output)
        let images = report["images"] as! [[String: Any]]
        let values = images.map { $0["generalized"] as! Double }
        // a (classes 1, 2; background out): w = 1/4, 1 → (2·(1/4 + 1))/((1/4)·3 + 1·3) = 2.5/3.75 = 2/3.
        // b: w1 = 1, class 2 takes the largest finite weight, 1 → 2·1/((1 + 1) + (0 + 1)) = 2/3.
        #expect(abs(values[0] - 2.0 / 3) < 1e-12)
        #expect(abs(values[1] - 2.0 / 3) < 1e-12)
        #expect(values[2] == 1)
        let aggregate = report["aggregate"] as! [String: Any]
        let mean = (2.0 / 3 + 2.0 / 3 + 1) / 3
        #expect(abs((aggregate["generalized"] as! Double) - mean) < 1e-12)
        #expect(aggregate["generalized_mean"] as? Double == aggregate["generalized"] as? Double)
        // Per-class values stay plain Dice: a, class 1 → 2/3.
        #expect(abs(Self.classValue(report, image: 0, id: 1)! - 2.0 / 3) < 1e-12)
        // The summary names the summed value.
        let summary = try Self.evaluate(root, ["--variant", "generalized:square"])
        #expect(summary.stdout.contains("generalized dice (classes summed per image), mean over images: 0.7778"))
    }

    @Test func explainShowsTheSummedGeneralizedValueAndWhereItLands() throws {
        let facts = try BinaryRunner.run(["explain", "--variant", "generalized:square"])
        #expect(facts.status == 0)
        #expect(facts.stdout.contains("images[].generalized"))
        #expect(facts.stdout.contains("aggregate.generalized"))
        let folder = try TemporaryFolder("gdexplain", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 4, height: 1, values: [1, 1, 2, 0], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 4, height: 1, values: [1, 0, 2, 2], to: root.appendingPathComponent("pred/a.png"))
        let output = try BinaryRunner.run([
            "explain", "--variant", "generalized:square", "--gt", root.appendingPathComponent("gt/a.png").path, "--pred",
            root.appendingPathComponent("pred/a.png").path,
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("summed (images[].generalized)"))
        #expect(output.stdout.contains("0.666667"))
    }
}
