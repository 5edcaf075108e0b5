import Foundation

/// Writers for the masks the trust tests need, byte by byte (no codec library): PNG at any bit
/// depth and colour type, and uncompressed little-endian TIFF with K samples per pixel.
enum TestMasks {
    /// PNG colour types.
    enum PNGColor: UInt8 {
        case gray = 0
        case rgb = 2
        case palette = 3
    }

    /// Writes a PNG. `samples` holds one value per sample (3 per pixel for RGB), each below
    /// 2^bitDepth; sub-byte depths are packed most significant bits first.
    static func png(
        width: Int, height: Int, bitDepth: Int = 8, color: PNGColor = .gray, samples: [Int], paletteSize: Int = 0,
        to url: URL
    ) throws {
        let perPixel = color == .rgb ? 3 : 1
        precondition(samples.count == width * height * perPixel)
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)  // filter: none
            let row = samples[(y * width * perPixel)..<((y + 1) * width * perPixel)]
            switch bitDepth {
            case 16:
                for v in row { raw += [UInt8(v >> 8), UInt8(v & 0xFF)] }
            case 8:
                raw += row.map { UInt8($0) }
            default:
                var byte = 0
                var used = 0
                for v in row {
                    byte = byte << bitDepth | v
                    used += bitDepth
                    if used == 8 {
                        raw.append(UInt8(byte))
                        byte = 0
                        used = 0
                    }
                }
                if used > 0 { raw.append(UInt8(byte << (8 - used))) }
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, raw.count - offset)
            let last: UInt8 = offset + length >= raw.count ? 1 : 0
            zlib += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        zlib += TestPNG.bigEndian(TestPNG.adler32(raw))
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = TestPNG.bigEndian(UInt32(width))
        header += TestPNG.bigEndian(UInt32(height))
        header += [UInt8(bitDepth), color.rawValue, 0, 0, 0]
        png += TestPNG.chunk("IHDR", header)
        if color == .palette {
            // A grey ramp: entry i is (i, i, i).
            var palette: [UInt8] = []
            for i in 0..<paletteSize { palette += [UInt8(i & 0xFF), UInt8(i & 0xFF), UInt8(i & 0xFF)] }
            png += TestPNG.chunk("PLTE", palette)
        }
        png += TestPNG.chunk("IDAT", zlib)
        png += TestPNG.chunk("IEND", [])
        try Data(png).write(to: url)
    }

    /// Writes a one-strip, uncompressed, little-endian TIFF of float32 samples, `channels` per pixel.
    static func floatTIFF(width: Int, height: Int, channels: Int = 1, values: [Float], to url: URL) throws {
        precondition(values.count == width * height * channels)
        var data: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        try tiff(width: width, height: height, channels: channels, bits: 32, sampleFormat: 3, data: data, to: url)
    }

    private static func tiff(
        width: Int, height: Int, channels: Int, bits: Int, sampleFormat: Int, data: [UInt8], to url: URL
    ) throws {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        // Header, then the pixel data, then the per-sample arrays, then the IFD.
        var file: [UInt8] = [0x49, 0x49] + le16(42) + le32(0)
        let dataOffset = file.count
        file += data
        var perSample: (bits: Int, format: Int) = (0, 0)
        if channels > 2 {  // two SHORTs fit in the entry itself
            perSample.bits = file.count
            for _ in 0..<channels { file += le16(bits) }
            perSample.format = file.count
            for _ in 0..<channels { file += le16(sampleFormat) }
        }
        if file.count % 2 == 1 { file.append(0) }
        let ifdOffset = file.count
        file.replaceSubrange(4..<8, with: le32(ifdOffset))
        // (tag, type, count, value): type 3 SHORT, 4 LONG.
        var entries: [(Int, Int, Int, Int)] = [
            (256, 4, 1, width), (257, 4, 1, height),
            (258, 3, channels, channels > 2 ? perSample.bits : bits), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, dataOffset), (277, 3, 1, channels), (278, 4, 1, height), (279, 4, 1, data.count),
            (284, 3, 1, 1), (339, 3, channels, channels > 2 ? perSample.format : sampleFormat),
        ]
        entries.sort { $0.0 < $1.0 }
        file += le16(entries.count)
        for (tag, type, count, value) in entries {
            file += le16(tag) + le16(type) + le32(count)
            if type == 3 && count <= 2 {
                file += le16(value) + le16(count == 2 ? value : 0)
            } else {
                file += le32(value)
            }
        }
        file += le32(0)
        try Data(file).write(to: url)
    }

    /// A fresh temporary folder with `gt` and `pred` inside, removed by the caller.
    static func dataset(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("segscore-\(name)-\(getpid())-\(UUID().uuidString)")
        for side in ["gt", "pred"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(side), withIntermediateDirectories: true)
        }
        return root
    }
}
