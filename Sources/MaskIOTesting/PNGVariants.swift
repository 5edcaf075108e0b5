internal import CMaskCodecs
internal import CMaskTestCodecs

#if canImport(Glibc)
    import Glibc
#endif

/// Generated PNG files for the differential tests of the two PNG decoders (`cmask_png_variant`):
/// every colour type and bit depth, every filter type, odd widths, 1-pixel images, split IDAT
/// chunks, ancillary chunks before and after the image data, and broken files.
package enum PNGVariants {
    /// The bytes of variant `seed` (the same on every machine with the same zlib).
    package static func variant(seed: UInt64) -> [UInt8] {
        var size = 0
        guard let bytes = cmask_png_variant(seed, &size) else { return [] }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// Whether the shim's fast path (not libpng) decodes `bytes`: a PNG it takes as clean.
    package static func decodedByFastPath(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { file in
            var handle: OpaquePointer?
            var info = cmask_info()
            var message = [CChar](repeating: 0, count: 256)
            guard cmask_open(file.baseAddress, file.count, 1 << 26, &handle, &info, &message, message.count) == CMASK_OK,
                let handle
            else { return false }
            defer { cmask_close(handle) }
            cmask_set_png_decoder(handle, CMASK_PNG_DECODER_FAST)
            var samples = [UInt8](repeating: 0, count: Int(info.data_bytes))
            let status = samples.withUnsafeMutableBytes {
                cmask_read(handle, $0.baseAddress, info.data_bytes, &message, message.count)
            }
            return status == CMASK_OK && cmask_png_fast_path_used(handle)
        }
    }
}
