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
    static func compare(_ files: [DecoderDifferential.File]) -> DecoderDifferential.Tally {
        DecoderDifferential.tiff.compare(files)
    }

    /// A little-endian TIFF header in front unless the input starts with one, as the fuzzer feeds it.
    static func withTIFFHeader(_ bytes: [UInt8]) -> [UInt8] {
        let header = bytes.prefix(4)
        return header != [0x49, 0x49, 42, 0] && header != [0x4D, 0x4D, 0, 42] ? FuzzCorpusTests.tiff + bytes : bytes
    }

    @Test func everyFixtureTIFFDecodesAlikeThroughBothDecoders() throws {
        let files = try DecoderDifferential.fixtures([""], suffixes: [".tif", ".tiff"])
        #expect(files.count >= 40)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // u8/u16 none, LZW and Deflate with and without the predictor, LZW tiles, pages, RGB…
        #expect(tally.fast >= 15)
        #expect(tally.fallback >= 10)
    }

    @Test func everyFuzzCorpusInputDecodesAlikeThroughBothDecoders() throws {
        let files = try DecoderDifferential.fixtures(["fuzz/tiff", "fuzz/regression/tiff"], adjust: Self.withTIFFHeader)
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
