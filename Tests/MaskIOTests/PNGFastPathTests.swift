import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The PNG fast path on hand-built files: every filter type, 16-bit samples, sub-byte samples of
/// an odd width, split IDAT chunks between ancillary chunks; expected samples worked out by hand
/// from the filtered bytes (PNG specification, section 9).
@Suite struct PNGFastPathTests {
    /// A PNG of the given filtered rows (filter byte first), the stream stored, split into
    /// `split` IDAT chunks (one of them empty when `split > 1`), with `before`/`after` chunks.
    static func png(
        width: Int, height: Int, bitDepth: Int, filtered: [UInt8], split: Int = 1,
        before: [[UInt8]] = [], after: [[UInt8]] = []
    ) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += TestMasks.chunk(
            "IHDR", TestMasks.bigEndian(UInt32(width)) + TestMasks.bigEndian(UInt32(height)) + [UInt8(bitDepth), 0, 0, 0, 0])
        for chunk in before { bytes += chunk }
        let stream = TestMasks.zlibStored(filtered)
        if split == 1 {
            bytes += TestMasks.chunk("IDAT", stream)
        } else {
            let cut = stream.count / 2
            bytes += TestMasks.chunk("IDAT", Array(stream[..<cut]))
            bytes += TestMasks.chunk("IDAT", [])
            bytes += TestMasks.chunk("IDAT", Array(stream[cut...]))
        }
        for chunk in after { bytes += chunk }
        bytes += TestMasks.chunk("IEND", [])
        return bytes
    }

    /// 3×4 8-bit gray, one row per filter: Sub, Up, Average, Paeth.
    static let everyFilter: [UInt8] = [
        1, 10, 5, 250,  // Sub: 10, 15, 265 mod 256 = 9
        2, 1, 2, 3,  // Up: 11, 17, 12
        3, 0, 4, 1,  // Average: 0 + 11/2 = 5, 4 + (5 + 17)/2 = 15, 1 + (15 + 12)/2 = 14
        4, 2, 0, 3,  // Paeth: 2 + b(5) = 7, 0 + b(15) = 15 (p 17: pa 10, pb 2, pc 12), 3 + b(14) = 17
    ]
    static let everyFilterSamples: [UInt8] = [10, 15, 9, 11, 17, 12, 5, 15, 14, 7, 15, 17]

    static func decode(_ bytes: [UInt8], _ choice: PNGDecoderChoice) -> Result<DecodedMask, MaskIOError> {
        var decoder = MaskDecoder()
        decoder.pngDecoder = choice
        return Result { () throws(MaskIOError) in try decoder.decode(bytes: bytes, path: "hand.png") }
    }

    @Test func everyFilterTypeUnfiltersToTheHandWorkedSamples() throws {
        let bytes = Self.png(width: 3, height: 4, bitDepth: 8, filtered: Self.everyFilter)
        #expect(PNGVariants.decodedByFastPath(bytes))
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint8(Self.everyFilterSamples))
        #expect(try Self.decode(bytes, .libpng).get() == fast)
    }

    @Test func sixteenBitSamplesComeOutInHostOrder() throws {
        // 2×2, bpp 2. Sub: 0x0102, then 0x01 + 0x00 | 0x02 + 0x05 = 0x0107. Paeth on the row above
        // [01 02 01 07]: bytes 0–1 take b (0x01, 0x02): 0x0103; byte 2: a = b = c = 0x01 → 0x01;
        // byte 3: a 0x03, b 0x07, c 0x02, p 8 (pa 5, pb 1, pc 6) → b = 0x07: 0x0107.
        let filtered: [UInt8] = [1, 0x01, 0x02, 0x00, 0x05, 4, 0x00, 0x01, 0x00, 0x00]
        let bytes = Self.png(width: 2, height: 2, bitDepth: 16, filtered: filtered)
        #expect(PNGVariants.decodedByFastPath(bytes))
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint16([0x0102, 0x0107, 0x0103, 0x0107]))
        #expect(try Self.decode(bytes, .libpng).get() == fast)
    }

    @Test func subByteSamplesOfAnOddWidthAreUnpacked() throws {
        // 5 pixels of 2 bits: 11 00 01 10 | 11 (padding 000000), Up on the first row (adds zeros);
        // second row Sub (bpp 1 byte): 0xC6 + 0 = 0xC6 → 3 0 1 2, then 0x00 + 0xC6 = 0xC6 → 3.
        let filtered: [UInt8] = [2, 0xC6, 0xC0, 1, 0xC6, 0x00]
        let bytes = Self.png(width: 5, height: 2, bitDepth: 2, filtered: filtered)
        #expect(PNGVariants.decodedByFastPath(bytes))
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint8([3, 0, 1, 2, 3, 3, 0, 1, 2, 3]))
        #expect(try Self.decode(bytes, .libpng).get() == fast)
    }

    @Test func splitImageDataBetweenAncillaryChunksIsJoined() throws {
        let text = TestMasks.chunk("tEXt", Array("Comment\u{0}x".utf8))
        let bytes = Self.png(
            width: 3, height: 4, bitDepth: 8, filtered: Self.everyFilter, split: 3, before: [text], after: [text])
        #expect(PNGVariants.decodedByFastPath(bytes))
        #expect(try Self.decode(bytes, .fast).get().samples == .uint8(Self.everyFilterSamples))
    }

    @Test func aBadCRCAfterTheFirstIDATIsLibpngsRefusal() {
        var bytes = Self.png(width: 3, height: 4, bitDepth: 8, filtered: Self.everyFilter, split: 3)
        // The last IDAT's CRC is the 4 bytes before IEND (12 bytes).
        bytes[bytes.count - 13] ^= 0x01
        #expect(!PNGVariants.decodedByFastPath(bytes))
        let expected = MaskIOError.corrupt(path: "hand.png", codecMessage: "libpng: IDAT: CRC error")
        #expect(Self.decode(bytes, .fast) == .failure(expected))
        #expect(Self.decode(bytes, .libpng) == .failure(expected))
    }

    @Test func aBadFilterByteFallsBackToLibpngsRefusal() {
        var filtered = Self.everyFilter
        filtered[8] = 5
        let bytes = Self.png(width: 3, height: 4, bitDepth: 8, filtered: filtered)
        #expect(!PNGVariants.decodedByFastPath(bytes))
        let expected = MaskIOError.corrupt(path: "hand.png", codecMessage: "libpng: bad adaptive filter value")
        #expect(Self.decode(bytes, .fast) == .failure(expected))
        #expect(Self.decode(bytes, .libpng) == .failure(expected))
    }

    @Test func junkAfterIENDIsIgnoredByBoth() throws {
        let bytes = Self.png(width: 3, height: 4, bitDepth: 8, filtered: Self.everyFilter) + [1, 2, 3]
        #expect(PNGVariants.decodedByFastPath(bytes))
        #expect(try Self.decode(bytes, .fast).get().samples == .uint8(Self.everyFilterSamples))
        #expect(try Self.decode(bytes, .libpng).get().samples == .uint8(Self.everyFilterSamples))
    }

    /// Files beyond the 64 KB read window are not held whole: the IDAT data is gathered through
    /// reads, one chunk or several.
    @Test(arguments: [1, 3])
    func aFileLargerThanTheReadWindowDecodesFromItsPath(split: Int) throws {
        let side = 300
        // Row y: filter Up (2) on odd rows, Sub (1) on even rows, then bytes (x · 7 + y) mod 256;
        // stored blocks keep the file over 64 KB.
        var filtered: [UInt8] = []
        for y in 0..<side {
            filtered.append(y % 2 == 0 ? 1 : 2)
            for x in 0..<side { filtered.append(UInt8((x * 7 + y) % 256)) }
        }
        let bytes = Self.png(width: side, height: side, bitDepth: 8, filtered: filtered, split: split)
        #expect(bytes.count > 64 * 1024)
        #expect(PNGVariants.decodedByFastPath(bytes))
        let folder = try TemporaryFolder("pngfast")
        defer { folder.remove() }
        try Data(bytes).write(to: folder.url("large.png"))
        var decoder = MaskDecoder()
        decoder.pngDecoder = .fast
        let fast = try decoder.decode(path: folder.path("large.png"))
        decoder.pngDecoder = .libpng
        #expect(try decoder.decode(path: folder.path("large.png")) == fast)
        // Spot checks by hand: row 0 is Sub of 0, 7, 14, …: the running sums 0, 7, 21, 42.
        guard case .uint8(let samples) = fast.samples else {
            Issue.record("expected 8-bit samples")
            return
        }
        #expect(Array(samples[0..<4]) == [0, 7, 21, 42])
        // Row 1 is Up: row 0 plus (x · 7 + 1): 1, 15, 36, 64.
        #expect(Array(samples[side..<(side + 4)]) == [1, 15, 36, 64])
    }

    @Test func theEnvironmentSettingChoosesLibpngOnlyWhenItSaysSo() {
        #expect(PNGDecoderChoice(setting: "libpng") == .libpng)
        #expect(PNGDecoderChoice(setting: "fast") == .fast)
        #expect(PNGDecoderChoice(setting: nil) == .fast)
        #expect(PNGDecoderChoice(setting: "") == .fast)
        #expect(PNGDecoderChoice(setting: "LIBPNG") == .fast)
    }
}
