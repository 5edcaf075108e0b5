import Foundation
import SegScoreTestSupport
import Testing

/// `--max-memory`: parsing (exit 2), a pair or file over the budget (exit 3, naming the option).
@Suite struct MemoryLimitTests {
    /// A PNG whose IHDR declares `side`×`side` 8-bit gray pixels, followed by a truncated stream.
    static func declaringPNG(side: UInt32) -> Data {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += TestMasks.chunk("IHDR", TestMasks.bigEndian(side) + TestMasks.bigEndian(side) + [8, 0, 0, 0, 0])
        png += TestMasks.chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF])
        png += TestMasks.chunk("IEND", [])
        return Data(png)
    }

    /// gt/ and pred/ with a pair declaring 381.5 MiB per file (a.png) and a small pair (b.png).
    static func dataset() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("maxmem", subfolders: ["gt", "pred"])
        let root = folder.url
        // 20000 × 20000 one-byte pixels: 381.5 MiB per file.
        try declaringPNG(side: 20000).write(to: root.appendingPathComponent("gt/a.png"))
        try declaringPNG(side: 20000).write(to: root.appendingPathComponent("pred/a.png"))
        // A small pair that fits: 2 × 2 pixels.
        try TestMasks.png(width: 2, height: 2, values: [0, 1, 1, 0], to: root.appendingPathComponent("gt/b.png"))
        try TestMasks.png(width: 2, height: 2, values: [0, 1, 0, 0], to: root.appendingPathComponent("pred/b.png"))
        return folder
    }

    @Test func fileOverTheBudgetIsAPairErrorNamingTheOption() throws {
        let folder = try Self.dataset()
        defer { folder.remove() }
        let root = folder.url
        let gt = root.appendingPathComponent("gt").path
        let result = try BinaryRunner.run([
            "evaluate", gt, root.appendingPathComponent("pred").path, "--max-memory", "64M", "--jobs", "2",
        ])
        #expect(result.status == 3)
        let all = result.stdout + result.stderr
        #expect(
            all.contains(
                "image declares 20000x20000 pixels, 1 page, 1 channel of 1-byte samples: decoding needs 381.5 MiB, more than --max-memory 64M"
            ))
        #expect(!all.contains("b.png"))  // the small pair was scored
    }

    @Test func pairOverTheBudgetTogetherIsAPairErrorNamingTheOption() throws {
        let folder = try Self.dataset()
        defer { folder.remove() }
        let root = folder.url
        // Each file alone (381.5 MiB) fits 500M, the pair (763 MiB and counting) does not.
        let result = try BinaryRunner.run([
            "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--max-memory", "500M",
        ])
        #expect(result.status == 3)
        let all = result.stdout + result.stderr
        #expect(
            all.contains(
                "too large: the pair needs 763.2 MiB to decode and count (ground truth 381.5 MiB, prediction 381.5 MiB, counting 256.0 KiB), more than --max-memory 500M"
            ))
    }

    @Test func inspectRefusesAFileOverTheBudget() throws {
        let folder = try Self.dataset()
        defer { folder.remove() }
        let root = folder.url
        let path = root.appendingPathComponent("gt/a.png").path
        let result = try BinaryRunner.run(["inspect", path, "--max-memory", "64M"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(path): too large: image declares 20000x20000 pixels"))
        #expect(result.stderr.contains("more than --max-memory 64M"))
    }

    @Test(arguments: ["0", "lots", "-1G", "1e9"])
    func badSizesAreUsageErrors(size: String) throws {
        let gt = Fixtures.path("png/gray8.png")
        let inspect = try BinaryRunner.run(["inspect", gt, "--max-memory=\(size)"])
        #expect(inspect.status == 2)
        #expect(inspect.stderr.contains("--max-memory takes a size above zero"))
        let evaluate = try BinaryRunner.run(["evaluate", "Fixtures/demo/gt", "Fixtures/demo/pred", "--max-memory=\(size)"])
        #expect(evaluate.status == 2)
        #expect(evaluate.stderr.contains("--max-memory takes a size above zero"))
    }

    @Test func sparseFileNamedPNGIsNotAMask() throws {
        let folder = try TemporaryFolder("maxmem")
        defer { folder.remove() }
        let path = folder.path("x.png")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 3 << 30)
        try handle.close()
        let result = try BinaryRunner.run(["inspect", path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(path): not a mask: not a PNG, TIFF or NIfTI file (unrecognised signature)"))
    }
}
