import Foundation
import SegScoreTestSupport
import Testing

/// The pooled class × class counts (`confusion` in the JSON, `--confusion-csv`) on label maps
/// written byte by byte, with every count worked out by hand.
@Suite struct ConfusionMatrixTests {
    /// Pair a: gt 0 1 1 2 2 0, pred 0 1 2 2 0 1. Pair b: gt 1 1 0 0 2 2, pred 1 0 0 0 2 1 (3×2 each).
    /// Summed, rows ground truth 0, 1, 2 and columns prediction 0, 1, 2:
    ///   gt 0: 3 1 0 (a (0,0) (0,1); b (0,0) twice)
    ///   gt 1: 1 2 1 (a (1,1) (1,2); b (1,1) (1,0))
    ///   gt 2: 1 1 2 (a (2,2) (2,0); b (2,2) (2,1))
    static func pairs(_ folder: TemporaryFolder, bitDepth: Int = 8) throws {
        func png(_ values: [Int]) -> [UInt8] { TestMasks.pngBytes(width: 3, height: 2, bitDepth: bitDepth, samples: values) }
        try folder.write(png([0, 1, 1, 2, 2, 0]), to: "gt/a.png")
        try folder.write(png([0, 1, 2, 2, 0, 1]), to: "pred/a.png")
        try folder.write(png([1, 1, 0, 0, 2, 2]), to: "gt/b.png")
        try folder.write(png([1, 0, 0, 0, 2, 1]), to: "pred/b.png")
    }

    static func report(_ arguments: [String]) throws -> [String: Any] {
        let output = try BinaryRunner.run(arguments + ["--json", "-", "--quiet", "--bootstrap", "0"])
        #expect(output.status == 0, "\(output.stderr)")
        return try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
    }

    static func confusion(_ report: [String: Any]) -> (ids: [Int?], matrix: [[Int]])? {
        guard let object = report["confusion"] as? [String: Any], let ids = object["ids"] as? [Any],
            let matrix = object["matrix"] as? [[Int]]
        else { return nil }
        return (ids.map { $0 as? Int }, matrix)
    }

    // 8-bit maps take the joint-histogram path, 16-bit ones the general label path.
    @Test(arguments: [8, 16]) func matrixOfTwoPairsIsTheHandCountedSum(bitDepth: Int) throws {
        let folder = try TemporaryFolder("confusion", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.pairs(folder, bitDepth: bitDepth)
        let report = try Self.report(["evaluate", folder.path("gt"), folder.path("pred")])
        let confusion = Self.confusion(report)
        #expect(confusion?.ids == [0, 1, 2])
        #expect(confusion?.matrix == [[3, 1, 0], [1, 2, 1], [1, 1, 2]])
    }

    @Test func rowsAndColumnsSumToThePooledCountsOfEachClass() throws {
        let folder = try TemporaryFolder("confusion-sums", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.pairs(folder)
        let report = try Self.report(["evaluate", folder.path("gt"), folder.path("pred"), "--include-background"])
        guard let confusion = Self.confusion(report) else {
            Issue.record("no confusion member")
            return
        }
        let classes = report["classes"] as? [[String: Any]] ?? []
        #expect(classes.count == 3)
        for (index, id) in confusion.ids.enumerated() {
            let row = confusion.matrix[index].reduce(0, +)
            let column = confusion.matrix.map { $0[index] }.reduce(0, +)
            let c = classes.first { $0["id"] as? Int == id } ?? [:]
            let tp = c["pooled_tp"] as? Int ?? -1
            #expect(row == tp + (c["pooled_fn"] as? Int ?? -1), "row of \(String(describing: id))")
            #expect(column == tp + (c["pooled_fp"] as? Int ?? -1), "column of \(String(describing: id))")
        }
        // By hand: rows 4, 4, 4; columns 5, 4, 3.
        #expect(confusion.matrix.map { $0.reduce(0, +) } == [4, 4, 4])
        #expect((0..<3).map { c in confusion.matrix.map { $0[c] }.reduce(0, +) } == [5, 4, 3])
    }

    @Test func idsOutsideClassesGoToTheNotScoredRowAndColumn() throws {
        let folder = try TemporaryFolder("confusion-other", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.pairs(folder)
        let report = try Self.report(["evaluate", folder.path("gt"), folder.path("pred"), "--classes", "1,2"])
        let confusion = Self.confusion(report)
        // Id 0 is not scored: rows/columns 1, 2, then "not scored" (null).
        #expect(confusion?.ids == [1, 2, nil])
        #expect(confusion?.matrix == [[2, 1, 1], [1, 2, 1], [1, 0, 3]])
    }

    @Test func ignoreLabelAndRegionOfInterestLeavePixelsOut() throws {
        let folder = try TemporaryFolder("confusion-roi", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        try Self.pairs(folder)
        // ROI of pair a leaves out its last pixel (gt 0, pred 1); both ROIs keep the rest.
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [1, 1, 1, 1, 1, 0]), to: "roi/a.png")
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [1, 1, 1, 1, 1, 1]), to: "roi/b.png")
        let report = try Self.report([
            "evaluate", folder.path("gt"), folder.path("pred"), "--roi-dir", folder.path("roi"), "--ignore-label", "2",
        ])
        // Ground-truth 2 is ignored (its pixels go, and it is not a class); a predicted 2 on
        // ground truth 1 is counted in the "not scored" column.
        let confusion = Self.confusion(report)
        #expect(confusion?.ids == [0, 1, nil])
        #expect(confusion?.matrix == [[3, 0, 0], [1, 2, 1], [0, 0, 0]])
    }

    @Test func sameMatrixForOneAndFourJobs() throws {
        let folder = try TemporaryFolder("confusion-jobs", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        for i in 0..<24 {
            let gt = (0..<16).map { ($0 + i) % 3 }
            let pred = (0..<16).map { ($0 * 7 + i / 2) % 4 == 3 ? 0 : ($0 * 5 + i) % 3 }
            try folder.write(TestMasks.pngBytes(width: 4, height: 4, samples: gt), to: "gt/m\(i).png")
            try folder.write(TestMasks.pngBytes(width: 4, height: 4, samples: pred), to: "pred/m\(i).png")
        }
        let one = Self.confusion(try Self.report(["evaluate", folder.path("gt"), folder.path("pred"), "--jobs", "1"]))
        let four = Self.confusion(try Self.report(["evaluate", folder.path("gt"), folder.path("pred"), "--jobs", "4"]))
        #expect(one != nil)
        #expect(one?.ids == four?.ids)
        #expect(one?.matrix == four?.matrix)
        #expect(one?.matrix.flatMap { $0 }.reduce(0, +) == 24 * 16)
    }

    @Test func confusionCSVHasARowPerGroundTruthID() throws {
        let folder = try TemporaryFolder("confusion-csv", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.pairs(folder)
        let labels = try folder.write(#"{"background": 0, "a,b": 1, "c": 2}"#, to: "labels.json")
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--labels", labels, "--confusion-csv", "-", "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            output.stdout
                == "gt_id,gt_name,pred_0,pred_1,pred_2\r\n0,background,3,1,0\r\n1,\"a,b\",1,2,1\r\n2,c,1,1,2\r\n")
    }

    @Test func channelDataHasNoMatrixAndTheCSVSaysSo() throws {
        let folder = try TemporaryFolder("confusion-channels", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Self.pairs(folder)
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--encoding", "channels", "--json", "-", "--confusion-csv",
            folder.path("c.csv"), "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["confusion"] == nil)
        #expect(output.stderr.contains("--confusion-csv"))
        #expect((try? String(contentsOfFile: folder.path("c.csv"), encoding: .utf8)) == "gt_id,gt_name\r\n")
    }
}
