import MaskIO
import SegScoreTestSupport
import Testing

/// Real masks: the permissive sets copied into Fixtures/real (ISBI 2012 labels, MIT; StarDist,
/// BSD-3), and the others read from ../shared/data/real when it is beside the project.
@Suite struct RealDataTests {
    @Test(
        .enabled(
            if: Fixtures.hasShared("drive-retina-unet"),
            "DRIVE may not be redistributed: needs ../shared/data/real/drive-retina-unet beside the repository"))
    func drivePaletteObserverHoldsIndicesZeroAndOne() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.shared("drive-retina-unet/observers/pred/01_manual2.png"))
        let statistics = MaskStatistics(of: mask)
        #expect(mask.declaration.color == .palette)
        #expect(mask.width == 565 && mask.height == 584)
        // SOURCE.md: manual2 of image 01 has 28848 vessel pixels; entry 1 of the palette is (252,254,252).
        #expect(statistics.histogram == [.init(value: 0, count: 565 * 584 - 28848), .init(value: 1, count: 28848)])
        #expect(mask.declaration.palette[1] == RGBColor(252, 254, 252))
    }

    @Test func isbiGroundTruthIsBinary0And255AndPredictionsAre16Bit() throws {
        let truth = try MaskDecoder().decode(path: Fixtures.path("real/isbi2012-membrane-unet/gt/0.png"))
        #expect(truth.width == 512 && truth.sampleType == .uint8)
        #expect(MaskStatistics(of: truth).histogram?.map(\.value) == [0, 255])
        let prediction = try MaskDecoder().decode(
            path: Fixtures.path("real/isbi2012-membrane-unet/pred_unpaired_testset/0_predict.png"))
        #expect(prediction.width == 256 && prediction.height == 256)
        #expect(prediction.sampleType == .uint16)
        #expect(prediction.declaration.bitDepth == 16)
    }

    @Test func stardistVolumeHas31Uint16DeflatePages() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("real/nuclei-stardist-tiff/gt/synthetic_mask3d.tif"))
        #expect(mask.depth == 31 && mask.width == 57 && mask.height == 61)
        #expect(mask.sampleType == .uint16)
        #expect(mask.declaration.compression == 8)
        // SOURCE.md: 51 instance ids (plus background 0), max id 162.
        let statistics = MaskStatistics(of: mask)
        #expect(statistics.distinct == 52)
        #expect(statistics.max == 162)
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("voc-deeplabv3-rgb"),
            "PASCAL VOC may not be redistributed: needs ../shared/data/real/voc-deeplabv3-rgb beside the repository"))
    func vocTargetsAreRGB() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.shared("voc-deeplabv3-rgb/gt/0_target.png"))
        #expect(mask.declaration.color == .rgb && mask.channels == 3 && mask.width == 513)
    }
}
