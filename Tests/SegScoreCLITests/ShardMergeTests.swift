import Foundation
import SegScoreTestSupport
import Testing

/// `evaluate --shard I/N --partial FILE` and `segscore merge`: every N from 1 to 7 merged gives
/// every report, the summary, the messages and the exit code of the unsharded run, byte for byte.
@Suite struct ShardMergeTests {
    static let fixedDate = ["SOURCE_DATE_EPOCH": "1767225600"]  // 2026-01-01T00:00:00Z
    static let reports = [
        ("--json", "report.json"), ("--csv", "per-image.csv"), ("--summary-csv", "per-class.csv"), ("--markdown", "report.md"),
        ("--junit", "junit.xml"), ("--nnunet-summary", "summary.json"),
    ]

    /// A set of `pairs` 6×5 label maps (ids 0…3), keys in two folders and a non-ASCII name, with
    /// two ground-truth files without prediction, one prediction without ground truth and, when
    /// `corrupt`, one prediction that is not a PNG.
    static func generated(_ folder: TemporaryFolder, pairs: Int = 23, corrupt: Bool) throws -> (gt: String, pred: String) {
        func name(_ k: Int) -> String {
            k % 5 == 0 ? "sub/case\(k).png" : k == 7 ? "caseé\(k).png" : k % 3 == 0 ? "Case\(k).png" : "case\(k).png"
        }
        for k in 0..<pairs {
            let truth = (0..<30).map { UInt8(($0 / 6 + k) % 4) }
            let prediction = (0..<30).map { UInt8(($0 % 7 == k % 7 ? $0 % 4 : $0 / 6 + k) % 4) }
            try folder.makeFolder("gt/sub")
            try folder.makeFolder("pred/sub")
            try TestMasks.png(width: 6, height: 5, values: truth, to: folder.url("gt/" + name(k)))
            if k == 4 || k == 11 { continue }  // ground truth without prediction
            if corrupt && k == 9 {
                try folder.write(Array("not a png".utf8), to: "pred/" + name(k))
            } else {
                try TestMasks.png(width: 6, height: 5, values: prediction, to: folder.url("pred/" + name(k)))
            }
        }
        try TestMasks.png(width: 6, height: 5, values: Array(repeating: 1, count: 30), to: folder.url("pred/extra.png"))
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
    static func checkEveryN(_ data: [String], extra: [String], status: Int32) throws {
        let folder = try TemporaryFolder("shards")
        defer { folder.remove() }
        let out = try folder.makeFolder("out").path
        let whole = try run(["evaluate"] + data, out: out, extra: extra + ["--jobs", "2"])
        #expect(whole.status == status, "\(whole.stderr)")
        #expect(whole.files.count == reports.count)
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

    @Test func demoFailedGateMergesWithExitOne() throws {
        try Self.checkEveryN(Self.demo, extra: ["--fail-under", "0.9", "--bootstrap", "300"], status: 1)
    }

    @Test func generatedSetWithCorruptAndUnmatchedFilesExitsThree() throws {
        let data = try TemporaryFolder("shard-data")
        defer { data.remove() }
        let (gt, pred) = try Self.generated(data, corrupt: true)
        try Self.checkEveryN([gt, pred], extra: ["--fail-under", "0.5"], status: 3)
    }

    @Test func generatedSetSkippingUnmatchedFailsItsGate() throws {
        let data = try TemporaryFolder("shard-data")
        defer { data.remove() }
        let (gt, pred) = try Self.generated(data, corrupt: false)
        try Self.checkEveryN([gt, pred, "--missing", "skip", "--classes", "1,2,3"], extra: ["--fail-under", "0.99"], status: 1)
    }
}
