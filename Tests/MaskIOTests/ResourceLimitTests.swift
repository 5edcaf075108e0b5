import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Files whose cost is decided by their header, not their size: refused or walked without
/// allocating what they declare, and multi-page TIFFs walked in linear time.
@Suite struct ResourceLimitTests {
    /// The largest resident set this process has had, in KB (Linux reports ru_maxrss in KB).
    static func peakKB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }

    // MARK: header first

    @Test func sparseFileNamedPNGIsRefusedFromItsFirstBytes() throws {
        let folder = try TemporaryFolder("maskio-limits")
        defer { folder.remove() }
        let path = folder.path("x.png")
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 3 << 30) == 0)  // 3 GiB of holes: no disk, but a 3 GiB st_size
        close(fd)
        let before = Self.peakKB()
        #expect(throws: MaskIOError.notAMask(path: path, reason: "not a PNG, TIFF or NIfTI file (unrecognised signature)")) {
            try MaskDecoder().decode(path: path)
        }
        // Reading the file whole would raise the peak by 3 GiB; a header read costs kilobytes.
        #expect(Self.peakKB() - before < 512 * 1024)
    }

    @Test func emptyFileIsRefusedAsEmpty() throws {
        let folder = try TemporaryFolder("maskio-limits")
        defer { folder.remove() }
        let path = folder.path("e.png")
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(throws: MaskIOError.notAMask(path: path, reason: "file is empty")) { try MaskDecoder().decode(path: path) }
    }

    // MARK: memory budget

    /// A PNG whose IHDR declares `width`×`height` 8-bit gray pixels, with a few bytes of image data.
    static func declaringPNG(width: UInt32, height: UInt32, bitDepth: UInt8 = 8, colorType: UInt8 = 0) -> [UInt8] {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += TestMasks.chunk("IHDR", TestMasks.bigEndian(width) + TestMasks.bigEndian(height) + [bitDepth, colorType, 0, 0, 0])
        png += TestMasks.chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF])  // truncated deflate stream
        png += TestMasks.chunk("IEND", [])
        return png
    }

    @Test func pngDeclaringMoreThanTheBudgetIsRefusedBeforeDecoding() throws {
        let folder = try TemporaryFolder("maskio-limits")
        defer { folder.remove() }
        let path = folder.path("big.png")
        try Data(Self.declaringPNG(width: 20000, height: 20000)).write(to: URL(fileURLWithPath: path))
        var decoder = MaskDecoder()
        decoder.maxBytes = 64 << 20
        decoder.maxBytesName = "--max-memory 64M"
        let before = Self.peakKB()
        // 20000 × 20000 one-byte samples = 400,000,000 bytes = 381.5 MiB.
        #expect(
            throws: MaskIOError.tooLarge(
                path: path,
                detail: "image declares 20000x20000 pixels, 1 page, 1 channel of 1-byte samples: decoding needs 381.5 MiB, "
                    + "more than --max-memory 64M")
        ) { try decoder.decode(path: path) }
        #expect(Self.peakKB() - before < 200 * 1024)
    }

    @Test func headerIsReadWithoutDecodingPixels() throws {
        let folder = try TemporaryFolder("maskio-limits")
        defer { folder.remove() }
        let path = folder.path("big16.png")
        // 16-bit RGBA: 4 channels of 2 bytes, 3000 × 2000 pixels = 48,000,000 bytes.
        try Data(Self.declaringPNG(width: 3000, height: 2000, bitDepth: 16, colorType: 6))
            .write(to: URL(fileURLWithPath: path))
        let reader = try MaskDecoder().open(path: path)
        #expect(reader.header.width == 3000)
        #expect(reader.header.height == 2000)
        #expect(reader.header.pages == 1)
        #expect(reader.header.channels == 4)
        #expect(reader.header.sampleType == .uint16)
        #expect(reader.header.decodedBytes == 48_000_000)
        #expect(reader.header.format == .png)
    }

    @Test func fileWithinTheBudgetStillDecodes() throws {
        // gray8.png holds 13 × 11 = 143 one-byte samples: a budget of 143 bytes is enough, 142 is not.
        var decoder = MaskDecoder()
        decoder.maxBytes = 143
        #expect(try decoder.decode(path: Fixtures.path("png/gray8.png")).pixelCount == 143)
        decoder.maxBytes = 142
        #expect(throws: MaskIOError.self) { try decoder.decode(path: Fixtures.path("png/gray8.png")) }
    }

    // MARK: TIFF pages

    /// A little-endian TIFF of `pages` 1×1 8-bit pages, page p holding the value p mod 251.
    static func tinyPagesTIFF(pages: Int) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        func entry(_ tag: Int, _ type: Int, _ value: Int) -> [UInt8] {
            le16(tag) + le16(type) + le32(1) + (type == 3 ? le16(value) + [0, 0] : le32(value))
        }
        let entries = 8
        let ifdSize = 2 + entries * 12 + 4
        // Header, then per page: one pixel byte padded to 2, then its IFD.
        var bytes: [UInt8] = [0x49, 0x49, 42, 0] + le32(8)
        for p in 0..<pages {
            let pixel = bytes.count
            let ifd = pixel + 2
            if p == 0 { bytes.replaceSubrange(4..<8, with: le32(ifd)) }
            bytes += [UInt8(p % 251), 0]
            let next = p + 1 < pages ? ifd + ifdSize + 2 : 0
            bytes += le16(entries)
            bytes += entry(256, 3, 1)  // ImageWidth
            bytes += entry(257, 3, 1)  // ImageLength
            bytes += entry(258, 3, 8)  // BitsPerSample
            bytes += entry(259, 3, 1)  // Compression: none
            bytes += entry(262, 3, 1)  // Photometric: min-is-black
            bytes += entry(273, 4, pixel)  // StripOffsets
            bytes += entry(278, 3, 1)  // RowsPerStrip
            bytes += entry(279, 4, 1)  // StripByteCounts
            bytes += le32(next)
        }
        return bytes
    }

    @Test func twentyThousandTinyPagesDecodeInOrder() throws {
        let folder = try TemporaryFolder("maskio-limits")
        defer { folder.remove() }
        let path = folder.path("pages.tif")
        let pages = 20_000
        try Data(Self.tinyPagesTIFF(pages: pages)).write(to: URL(fileURLWithPath: path))
        // Each directory visited once, in order: quadratic walks took minutes here.
        let mask = try MaskDecoder().decode(path: path)
        #expect(mask.width == 1 && mask.height == 1 && mask.depth == pages)
        #expect(mask.samples[0] == 0)
        #expect(mask.samples[250] == 250)
        #expect(mask.samples[251] == 0)
        #expect(mask.samples[19_999] == Double(19_999 % 251))
    }

    @Test func pageCountIsCappedByTheBudget() throws {
        let folder = try TemporaryFolder("maskio-limits")
        defer { folder.remove() }
        let path = folder.path("pages.tif")
        try Data(Self.tinyPagesTIFF(pages: 1000)).write(to: URL(fileURLWithPath: path))
        var decoder = MaskDecoder()
        decoder.maxBytes = 100
        decoder.maxBytesName = "--max-memory 100"
        // The walk stops at page 101: 101 one-byte pages are more than 100 bytes.
        #expect(
            throws: MaskIOError.tooLarge(
                path: path,
                detail: "image declares 1x1 pixels, at least 101 pages, 1 channel of 1-byte samples: decoding needs "
                    + "at least 101 B, more than --max-memory 100")
        ) { try decoder.decode(path: path) }
        decoder.maxBytes = 1000
        #expect(try decoder.decode(path: path).depth == 1000)
    }
}
