import Foundation
import SegScoreTestSupport
import Testing

/// What `--encoding auto` decides, and the data it must refuse or flag rather than score silently
/// (issue: trust, items 2–8 and 13). Every dataset is written here, 4×2 pixels, values by hand.
@Suite struct AutoEncodingTrustTests {
    /// key,class_id,dice,tp,fp,fn,tn of every CSV row.
    static func rows(_ output: BinaryRunner.Output) -> [String] {
        output.stdout.split(separator: "\r\n").dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return ([cells[0], cells[3]] + cells[5...9]).joined(separator: ",")
        }
    }

    static func json(_ output: BinaryRunner.Output) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
    }

    static func evaluate(_ root: URL, _ extra: [String] = []) throws -> BinaryRunner.Output {
        try BinaryRunner.run(
            ["evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path] + extra)
    }

    // MARK: item 2: low bit depths

    @Test func twoBitPaletteIndicesAreLabelsNotBinary() throws {
        let folder = try TemporaryFolder("palette2", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        // Indices 0/3 in a 2-bit palette PNG (what Pillow writes for a 4-colour P image): label 3.
        let indices = [0, 3, 3, 0, 0, 0, 3, 0]
        try TestMasks.png(
            width: 4, height: 2, bitDepth: 2, color: .palette, samples: indices, paletteSize: 4,
            to: root.appendingPathComponent("gt/a.png"))
        // The same labels as 8-bit gray: 3 is a label there too, so the pair agrees exactly.
        try TestMasks.png(width: 4, height: 2, samples: indices, to: root.appendingPathComponent("pred/a.png"))
        let output = try Self.evaluate(root, ["--csv", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(Self.rows(output) == ["a,0,1,5,0,0,3", "a,3,1,3,0,0,5"])
    }

    @Test(arguments: [
        // (bit depth, colour, stored values, the class the nonzero value becomes)
        (1, TestMasks.PNGColor.gray, [0, 1], 1),
        (2, .gray, [0, 3], 3),
        (4, .gray, [0, 15], 15),
        (4, .palette, [0, 15], 15),
        (8, .palette, [0, 255], 255),
        (8, .gray, [0, 255], 1),
        (16, .gray, [0, 65535], 1),
        (16, .gray, [0, 4095], 4095),
    ])
    func onlyEightAndSixteenBitGrayMaximumMeansBinary(bitDepth: Int, color: TestMasks.PNGColor, values: [Int], label: Int) throws
    {
        let folder = try TemporaryFolder("depth\(bitDepth)", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        let stored = [0, 1, 1, 0, 0, 0, 1, 0].map { values[$0] }
        try TestMasks.png(
            width: 4, height: 2, bitDepth: bitDepth, color: color, samples: stored, paletteSize: 1 << min(bitDepth, 8),
            to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(
            width: 4, height: 2, bitDepth: bitDepth, color: color, samples: stored, paletteSize: 1 << min(bitDepth, 8),
            to: root.appendingPathComponent("pred/a.png"))
        let output = try Self.evaluate(root, ["--csv", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(Self.rows(output) == ["a,0,1,5,0,0,3", "a,\(label),1,3,0,0,5"])
    }

    // MARK: item 3: one side read two ways

    @Test func aSideReadTwoWaysIsADataProblemNamingTheFix() throws {
        let folder = try TemporaryFolder("twoways", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        let threeLevel = [0, 128, 255, 255, 0, 0, 128, 0]
        let twoLevel = [0, 255, 255, 0, 0, 0, 255, 0]
        for side in ["gt", "pred"] {
            try TestMasks.png(width: 4, height: 2, samples: threeLevel, to: root.appendingPathComponent("\(side)/a.png"))
            try TestMasks.png(width: 4, height: 2, samples: twoLevel, to: root.appendingPathComponent("\(side)/b.png"))
        }
        let output = try Self.evaluate(root, ["--json", "-", "--quiet"])
        #expect(output.status == 3)
        let errors = try Self.json(output)["errors"] as! [[String: Any]]
        let messages = errors.map { $0["message"] as! String }
        #expect(messages.count == 2)
        #expect(
            messages.contains {
                $0.hasPrefix("ground-truth files are read two ways under --encoding auto: 1 hold only 0 and the type maximum")
            })
        #expect(messages.allSatisfy { $0.contains("and 1 hold other ids") && $0.contains("encoding labels") })
        #expect(messages.contains { $0.contains("--pred-encoding binary") })
        #expect(output.stderr.contains("read two ways"))

        // Said once, the data is read one way: every value is a class, the pairs agree.
        let labels = try Self.evaluate(root, ["--encoding", "labels", "--csv", "-", "--quiet"])
        #expect(labels.status == 0, "\(labels.stderr)")
        #expect(
            Self.rows(labels) == [
                "a,0,1,4,0,0,4", "a,128,1,2,0,0,6", "a,255,1,2,0,0,6", "b,0,1,5,0,0,3", "b,128,NaN,0,0,0,8", "b,255,1,3,0,0,5",
            ])
    }

    @Test func zeroOneFilesBesideZeroMaxFilesAreOneReading() throws {
        // 0/1 is label 1 under either reading: no conflict with 0/255 files.
        let folder = try TemporaryFolder("zeroone", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        for side in ["gt", "pred"] {
            try TestMasks.png(
                width: 4, height: 2, samples: [0, 1, 1, 0, 0, 0, 0, 0], to: root.appendingPathComponent("\(side)/a.png"))
            try TestMasks.png(
                width: 4, height: 2, samples: [0, 255, 0, 0, 0, 0, 0, 0], to: root.appendingPathComponent("\(side)/b.png"))
            try TestMasks.png(
                width: 4, height: 2, samples: [0, 0, 0, 0, 0, 0, 0, 0], to: root.appendingPathComponent("\(side)/c.png"))
        }
        let output = try Self.evaluate(root, ["--csv", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            Self.rows(output) == [
                "a,0,1,6,0,0,2", "a,1,1,2,0,0,6", "b,0,1,7,0,0,1", "b,1,1,1,0,0,7", "c,0,1,8,0,0,0", "c,1,NaN,0,0,0,8",
            ])
    }

    // MARK: item 4: channels

    let channels = ["evaluate", "Fixtures/datasets/channels/gt", "Fixtures/datasets/channels/pred", "--pages", "channels"]

    @Test func channelDataHasNoBackgroundUnlessSaid() throws {
        let output = try BinaryRunner.run(channels + ["--json", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try Self.json(output)
        let aggregate = report["aggregate"] as! [String: Any]
        // Class means 1/2, 6/7, 0 (see EvaluateEncodingTests): every channel is in the headline.
        #expect(aggregate["classes"] as! [Int] == [0, 1, 2])
        #expect(abs(aggregate["mean"] as! Double - (0.5 + 6.0 / 7 + 0) / 3) < 1e-12)
        #expect((report["config"] as! [String: Any])["include_background"] as! Bool == true)

        let without = try BinaryRunner.run(channels + ["--no-include-background", "--json", "-", "--quiet"])
        let aggregateWithout = try Self.json(without)["aggregate"] as! [String: Any]
        #expect(aggregateWithout["classes"] as! [Int] == [1, 2])
        #expect(abs(aggregateWithout["mean"] as! Double - (6.0 / 7 + 0) / 2) < 1e-12)
    }

    @Test func oneExplicitChannelIsClassZero() throws {
        let folder = try TemporaryFolder("onechannel", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 4, height: 2, samples: [0, 1, 1, 0, 0, 0, 0, 0], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 4, height: 2, samples: [0, 1, 0, 0, 0, 0, 0, 0], to: root.appendingPathComponent("pred/a.png"))
        let output = try Self.evaluate(root, ["--encoding", "channels", "--csv", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        // Channel 0 is class 0: TP 1, FN 1 → 2/3.
        #expect(Self.rows(output) == ["a,0,\(2.0 / 3),1,0,1,6"])
    }

    @Test func aSingleProbabilityMapCountsItsBackgroundForLibrariesThatDo() throws {
        let arguments = [
            "evaluate", "Fixtures/datasets/probability/gt", "Fixtures/datasets/probability/pred", "--json", "-", "--quiet",
        ]
        // Class 1: 2/3, class 0 (1 − p thresholded): 0.8 (EvaluateEncodingTests). TorchMetrics'
        // default include_background=True averages both; segscore's headline is the foreground.
        let output = try BinaryRunner.run(arguments + ["--variant", "torchmetrics"])
        #expect(output.status == 0, "\(output.stderr)")
        let aggregate = try Self.json(output)["aggregate"] as! [String: Any]
        #expect(aggregate["classes"] as! [Int] == [1])
        let library = aggregate["library"] as! [String: Any]
        #expect(abs(library["value"] as! Double - (0.8 + 2.0 / 3) / 2) < 1e-12)
    }

    // MARK: item 5: ignore labels with channel predictions

    @Test func ignoreLabelLeavesVoidPixelsOutOfChannelScores() throws {
        let folder = try TemporaryFolder("ignorechannels", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        // Truth 0 1 255 0 / 1 1 0 255; prediction two channels, channel 1 = p(class 1).
        try TestMasks.png(
            width: 4, height: 2, samples: [0, 1, 255, 0, 1, 1, 0, 255], to: root.appendingPathComponent("gt/a.png"))
        let p1: [Float] = [0, 1, 1, 0, 1, 0, 0, 1]
        var values: [Float] = []
        for p in p1 { values += [1 - p, p] }
        try TestMasks.floatTIFF(width: 4, height: 2, channels: 2, values: values, to: root.appendingPathComponent("pred/a.tif"))
        let output = try Self.evaluate(root, ["--ignore-label", "255", "--csv", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        // Pixels 2 and 7 left out. Class 1: truth at 1, 4, 5; p > 0.5 at 1, 4 → TP 2, FN 1, TN 3 → 4/5.
        // Class 0: truth at 0, 3, 6; on at 0, 3, 5, 6 → TP 3, FP 1 → 6/7.
        #expect(Self.rows(output) == ["a,0,\(6.0 / 7),3,1,0,2", "a,1,0.8,2,0,1,3"])
    }

    // MARK: item 6: values a probability map cannot hold

    @Test(arguments: [
        ([Float(0.5), 1.5, 0, 0, 0, 0, 0, -0.25], "2 of 8 values lie outside [0, 1] (from -0.25 to 1.5)"),
        ([Float.nan, 0.5, 0, 0, 0, 0, 0, 0], "1 of 8 values are NaN or infinite"),
        ([Float.infinity, 0.5, 0, 0, 0, 0, -Float.infinity, 0], "2 of 8 values are NaN or infinite"),
    ])
    func logitsAndNonFiniteValuesAreAPairError(values: [Float], message: String) throws {
        let folder = try TemporaryFolder("logits", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 4, height: 2, samples: [0, 255, 0, 0, 0, 0, 0, 0], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 4, height: 2, samples: [0, 255, 0, 0, 0, 0, 0, 0], to: root.appendingPathComponent("gt/b.png"))
        try TestMasks.floatTIFF(width: 4, height: 2, values: values, to: root.appendingPathComponent("pred/a.tif"))
        try TestMasks.floatTIFF(
            width: 4, height: 2, values: [0, 1, 0, 0, 0, 0, 0, 0], to: root.appendingPathComponent("pred/b.tif"))
        let output = try Self.evaluate(root, ["--json", "-", "--quiet"])
        #expect(output.status == 3)
        let report = try Self.json(output)
        let errors = report["errors"] as! [[String: Any]]
        #expect(errors.count == 1)
        #expect(errors.first?["path"] as? String == root.appendingPathComponent("pred/a.tif").path)
        #expect((errors.first?["message"] as? String)?.hasPrefix(message) == true)
        // The good pair is still scored.
        #expect((report["images"] as! [[String: Any]]).map { $0["key"] as! String } == ["b"])
    }

    @Test func aFloatGroundTruthWithNaNIsRefusedToo() throws {
        let folder = try TemporaryFolder("nantruth", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.floatTIFF(
            width: 4, height: 2, values: [0, 1, .nan, 0, 0, 0, 0, 0], to: root.appendingPathComponent("gt/a.tif"))
        try TestMasks.floatTIFF(
            width: 4, height: 2, values: [0, 1, 0, 0, 0, 0, 0, 0], to: root.appendingPathComponent("pred/a.tif"))
        let output = try Self.evaluate(root, ["--quiet"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("gt/a.tif: 1 of 8 values are NaN or infinite"))
    }

    // MARK: item 7: a probability map read as labels

    @Test func manyIdsUnderAutoAreSaid() throws {
        let folder = try TemporaryFolder("manyids", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        let width = 10
        try TestMasks.png(
            width: width, height: 4, samples: (0..<40).map { $0 < 20 ? 0 : 255 }, to: root.appendingPathComponent("gt/a.png"))
        // 40 distinct 8-bit values: a probability map saved as a PNG.
        try TestMasks.png(
            width: width, height: 4, samples: (0..<40).map { $0 * 6 }, to: root.appendingPathComponent("pred/a.png"))
        let output = try Self.evaluate(root, ["--json", "-"])
        #expect(output.status == 0)
        let warnings = try Self.json(output)["warnings"] as! [String]
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("1 prediction file read as label maps with more than 32 ids each") == true)
        #expect(warnings.first?.contains("39 ids") == true)
        #expect(warnings.first?.contains("--pred-encoding probability") == true)
        #expect(output.stderr.contains("--pred-encoding probability"))

        // Said explicitly, nothing to warn about.
        let labels = try Self.evaluate(root, ["--pred-encoding", "labels", "--json", "-", "--quiet"])
        #expect(try Self.json(labels)["warnings"] as! [String] == [])
        // Read as a probability map: class 1 is p > 0.5 (stored ≥ 128: values 22·6 = 132 on), TP 18, FN 2.
        let probability = try Self.evaluate(root, ["--pred-encoding", "probability", "--csv", "-", "--quiet"])
        #expect(Self.rows(probability).last == "a,1,\(36.0 / 38),18,0,2,20")
    }

    // MARK: item 8: no foreground anywhere

    @Test func noForegroundMeansNoHeadlineAndAFailedGate() throws {
        let folder = try TemporaryFolder("background", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        for side in ["gt", "pred"] {
            try TestMasks.png(
                width: 4, height: 2, samples: [Int](repeating: 0, count: 8), to: root.appendingPathComponent("\(side)/a.png"))
        }
        let output = try Self.evaluate(root, ["--json", "-", "--fail-under", "0.5"])
        #expect(output.status == 1)
        let report = try Self.json(output)
        let aggregate = report["aggregate"] as! [String: Any]
        #expect(aggregate["mean"] is NSNull)
        #expect(aggregate["classes"] as! [Int] == [])
        #expect((aggregate["note"] as? String)?.hasPrefix("no foreground class scored") == true)
        let gates = report["gates"] as! [[String: Any]]
        #expect(gates.first?["passed"] as? Bool == false)
        #expect(output.stderr.contains("headline: none (no foreground class scored"))

        // Asked for, the background is the headline.
        let included = try Self.evaluate(root, ["--json", "-", "--include-background", "--fail-under", "0.5", "--empty", "one"])
        #expect(included.status == 0)
        #expect((try Self.json(included)["aggregate"] as! [String: Any])["mean"] as? Double == 1)
    }

    // MARK: item 13: --missing empty with RGB ground truth

    @Test func anEmptyPredictionForRGBTruthIsAllBackground() throws {
        let folder = try TemporaryFolder("rgbempty", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        // Black background, red class 1 on pixels 1 and 2.
        let pixels = [0, 1, 1, 0, 0, 0, 0, 0]
        try TestMasks.png(
            width: 4, height: 2, color: .rgb, samples: pixels.flatMap { $0 == 1 ? [255, 0, 0] : [0, 0, 0] },
            to: root.appendingPathComponent("gt/a.png"))
        let labels = root.appendingPathComponent("labels.json")
        try Data(#"[{"id": 0, "name": "background", "color": [0, 0, 0]}, {"id": 1, "name": "red", "color": [255, 0, 0]}]"#.utf8)
            .write(to: labels)
        let output = try Self.evaluate(root, ["--labels", labels.path, "--missing", "empty", "--csv", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        // Nothing predicted: class 0 TP 6, FP 2 → 12/14; class 1 FN 2 → 0.
        #expect(Self.rows(output) == ["a,0,\(12.0 / 14),6,2,0,0", "a,1,0,0,0,2,6"])
    }
}
