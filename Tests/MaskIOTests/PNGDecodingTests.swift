import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

/// What a PNG fixture must decode to.
struct PNGCase: CustomTestStringConvertible, Sendable {
    var file: String
    var channels: Int
    var bits: Int
    var color: ColorType
    var interlaced = false
    var paletteEntries = 0
    var testDescription: String { file }
}

@Suite struct PNGDecodingTests {
    static let cases: [PNGCase] = [
        PNGCase(file: "gray1.png", channels: 1, bits: 1, color: .gray),
        PNGCase(file: "gray2.png", channels: 1, bits: 2, color: .gray),
        PNGCase(file: "gray4.png", channels: 1, bits: 4, color: .gray),
        PNGCase(file: "gray8.png", channels: 1, bits: 8, color: .gray),
        PNGCase(file: "gray16.png", channels: 1, bits: 16, color: .gray),
        PNGCase(file: "palette1.png", channels: 1, bits: 1, color: .palette, paletteEntries: 2),
        PNGCase(file: "palette2.png", channels: 1, bits: 2, color: .palette, paletteEntries: 4),
        PNGCase(file: "palette4.png", channels: 1, bits: 4, color: .palette, paletteEntries: 16),
        PNGCase(file: "palette8.png", channels: 1, bits: 8, color: .palette, paletteEntries: 256),
        PNGCase(file: "gray_alpha8.png", channels: 2, bits: 8, color: .grayAlpha),
        PNGCase(file: "gray_alpha16.png", channels: 2, bits: 16, color: .grayAlpha),
        PNGCase(file: "rgb8.png", channels: 3, bits: 8, color: .rgb),
        PNGCase(file: "rgb16.png", channels: 3, bits: 16, color: .rgb),
        PNGCase(file: "rgba8.png", channels: 4, bits: 8, color: .rgba),
        PNGCase(file: "rgba16.png", channels: 4, bits: 16, color: .rgba),
        PNGCase(file: "interlaced_gray1.png", channels: 1, bits: 1, color: .gray, interlaced: true),
        PNGCase(file: "interlaced_gray8.png", channels: 1, bits: 8, color: .gray, interlaced: true),
        PNGCase(file: "interlaced_gray16.png", channels: 1, bits: 16, color: .gray, interlaced: true),
        PNGCase(
            file: "interlaced_palette4.png", channels: 1, bits: 4, color: .palette, interlaced: true,
            paletteEntries: 16),
        PNGCase(file: "interlaced_rgb8.png", channels: 3, bits: 8, color: .rgb, interlaced: true),
    ]

    @Test(arguments: cases)
    func decodesStoredValuesAndDeclaration(_ fixture: PNGCase) throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("png/" + fixture.file))
        #expect(mask.width == 13)
        #expect(mask.height == 11)
        #expect(mask.depth == 1)
        #expect(mask.channels == fixture.channels)
        #expect(mask.sampleType == (fixture.bits == 16 ? .uint16 : .uint8))
        #expect(mask.declaration.format == .png)
        #expect(mask.declaration.color == fixture.color)
        #expect(mask.declaration.bitDepth == fixture.bits)
        #expect(mask.declaration.interlaced == fixture.interlaced)
        #expect(mask.declaration.palette.count == fixture.paletteEntries)
        #expect(Pattern.firstMismatch(in: mask, bits: fixture.bits) == nil)
    }

    @Test func unpacksOneBitRowsWithoutRescaling() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("png/gray1.png"))
        guard case .uint8(let values) = mask.samples else {
            Issue.record("expected uint8")
            return
        }
        // Row 0 is 7x mod 2; row 1 is (7x + 13) mod 2: values 0/1, never 0/255.
        #expect(Array(values[0..<13]) == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
        #expect(Array(values[13..<26]) == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    }

    @Test func sixteenBitSamplesAreInHostOrder() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("png/gray16.png"))
        guard case .uint16(let values) = mask.samples else {
            Issue.record("expected uint16")
            return
        }
        // (0,0): 0·257 + 1 = 1; (1,0): 7·257 + 1 = 1800; (0,1): 13·257 + 1 = 3342.
        #expect(values[0] == 1)
        #expect(values[1] == 1800)
        #expect(values[13] == 3342)
    }

    @Test func paletteIndicesAreTheValuesAndThePaletteIsKept() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("png/palette2.png"))
        // Index i has colour (40i + 4, 255 − 30i, 7i) in the generator.
        #expect(
            mask.declaration.palette == [
                RGBColor(4, 255, 0), RGBColor(44, 225, 7), RGBColor(84, 195, 14), RGBColor(124, 165, 21),
            ])
        #expect(mask.samples[1] == 3)  // 7 mod 4
    }

    @Test func decodesFromMemoryLikeFromDisk() throws {
        let decoder = MaskDecoder()
        let fromDisk = try decoder.decode(path: Fixtures.path("png/rgba16.png"))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("png/rgba16.png"))))
        #expect(try decoder.decode(bytes: bytes, path: "memory") == fromDisk)
    }
}
