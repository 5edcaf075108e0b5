internal import CMaskCodecs

/// The product's one PNG writer: palette pictures (the overlays of the HTML and Markdown
/// reports), encoded by libpng into memory so that the caller writes them with its other reports.
public enum OverlayPNG {
    /// Why a picture could not be encoded.
    public struct EncodingError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The encoder's one-line message.
        public var description: String
    }

    /// The PNG file of an 8-bit palette image.
    /// - Parameters:
    ///   - indices: width × height palette indices, row by row.
    ///   - width: pixels per row (1 or more).
    ///   - height: rows (1 or more).
    ///   - palette: RGB triples, 1 to 256 of them (3 bytes each).
    /// - Returns: the bytes of the PNG file.
    /// - Throws: `EncodingError` for sizes that do not fit, an index past the palette, or a libpng error.
    public static func encode(indices: [UInt8], width: Int, height: Int, palette: [UInt8]) throws(EncodingError) -> [UInt8] {
        guard width > 0, height > 0, indices.count == width * height, palette.count % 3 == 0,
            let w = UInt32(exactly: width), let h = UInt32(exactly: height)
        else { throw EncodingError(description: "overlay: \(indices.count) indices for \(width)x\(height)") }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = indices.withUnsafeBufferPointer { pixels in
            palette.withUnsafeBufferPointer { colours in
                cmask_overlay_png_encode(
                    pixels.baseAddress, w, h, colours.baseAddress, UInt32(palette.count / 3), &output, &size, &message,
                    message.count)
            }
        }
        defer { cmask_overlay_free(output) }
        guard status == 0, let output else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw EncodingError(description: text.isEmpty ? "overlay: PNG encoding failed (status \(status))" : text)
        }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}
