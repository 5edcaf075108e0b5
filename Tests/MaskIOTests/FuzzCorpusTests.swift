import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

/// The fuzzers' corpora (Fixtures/fuzz: seeds, and the inputs libFuzzer kept as new coverage),
/// decoded the way the harness feeds them: a clean result or a clean error, never a crash.
@Suite struct FuzzCorpusTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let tiff: [UInt8] = [0x49, 0x49, 42, 0]

    static func inputs(_ folder: String) throws -> [String] {
        let root = Fixtures.path("fuzz/" + folder)
        guard FileManager.default.fileExists(atPath: root) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: root).sorted().map { root + "/" + $0 }
    }

    @Test(arguments: [("png", png), ("tiff", tiff)])
    func everyCorpusInputDecodesOrFailsCleanly(_ format: String, _ signature: [UInt8]) throws {
        let files = try Self.inputs(format) + Self.inputs("regression/" + format)
        #expect(files.count >= 7)
        var decoded = 0
        var refused = 0
        for file in files {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            if !bytes.starts(with: signature) { bytes = signature + bytes }
            do {
                let mask = try MaskDecoder(maxSamples: 1 << 24).decode(bytes: bytes, path: file)
                #expect(mask.samples.count == mask.pixelCount * mask.channels)
                decoded += 1
            } catch {
                #expect(error.path == file && !error.reason.isEmpty)
                refused += 1
            }
        }
        #expect(decoded > 0 && decoded + refused == files.count)
    }

    /// The NIfTI harness keeps gzip input, NIfTI-2 and big-endian headers as they are and gives
    /// anything else a little-endian NIfTI-1 sizeof_hdr.
    @Test func everyNiftiCorpusInputDecodesOrFailsCleanly() throws {
        let files = try Self.inputs("nifti") + Self.inputs("regression/nifti")
        #expect(files.count >= 9)
        var decoded = 0
        var refused = 0
        for file in files {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let prefix: [UInt8] = [0x5C, 0x01, 0, 0]
            let asIs =
                bytes.starts(with: prefix)
                || (bytes.count >= 4
                    && (bytes.starts(with: [0x1F, 0x8B]) || bytes[0] == 0x1C || bytes[3] == 0x5C || bytes[3] == 0x1C))
            if !asIs { bytes = prefix + bytes }
            do {
                let mask = try MaskDecoder(maxSamples: 1 << 24).decode(bytes: bytes, path: file)
                #expect(mask.samples.count == mask.pixelCount * mask.channels)
                decoded += 1
            } catch {
                #expect(error.path == file && !error.reason.isEmpty)
                refused += 1
            }
        }
        #expect(decoded > 0 && decoded + refused == files.count)
    }
}
