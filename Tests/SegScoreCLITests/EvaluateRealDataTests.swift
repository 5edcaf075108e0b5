import Foundation
import SegScoreTestSupport
import Testing

/// `evaluate` against the reference numbers the data sets' SOURCE.md files give (computed there
/// with numpy, independently of segscore), to 1e-4. DRIVE and VOC may not be redistributed: these
/// tests run when ../shared/data/real is beside the project and are skipped otherwise.
@Suite struct EvaluateRealDataTests {
    static func report(_ arguments: [String]) throws -> [String: Any] {
        let output = try BinaryRunner.run(arguments + ["--json", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
    }

    /// key → class id → dice.
    static func dice(_ report: [String: Any]) -> [String: [Int: Double]] {
        var out: [String: [Int: Double]] = [:]
        for image in report["images"] as! [[String: Any]] {
            var classes: [Int: Double] = [:]
            for c in image["classes"] as! [[String: Any]] { if let d = c["dice"] as? Double { classes[c["id"] as! Int] = d } }
            out[image["key"] as! String] = classes
        }
        return out
    }

    /// DRIVE SOURCE.md table rows: | NN | gt px | manual2 px | Dice all | Dice FOV | FOV px |
    static func driveTable() throws -> [String: (all: Double, fov: Double)] {
        let text = try String(contentsOfFile: Fixtures.shared("drive-retina-unet/SOURCE.md"), encoding: .utf8)
        var rows: [String: (Double, Double)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6, cells[0].count == 2, Int(cells[0]) != nil, let all = Double(cells[3]),
                let fov = Double(cells[4])
            else { continue }
            rows[cells[0]] = (all, fov)
        }
        return rows
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("drive-retina-unet"),
            "DRIVE may not be redistributed: needs ../shared/data/real/drive-retina-unet beside the repository"))
    func driveObserversAllPixelsAndInsideTheFieldOfView() throws {
        let table = try Self.driveTable()
        #expect(table.count == 20)
        let base = "drive-retina-unet/observers/"
        let arguments = [
            "evaluate", Fixtures.shared(base + "gt"), Fixtures.shared(base + "pred"), "--gt-suffix", "_manual1",
            "--pred-suffix", "_manual2",
        ]
        let all = Self.dice(try Self.report(arguments))
        let fovReport = try Self.report(arguments + ["--roi-dir", Fixtures.shared(base + "fov"), "--roi-suffix", "_test_mask"])
        let fov = Self.dice(fovReport)
        for (key, expected) in table {
            #expect(abs(all[key]![1]! - expected.all) < 1e-4, "\(key) all pixels")
            #expect(abs(fov[key]![1]! - expected.fov) < 1e-4, "\(key) inside FOV")
        }
        // SOURCE.md: mean inside FOV 0.788123; the encodings are a 0/255 gray and a palette 0/1 mask.
        let aggregate = fovReport["aggregate"] as! [String: Any]
        #expect(abs(aggregate["mean"] as! Double - 0.788123) < 1e-6)
        let encodings = (fovReport["inputs"] as! [String: Any])["encodings"] as! [[String: Any]]
        #expect(encodings.first?["gt"] as? String == "binary" && encodings.first?["pred"] as? String == "palette-labels")
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("drive-retina-unet"),
            "DRIVE may not be redistributed: needs ../shared/data/real/drive-retina-unet beside the repository"))
    func driveAllPixelsMeanAndPooled() throws {
        let base = "drive-retina-unet/observers/"
        let report = try Self.report([
            "evaluate", Fixtures.shared(base + "gt"), Fixtures.shared(base + "pred"), "--gt-suffix", "_manual1",
            "--pred-suffix", "_manual2", "--classes", "1",
        ])
        // SOURCE.md: mean 0.787928, pooled 0.788864 with TP 447480, FP 109067, FN 130465.
        let vessel = (report["classes"] as! [[String: Any]])[0]
        #expect(abs(vessel["mean"] as! Double - 0.787928) < 1e-6)
        #expect(abs(vessel["pooled"] as! Double - 0.788864) < 1e-6)
        #expect(
            vessel["pooled_tp"] as? Int == 447480 && vessel["pooled_fp"] as? Int == 109067
                && vessel["pooled_fn"] as? Int == 130465)
    }

    /// VOC SOURCE.md rows: | k | gt values | pred values | void | bg dice_ignore255=X | N(name): … dice_ignore255=Y … |
    static func vocTable() throws -> [String: [Int: Double]] {
        let text = try String(contentsOfFile: Fixtures.shared("voc-deeplabv3-rgb/SOURCE.md"), encoding: .utf8)
        var rows: [String: [Int: Double]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6, Int(cells[0]) != nil, cells[4].hasPrefix("bg dice_ignore255=") else { continue }
            var classes: [Int: Double] = [0: Double(cells[4].dropFirst("bg dice_ignore255=".count))!]
            for part in cells[5].split(separator: ";") {
                let text = part.trimmingCharacters(in: .whitespaces)
                guard let id = Int(text.prefix { $0.isNumber }), let range = text.range(of: "dice_ignore255=") else { continue }
                classes[id] = Double(text[range.upperBound...].prefix { $0 != " " })!
            }
            rows[cells[0]] = classes
        }
        return rows
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("voc-deeplabv3-rgb"),
            "PASCAL VOC may not be redistributed: needs ../shared/data/real/voc-deeplabv3-rgb beside the repository"))
    func vocColoursWithVoidIgnored() throws {
        let table = try Self.vocTable()
        #expect(table.count == 14)
        let report = try Self.report([
            "evaluate", Fixtures.shared("voc-deeplabv3-rgb/gt"), Fixtures.shared("voc-deeplabv3-rgb/pred"),
            "--gt-suffix", "_target", "--pred-suffix", "_pred", "--labels", "Fixtures/labels/voc.json", "--ignore-label", "255",
        ])
        let dice = Self.dice(report)
        var compared = 0
        for (key, classes) in table {
            for (id, expected) in classes {
                #expect(abs(dice[key]![id]! - expected) < 1e-4, "image \(key) class \(id)")
                compared += 1
            }
        }
        #expect(compared == 31)
    }
}

/// One bad pair must not stop the run: it is listed, the others are scored, the exit code is 3.
@Suite struct EvaluateDataProblemTests {
    @Test func corruptFileAndSizeMismatchAreListedWhileTheRestIsScored() throws {
        let folder = try TemporaryFolder("bad", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let gt = folder.url("gt")
        let pred = folder.url("pred")
        let isbi = Fixtures.path("real/isbi2012-membrane-unet")
        let copies = [
            ("\(isbi)/gt/0.png", gt.appendingPathComponent("good.png")),
            ("\(isbi)/gt/0.png", pred.appendingPathComponent("good.png")),
            ("\(isbi)/gt/1.png", gt.appendingPathComponent("small.png")),
            ("\(isbi)/pred_unpaired_testset/1_predict.png", pred.appendingPathComponent("small.png")),
            ("\(isbi)/gt/2.png", gt.appendingPathComponent("broken.png")),
            (Fixtures.path("bad/truncated_in_data.png"), pred.appendingPathComponent("broken.png")),
        ]
        for (source, target) in copies { try FileManager.default.copyItem(atPath: source, toPath: target.path) }
        let output = try BinaryRunner.run(["evaluate", gt.path, pred.path, "--json", "-", "--quiet"])
        #expect(output.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let errors = report["errors"] as! [[String: Any]]
        #expect(errors.map { $0["key"] as? String } == ["broken", "small"])
        #expect((errors[0]["message"] as! String).contains("truncated"))
        #expect((errors[1]["message"] as! String).hasPrefix("size mismatch: prediction is 256x256"))
        #expect(errors[0]["path"] as? String == pred.appendingPathComponent("broken.png").path)
        // The good pair is scored: identical masks give Dice 1 for both classes.
        let images = report["images"] as! [[String: Any]]
        #expect(images.map { $0["key"] as? String } == ["good"])
        let classes = images.first?["classes"] as? [[String: Any]] ?? []
        #expect(classes.map { $0["dice"] as? Double } == [1, 1])
        #expect(output.stderr.split(separator: "\n").count == 2)
    }
}
