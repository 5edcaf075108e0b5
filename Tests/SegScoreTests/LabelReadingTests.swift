import Testing

@testable import MaskIO
@testable import SegScore

/// The one `auto`/`binary`/`labels` rule, and its two sources of stored values (the 8-bit fast
/// path's histogram, the general path's distinct values) giving the same reading.
@Suite struct LabelReadingTests {
    static func gray8(_ values: [UInt8], color: ColorType = .gray, bitDepth: Int = 8) -> DecodedMask {
        DecodedMask(
            width: values.count, height: 1, samples: .uint8(values),
            declaration: MaskDeclaration(
                format: .png, color: color, bitDepth: bitDepth, palette: [], compression: 0, predictor: 1,
                separatePlanes: false, tiled: false, interlaced: false))
    }

    @Test func autoReadsZeroAndMaximumAsBinary() {
        let reading = LabelReading(encoding: .auto, stored: [0, 255], binaryMaximum: 255, palette: false, ignored: [])
        #expect(reading.aliases == [255: 1])
        #expect(reading.kind == "binary")
        #expect(reading.notes == SideNotes(reading: .binaryByMaximum))
        #expect(reading.presentIDs == [0, 1])
    }

    @Test func autoLeavesIgnoreLabelsAsideInTheBinaryTest() {
        let reading = LabelReading(encoding: .auto, stored: [0, 7, 255], binaryMaximum: 255, palette: false, ignored: [7])
        #expect(reading.aliases == [255: 1])
        #expect(reading.presentIDs == [0, 1, 7])
    }

    @Test func autoReadsOtherIdsAsLabelsAndCountsThem() {
        let reading = LabelReading(encoding: .auto, stored: [0, 1, 255], binaryMaximum: 255, palette: false, ignored: [])
        #expect(reading.aliases == [:])
        #expect(reading.kind == "labels")
        #expect(reading.notes.reading == .labelsBeyondOne)
        #expect(reading.notes.autoLabelCount == 2)
        #expect(reading.presentIDs == [0, 1, 255])
    }

    @Test func autoOnAnEmptyMaskIsLabelsWithNoNotes() {
        let reading = LabelReading(encoding: .auto, stored: [0], binaryMaximum: 255, palette: false, ignored: [])
        #expect(reading.kind == "labels")
        #expect(reading.notes == SideNotes())
    }

    @Test func binaryMakesEveryNonzeroValueOneButIgnoreLabels() {
        let reading = LabelReading(encoding: .binary, stored: [0, 1, 3, 200], binaryMaximum: nil, palette: false, ignored: [200])
        #expect(reading.aliases == [3: 1])
        #expect(reading.kind == "binary")
        #expect(reading.notes == SideNotes())
        #expect(reading.presentIDs == [0, 1, 200])
    }

    @Test func palettesAreLabelsNeverCountedAsManyIds() {
        let reading = LabelReading(encoding: .auto, stored: [0, 2, 3], binaryMaximum: nil, palette: true, ignored: [])
        #expect(reading.kind == "palette-labels")
        #expect(reading.notes.reading == .labelsBeyondOne)
        #expect(reading.notes.autoLabelCount == 0)
        let explicit = LabelReading(encoding: .labels, stored: [0, 2, 3], binaryMaximum: nil, palette: true, ignored: [])
        #expect(explicit.kind == "palette-labels")
        #expect(explicit.notes == SideNotes())
    }

    @Test(
        arguments: [
            ([0, 255, 255, 0], [Int]()), ([0, 255, 9, 0], [9]), ([0, 255, 9, 0], []), ([0, 0, 0, 0], []), ([0, 1, 2, 3], [2]),
        ] as [([UInt8], [Int])])
    func fastPathAndGeneralPathReadAlike(values: [UInt8], ignored: [Int]) throws {
        let mask = Self.gray8(values)
        var counts = [Int](repeating: 0, count: 256)
        for v in values { counts[Int(v)] += 1 }
        for encoding in [MaskEncoding.auto, .binary, .labels] {
            let fast = PairEvaluator.eightBitReading(mask, counts: counts, encoding: encoding, ignored: ignored)
            let general = try mask.interpretation(encoding: encoding, pages: .slices, ignored: ignored, colors: [:])
            guard case .labels(let reading) = general else {
                Issue.record("not a label reading")
                continue
            }
            #expect(fast == reading)
        }
    }

    @Test func storedValueTableReadsSmallAndLarge32BitValues() {
        let table = StoredValueTable(stored: [0, 5, 70_000, 4_000_000_000]) { $0 * 2 }
        #expect(table(0) == 0)
        #expect(table(5) == 10)
        #expect(table(70_000) == 140_000)
        #expect(table(4_000_000_000) == 8_000_000_000)
        #expect(table(6) == -1)
        #expect(table(4_000_000_001) == -1)
    }
}
