internal import CMaskCodecs
internal import CMaskTestCodecs

#if canImport(Glibc)
    import Glibc
#endif

/// Generated TIFF files for the differential tests of the two TIFF decoders (`cmask_tiff_variant`):
/// every compression the fast path takes and some it does not, predictor on and off, both byte
/// orders, odd widths, 1-pixel images, odd rows per strip, partial edge tiles, two pages,
/// hand-made LZW and Deflate streams, and broken files (truncation, flipped strip bytes, bad
/// strip offsets and byte counts).
package enum TIFFVariants {
    /// The bytes of variant `seed` (the same on every machine with the same libtiff and zlib).
    package static func variant(seed: UInt64) -> [UInt8] {
        var size = 0
        guard let bytes = cmask_tiff_variant(seed, &size) else { return [] }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// Whether the shim's fast path (not libtiff) decodes every page of `bytes`.
    package static func decodedByFastPath(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { file in
            var handle: OpaquePointer?
            var info = cmask_info()
            var message = [CChar](repeating: 0, count: 256)
            guard cmask_open(file.baseAddress, file.count, 1 << 26, &handle, &info, &message, message.count) == CMASK_OK,
                let handle
            else { return false }
            defer { cmask_close(handle) }
            cmask_set_tiff_decoder(handle, CMASK_TIFF_DECODER_FAST)
            var samples = [UInt8](repeating: 0, count: Int(info.data_bytes))
            let status = samples.withUnsafeMutableBytes {
                cmask_read(handle, $0.baseAddress, info.data_bytes, &message, message.count)
            }
            return status == CMASK_OK && cmask_tiff_fast_path_used(handle)
        }
    }
}
