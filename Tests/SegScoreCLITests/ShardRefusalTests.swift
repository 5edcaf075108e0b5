import Foundation
import SegScoreTestSupport
import Testing

/// `segscore merge` refuses, in one line naming the files and exit 2: files that are not partials
/// or are damaged, parts that do not belong together, duplicate and missing shards.
@Suite struct ShardRefusalTests {
    static let demo = ["Fixtures/demo/gt", "Fixtures/demo/pred", "--labels", "Fixtures/demo/labels.json"]

    /// Writes shard `i` of `n` of `data` (the demo by default) to `folder/name`.
    @discardableResult
    static func part(_ folder: TemporaryFolder, _ i: Int, _ n: Int, name: String? = nil, data: [String] = demo) throws -> String {
        let path = folder.path(name ?? "p\(i)of\(n)")
        let output = try BinaryRunner.run(["evaluate"] + data + ["--shard", "\(i)/\(n)", "--partial", path, "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        return path
    }

    /// `merge parts` fails with exit 2 and one stderr line containing every `expected` piece.
    static func refused(_ parts: [String], _ expected: [String]) throws {
        let output = try BinaryRunner.run(["merge"] + parts + ["--quiet"])
        #expect(output.status == 2, "\(output.stderr)")
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(output.stderr)")
        for piece in expected { #expect(output.stderr.contains(piece), "\(output.stderr) lacks \(piece)") }
        #expect(output.stdout.isEmpty)
    }

    /// The file's bytes with its header line (second line) rewritten by `edit`.
    static func editHeader(_ path: String, _ edit: (String) -> String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let first = bytes.firstIndex(of: 10)!
        let second = bytes[(first + 1)...].firstIndex(of: 10)!
        let header = String(decoding: bytes[(first + 1)..<second], as: UTF8.self)
        let rewritten = Array(bytes[...first]) + Array(edit(header).utf8) + Array(bytes[second...])
        try Data(rewritten).write(to: URL(fileURLWithPath: path))
    }

    @Test func aFileThatIsNotAPartial() throws {
        let folder = try TemporaryFolder("refuse")
        defer { folder.remove() }
        let png = "Fixtures/demo/gt/slice_00.png"
        try Self.refused([png], [png, "not a segscore partial file"])
        let empty = try folder.write([], to: "empty.segpart")
        try Self.refused([empty], [empty, "not a segscore partial file"])
        try Self.refused([folder.path("absent")], [folder.path("absent"), "cannot read"])
    }

    @Test func anotherFormatVersion() throws {
        let folder = try TemporaryFolder("refuse")
        defer { folder.remove() }
        let path = try Self.part(folder, 1, 1)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[17] = UInt8(ascii: "9")  // "segscore-partial 1" → "segscore-partial 9"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try Self.refused([path], [path, "partial format version 9; this segscore reads version 1"])
    }

    @Test func aBadHeader() throws {
        let folder = try TemporaryFolder("refuse")
        defer { folder.remove() }
        let path = try Self.part(folder, 1, 1)
        try Self.editHeader(path) { _ in "{oops" }
        try Self.refused([path], [path, "bad partial header: not valid JSON"])
        let other = try Self.part(folder, 1, 1, name: "other")
        try Self.editHeader(other) { $0.replacingOccurrences(of: "\"pairs\":", with: "\"pears\":") }
        try Self.refused([other], [other, "bad partial header: missing field 'pairs'"])
    }

    @Test func truncatedOrLongerFilesAndAWrongRowCount() throws {
        let folder = try TemporaryFolder("refuse")
        defer { folder.remove() }
        let path = try Self.part(folder, 1, 1)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.dropLast(10).write(to: URL(fileURLWithPath: path))
        try Self.refused([path], [path, "truncated partial file: row 8 of 8 is cut short"])
        try (bytes + Data([1, 2, 3])).write(to: URL(fileURLWithPath: path))
        try Self.refused([path], [path, "bad partial file: data after its 8 rows"])
        try bytes.write(to: URL(fileURLWithPath: path))
        try Self.editHeader(path) { $0.replacingOccurrences(of: "\"rows\":8", with: "\"rows\":7") }
        try Self.refused([path], [path, "bad partial file: data after its 7 rows"])
        // Header cut inside its line.
        try bytes.prefix(40).write(to: URL(fileURLWithPath: path))
        try Self.refused([path], [path, "truncated partial file (the header line is incomplete)"])
    }

    @Test func duplicateAndMissingShards() throws {
        let folder = try TemporaryFolder("refuse")
        defer { folder.remove() }
        let p1 = try Self.part(folder, 1, 3)
        let p2 = try Self.part(folder, 2, 3)
        let p3 = try Self.part(folder, 3, 3)
        let copy = folder.path("copy-of-2")
        try FileManager.default.copyItem(atPath: p2, toPath: copy)
        try Self.refused([p1, p2, copy, p3], [p2, copy, "are both shard 2/3"])
        try Self.refused([p3, p1], ["merge: shard 2 of 3 is missing (given: 1, 3)"])
        try Self.refused([p2], ["merge: shards 1, 3 of 3 are missing (given: 2)"])
    }

    @Test func partsThatDoNotBelongTogether() throws {
        let folder = try TemporaryFolder("refuse")
        defer { folder.remove() }
        let p1 = try Self.part(folder, 1, 2)
        let ofThree = try Self.part(folder, 2, 3)
        try Self.refused([p1, ofThree], [p1, ofThree, "different numbers of shards"])
        let skip = try Self.part(folder, 2, 2, name: "skip", data: Self.demo + ["--missing", "skip"])
        try Self.refused([p1, skip], [p1, skip, "different configurations (missing)"])
        let soft = try Self.part(folder, 2, 2, name: "soft", data: Self.demo + ["--variant", "soft"])
        try Self.refused([p1, soft], [p1, soft, "different configurations (variant, formula"])
        let slash = try Self.part(
            folder, 2, 2, name: "slash",
            data: ["Fixtures/demo/gt/", "Fixtures/demo/pred", "--labels", "Fixtures/demo/labels.json"])
        try Self.refused([p1, slash], [p1, slash, "merge parts of one run"])
        let version = try Self.part(folder, 2, 2, name: "version")
        let current = try BinaryRunner.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.editHeader(version) {
            $0.replacingOccurrences(of: "\"segscore\":\"\(current)\"", with: "\"segscore\":\"0.0.1\"")
        }
        try Self.refused([p1, version], [p1, version, "segscore \(current)", "segscore 0.0.1"])
        // A key in the wrong shard: the part was renamed by hand.
        let p2 = try Self.part(folder, 2, 2)
        try Self.editHeader(p2) { $0.replacingOccurrences(of: "\"shard\":2", with: "\"shard\":1") }
        let p1again = try Self.part(folder, 2, 2, name: "p2again")
        try Self.refused([p2, p1again], [p2, "does not belong to shard 1/2"])
    }

    @Test func aLabelsFileChangedSinceTheShardsRan() throws {
        let folder = try TemporaryFolder("refuse")
        defer { folder.remove() }
        let labels = try folder.copy(fixture: "demo/labels.json", to: "labels.json")
        let data = ["Fixtures/demo/gt", "Fixtures/demo/pred", "--labels", labels]
        let p1 = try Self.part(folder, 1, 1, data: data)
        let text = try String(contentsOfFile: labels, encoding: .utf8)
        try text.replacingOccurrences(of: "membrane", with: "border").write(toFile: labels, atomically: true, encoding: .utf8)
        try Self.refused([p1], [p1, "another configuration here (classNames", "--labels"])
    }

    @Test(arguments: ["0/3", "4/3", "3", "1/0", "-1/2", "a/b", "1/2/3"])
    func aBadShardIsAUsageError(_ shard: String) throws {
        let output = try BinaryRunner.run(["evaluate"] + Self.demo + ["--shard", shard, "--quiet"])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("--shard"))
    }
}

/// Options given as `--name=value` are recorded and replayed like `--name value`.
@Suite struct ShardArgumentFormTests {
    @Test func equalsFormsAndAPartialOnStdout() throws {
        let folder = try TemporaryFolder("forms")
        defer { folder.remove() }
        let markdown = folder.path("report.md")
        let env = ["SOURCE_DATE_EPOCH": "1767225600"]
        let whole = try BinaryRunner.run(
            ["evaluate"] + ShardRefusalTests.demo + ["--markdown=\(markdown)", "--bootstrap=100", "--quiet"], environment: env)
        #expect(whole.status == 0, "\(whole.stderr)")
        let expected = try Data(contentsOf: URL(fileURLWithPath: markdown))
        try FileManager.default.removeItem(atPath: markdown)
        var parts: [String] = []
        for i in 1...2 {
            let part = folder.path("p\(i)")
            let shard = try BinaryRunner.run(
                ["evaluate"] + ShardRefusalTests.demo + ["--shard=\(i)/2", "--partial=\(part)", "--bootstrap=7", "--quiet"],
                environment: env)
            #expect(shard.status == 0, "\(shard.stderr)")
            parts.append(part)
        }
        let merged = try BinaryRunner.run(
            ["merge", "--markdown=\(markdown)"] + parts + ["--bootstrap=100", "--quiet"], environment: env)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: markdown)) == expected)
        let text = String(decoding: expected, as: UTF8.self)
        #expect(
            text.contains("segscore evaluate Fixtures/demo/gt Fixtures/demo/pred --labels Fixtures/demo/labels.json --markdown="))
        let stdout = try BinaryRunner.run(["evaluate"] + ShardRefusalTests.demo + ["--partial", "-"])
        #expect(stdout.status == 2 && stdout.stderr.contains("--partial needs a file"))
    }
}

/// The run-level class limit holds for a merge as for the unsharded run: checked pair by pair in
/// key order over the merged rows, though no shard alone passes it.
@Suite struct ShardLimitTests {
    @Test func aMergePassingTheClassLimitStopsLikeTheUnshardedRun() throws {
        // 70 pairs of 32-bit TIFFs, each with its own 1,000 ids: after 66 images the run holds
        // 66,000 classes, more than 65,536; a third of the pairs (about 23,000 classes) is below.
        let folder = try TemporaryFolder("shard-limit", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        for j in 0..<70 {
            let values = (0..<1000).map { UInt32(1000 * (j + 1) + $0) }
            let name = String(format: "img%02d.tif", j)
            try TestMasks.uint32TIFF(width: 40, height: 25, values: values, to: folder.url("gt/" + name))
            try TestMasks.uint32TIFF(width: 40, height: 25, values: values, to: folder.url("pred/" + name))
        }
        let data = [folder.path("gt"), folder.path("pred")]
        let expected =
            "segscore: error: \(folder.path("gt/img65.tif")): the run would score 66000 classes, more than the limit of 65536 (pick the classes to score with --classes)\n"
        let whole = try BinaryRunner.run(["evaluate"] + data + ["--jobs", "2"])
        #expect(whole.status == 3)
        #expect(whole.stderr == expected)
        var parts: [String] = []
        for i in 1...3 {
            let part = folder.path("p\(i)")
            let shard = try BinaryRunner.run(["evaluate"] + data + ["--shard", "\(i)/3", "--partial", part, "--quiet"])
            #expect(shard.status == 0, "\(shard.stderr)")
            parts.append(part)
        }
        let merged = try BinaryRunner.run(["merge"] + parts)
        #expect(merged.status == 3)
        #expect(merged.stderr == expected)
        #expect(merged.stdout.isEmpty)
    }
}

/// Every option of `merge` (the output and gate options) is left out of the arguments a partial
/// records, whatever options are added later: a new one without a value here fails this test.
@Suite struct RecordedArgumentsTests {
    @Test func everyMergeOptionIsLeftOutOfTheRecordedArguments() throws {
        let folder = try TemporaryFolder("recorded")
        defer { folder.remove() }
        let baseline = folder.path("baseline.json")
        #expect(try BinaryRunner.run(["evaluate"] + ShardRefusalTests.demo + ["--json", baseline, "--quiet"]).status == 0)
        let help = try BinaryRunner.run(["merge", "--experimental-dump-help"])
        let tool = try JSONSerialization.jsonObject(with: Data(help.stdout.utf8)) as? [String: Any]
        let command = tool?["command"] as? [String: Any]
        let arguments = command?["arguments"] as? [[String: Any]] ?? []
        #expect(arguments.count > 10, "\(help.stdout.prefix(200))")
        let values = [
            "n": "1", "progress": "never", "x": "0.5", "class=x": "1=0.5", "old.json": baseline, "d": "0.1",
            "dir": folder.path("overlays"), "k": "3", "metric:x": "hd95:5", "class=metric:x": "1=hd95:5",
        ]
        // Boundary gates need a boundary metric: a scoring option, recorded like the others.
        let scoring = ShardRefusalTests.demo + ["--surface-metrics", "hd95"]
        var options: [String] = []
        for argument in arguments {
            let kind = argument["kind"] as? String
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            guard let name = names.first(where: { $0.count > 1 }), !["help", "version"].contains(name) else { continue }
            if kind == "flag" {
                options.append("--" + name)
            } else if kind == "option" {
                let valueName = argument["valueName"] as? String ?? ""
                let value = valueName == "file" ? folder.path(name + ".out") : values[valueName]
                #expect(value != nil, "--\(name) <\(valueName)>: give it a value here and check RecordedArguments")
                options += ["--" + name, value ?? ""]
            }
        }
        let part = folder.path("part")
        let shard = try BinaryRunner.run(
            ["evaluate"] + scoring + options + ["--shard", "1/1", "--partial", part])
        #expect(shard.status == 0, "\(shard.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: part)))
        let lines = bytes.split(separator: 10, maxSplits: 2)
        let header = try JSONSerialization.jsonObject(with: Data(lines[1])) as? [String: Any]
        #expect(header?["arguments"] as? [String] == scoring)
    }
}
