import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The PNG fast path against libpng, the reference: every file decodes to the same samples and
/// header facts through both, or both refuse it with the same error. `make diff-decoders` runs the
/// same comparison on 20,000 generated files; this suite on the fixtures, the fuzz corpora and a
/// few hundred generated files. The decoder is chosen per call (`MaskDecoder.pngDecoder`), not
/// through the environment, so the suite runs in parallel with everything else.
@Suite struct PNGDecoderDifferentialTests {
    static func compare(_ files: [DecoderDifferential.File]) -> DecoderDifferential.Tally {
        DecoderDifferential.png.compare(files)
    }

    @Test func everyFixturePNGDecodesAlikeThroughBothDecoders() throws {
        let files = try DecoderDifferential.fixtures([""], suffixes: [".png"])
        #expect(files.count >= 40)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // gray1/2/4/8/16, palette1/2/4/8, rgb, rgba, gray-alpha and the demo's label maps.
        #expect(tally.fast >= 15)
        #expect(tally.refused >= 10)
    }

    @Test func everyFuzzCorpusInputDecodesAlikeThroughBothDecoders() throws {
        // As the harness feeds them: a PNG signature unless the input starts with one.
        let files = try DecoderDifferential.fixtures(["fuzz/png", "fuzz/regression/png"]) { bytes in
            bytes.starts(with: FuzzCorpusTests.png) ? bytes : FuzzCorpusTests.png + bytes
        }
        #expect(files.count >= 40)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        #expect(tally.fast >= 3)
    }

    @Test func generatedVariantsDecodeAlikeThroughBothDecoders() {
        let files = (0..<400).map { seed in ("variant-\(seed)", PNGVariants.variant(seed: UInt64(seed))) }
        #expect(files.allSatisfy { $0.1.count > 8 })
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // All three outcomes are exercised: the fast path, a fallback libpng decodes, a refusal.
        #expect(tally.fast >= 100)
        #expect(tally.fallback >= 20)
        #expect(tally.refused >= 50)
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("camvid-segnet"),
            "the real datasets may not be redistributed: needs ../shared/data/real beside the repository"))
    func everyRealDatasetPNGDecodesAlikeThroughBothDecoders() throws {
        let sets = ["camvid-segnet", "drive-retina-unet", "isbi2012-membrane-unet", "voc-deeplabv3-rgb"]
        let files = try DecoderDifferential.files(sets.map { (Fixtures.shared($0), $0) }, suffixes: [".png"])
        #expect(files.count >= 300)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // Every one of them is a clean non-interlaced PNG: all through the fast path.
        #expect(tally.fast == files.count)
    }

    @Test func truncationAtEveryChunkBoundaryIsRefusedAlike() throws {
        let whole = PNGFastPathTests.png(
            width: 3, height: 4, bitDepth: 8, filtered: PNGFastPathTests.everyFilter, split: 3,
            before: [TestMasks.chunk("tEXt", Array("a\u{0}b".utf8))], after: [TestMasks.chunk("tIME", [7, 234, 12, 1, 0, 0, 0])])
        // Chunk boundaries: after the signature, then after each chunk (length + type + data + CRC).
        var boundaries: [Int] = [8]
        var at = 8
        while at < whole.count {
            let length = whole[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            at += 12 + length
            boundaries.append(at)
        }
        #expect(boundaries.count == 8)  // after the signature, IHDR, tEXt, 3 IDAT, tIME, IEND
        let files = boundaries.dropLast().map { ("cut-\($0)", Array(whole[..<$0])) }
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        #expect(tally.refused == files.count)
    }
}
