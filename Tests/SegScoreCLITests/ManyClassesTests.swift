import Foundation
import SegScoreTestSupport
import Testing

/// Label maps with many distinct ids (instance maps): counted sparsely, limited per pair
/// (65,536 ids) and per run (65,536 classes), never a crash. Files are written by the tests.
@Suite struct ManyClassesTests {
    // MARK: reading the CSV

    /// CSV rows as dictionaries keyed by the header.
    static func csvRows(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\r\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// "tp/fp/fn/tn dice" of class `id` in the CSV rows.
    static func counts(_ rows: [[String: String]], _ id: Int) -> String? {
        guard let row = rows.first(where: { $0["class_id"] == String(id) }) else { return nil }
        return "\(row["tp"]!)/\(row["fp"]!)/\(row["fn"]!)/\(row["tn"]!) \(row["dice"]!)"
    }

    // MARK: per pair

    @Test func sixteenBitMapWithEveryValueAgainstItself() throws {
        // 256×256 pixels, each a different id 0…65535: 65,536 ids, exactly the per-pair limit.
        let folder = try TemporaryFolder("many-all16", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        let values = Array(0..<65536)
        try TestMasks.png(width: 256, height: 256, bitDepth: 16, samples: values, to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 256, height: 256, bitDepth: 16, samples: values, to: root.appendingPathComponent("pred/a.png"))
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--csv", "-", "--quiet",
            "--bootstrap", "0",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = Self.csvRows(output.stdout)
        #expect(rows.count == 65536)
        // Every class is one pixel, predicted exactly: TP 1, TN 65,535.
        #expect(Self.counts(rows, 0) == "1/0/0/65535 1")
        #expect(Self.counts(rows, 40000) == "1/0/0/65535 1")
        #expect(Self.counts(rows, 65534) == "1/0/0/65535 1")
    }

    @Test func moreIDsThanAPairMayHoldIsAPairError() throws {
        // 32-bit TIFF, 350×200 = 70,000 pixels, ids 100,000…169,999.
        let folder = try TemporaryFolder("many-70k", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        let values = (0..<70000).map { UInt32(100_000 + $0) }
        let truth = root.appendingPathComponent("gt/a.tif")
        try TestMasks.uint32TIFF(width: 350, height: 200, values: values, to: truth)
        try TestMasks.uint32TIFF(width: 350, height: 200, values: values, to: root.appendingPathComponent("pred/a.tif"))
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--quiet",
        ])
        #expect(output.status == 3)
        #expect(
            output.stderr.contains(
                "\(truth.path): 70000 distinct label ids in ground truth and prediction together, more than the 65536 one pair may hold"
            ),
            "\(output.stderr)")
    }

    /// Ids `base + i/2` on `n` pixels (two pixels per id), and the same map moved by one pixel:
    /// prediction[i] = truth[(i + 1) % n].
    static func shifted(n: Int, base: Int) -> (truth: [Int], prediction: [Int]) {
        let truth = (0..<n).map { base + $0 / 2 }
        return (truth, (0..<n).map { truth[($0 + 1) % n] })
    }

    @Test func threeThousandIDsAgainstAShiftedCopy() throws {
        // 16-bit PNG 100×60: ids 1000…3999, two pixels each. Class k (pixels 2k, 2k+1) is predicted at
        // 2k (TP), 2k+1 holds k+1 (FN), 2k−1 holds k (FP); the last pixel holds id 1000 (FP of 1000,
        // FN of 3999). So every class: TP 1, FP 1, FN 1, TN 5997, Dice 2/(2+1+1) = 0.5.
        let folder = try TemporaryFolder("many-3k", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        let (truth, prediction) = Self.shifted(n: 6000, base: 1000)
        try TestMasks.png(width: 100, height: 60, bitDepth: 16, samples: truth, to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(
            width: 100, height: 60, bitDepth: 16, samples: prediction, to: root.appendingPathComponent("pred/a.png"))
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--csv", "-", "--quiet",
            "--bootstrap", "0",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = Self.csvRows(output.stdout)
        #expect(rows.count == 3000)
        for id in [1000, 1001, 2500, 3998, 3999] { #expect(Self.counts(rows, id) == "1/1/1/5997 0.5") }
    }

    @Test func thirtyTwoBitIDsWithIgnoreLabelAndClasses() throws {
        // 32-bit TIFF 60×10: ids 70000…70299 (300 classes, more than the dense path takes), prediction
        // moved by one pixel; then truth pixels 20 and 21 (id 70010) become the ignore label 5.
        // 598 pixels are scored.
        // 70010: no truth left; predicted at 20 (ignored) and 19 (truth 70009): TP 0, FP 1, TN 597 → 0.
        // 70009: truth 18, 19; predicted at 18 and 17: TP 1, FN 1 (19 holds 70010), FP 1 → 0.5.
        // 70011: truth 22, 23; predicted at 22 and 21 (ignored): TP 1, FN 1, FP 0, TN 596 → 2/3.
        // 70000: truth 0, 1; predicted at 0 and 599 (wraps around): TP 1, FP 1, FN 1 → 0.5.
        let folder = try TemporaryFolder("many-ignore32", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        var (truth, prediction) = Self.shifted(n: 600, base: 70000)
        truth[20] = 5
        truth[21] = 5
        try TestMasks.uint32TIFF(
            width: 60, height: 10, values: truth.map { UInt32($0) }, to: root.appendingPathComponent("gt/a.tif"))
        try TestMasks.uint32TIFF(
            width: 60, height: 10, values: prediction.map { UInt32($0) }, to: root.appendingPathComponent("pred/a.tif"))
        let classes = (70000..<70300).map(String.init).joined(separator: ",")
        for extra in [[], ["--classes", classes]] {
            let output = try BinaryRunner.run(
                [
                    "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path,
                    "--ignore-label", "5",
                    "--csv", "-", "--quiet", "--bootstrap", "0",
                ] + extra)
            #expect(output.status == 0, "\(output.stderr)")
            let rows = Self.csvRows(output.stdout)
            #expect(rows.count == 300)
            #expect(Self.counts(rows, 70010) == "0/1/0/597 0")
            #expect(Self.counts(rows, 70009) == "1/1/1/595 0.5")
            #expect(Self.counts(rows, 70011) == "1/0/1/596 \(2.0 / 3)")
            #expect(Self.counts(rows, 70000) == "1/1/1/595 0.5")
            #expect(Self.counts(rows, 5) == nil)
        }
    }

    @Test func manyIDsInsideARegionOfInterestAndAgainstAMissingPrediction() throws {
        // The 3,000-id map of above; the ROI keeps the first row (pixels 0…99, ids 1000…1049).
        // 1000: TP 1 (0), FN 1 (1); its FP pixel 5999 is outside → 1/0/1/97, 2/3.
        // 1020: pixels 40, 41, predicted at 40 and 39: 1/1/1/97, 0.5. 1049: pixels 98, 99; 99 holds 1050
        // (FN), 97 holds 1049 (FP) → 1/1/1/97. 2000: outside the ROI → 0/0/0/100, NaN (empty).
        let folder = try TemporaryFolder("many-roi", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        let (truth, prediction) = Self.shifted(n: 6000, base: 1000)
        try TestMasks.png(width: 100, height: 60, bitDepth: 16, samples: truth, to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(
            width: 100, height: 60, bitDepth: 16, samples: prediction, to: root.appendingPathComponent("pred/a.png"))
        try TestMasks.png(
            width: 100, height: 60, values: (0..<6000).map { $0 < 100 ? 255 : 0 }, to: root.appendingPathComponent("roi/a.png"))
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--roi-dir",
            root.appendingPathComponent("roi").path, "--csv", "-", "--quiet", "--bootstrap", "0",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = Self.csvRows(output.stdout)
        #expect(Self.counts(rows, 1000) == "1/0/1/98 \(2.0 / 3)")
        #expect(Self.counts(rows, 1020) == "1/1/1/97 0.5")
        #expect(Self.counts(rows, 1049) == "1/1/1/97 0.5")
        #expect(Self.counts(rows, 2000) == "0/0/0/100 NaN")

        // --missing empty: no prediction file, every truth pixel is a false negative.
        try FileManager.default.removeItem(at: root.appendingPathComponent("pred/a.png"))
        let missing = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--missing", "empty",
            "--csv", "-", "--quiet", "--bootstrap", "0",
        ])
        #expect(missing.status == 0, "\(missing.stderr)")
        let empty = Self.csvRows(missing.stdout)
        #expect(empty.count == 3001)  // background 0 comes from the empty prediction
        #expect(Self.counts(empty, 1500) == "0/0/2/5998 0")
        #expect(Self.counts(empty, 0) == "0/6000/0/0 0")
    }

    // MARK: long class lists

    /// A `--labels` file listing ids `0..<count`, with colours when asked.
    static func labelsFile(count: Int, colours: Bool, at url: URL) throws {
        var entries: [String] = []
        entries.reserveCapacity(count)
        for id in 0..<count {
            let colour = colours ? ", \"color\": [\(id >> 8), \(id & 0xFF), 7]" : ""
            entries.append("{\"id\": \(id), \"name\": \"c\(id)\"\(colour)}")
        }
        try Data(("[" + entries.joined(separator: ",\n") + "]").utf8).write(to: url)
    }

    @Test func labelsListingEverySixteenBitIDOnEightBitMasks() throws {
        // 65,536 classes from --labels on a 2×2 8-bit pair: truth 0 1 2 2, prediction 0 1 1 2.
        // Class 2: TP 1, FN 1 → 2/3; class 1: TP 1, FP 1 → 2/3; class 300 absent from both: 0/0/0/4.
        let folder = try TemporaryFolder("many-labels", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        try TestMasks.png(width: 2, height: 2, values: [0, 1, 2, 2], to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(width: 2, height: 2, values: [0, 1, 1, 2], to: root.appendingPathComponent("pred/a.png"))
        let labels = root.appendingPathComponent("labels.json")
        try Self.labelsFile(count: 65536, colours: false, at: labels)
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--labels", labels.path,
            "--csv", "-", "--quiet", "--bootstrap", "0",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = Self.csvRows(output.stdout)
        #expect(rows.count == 65536)
        #expect(Self.counts(rows, 2) == "1/0/1/2 \(2.0 / 3)")
        #expect(Self.counts(rows, 1) == "1/1/0/2 \(2.0 / 3)")
        #expect(Self.counts(rows, 300)?.hasPrefix("0/0/0/4") == true)

        try Self.labelsFile(count: 65537, colours: false, at: labels)
        let over = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--labels", labels.path,
        ])
        #expect(over.status == 2)
        #expect(over.stderr.contains("65537 classes, more than the 65536 one run can score"), "\(over.stderr)")
    }

    @Test func rgbMasksWithAColourTableOfEverySixteenBitID() throws {
        // Colour of id k: (k >> 8, k & 255, 7). Truth ids 0 300 300 65535, prediction 0 300 65535 65535:
        // 300: TP 1, FN 1 → 2/3; 65535: TP 1, FP 1 → 2/3.
        let folder = try TemporaryFolder("many-rgb", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        func colour(_ id: Int) -> [Int] { [id >> 8, id & 0xFF, 7] }
        try TestMasks.png(
            width: 2, height: 2, color: .rgb, samples: [0, 300, 300, 65535].flatMap(colour),
            to: root.appendingPathComponent("gt/a.png"))
        try TestMasks.png(
            width: 2, height: 2, color: .rgb, samples: [0, 300, 65535, 65535].flatMap(colour),
            to: root.appendingPathComponent("pred/a.png"))
        let labels = root.appendingPathComponent("labels.json")
        try Self.labelsFile(count: 65536, colours: true, at: labels)
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--labels", labels.path,
            "--csv", "-", "--quiet", "--bootstrap", "0",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = Self.csvRows(output.stdout)
        #expect(Self.counts(rows, 300) == "1/0/1/2 \(2.0 / 3)")
        #expect(Self.counts(rows, 65535) == "1/1/0/2 \(2.0 / 3)")
    }

    // MARK: per run

    @Test func moreClassesThanARunMayScoreStopsWithOneLine() throws {
        // 70 pairs of 32-bit TIFFs 40×25, each with its own 1,000 ids (1000·j … 1000·j + 999): after
        // 66 images the run holds 66,000 classes, more than 65,536.
        let folder = try TemporaryFolder("many-run", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        let root = folder.url
        for j in 0..<70 {
            let values = (0..<1000).map { UInt32(1000 * (j + 1) + $0) }
            let name = String(format: "img%02d.tif", j)
            try TestMasks.uint32TIFF(width: 40, height: 25, values: values, to: root.appendingPathComponent("gt/" + name))
            try TestMasks.uint32TIFF(width: 40, height: 25, values: values, to: root.appendingPathComponent("pred/" + name))
        }
        let output = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--jobs", "2",
        ])
        #expect(output.status == 3)
        let path = root.appendingPathComponent("gt/img65.tif").path
        #expect(
            output.stderr
                == "segscore: error: \(path): the run would score 66000 classes, more than the limit of 65536 (pick the classes to score with --classes)\n",
            "\(output.stderr)")
    }
}
