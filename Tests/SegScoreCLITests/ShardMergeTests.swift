import Foundation
import SegScoreTestSupport
import Testing

/// `evaluate --shard I/N --partial FILE` and `segscore merge`: every N from 1 to 7 merged gives
/// every report, the summary, the messages and the exit code of the unsharded run, byte for byte.
@Suite struct ShardMergeTests {
    static let fixedDate = ["SOURCE_DATE_EPOCH": "1767225600"]  // 2026-01-01T00:00:00Z
    static let reports = [
        ("--json", "report.json"), ("--csv", "per-image.csv"), ("--summary-csv", "per-class.csv"), ("--markdown", "report.md"),
        ("--junit", "junit.xml"), ("--nnunet-summary", "summary.json"), ("--html", "report.html"),
        ("--confusion-csv", "confusion.csv"),
    ]

    /// A set of `pairs` 8×5 label maps (ids 0…3), keys in two folders and a non-ASCII name, with
    /// two ground-truth files without prediction, one prediction without ground truth and, when
    /// `corrupt`, one prediction that is not a PNG.
    static func generated(_ folder: TemporaryFolder, pairs: Int = 23, corrupt: Bool) throws -> (gt: String, pred: String) {
        func name(_ k: Int) -> String {
            k % 5 == 0 ? "sub/case\(k).png" : k == 7 ? "caseé\(k).png" : k % 3 == 0 ? "Case\(k).png" : "case\(k).png"
        }
        for k in 0..<pairs {
            let truth = (0..<40).map { UInt8(($0 / 8 + k) % 4) }
            let prediction = (0..<40).map { UInt8(($0 % 7 == k % 7 ? $0 % 4 : $0 / 8 + k) % 4) }
            try folder.makeFolder("gt/sub")
            try folder.makeFolder("pred/sub")
            try TestMasks.png(width: 8, height: 5, values: truth, to: folder.url("gt/" + name(k)))
            if k == 4 || k == 11 { continue }  // ground truth without prediction
            if corrupt && k == 9 {
                try folder.write(Array("not a png".utf8), to: "pred/" + name(k))
            } else {
                try TestMasks.png(width: 8, height: 5, values: prediction, to: folder.url("pred/" + name(k)))
            }
        }
        try TestMasks.png(width: 8, height: 5, values: Array(repeating: 1, count: 40), to: folder.url("pred/extra.png"))
        if corrupt {
            // Read two ways under auto (0/255 binary files among label maps): a data problem naming
            // the first file of each reading; many ids in two predictions: a warning naming the first.
            for k in [13, 18] {
                try TestMasks.png(
                    width: 8, height: 5, values: (0..<40).map { $0 % 2 == 0 ? 0 : 255 }, to: folder.url("gt/" + name(k)))
            }
            for k in [14, 19] {
                try TestMasks.png(width: 8, height: 5, values: (0..<40).map { UInt8($0 + k) }, to: folder.url("pred/" + name(k)))
            }
            // Two files on one key, a file that is not a mask, an image segscore does not read.
            try TestMasks.png(width: 8, height: 5, values: Array(repeating: 2, count: 40), to: folder.url("pred/case2.tif"))
            try folder.write("notes", to: "gt/README.txt")
            try folder.write([0xFF, 0xD8, 0xFF, 0xE0], to: "pred/photo.jpg")
        }
        return (folder.path("gt"), folder.path("pred"))
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var files: [String: Data]
    }

    /// Runs `arguments` plus every report option into `out` (fixed names, so the Markdown's command
    /// is the same for both runs), and reads the reports back.
    static func run(_ arguments: [String], out: String, extra: [String]) throws -> Run {
        let outputs = reports.flatMap { [$0.0, out + "/" + $0.1] }
        let output = try BinaryRunner.run(arguments + outputs + extra, environment: fixedDate)
        var files: [String: Data] = [:]
        for (_, name) in reports {
            let path = out + "/" + name
            files[name] = FileManager.default.contents(atPath: path)
            try? FileManager.default.removeItem(atPath: path)
        }
        return Run(status: output.status, stdout: output.stdout, stderr: output.stderr, files: files)
    }

    /// Scores `data` unsharded, then as N shards merged, for every N in 1…7; compares everything.
    static func checkEveryN(_ data: [String], extra: [String], status: Int32, says: [String] = []) throws {
        let folder = try TemporaryFolder("shards")
        defer { folder.remove() }
        let out = try folder.makeFolder("out").path
        let whole = try run(["evaluate"] + data, out: out, extra: extra + ["--jobs", "2"])
        #expect(whole.status == status, "\(whole.stderr)")
        #expect(whole.files.count == reports.count)
        for words in says { #expect(whole.stderr.contains(words), "the unsharded run does not say \(words)") }
        for n in 1...7 {
            var parts: [String] = []
            for i in 1...n {
                let part = folder.path("part-\(n)-\(i).segpart")
                let shard = try BinaryRunner.run(
                    ["evaluate"] + data + ["--shard", "\(i)/\(n)", "--partial", part, "--jobs", "2", "--quiet"],
                    environment: fixedDate)
                #expect(shard.status == 0, "shard \(i)/\(n): \(shard.stderr)")
                parts.append(part)
            }
            // Any order of the parts.
            let merged = try run(["merge"] + parts.reversed(), out: out, extra: extra + ["--jobs", "2"])
            #expect(merged.status == whole.status, "N = \(n): \(merged.stderr)")
            #expect(merged.stdout == whole.stdout, "N = \(n)")
            #expect(merged.stderr == whole.stderr, "N = \(n)")
            for (_, name) in reports {
                #expect(merged.files[name] != nil && merged.files[name] == whole.files[name], "N = \(n): \(name) differs")
            }
        }
    }

    static let demo = ["Fixtures/demo/gt", "Fixtures/demo/pred", "--labels", "Fixtures/demo/labels.json"]

    @Test func demoMergesByteIdenticalForEveryN() throws {
        try Self.checkEveryN(Self.demo, extra: [], status: 0)
    }

    /// Boundary metrics (stored per image), the pooled confusion matrix and the HTML page with its
    /// overlays (pairs decoded again after the merge) come out of a merge as out of the run.
    @Test func demoWithBoundaryMetricsAndAFailedDistanceGate() throws {
        try Self.checkEveryN(
            Self.demo + ["--surface-metrics", "all", "--nsd-tolerance", "1"], extra: ["--fail-over", "hd95:2"], status: 1)
    }

    @Test func demoFailedGateMergesWithExitOne() throws {
        try Self.checkEveryN(Self.demo, extra: ["--fail-under", "0.9", "--bootstrap", "300"], status: 1)
    }

    @Test func generatedSetWithCorruptAndUnmatchedFilesExitsThree() throws {
        let data = try TemporaryFolder("shard-data")
        defer { data.remove() }
        let (gt, pred) = try Self.generated(data, corrupt: true)
        try Self.checkEveryN(
            [gt, pred], extra: ["--fail-under", "0.5"], status: 3,
            says: [
                "are read two ways under --encoding auto", "first \(gt)/Case18.png)", "more than 32 ids",
                "(first \(pred)/case14.png", "two files on key 'case2'", "photo.jpg: image format segscore does not read",
                "Case9.png: not a mask", "no prediction for this ground truth",
            ])
    }

    @Test func generatedSetSkippingUnmatchedFailsItsGate() throws {
        let data = try TemporaryFolder("shard-data")
        defer { data.remove() }
        let (gt, pred) = try Self.generated(data, corrupt: false)
        try Self.checkEveryN(
            [gt, pred, "--missing", "skip", "--classes", "1,2,3"], extra: ["--fail-under", "0.99"], status: 1,
            says: ["case11.png: no prediction, skipped (--missing skip)"])
    }

    @Test func generatedSetScoringMissingPredictionsAsEmpty() throws {
        let data = try TemporaryFolder("shard-data")
        defer { data.remove() }
        let (gt, pred) = try Self.generated(data, corrupt: false)
        try Self.checkEveryN([gt, pred, "--missing", "empty"], extra: ["--bootstrap", "50"], status: 0)
    }

    @Test func nothingPairedIsDecidedOnTheWholeRun() throws {
        let data = try TemporaryFolder("shard-data")
        defer { data.remove() }
        for sub in ["gt", "pred"] { try data.makeFolder(sub) }
        for k in 0..<9 {
            try TestMasks.png(width: 2, height: 2, values: [0, 1, 1, 0], to: data.url("gt/img\(k).png"))
            try TestMasks.png(width: 2, height: 2, values: [0, 1, 1, 0], to: data.url("pred/img\(k)_pred.png"))
        }
        try Self.checkEveryN([data.path("gt"), data.path("pred")], extra: [], status: 3, says: ["_pred"])
        let empty = try data.makeFolder("empty").path
        try Self.checkEveryN([empty, data.path("pred")], extra: [], status: 3, says: ["no ground-truth masks found"])
    }

    @Test func regionsOfInterestMissingForSomeKeys() throws {
        let data = try TemporaryFolder("shard-data")
        defer { data.remove() }
        for sub in ["gt", "pred", "roi"] { try data.makeFolder(sub) }
        for k in 0..<12 {
            try TestMasks.png(width: 3, height: 2, values: [0, 1, 1, 0, 2, 2], to: data.url("gt/img\(k).png"))
            try TestMasks.png(width: 3, height: 2, values: [0, 1, 0, 0, 2, UInt8(k % 3)], to: data.url("pred/img\(k).png"))
            if k % 4 != 1 {
                try TestMasks.png(width: 3, height: 2, values: [1, 1, 1, 0, 1, 1], to: data.url("roi/img\(k).png"))
            }
        }
        try Self.checkEveryN(
            [data.path("gt"), data.path("pred"), "--roi-dir", data.path("roi")], extra: [], status: 3,
            says: ["no region-of-interest mask for key 'img1'"])
    }
}
