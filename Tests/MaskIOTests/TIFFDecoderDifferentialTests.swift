import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The TIFF fast path against libtiff, the reference: every file decodes to the same samples and
/// header facts through both, or both refuse it with the same error. `make diff-decoders` runs the
/// same comparison on 20,000 generated files under ASan and UBSan; this suite on the fixtures, the
/// fuzz corpora and a few hundred generated files. The decoder is chosen per call
/// (`MaskDecoder.tiffDecoder`), not through the environment, so the suite runs beside the others.
@Suite struct TIFFDecoderDifferentialTests {
    static func decode(_ bytes: [UInt8], _ choice: TIFFDecoderChoice, name: String) -> Result<DecodedMask, MaskIOError> {
        var decoder = MaskDecoder(maxSamples: 1 << 26)
        decoder.tiffDecoder = choice
        return Result { () throws(MaskIOError) in try decoder.decode(bytes: bytes, path: name) }
    }

    /// What the comparison of a set of files found.
    struct Tally {
        var fast = 0
        var fallback = 0
        var refused = 0
        var differences: [String] = []
    }

    static func compare(_ files: [(name: String, bytes: [UInt8])]) -> Tally {
        var tally = Tally()
        for file in files {
            let fast = decode(file.bytes, .fast, name: file.name)
            let reference = decode(file.bytes, .libtiff, name: file.name)
            if fast != reference {
                tally.differences.append(file.name)
            } else if case .failure = reference {
                tally.refused += 1
            } else if TIFFVariants.decodedByFastPath(file.bytes) {
                tally.fast += 1
            } else {
                tally.fallback += 1
            }
        }
        return tally
    }

    /// The files of `folders` under Fixtures with one of `suffixes` (all files when empty),
    /// prefixed with a little-endian TIFF header unless they start with one, as the fuzzer feeds them.
    static func files(_ folders: [String], suffixes: [String] = [], prefixed: Bool = false) throws
        -> [(name: String, bytes: [UInt8])]
    {
        var files: [(name: String, bytes: [UInt8])] = []
        for folder in folders {
            let root = Fixtures.path(folder)
            let walker = FileManager.default.enumerator(atPath: root)
            while let relative = walker?.nextObject() as? String {
                guard suffixes.isEmpty || suffixes.contains(where: relative.hasSuffix) else { continue }
                var isDirectory: ObjCBool = false
                let path = root + "/" + relative
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    continue
                }
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                let header = bytes.prefix(4)
                if prefixed && header != [0x49, 0x49, 42, 0] && header != [0x4D, 0x4D, 0, 42] {
                    bytes = FuzzCorpusTests.tiff + bytes
                }
                files.append((folder + "/" + relative, bytes))
            }
        }
        return files.sorted { $0.name < $1.name }
    }

    @Test func everyFixtureTIFFDecodesAlikeThroughBothDecoders() throws {
        let files = try Self.files([""], suffixes: [".tif", ".tiff"])
        #expect(files.count >= 40)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // u8/u16 none, LZW and Deflate with and without the predictor, LZW tiles, pages, RGB…
        #expect(tally.fast >= 15)
        #expect(tally.fallback >= 10)
    }

    @Test func everyFuzzCorpusInputDecodesAlikeThroughBothDecoders() throws {
        let files = try Self.files(["fuzz/tiff", "fuzz/regression/tiff"], prefixed: true)
        #expect(files.count >= 9)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        #expect(tally.fast >= 2)
    }

    @Test func generatedVariantsDecodeAlikeThroughBothDecoders() {
        let files = (0..<400).map { seed in ("variant-\(seed)", TIFFVariants.variant(seed: UInt64(seed))) }
        #expect(files.allSatisfy { $0.1.count > 8 })
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // All three outcomes are exercised: the fast path, a fallback libtiff decodes, a refusal.
        #expect(tally.fast >= 100)
        #expect(tally.fallback >= 50)
        #expect(tally.refused >= 50)
    }
}
