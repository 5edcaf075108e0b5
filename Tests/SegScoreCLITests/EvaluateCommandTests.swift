import Foundation
import SegScoreTestSupport
import Testing

/// `segscore evaluate` run as a user runs it, on Fixtures datasets.
@Suite struct EvaluateCommandTests {
    let tiny = ["evaluate", "Fixtures/datasets/tiny/gt", "Fixtures/datasets/tiny/pred"]

    /// The tiny set worked out by hand (4×2 label maps, classes 0, 1, 2):
    /// a: truth 0 1 1 2 / 0 1 1 2, prediction 0 1 0 2 / 0 1 1 1
    /// b: all 0 on both sides (the prediction is 16-bit)
    /// sub/c: truth 2 2 2 2 / 0 0 0 0 (palette), prediction 2 2 0 0 / 0 0 1 0 (16-bit)
    static let expectedCSV =
        [
            "key,gt,pred,class_id,class_name,dice,tp,fp,fn,tn,iou,precision,recall,specificity,volumetric_similarity",
            // a, class 0: TP 2, FP 1, FN 0, TN 5 → 4/5; IoU 2/3; precision 2/3; recall 1; specificity 5/6; VS 1 − 1/5.
            "a,Fixtures/datasets/tiny/gt/a.png,Fixtures/datasets/tiny/pred/a.png,0,0,0.8,2,1,0,5,\(2.0 / 3),\(2.0 / 3),1,\(5.0 / 6),0.8",
            // a, class 1: TP 3, FP 1, FN 1, TN 3 → 6/8; IoU 3/5; VS 1.
            "a,Fixtures/datasets/tiny/gt/a.png,Fixtures/datasets/tiny/pred/a.png,1,1,0.75,3,1,1,3,0.6,0.75,0.75,0.75,1",
            // a, class 2: TP 1, FP 0, FN 1, TN 6 → 2/3; VS 1 − 1/3.
            "a,Fixtures/datasets/tiny/gt/a.png,Fixtures/datasets/tiny/pred/a.png,2,2,\(2.0 / 3),1,0,1,6,0.5,1,0.5,1,\(1 - 1.0 / 3)",
            // b: class 0 everywhere in both; classes 1 and 2 absent from both: 0/0 → NaN.
            "b,Fixtures/datasets/tiny/gt/b.png,Fixtures/datasets/tiny/pred/b.png,0,0,1,8,0,0,0,1,1,1,NaN,1",
            "b,Fixtures/datasets/tiny/gt/b.png,Fixtures/datasets/tiny/pred/b.png,1,1,NaN,0,0,0,8,NaN,NaN,NaN,1,NaN",
            "b,Fixtures/datasets/tiny/gt/b.png,Fixtures/datasets/tiny/pred/b.png,2,2,NaN,0,0,0,8,NaN,NaN,NaN,1,NaN",
            // c, class 0: TP 3, FP 2, FN 1, TN 2 → 6/9; precision 3/5; recall 3/4; specificity 1/2; VS 1 − 1/9.
            "sub/c,Fixtures/datasets/tiny/gt/sub/c.png,Fixtures/datasets/tiny/pred/sub/c.png,0,0,\(6.0 / 9),3,2,1,2,0.5,0.6,0.75,0.5,\(1 - 1.0 / 9)",
            // c, class 1: one false positive → 0; recall 0/0 → NaN; specificity 7/8; VS 1 − 1/1.
            "sub/c,Fixtures/datasets/tiny/gt/sub/c.png,Fixtures/datasets/tiny/pred/sub/c.png,1,1,0,0,1,0,7,0,0,NaN,0.875,0",
            // c, class 2: TP 2, FN 2, TN 4 → 4/6; VS 1 − 2/6.
            "sub/c,Fixtures/datasets/tiny/gt/sub/c.png,Fixtures/datasets/tiny/pred/sub/c.png,2,2,\(4.0 / 6),2,0,2,4,0.5,1,0.5,1,\(1 - 2.0 / 6)",
        ].joined(separator: "\r\n") + "\r\n"

    @Test func tinyCSVIsExactAndSkippedGroundTruthIsAWarning() throws {
        let output = try BinaryRunner.run(tiny + ["--missing", "skip", "--csv", "-"])
        #expect(output.status == 0)
        #expect(output.stdout == Self.expectedCSV)
        #expect(output.stderr.contains("Fixtures/datasets/tiny/gt/d.png: no prediction, skipped (--missing skip)"))
    }

    @Test func tinyJSONIsExactAndUnpairedGroundTruthExits3() throws {
        // Intervals are tested on their own (GateAndReportTests); here every number is worked by hand.
        let output = try BinaryRunner.run(tiny + ["--json", "-", "--quiet", "--bootstrap", "0"])
        #expect(output.status == 3)
        #expect(output.stderr == "segscore: error: Fixtures/datasets/tiny/gt/d.png: no prediction for this ground truth\n")
        let actual = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! NSDictionary
        let third = 1.0 / 3
        let twoThirds = 2.0 / 3
        // Class means over images with NaN skipped: 0 → (0.8 + 1 + 2/3)/3; 1 → (0.75 + 0)/2; 2 → (2/3 + 2/3)/2.
        // Pooled: 0 → TP 13, FP 3, FN 1 → 26/30; 1 → TP 3, FP 2, FN 1 → 6/9; 2 → TP 3, FN 3 → 6/9.
        let mean0 = (0.8 + 1 + twoThirds) / 3
        let std1 = 0.375  // population std of {0.75, 0}
        let std0 = ((0.8 - mean0) * (0.8 - mean0) + (1 - mean0) * (1 - mean0) + (twoThirds - mean0) * (twoThirds - mean0)) / 3
        let expected: [String: Any] = [
            "schema": "segscore.report/1",
            "tool": ["name": "segscore", "version": "0.3.5"],
            "config": [
                "variant": "hard", "formula": "2TP/(2TP+FP+FN)", "empty": "nan", "smooth": [0], "include_background": false,
                "std_ddof": 0,
                "ignore_labels": [Int](), "binarize": "gt:0.5", "threshold": [0.5],
                "encoding": ["gt": "auto", "pred": "auto"], "missing": "fail",
            ],
            "inputs": [
                "gt": "Fixtures/datasets/tiny/gt", "pred": "Fixtures/datasets/tiny/pred", "pairs": 3,
                "unmatched_gt": ["Fixtures/datasets/tiny/gt/d.png"], "unmatched_pred": ["Fixtures/datasets/tiny/pred/e.png"],
                "ignored_files": 1,
                "encodings": [
                    ["gt": "labels", "pred": "labels", "pairs": 2], ["gt": "palette-labels", "pred": "labels", "pairs": 1],
                ],
            ],
            "classes": [
                Self.classSummary(
                    0, mean: mean0, median: 0.8, std: std0.squareRoot(), min: twoThirds, max: 1, n: 3, nNaN: 0,
                    pooled: 26.0 / 30, counts: (13, 3, 1, 7), percentiles: [0.68, 0.8 - 1.0 / 15, 0.9, 0.98]),
                Self.classSummary(
                    1, mean: 0.375, median: 0.375, std: std1, min: 0, max: 0.75, n: 2, nNaN: 1,
                    pooled: twoThirds, counts: (3, 2, 1, 18), percentiles: [0.0375, 0.1875, 0.5625, 0.7125]),
                Self.classSummary(
                    2, mean: twoThirds, median: twoThirds, std: 0, min: twoThirds, max: twoThirds, n: 2, nNaN: 1,
                    pooled: twoThirds, counts: (3, 0, 3, 18), percentiles: [twoThirds, twoThirds, twoThirds, twoThirds]),
            ],
            "aggregate": ["mean": (0.375 + twoThirds) / 2, "pooled": twoThirds, "classes": [1, 2]],
            // Per pair, from the counts above: a [[2,0,0],[1,3,0],[0,1,1]], b [[8,0,0],[0,0,0],[0,0,0]],
            // c [[3,1,0],[0,0,0],[2,0,2]] (rows ground truth 0, 1, 2; columns prediction).
            "confusion": ["ids": [0, 1, 2], "matrix": [[13, 1, 0], [1, 3, 0], [2, 1, 3]]],
            "images": [
                Self.image(
                    "a", mean: (0.75 + twoThirds) / 2,
                    classes: [(0, 0.8, (2, 1, 0, 5)), (1, 0.75, (3, 1, 1, 3)), (2, twoThirds, (1, 0, 1, 6))]),
                Self.image("b", mean: nil, classes: [(0, 1, (8, 0, 0, 0)), (1, nil, (0, 0, 0, 8)), (2, nil, (0, 0, 0, 8))]),
                Self.image(
                    "sub/c", mean: third,
                    classes: [(0, twoThirds, (3, 2, 1, 2)), (1, 0, (0, 1, 0, 7)), (2, twoThirds, (2, 0, 2, 4))]),
            ],
            "errors": [
                ["key": NSNull(), "path": "Fixtures/datasets/tiny/gt/d.png", "message": "no prediction for this ground truth"]
            ],
            "warnings": [String](),
            "gates": [Any](),
        ]
        let expectedObject =
            try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: expected)) as! NSDictionary
        #expect(Self.equal(actual, expectedObject), "\(Self.difference(actual, expectedObject))")
    }

    static func classSummary(
        _ id: Int, mean: Double, median: Double, std: Double, min: Double, max: Double, n: Int, nNaN: Int, pooled: Double,
        counts: (Int, Int, Int, Int), percentiles: [Double]
    ) -> [String: Any] {
        let (tp, fp, fn, tn) = (Double(counts.0), Double(counts.1), Double(counts.2), Double(counts.3))
        // p5, p25, p75, p95: h = (n − 1)·q between the sorted values (NumPy's linear rule).
        return [
            "p5": percentiles[0], "p25": percentiles[1], "p75": percentiles[2], "p95": percentiles[3],
            "id": id, "name": String(id), "mean": mean, "median": median, "std": std, "min": min, "max": max, "n": n,
            "n_nan": nNaN, "pooled": pooled, "pooled_tp": counts.0, "pooled_fp": counts.1, "pooled_fn": counts.2,
            "pooled_tn": counts.3, "pooled_iou": tp / (tp + fp + fn), "pooled_precision": tp / (tp + fp),
            "pooled_recall": tp / (tp + fn), "pooled_specificity": tn / (tn + fp),
            "pooled_volumetric_similarity": 1 - abs(fn - fp) / (2 * tp + fp + fn),
        ]
    }

    static func image(_ key: String, mean: Double?, classes: [(Int, Double?, (Int, Int, Int, Int))]) -> [String: Any] {
        [
            "key": key, "gt": "Fixtures/datasets/tiny/gt/\(key).png", "pred": "Fixtures/datasets/tiny/pred/\(key).png",
            "mean": mean.map { $0 as Any } ?? NSNull(),
            "classes": classes.map { id, dice, c in
                ["id": id, "dice": dice.map { $0 as Any } ?? NSNull(), "tp": c.0, "fp": c.1, "fn": c.2, "tn": c.3]
                    as [String: Any]
            },
        ]
    }

    /// Deep equality with numbers compared to 1e-12 (the JSON writer prints shortest round-trip forms).
    static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as NSDictionary, let y as NSDictionary):
            return Set(x.allKeys as! [String]) == Set(y.allKeys as! [String])
                && (x.allKeys as! [String]).allSatisfy { equal(x[$0]!, y[$0]!) }
        case (let x as NSArray, let y as NSArray):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (let x as String, let y as String): return x == y
        case (let x as NSNumber, let y as NSNumber):
            return abs(x.doubleValue - y.doubleValue) <= 1e-12 * max(1, abs(y.doubleValue))
        case (is NSNull, is NSNull): return true
        default: return false
        }
    }

    static func difference(_ a: Any, _ b: Any, path: String = "$") -> String {
        if let x = a as? NSDictionary, let y = b as? NSDictionary {
            let keys = Set(x.allKeys as! [String]).union(y.allKeys as! [String])
            for key in keys.sorted() {
                guard let u = x[key], let v = y[key] else { return "\(path).\(key): present on one side only" }
                if !equal(u, v) { return difference(u, v, path: path + "." + key) }
            }
        }
        if let x = a as? NSArray, let y = b as? NSArray, x.count == y.count {
            for (i, (u, v)) in zip(x, y).enumerated() where !equal(u, v) { return difference(u, v, path: "\(path)[\(i)]") }
        }
        return "\(path): \(a) != \(b)"
    }

    @Test func jobsOneAndEightGiveByteIdenticalReports() throws {
        let folder = try TemporaryFolder("jobs")
        defer { folder.remove() }
        var files: [[Data]] = []
        for jobs in ["1", "8"] {
            let json = folder.path("r\(jobs).json")
            let csv = folder.path("r\(jobs).csv")
            let summary = folder.path("s\(jobs).csv")
            let output = try BinaryRunner.run([
                "evaluate", "Fixtures/demo/gt", "Fixtures/demo/pred", "--labels", "Fixtures/demo/labels.json", "--jobs", jobs,
                "--json", json, "--csv", csv, "--summary-csv", summary, "--quiet",
            ])
            #expect(output.status == 0)
            files.append(try [json, csv, summary].map { try Data(contentsOf: URL(fileURLWithPath: $0)) })
        }
        #expect(files[0] == files[1])
        #expect(files[0][0].count > 10_000)
    }

    /// Reports go through a temporary file and a rename; a device must be written in place, not
    /// replaced (an earlier version turned /dev/null into a regular file).
    @Test func reportsToDevNullLeaveTheDeviceAlone() throws {
        let output = try BinaryRunner.run(tiny + ["--missing", "skip", "--json", "/dev/null", "--csv", "/dev/null", "--quiet"])
        #expect(output.status == 0)
        var status = stat()
        #expect(stat("/dev/null", &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFCHR)
    }

    /// The per-image CSV is written on its own thread; its failure is still reported, with the
    /// file, and then no report is replaced (issue 12, item 21: all together or none).
    @Test func aReportThatCannotBeWrittenIsNamedAndExits2() throws {
        let folder = try TemporaryFolder("unwritable")
        defer { folder.remove() }
        let json = folder.path("r.json")
        let output = try BinaryRunner.run(tiny + ["--missing", "skip", "--json", json, "--csv", "/dev/full", "--quiet"])
        #expect(output.status == 2)
        // The warning of --missing skip still goes to stderr (--quiet keeps errors and warnings).
        #expect(
            output.stderr == "segscore: error: /dev/full: cannot write: no space left on device\n"
                + "segscore: warning: Fixtures/datasets/tiny/gt/d.png: no prediction, skipped (--missing skip)\n")
        #expect(!FileManager.default.fileExists(atPath: json))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        // A folder that does not exist is found before any work.
        let missing = try BinaryRunner.run(
            tiny + ["--missing", "skip", "--json", json, "--csv", "/nonexistent-segscore/per-image.csv"])
        #expect(missing.status == 2)
        #expect(
            missing.stderr
                == "segscore: error: /nonexistent-segscore/per-image.csv: cannot write: folder /nonexistent-segscore does not exist\n"
        )
        #expect(!FileManager.default.fileExists(atPath: json))
    }

    @Test func usageAndConfigurationErrorsExit2() throws {
        #expect(try BinaryRunner.run(tiny + ["--variant", "dice-ish"]).status == 2)
        #expect(try BinaryRunner.run(tiny + ["--threshold", "1.5"]).status == 2)
        #expect(try BinaryRunner.run(tiny + ["--smooth", "1,2"]).status == 2)  // a list needs --classes
        #expect(try BinaryRunner.run(["evaluate", "Fixtures/no-such-folder", "Fixtures/datasets/tiny/pred"]).status == 2)
        let output = try BinaryRunner.run(tiny + ["--key-regex", "(?<nokey>.*)"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("named group"))
    }

    @Test func perClassSmoothingListWithClasses() throws {
        // Class 1 smoothed by 1, class 2 by 0: image b then scores (0 + 1)/(0 + 1) = 1 for class 1, NaN for 2.
        let output = try BinaryRunner.run(
            tiny + ["--classes", "1,2", "--smooth", "1,0", "--variant", "soft", "--missing", "skip", "--json", "-", "--quiet"])
        #expect(output.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let images = report["images"] as! [[String: Any]]
        let b = (images[1]["classes"] as! [[String: Any]]).map { $0["dice"] }
        #expect(b[0] as? Double == 1)
        #expect(b[1] is NSNull)
    }
}
