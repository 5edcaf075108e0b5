import Foundation
import MaskIO
import SegMetrics
import SegScoreTestSupport
import Testing

@testable import SegScore

/// The overlays of the worst images: pairs decoded again after the run and drawn as palette PNGs
/// (0 background, 1 TP, 2 FP, 3 FN, 4 left out), decoded back here to their palette indices.
@Suite struct OverlayTests {
    static func indices(_ png: [UInt8]) throws -> (width: Int, height: Int, values: [UInt8]) {
        let mask = try MaskDecoder().decode(bytes: png, path: "overlay.png")
        guard case .uint8(let values) = mask.samples else { return (0, 0, []) }
        #expect(mask.declaration.color == .palette)
        return (mask.width, mask.height, values)
    }

    static func run(_ folder: TemporaryFolder, _ configure: (inout EvaluationOptions) -> Void = { _ in }) throws
        -> EvaluationResult
    {
        var options = EvaluationOptions()
        options.jobs = 2
        configure(&options)
        return try Evaluation.run(truth: folder.path("gt"), prediction: folder.path("pred"), options: options)
    }

    @Test func worstImagesOfEachClassAreDrawnPixelByPixel() throws {
        let folder = try TemporaryFolder("overlay-2d", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        // a: class 1 GT at 1, 2; prediction at 1, 5 → dice 0.5. b: perfect → 1. Class 2 is one pixel each.
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [0, 1, 1, 2, 0, 0]), to: "gt/a.png")
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [0, 1, 0, 2, 0, 1]), to: "pred/a.png")
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [1, 0, 0, 0, 0, 2]), to: "gt/b.png")
        try folder.write(TestMasks.pngBytes(width: 3, height: 2, samples: [1, 0, 0, 0, 0, 2]), to: "pred/b.png")
        let result = try Self.run(folder)
        let overlays = Overlays.render(result: result, worst: 1)
        // One per headline class (1 and 2), the lowest image first: class 1 → a (0.5), class 2 → a (1, tie by key).
        #expect(overlays.map(\.classID) == [1, 2])
        #expect(overlays.map(\.key) == ["a", "a"])
        #expect(overlays.map(\.value) == [0.5, 1])
        #expect(overlays.map(\.fileName) == ["class1-1-a.png", "class2-1-a.png"])
        let picture = try Self.indices(overlays[0].png)
        #expect(picture.width == 3 && picture.height == 2)
        // Pixels: TN, TP, FN, TN (class 2), TN, FP.
        #expect(picture.values == [0, 1, 3, 0, 0, 2])
        #expect(try Self.indices(overlays[1].png).values == [0, 0, 0, 1, 0, 0])
    }

    @Test func ignoredGroundTruthAndOutsideTheRegionOfInterestAreLeftOut() throws {
        let folder = try TemporaryFolder("overlay-ignore", subfolders: ["gt", "pred", "roi"])
        defer { folder.remove() }
        try folder.write(TestMasks.pngBytes(width: 4, height: 1, samples: [1, 9, 0, 1]), to: "gt/a.png")
        try folder.write(TestMasks.pngBytes(width: 4, height: 1, samples: [1, 1, 1, 1]), to: "pred/a.png")
        try folder.write(TestMasks.pngBytes(width: 4, height: 1, samples: [1, 1, 1, 0]), to: "roi/a.png")
        let result = try Self.run(folder) {
            $0.ignoreLabels = [9]
            $0.roiFolder = folder.path("roi")
        }
        let overlays = Overlays.render(result: result, worst: 5)
        #expect(overlays.count == 1)
        // TP, ignored (9), FP, outside the ROI.
        #expect(try Self.indices(overlays.first?.png ?? []).values == [1, 4, 2, 4])
    }

    @Test func aVolumeShowsItsSliceWithTheMostErrors() throws {
        let folder = try TemporaryFolder("overlay-3d", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        // 2×2×3: slice 0 one FN, slice 1 perfect, slice 2 one FP and one FN.
        let truth: [Double] = [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]
        let prediction: [Double] = [0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0]
        try folder.write(TestMasks.niftiBytes(dims: [2, 2, 3], values: truth), to: "gt/v.nii.gz")
        try folder.write(TestMasks.niftiBytes(dims: [2, 2, 3], values: prediction), to: "pred/v.nii.gz")
        let overlays = Overlays.render(result: try Self.run(folder), worst: 5)
        #expect(overlays.count == 1)
        #expect(overlays.first?.slice == 2)
        let picture = try Self.indices(overlays.first?.png ?? [])
        #expect(picture.width == 2 && picture.height == 2)
        #expect(picture.values == [1, 3, 2, 0])
    }

    @Test func largeImagesAreReducedKeepingErrorsVisible() {
        // 1,030 × 1 of background with one FN at 600: reduced by blocks of 3 to 344 × 1; the block
        // holding 600 (200) shows the FN.
        var categories = [UInt8](repeating: 0, count: 1_030)
        categories[600] = 3
        categories[3] = 1
        let (out, w, h) = Overlays.reduced(categories, width: 1_030, height: 1)
        #expect(w == 344 && h == 1)
        #expect(out[200] == 3)
        #expect(out[1] == 1)
        #expect(out.filter { $0 != 0 }.count == 2)
    }

    @Test func fileNamesKeepSafeCharactersOnly() {
        #expect(Overlays.fileName(classID: 3, rank: 2, key: "case 1/../é\"<x>") == "class3-2-case_1_..____x_.png")
        #expect(
            Overlays.fileName(classID: 1, rank: 1, key: String(repeating: "a", count: 90)).count == "class1-1-.png".count + 60)
    }

    @Test func encoderRefusesIndicesPastThePalette() {
        #expect(throws: OverlayPNG.EncodingError.self) {
            try OverlayPNG.encode(indices: [0, 5], width: 2, height: 1, palette: [0, 0, 0, 255, 255, 255])
        }
    }
}
