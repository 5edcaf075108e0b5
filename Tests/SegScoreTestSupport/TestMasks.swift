import Foundation

/// Mask files written byte by byte for tests (no codec library, so a codec bug cannot hide in
/// both the writer and the reader): PNG at any bit depth and colour type, and uncompressed
/// little-endian one-strip TIFF with any number of samples per pixel.
package enum TestMasks {
    /// PNG colour types (IHDR byte 9).
    package enum PNGColor: UInt8, Sendable {
        case gray = 0
        case rgb = 2
        case palette = 3
        case grayAlpha = 4
        case rgba = 6

        /// Samples per pixel.
        package var samplesPerPixel: Int {
            switch self {
            case .gray, .palette: return 1
            case .grayAlpha: return 2
            case .rgb: return 3
            case .rgba: return 4
            }
        }
    }

    // MARK: PNG

    /// The bytes of a PNG, image data in zlib "stored" blocks (no compression), filter 0 per row.
    /// - Parameters:
    ///   - width: pixels per row.
    ///   - height: rows.
    ///   - bitDepth: 1, 2, 4, 8 or 16; sub-byte samples are packed most significant bits first.
    ///   - color: the colour type; `samples` holds `color.samplesPerPixel` values per pixel.
    ///   - samples: one value per sample, row by row, each below 2^bitDepth.
    ///   - paletteSize: entries of the PLTE chunk for `.palette`: a grey ramp, entry i = (i, i, i).
    /// - Returns: the file's bytes.
    package static func pngBytes(
        width: Int, height: Int, bitDepth: Int = 8, color: PNGColor = .gray, samples: [Int], paletteSize: Int = 0
    ) -> [UInt8] {
        let perRow = width * color.samplesPerPixel
        precondition(samples.count == perRow * height, "\(samples.count) samples for \(width)x\(height) \(color)")
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (1 + (perRow * bitDepth + 7) / 8))
        for y in 0..<height {
            raw.append(0)  // filter: none
            let row = samples[(y * perRow)..<((y + 1) * perRow)]
            switch bitDepth {
            case 16:
                for v in row { raw += [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
            case 8:
                for v in row { raw.append(UInt8(truncatingIfNeeded: v)) }
            default:
                var byte = 0
                var used = 0
                for v in row {
                    byte = byte << bitDepth | v
                    used += bitDepth
                    if used == 8 {
                        raw.append(UInt8(truncatingIfNeeded: byte))
                        byte = 0
                        used = 0
                    }
                }
                if used > 0 { raw.append(UInt8(truncatingIfNeeded: byte << (8 - used))) }
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [UInt8(bitDepth), color.rawValue, 0, 0, 0])
        if color == .palette {
            var palette: [UInt8] = []
            for i in 0..<paletteSize { palette += [UInt8(i & 0xFF), UInt8(i & 0xFF), UInt8(i & 0xFF)] }
            png += chunk("PLTE", palette)
        }
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    /// Writes a PNG (see `pngBytes`).
    /// - Parameters:
    ///   - width: pixels per row.
    ///   - height: rows.
    ///   - bitDepth: 1, 2, 4, 8 or 16.
    ///   - color: the colour type.
    ///   - samples: one value per sample, row by row.
    ///   - paletteSize: PLTE entries for `.palette`.
    ///   - url: the file to write.
    /// - Throws: the file system's error.
    package static func png(
        width: Int, height: Int, bitDepth: Int = 8, color: PNGColor = .gray, samples: [Int], paletteSize: Int = 0,
        to url: URL
    ) throws {
        let bytes = pngBytes(
            width: width, height: height, bitDepth: bitDepth, color: color, samples: samples, paletteSize: paletteSize)
        try Data(bytes).write(to: url)
    }

    /// Writes an 8-bit gray PNG, one value per pixel.
    /// - Parameters:
    ///   - width: pixels per row.
    ///   - height: rows.
    ///   - values: the labels, row by row.
    ///   - url: the file to write.
    /// - Throws: the file system's error.
    package static func png(width: Int, height: Int, values: [UInt8], to url: URL) throws {
        try png(width: width, height: height, samples: values.map(Int.init), to: url)
    }

    /// A zlib stream of "stored" (uncompressed) deflate blocks holding `raw`.
    /// - Parameter raw: the bytes to wrap.
    /// - Returns: header, blocks of at most 65,535 bytes, Adler-32.
    package static func zlibStored(_ raw: [UInt8]) -> [UInt8] {
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, raw.count - offset)
            let last: UInt8 = offset + length >= raw.count ? 1 : 0
            zlib += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        return zlib + bigEndian(adler32(raw))
    }

    /// A PNG chunk: length, type, data, CRC-32 of type and data.
    /// - Parameters:
    ///   - type: the four-letter chunk type.
    ///   - data: the chunk's data.
    /// - Returns: the chunk's bytes.
    package static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    /// `value` as four big-endian bytes.
    /// - Parameter value: the number.
    /// - Returns: most significant byte first.
    package static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// The CRC-32 (ISO 3309, the one PNG uses) of `bytes`.
    /// - Parameter bytes: the data.
    /// - Returns: the checksum.
    /// - Complexity: O(n), bit by bit (test data only).
    package static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    /// The Adler-32 checksum zlib ends with.
    /// - Parameter bytes: the uncompressed data.
    /// - Returns: the checksum.
    package static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    // MARK: TIFF

    /// Writes a one-strip, uncompressed, little-endian TIFF of float32 samples.
    /// - Parameters:
    ///   - width: pixels per row.
    ///   - height: rows.
    ///   - channels: samples per pixel.
    ///   - values: the samples, pixel by pixel, channels interleaved.
    ///   - url: the file to write.
    /// - Throws: the file system's error.
    package static func floatTIFF(width: Int, height: Int, channels: Int = 1, values: [Float], to url: URL) throws {
        precondition(values.count == width * height * channels)
        var data: [UInt8] = []
        data.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        let bytes = tiffBytes(width: width, height: height, channels: channels, bits: 32, sampleFormat: 3, data: data)
        try Data(bytes).write(to: url)
    }

    /// Writes a one-strip, uncompressed, little-endian TIFF of unsigned 32-bit gray samples.
    /// - Parameters:
    ///   - width: pixels per row.
    ///   - height: rows.
    ///   - values: the labels, row by row.
    ///   - url: the file to write.
    /// - Throws: the file system's error.
    package static func uint32TIFF(width: Int, height: Int, values: [UInt32], to url: URL) throws {
        precondition(values.count == width * height)
        var data: [UInt8] = []
        data.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
        let bytes = tiffBytes(width: width, height: height, channels: 1, bits: 32, sampleFormat: 1, data: data)
        try Data(bytes).write(to: url)
    }

    /// The bytes of a one-strip, uncompressed, little-endian, min-is-black TIFF: header, pixel
    /// data, the per-sample arrays (more than two channels), then the IFD.
    /// - Parameters:
    ///   - width: pixels per row.
    ///   - height: rows.
    ///   - channels: samples per pixel (all of `bits` bits and format `sampleFormat`).
    ///   - bits: bits per sample.
    ///   - sampleFormat: TIFF SampleFormat: 1 unsigned, 2 signed, 3 IEEE float.
    ///   - data: the strip, already in little-endian sample order.
    /// - Returns: the file's bytes.
    package static func tiffBytes(
        width: Int, height: Int, channels: Int, bits: Int, sampleFormat: Int, data: [UInt8]
    ) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
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
        // (tag, type, count, value): type 3 SHORT, 4 LONG; sorted by tag, as TIFF requires.
        let entries: [(Int, Int, Int, Int)] = [
            (256, 4, 1, width), (257, 4, 1, height),
            (258, 3, channels, channels > 2 ? perSample.bits : bits), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, dataOffset), (277, 3, 1, channels), (278, 4, 1, height), (279, 4, 1, data.count),
            (284, 3, 1, 1), (339, 3, channels, channels > 2 ? perSample.format : sampleFormat),
        ]
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
        return file
    }
}
