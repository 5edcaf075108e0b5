import MaskIO
import SegScoreTestSupport
import Testing

/// What a TIFF fixture must decode to.
struct TIFFCase: CustomTestStringConvertible, Sendable {
    var file: String
    var width = 13
    var height = 11
    var pages = 1
    var channels = 1
    var bits: Int
    var sample: SampleType
    var color: ColorType = .gray
    var compression: Int
    var predictor = 1
    var tiled = false
    var separate = false
    var testDescription: String { file }
}

@Suite struct TIFFDecodingTests {
    static let cases: [TIFFCase] = [
        TIFFCase(file: "u8_none.tif", bits: 8, sample: .uint8, compression: 1),
        TIFFCase(file: "u8_lzw.tif", bits: 8, sample: .uint8, compression: 5),
        TIFFCase(file: "u8_lzw_predictor.tif", bits: 8, sample: .uint8, compression: 5, predictor: 2),
        TIFFCase(file: "u8_deflate.tif", bits: 8, sample: .uint8, compression: 8),
        TIFFCase(file: "u8_packbits.tif", bits: 8, sample: .uint8, compression: 32773),
        TIFFCase(file: "u1_none.tif", bits: 1, sample: .uint8, compression: 1),
        TIFFCase(file: "u1_packbits.tif", bits: 1, sample: .uint8, compression: 32773),
        TIFFCase(file: "u4_palette.tif", bits: 4, sample: .uint8, color: .palette, compression: 1),
        TIFFCase(file: "u8_palette.tif", bits: 8, sample: .uint8, color: .palette, compression: 5),
        TIFFCase(file: "u16_none.tif", bits: 16, sample: .uint16, compression: 1),
        TIFFCase(file: "u16_lzw_predictor.tif", bits: 16, sample: .uint16, compression: 5, predictor: 2),
        TIFFCase(file: "u16_deflate_predictor.tif", bits: 16, sample: .uint16, compression: 8, predictor: 2),
        TIFFCase(file: "u32_none.tif", bits: 32, sample: .uint32, compression: 1),
        TIFFCase(file: "u32_lzw.tif", bits: 32, sample: .uint32, compression: 5),
        TIFFCase(file: "f32_none.tif", bits: 32, sample: .float32, compression: 1),
        TIFFCase(file: "f32_deflate_predictor3.tif", bits: 32, sample: .float32, compression: 8, predictor: 3),
        TIFFCase(file: "u8_tiled.tif", width: 37, height: 21, bits: 8, sample: .uint8, compression: 1, tiled: true),
        TIFFCase(
            file: "u16_tiled_lzw.tif", width: 37, height: 21, bits: 16, sample: .uint16, compression: 5,
            predictor: 2, tiled: true),
        TIFFCase(file: "u8_rgb.tif", channels: 3, bits: 8, sample: .uint8, color: .rgb, compression: 5),
        TIFFCase(file: "u8_3ch_contig.tif", channels: 3, bits: 8, sample: .uint8, color: .multi, compression: 32946),
        TIFFCase(
            file: "u8_3ch_separate.tif", channels: 3, bits: 8, sample: .uint8, color: .multi, compression: 32946,
            separate: true),
        TIFFCase(
            file: "u16_4ch_separate_tiled.tif", width: 37, height: 21, channels: 4, bits: 16, sample: .uint16,
            color: .multi, compression: 5, tiled: true, separate: true),
        TIFFCase(file: "f32_2ch_contig.tif", channels: 2, bits: 32, sample: .float32, color: .grayAlpha, compression: 1),
        TIFFCase(file: "u8_3pages.tif", pages: 3, bits: 8, sample: .uint8, compression: 5),
        TIFFCase(file: "u16_5pages_deflate.tif", pages: 5, bits: 16, sample: .uint16, compression: 8, predictor: 2),
    ]

    @Test(arguments: cases)
    func decodesStoredValuesAndDeclaration(_ fixture: TIFFCase) throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("tiff/" + fixture.file))
        #expect(mask.width == fixture.width)
        #expect(mask.height == fixture.height)
        #expect(mask.depth == fixture.pages)
        #expect(mask.channels == fixture.channels)
        #expect(mask.sampleType == fixture.sample)
        #expect(mask.declaration.format == .tiff)
        #expect(mask.declaration.color == fixture.color)
        #expect(mask.declaration.bitDepth == fixture.bits)
        #expect(mask.declaration.compression == fixture.compression)
        #expect(mask.declaration.predictor == fixture.predictor)
        #expect(mask.declaration.tiled == fixture.tiled)
        #expect(mask.declaration.separatePlanes == fixture.separate)
        #expect(Pattern.firstMismatch(in: mask, bits: fixture.bits) == nil)
    }

    /// The generator skips the ZSTD fixture on a libtiff without ZSTD; this test is skipped there
    /// too, and says so, rather than passing with nothing checked.
    @Test(.enabled(if: MaskDecoder.tiffCodecAvailable(50000), "this libtiff has no ZSTD codec (compression 50000)"))
    func zstdWhenThisLibtiffHasIt() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("tiff/u8_zstd.tif"))
        #expect(mask.declaration.compressionName == "zstd")
        #expect(Pattern.firstMismatch(in: mask, bits: 8) == nil)
    }

    @Test func floatSamplesAreExact() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("tiff/f32_none.tif"))
        // (0,0): −1; (1,0): 7/8 − 1 = −0.125; (0,1): 13/8 − 1 = 0.625.
        #expect(mask.samples[0] == -1)
        #expect(mask.samples[1] == -0.125)
        #expect(mask.samples[13] == 0.625)
    }

    @Test func separatePlanesAreInterleavedPerPixel() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("tiff/u8_3ch_separate.tif"))
        // Pixel (1,0) holds channels 0, 1, 2: 7, 12, 17.
        #expect([mask.samples[3], mask.samples[4], mask.samples[5]] == [7, 12, 17])
    }
}
