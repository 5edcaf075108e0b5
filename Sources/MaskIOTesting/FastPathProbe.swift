internal import CMaskCodecs

#if canImport(Glibc)
    import Glibc
#endif

/// What the PNG and TIFF variant generators share: copying a generated file out of C memory, and
/// asking the shim whether its fast path (not the reference library) decoded a file.
enum FastPathProbe {
    /// The bytes a C generator (`cmask_png_variant`, `cmask_tiff_variant`) returned, freed after the copy.
    static func copy(_ generate: (UnsafeMutablePointer<Int>) -> UnsafeMutablePointer<UInt8>?) -> [UInt8] {
        var size = 0
        guard let bytes = generate(&size) else { return [] }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// Whether `bytes` open, decode cleanly with the decoder `choose` sets, and `used` then says
    /// the fast path did the work.
    static func decoded(
        _ bytes: [UInt8], choose: (OpaquePointer) -> Void, used: (OpaquePointer) -> Bool
    ) -> Bool {
        bytes.withUnsafeBufferPointer { file in
            var handle: OpaquePointer?
            var info = cmask_info()
            var message = [CChar](repeating: 0, count: 256)
            guard cmask_open(file.baseAddress, file.count, 1 << 26, &handle, &info, &message, message.count) == CMASK_OK,
                let handle
            else { return false }
            defer { cmask_close(handle) }
            choose(handle)
            var samples = [UInt8](repeating: 0, count: Int(info.data_bytes))
            let status = samples.withUnsafeMutableBytes {
                cmask_read(handle, $0.baseAddress, info.data_bytes, &message, message.count)
            }
            return status == CMASK_OK && used(handle)
        }
    }
}
