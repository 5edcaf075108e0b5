/// Hand-made compressed TIFFs for tests: an LZW code stream of literals only (valid TIFF LZW,
/// decodable by any reader, with the code width growing and a ClearCode before the table fills)
/// and a one-strip 8-bit gray TIFF holding any stored strip.
package enum TestTIFF {
    /// `bytes` as a TIFF LZW stream: ClearCode, one literal code per byte, EOI; MSB-first codes
    /// of 9–12 bits, wider once code 510 (1022, 2046) is taken, a ClearCode before code 4094.
    package static func lzwLiterals(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var bits: UInt64 = 0
        var count = 0
        var width = 9
        var next = 258
        func put(_ code: Int) {
            bits = bits << UInt64(width) | UInt64(code)
            count += width
            while count >= 8 {
                out.append(UInt8(truncatingIfNeeded: bits >> UInt64(count - 8)))
                count -= 8
            }
        }
        put(256)
        var first = true
        for byte in bytes {
            put(Int(byte))
            if first {
                first = false
                continue
            }
            next += 1
            if next >= (1 << width) - 1 && width < 12 { width += 1 }
            if next >= 4093 {
                put(256)
                width = 9
                next = 258
                first = true
            }
        }
        put(257)
        if count > 0 { out.append(UInt8(truncatingIfNeeded: bits << UInt64(8 - count))) }
        return out
    }

    /// A little-endian, one-strip, 8-bit gray TIFF whose strip holds `data` as stored, with the
    /// Compression tag `compression` (1 none, 5 LZW, 8 Deflate), Predictor `predictor` and, when
    /// given, an ImageDescription (e.g. tifffile's `{"shape": [1, 8, 9]}`).
    package static func gray8(
        width: Int, height: Int, compression: Int, predictor: Int = 1, data: [UInt8], description: String? = nil
    ) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        var file: [UInt8] = [0x49, 0x49] + le16(42) + le32(0)
        file += data
        let text = description.map { Array($0.utf8) + [0] }
        let textOffset = file.count
        file += text ?? []
        if file.count % 2 == 1 { file.append(0) }
        file.replaceSubrange(4..<8, with: le32(file.count))
        // (tag, type, count, value): type 2 ASCII (at an offset), 3 SHORT, 4 LONG; sorted by tag.
        var entries: [(Int, Int, Int, Int)] = [
            (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, compression), (262, 3, 1, 1),
        ]
        if let text { entries.append((270, 2, text.count, textOffset)) }
        entries += [(273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, data.count)]
        if predictor != 1 { entries.append((317, 3, 1, predictor)) }
        file += le16(entries.count)
        for (tag, type, count, value) in entries {
            file += le16(tag) + le16(type) + le32(count) + (type == 3 ? le16(value) + le16(0) : le32(value))
        }
        return file + le32(0)
    }
}
