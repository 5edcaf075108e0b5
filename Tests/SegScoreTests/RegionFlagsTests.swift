import Testing

@testable import MaskIO
@testable import SegScore

/// A region-of-interest mask is inside where any channel is nonzero, whatever the sample type.
@Suite struct RegionFlagsTests {
    static func mask(_ samples: MaskSamples, pixels: Int, channels: Int) -> DecodedMask {
        DecodedMask(
            width: pixels, height: 1, channels: channels, samples: samples,
            declaration: MaskDeclaration(
                format: .tiff, color: channels == 1 ? .gray : .multi, bitDepth: samples.type.byteWidth * 8, palette: [],
                compression: 1, predictor: 1, separatePlanes: false, tiled: false, interlaced: false))
    }

    @Test func eachSampleTypeAndChannelCount() {
        #expect(PairEvaluator.flags(of: Self.mask(.uint8([0, 3, 0, 1]), pixels: 4, channels: 1)) == [0, 1, 0, 1])
        #expect(PairEvaluator.flags(of: Self.mask(.uint8([0, 0, 0, 200, 5, 0]), pixels: 3, channels: 2)) == [0, 1, 1])
        #expect(PairEvaluator.flags(of: Self.mask(.uint16([0, 7, 0, 0, 9, 0]), pixels: 3, channels: 2)) == [1, 0, 1])
        #expect(PairEvaluator.flags(of: Self.mask(.uint32([0, 0, 0, 0, 0, 70_000]), pixels: 2, channels: 3)) == [0, 1])
        // -0.0 is zero; NaN is not.
        #expect(PairEvaluator.flags(of: Self.mask(.float32([0, -0.0, 0, 0.5, .nan, 0]), pixels: 3, channels: 2)) == [0, 1, 1])
    }
}
