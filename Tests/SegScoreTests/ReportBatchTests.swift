import Foundation
import SegScore
import SegScoreTestSupport
import Testing

/// The reports of one run are replaced together or not at all; every write is checked; two
/// outputs never share a file (issue 12, items 19–21), through the library.
@Suite struct ReportBatchTests {
    @Test func targetsChangeOnlyAtCommitAndAllTogether() throws {
        let folder = try TemporaryFolder("batch")
        defer { folder.remove() }
        try folder.plant("a.json", "old a")
        try folder.plant("b.csv", "old b")
        let batch = ReportFile.Batch()
        try batch.write(to: folder.path("a.json")) { $0.write("new a") }
        try batch.write(to: folder.path("b.csv")) { $0.write(bytes: Array("new b".utf8)) }
        try batch.write(to: folder.path("c.md")) { $0.write("new c") }
        #expect(try folder.contents("a.json") == "old a")
        #expect(try folder.contents("b.csv") == "old b")
        #expect(try folder.listing().filter { !$0.hasPrefix(".") } == ["a.json", "b.csv"])
        try batch.commit()
        #expect(try folder.contents("a.json") == "new a")
        #expect(try folder.contents("b.csv") == "new b")
        #expect(try folder.contents("c.md") == "new c")
        #expect(try folder.listing() == ["a.json", "b.csv", "c.md"])
    }

    @Test func discardKeepsEveryOldReportAndRemovesTheTemporaries() throws {
        let folder = try TemporaryFolder("batch")
        defer { folder.remove() }
        try folder.plant("a.json", "old a")
        let batch = ReportFile.Batch()
        try batch.write(to: folder.path("a.json")) { $0.write("new a") }
        try batch.write(to: folder.path("b.csv")) { $0.write("new b") }
        #expect(throws: ReportFile.WriteError(path: "/dev/full", reason: "no space left on device")) {
            try batch.write(to: "/dev/full") { $0.write("x") }
        }
        batch.discard()
        #expect(try folder.contents("a.json") == "old a")
        #expect(try folder.listing() == ["a.json"])
    }

    @Test func aLargeReportToAFullDeviceFailsAtTheFirstBlock() {
        // 200 000 bytes: more than one 64 KiB block, so the failure comes from a mid-stream flush.
        #expect(throws: ReportFile.WriteError(path: "/dev/full", reason: "no space left on device")) {
            try ReportFile.write(to: "/dev/full") { sink in for _ in 0..<20_000 { sink.write("0123456789") } }
        }
    }

    @Test func aReportInAMissingFolderFails() throws {
        let folder = try TemporaryFolder("batch")
        defer { folder.remove() }
        let path = folder.path("missing/r.json")
        #expect(throws: ReportFile.WriteError(path: path, reason: "no such file or directory")) {
            try ReportFile.write("{}", to: path)
        }
        #expect(throws: ReportFile.WriteError(path: path, reason: "folder \(folder.path("missing")) does not exist")) {
            try ReportFile.checkDestination(path)
        }
        #expect(throws: ReportFile.WriteError(path: folder.url.path, reason: "is a directory")) {
            try ReportFile.checkDestination(folder.url.path)
        }
        try ReportFile.checkDestination(folder.path("new.json"))
        try ReportFile.checkDestination("/dev/null")
        try ReportFile.checkDestination("-")
    }

    @Test func appendAddsToTheEndAndNamesTheDestination() throws {
        let folder = try TemporaryFolder("batch")
        defer { folder.remove() }
        try folder.plant("summary.md", "earlier\n")
        try ReportFile.append("# report\n", to: folder.path("summary.md"), name: "GITHUB_STEP_SUMMARY x")
        #expect(try folder.contents("summary.md") == "earlier\n# report\n")
        #expect(throws: ReportFile.WriteError(path: "GITHUB_STEP_SUMMARY /dev/full", reason: "no space left on device")) {
            try ReportFile.append("# report\n", to: "/dev/full", name: "GITHUB_STEP_SUMMARY /dev/full")
        }
    }

    @Test func sameFileSpelledTwoWaysIsAConflict() throws {
        let folder = try TemporaryFolder("batch")
        defer { folder.remove() }
        try folder.plant("r", "old")
        try FileManager.default.createSymbolicLink(atPath: folder.path("link"), withDestinationPath: "r")
        try FileManager.default.createSymbolicLink(atPath: folder.path("dangling"), withDestinationPath: "new")
        let pairs: [(String, String)] = [
            (folder.path("r"), folder.path("r")), (folder.path("r"), folder.url.path + "/./r"),
            (folder.path("r"), folder.path("link")),
            (folder.path("x"), folder.url.path + "//x"), (folder.path("new"), folder.path("dangling")), ("-", "-"),
        ]
        for (first, second) in pairs {
            #expect(throws: ReportFile.Conflict.self, "\(first) \(second)") {
                try ReportFile.checkDistinct([("--json", first), ("--csv", second)])
            }
        }
        #expect(throws: ReportFile.Conflict.self) {
            try ReportFile.checkDistinct([
                ("--json", folder.path("a")), ("--csv", folder.path("b")), ("--junit", folder.path("a")),
            ])
        }
        try ReportFile.checkDistinct([
            ("--json", folder.path("a")), ("--csv", folder.path("b")), ("--junit", "/dev/null"), ("--markdown", "/dev/null"),
        ])
    }

    @Test func conflictNamesBothOutputs() {
        #expect(throws: ReportFile.Conflict.self) { try ReportFile.checkDistinct([("--json", "-"), ("--junit", "-")]) }
        do {
            try ReportFile.checkDistinct([("--json", "-"), ("--junit", "-")])
        } catch {
            #expect(error.description == "--json - and --junit - are the same file: give each report its own path")
        }
    }
}

extension TemporaryFolder {
    func plant(_ name: String, _ text: String) throws { try write(text, to: name) }
    func contents(_ name: String) throws -> String { try String(contentsOf: url(name), encoding: .utf8) }
    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}
