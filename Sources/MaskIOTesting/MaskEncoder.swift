internal import CMaskTestCodecs
import MaskIO

/// Writes single-channel PNG and TIFF masks, for benchmarks and tests (the product never writes
/// masks, so this is `package` API).
package enum MaskEncoder {
    /// How a benchmark file is stored.
    package enum Container: Sendable {
        /// 8-bit gray PNG.
        case png8
        /// 8-bit palette PNG (the indices are the labels).
        case palettePNG
        /// 16-bit gray PNG.
        case png16
        /// TIFF with LZW and the horizontal predictor, 8 or 16 bits, `rowsPerStrip` rows per strip.
        case tiffLZW(bits: Int, rowsPerStrip: Int)
        /// TIFF with Deflate (Adobe) and the horizontal predictor, 8 or 16 bits, `rowsPerStrip` rows per strip.
        case tiffDeflate(bits: Int, rowsPerStrip: Int)
    }

    /// Writes `labels` (row-major, `width × height`) to `path`.
    /// - Throws: `MaskIOError.unreadable` naming the file when it cannot be written.
    package static func write(labels: [UInt16], width: Int, height: Int, as container: Container, to path: String)
        throws(MaskIOError)
    {
        var message = [CChar](repeating: 0, count: 256)
        let status: cmask_status
        switch container {
        case .png8, .palettePNG:
            let bytes = labels.map { UInt8(truncatingIfNeeded: $0) }
            status = bytes.withUnsafeBytes { raw in
                cmask_png_write(
                    path, raw.baseAddress, UInt32(width), UInt32(height), 8, container.isPalette ? 1 : 0, &message, 256)
            }
        case .png16:
            status = labels.withUnsafeBytes { raw in
                cmask_png_write(path, raw.baseAddress, UInt32(width), UInt32(height), 16, 0, &message, 256)
            }
        case .tiffLZW(let bits, let rows), .tiffDeflate(let bits, let rows):
            let compression: UInt32 = if case .tiffLZW = container { 5 } else { 8 }
            if bits == 8 {
                let bytes = labels.map { UInt8(truncatingIfNeeded: $0) }
                status = bytes.withUnsafeBytes { raw in
                    cmask_tiff_write(
                        path, raw.baseAddress, UInt32(width), UInt32(height), 8, compression, UInt32(rows), &message, 256)
                }
            } else {
                status = labels.withUnsafeBytes { raw in
                    cmask_tiff_write(
                        path, raw.baseAddress, UInt32(width), UInt32(height), 16, compression, UInt32(rows), &message, 256)
                }
            }
        }
        guard status == CMASK_OK else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .unreadable(path: path, reason: "cannot write: \(text)")
        }
    }
}

extension MaskEncoder.Container {
    fileprivate var isPalette: Bool {
        if case .palettePNG = self { return true }
        return false
    }
}
