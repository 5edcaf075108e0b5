internal import CMaskCodecs

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes PNG and TIFF masks into their stored sample values.
///
/// The format is recognised from the file's first bytes, never from its extension. A decoder is
/// a value with no shared state: decode different files on different threads at once freely.
public struct MaskDecoder: Sendable {
    /// The default bound on `width · height · pages · channels`: 2^31 samples.
    public static let defaultMaxSamples: UInt64 = 1 << 31

    /// Files declaring more samples than this are refused before anything is allocated.
    public var maxSamples: UInt64

    /// Creates a decoder.
    /// - Parameter maxSamples: the largest `width · height · pages · channels` accepted.
    public init(maxSamples: UInt64 = MaskDecoder.defaultMaxSamples) {
        self.maxSamples = maxSamples
    }

    /// Reads and decodes the mask at `path`.
    /// - Throws: `MaskIOError` naming `path` and the reason.
    public func decode(path: String) throws(MaskIOError) -> DecodedMask {
        let bytes = try MaskFile.read(path: path)
        return try decode(bytes: bytes, path: path)
    }

    /// Reads and decodes the mask at `path` into the storage of `spare` when it has the right
    /// sample type and room enough: a worker that hands back each mask's samples decodes a whole
    /// dataset without allocating (or page-faulting) a sample buffer per file.
    /// - Parameter spare: samples of an earlier mask that nothing else references; taken (nil on return).
    /// - Throws: `MaskIOError` naming `path` and the reason.
    public func decode(path: String, reusing spare: inout MaskSamples?) throws(MaskIOError) -> DecodedMask {
        let bytes = try MaskFile.read(path: path)
        return try decode(bytes: bytes, path: path, reusing: &spare)
    }

    /// Decodes a PNG or TIFF file held in memory.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - path: the name used in errors.
    /// - Throws: `MaskIOError` naming `path` and the reason.
    public func decode(bytes: [UInt8], path: String) throws(MaskIOError) -> DecodedMask {
        var none: MaskSamples?
        return try decode(bytes: bytes, path: path, reusing: &none)
    }

    private func decode(bytes: [UInt8], path: String, reusing spare: inout MaskSamples?) throws(MaskIOError) -> DecodedMask {
        // Moved, not copied, out of the caller's variable: this function then holds the storage's
        // only reference, and writing into it does not copy it.
        var reused = spare.take()
        let result: Result<DecodedMask, MaskIOError> = bytes.withUnsafeBufferPointer { file in
            var handle: OpaquePointer?
            var info = cmask_info()
            var message = CodecMessage()
            let status = message.withBuffer { buffer, size in
                cmask_open(file.baseAddress, file.count, maxSamples, &handle, &info, buffer, size)
            }
            defer { cmask_close(handle) }
            guard status == Int32(CMASK_OK.rawValue), let handle else {
                return .failure(MaskIOError(status: status, path: path, message: message.text))
            }
            let samples: MaskSamples
            let count = Int(info.data_bytes) / Self.sampleType(info.sample).byteWidth
            do throws(MaskIOError) {
                switch info.sample {
                case CMASK_SAMPLE_U16:
                    var storage = reused?.takeUInt16() ?? []
                    try Self.read(into: &storage, count, handle, info, path)
                    samples = .uint16(storage)
                case CMASK_SAMPLE_U32:
                    var storage = reused?.takeUInt32() ?? []
                    try Self.read(into: &storage, count, handle, info, path)
                    samples = .uint32(storage)
                case CMASK_SAMPLE_F32:
                    var storage = reused?.takeFloat32() ?? []
                    try Self.read(into: &storage, count, handle, info, path)
                    samples = .float32(storage)
                default:
                    var storage = reused?.takeUInt8() ?? []
                    try Self.read(into: &storage, count, handle, info, path)
                    samples = .uint8(storage)
                }
            } catch {
                return .failure(error)
            }
            return .success(
                DecodedMask(
                    width: Int(info.width), height: Int(info.height), depth: Int(info.pages),
                    channels: Int(info.channels), samples: samples, declaration: Self.declaration(of: info)))
        }
        return try result.get()
    }

    /// Decodes into `storage`, resized to exactly `count` samples (no allocation when its capacity
    /// suffices; a new array otherwise).
    private static func read<T: AdditiveArithmetic>(
        into storage: inout [T], _ count: Int, _ handle: OpaquePointer, _ info: cmask_info, _ path: String
    ) throws(MaskIOError) {
        guard storage.capacity >= count else {
            storage = try read(T.self, count, handle, info, path)
            return
        }
        if storage.count > count {
            storage.removeLast(storage.count - count)
        } else if storage.count < count {
            storage.append(contentsOf: repeatElement(.zero, count: count - storage.count))
        }
        var status = Int32(CMASK_OK.rawValue)
        var message = CodecMessage()
        storage.withUnsafeMutableBytes { buffer in
            status = message.withBuffer { text, size in cmask_read(handle, buffer.baseAddress, info.data_bytes, text, size) }
        }
        guard status == Int32(CMASK_OK.rawValue) else {
            throw MaskIOError(status: status, path: path, message: message.text)
        }
    }

    /// Decodes into a new array of exactly `count` samples.
    private static func read<T>(
        _ type: T.Type, _ count: Int, _ handle: OpaquePointer, _ info: cmask_info, _ path: String
    ) throws(MaskIOError) -> [T] {
        var status = Int32(CMASK_OK.rawValue)
        var message = CodecMessage()
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = message.withBuffer { text, size in
                cmask_read(handle, buffer.baseAddress, info.data_bytes, text, size)
            }
            // Trivial element types: on failure nothing needs deinitialising.
            initialized = status == Int32(CMASK_OK.rawValue) ? count : 0
        }
        guard status == Int32(CMASK_OK.rawValue) else {
            throw MaskIOError(status: status, path: path, message: message.text)
        }
        return values
    }

    private static func sampleType(_ sample: cmask_sample) -> SampleType {
        switch sample {
        case CMASK_SAMPLE_U16: return .uint16
        case CMASK_SAMPLE_U32: return .uint32
        case CMASK_SAMPLE_F32: return .float32
        default: return .uint8
        }
    }

    private static func declaration(of info: cmask_info) -> MaskDeclaration {
        let color: ColorType
        switch info.color {
        case CMASK_COLOR_GRAY_ALPHA: color = .grayAlpha
        case CMASK_COLOR_PALETTE: color = .palette
        case CMASK_COLOR_RGB: color = .rgb
        case CMASK_COLOR_RGBA: color = .rgba
        case CMASK_COLOR_MULTI: color = .multi
        default: color = .gray
        }
        var palette: [RGBColor] = []
        withUnsafeBytes(of: info.palette) { bytes in
            let count = min(Int(info.palette_count), 256)
            palette.reserveCapacity(count)
            for i in 0..<count {
                palette.append(RGBColor(bytes[3 * i], bytes[3 * i + 1], bytes[3 * i + 2]))
            }
        }
        return MaskDeclaration(
            format: info.format == CMASK_FORMAT_TIFF ? .tiff : .png, color: color, bitDepth: Int(info.bit_depth),
            palette: palette, compression: Int(info.compression), predictor: Int(info.predictor),
            separatePlanes: info.planar == 2, tiled: info.tiled != 0, interlaced: info.interlaced != 0)
    }

    /// Whether this machine's libtiff decodes the TIFF Compression tag value `compression`.
    public static func tiffCodecAvailable(_ compression: Int) -> Bool {
        compression >= 0 && compression <= 0xffff && cmask_tiff_codec_available(UInt32(compression)) != 0
    }
}

/// A fixed-size buffer for the shim's one-line messages.
private struct CodecMessage {
    private var storage = [CChar](repeating: 0, count: 512)

    mutating func withBuffer<R>(_ body: (UnsafeMutablePointer<CChar>, Int) -> R) -> R {
        storage.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    }

    var text: String {
        let bytes = storage.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension MaskIOError {
    /// Maps a shim status code and message to the error case that names `path`.
    fileprivate init(status: Int32, path: String, message: String) {
        let text = message.isEmpty ? "decoder status \(status)" : message
        switch UInt32(bitPattern: status) {
        case CMASK_ERR_FORMAT.rawValue: self = .notAMask(path: path, reason: text)
        case CMASK_ERR_UNSUPPORTED.rawValue: self = .unsupportedLayout(path: path, detail: text)
        case CMASK_ERR_TOO_LARGE.rawValue: self = .tooLarge(path: path, detail: text)
        default: self = .corrupt(path: path, codecMessage: text)
        }
    }
}

/// Whole-file reads with errors that say what went wrong.
enum MaskFile {
    /// Reads the whole file at `path`.
    /// - Throws: `MaskIOError.unreadable` for a missing file, a directory or a permission problem.
    static func read(path: String) throws(MaskIOError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO named like a mask must not wait for a writer; it is refused below.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: lastErrorText()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: lastErrorText()) }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(path: path, reason: "is a directory") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path: path, reason: "not a regular file")
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        var failure: String?
        bytes.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let n = Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = lastErrorText()
                    return
                }
                if n == 0 { break }
                filled += n
            }
        }
        if let failure { throw .unreadable(path: path, reason: failure) }
        if filled < bytes.count { bytes.removeLast(bytes.count - filled) }
        return bytes
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno)).lowercased()
    }
}

extension MaskFormat {
    /// Recognises PNG or TIFF from a file's first bytes (8 are enough); nil for anything else.
    public init?(sniffing bytes: [UInt8]) {
        let format = bytes.withUnsafeBufferPointer { cmask_sniff($0.baseAddress, $0.count) }
        switch format {
        case CMASK_FORMAT_PNG: self = .png
        case CMASK_FORMAT_TIFF: self = .tiff
        default: return nil
        }
    }
}

extension MaskSamples {
    // Each moves the array out and leaves an empty one, so the caller holds its only reference
    // (an array bound by pattern matching alone would still be shared with the enum).
    fileprivate mutating func takeUInt8() -> [UInt8] {
        guard case .uint8(let array) = self else { return [] }
        self = .uint8([])
        return array
    }

    fileprivate mutating func takeUInt16() -> [UInt16] {
        guard case .uint16(let array) = self else { return [] }
        self = .uint16([])
        return array
    }

    fileprivate mutating func takeUInt32() -> [UInt32] {
        guard case .uint32(let array) = self else { return [] }
        self = .uint32([])
        return array
    }

    fileprivate mutating func takeFloat32() -> [Float] {
        guard case .float32(let array) = self else { return [] }
        self = .float32([])
        return array
    }
}
