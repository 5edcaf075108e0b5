internal import CMaskCodecs

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Decodes PNG, TIFF and NIfTI masks into their stored sample values.
///
/// The format is recognised from the file's first bytes, never from its extension. A decoder is
/// a value with no shared state: decode different files on different threads at once freely.
public struct MaskDecoder: Sendable {
    /// The default bound on `width · height · pages · channels`: 2^31 samples.
    public static let defaultMaxSamples: UInt64 = 1 << 31

    /// Files declaring more samples than this are refused before anything is allocated.
    public var maxSamples: UInt64

    /// Files whose decoded samples would take more bytes than this are refused before anything is
    /// allocated (`MaskIOError.tooLarge`, naming `maxBytesName`); a TIFF's page walk stops there.
    public var maxBytes: UInt64 = .max

    /// How errors name `maxBytes`, e.g. `--max-memory 4G`.
    public var maxBytesName = "the memory limit"

    /// Which decoder reads PNG image data (`.automatic`: `SEGSCORE_PNG_DECODER` decides).
    public var pngDecoder = PNGDecoderChoice.automatic

    /// Which decoder reads TIFF strips and tiles (`.automatic`: `SEGSCORE_TIFF_DECODER` decides).
    public var tiffDecoder = TIFFDecoderChoice.automatic

    /// Creates a decoder.
    /// - Parameter maxSamples: the largest `width · height · pages · channels` accepted.
    public init(maxSamples: UInt64 = MaskDecoder.defaultMaxSamples) {
        self.maxSamples = maxSamples
    }

    /// Opens the mask at `path` and reads its header, not its pixels: the signature is checked
    /// from the first bytes, and the file is never read whole.
    /// - Returns: a reader whose `header` gives the decoded size; `decode` then reads the pixels.
    /// - Throws: `MaskIOError` naming `path` and the reason (`tooLarge` past `maxSamples` or `maxBytes`).
    public func open(path: String) throws(MaskIOError) -> MaskReader {
        let descriptor = try MaskFile.open(path: path)
        var handle: OpaquePointer?
        var info = cmask_info()
        var message = CodecMessage()
        let status = message.withBuffer { buffer, size in
            cmask_open_file(descriptor, maxSamples, maxBytes, &handle, &info, buffer, size)
        }
        guard status == CMASK_OK, let handle else {
            Glibc.close(descriptor)
            if status == CMASK_ERR_OVER_BUDGET {
                throw .tooLarge(path: path, detail: message.text + ", more than " + maxBytesName)
            }
            throw MaskIOError(status: status, path: path, message: message.text)
        }
        cmask_set_png_decoder(handle, pngDecoder.shimValue)
        cmask_set_tiff_decoder(handle, tiffDecoder.shimValue)
        return MaskReader(path: path, descriptor: descriptor, handle: handle, info: info)
    }

    /// Reads and decodes the mask at `path`.
    /// - Throws: `MaskIOError` naming `path` and the reason.
    public func decode(path: String) throws(MaskIOError) -> DecodedMask {
        var none: MaskSamples?
        return try open(path: path).decode(reusing: &none)
    }

    /// Reads and decodes the mask at `path` into the storage of `spare` when it has the right
    /// sample type and room enough: a worker that hands back each mask's samples decodes a whole
    /// dataset without allocating (or page-faulting) a sample buffer per file.
    /// - Parameter spare: samples of an earlier mask that nothing else references; taken (nil on return).
    /// - Throws: `MaskIOError` naming `path` and the reason.
    public func decode(path: String, reusing spare: inout MaskSamples?) throws(MaskIOError) -> DecodedMask {
        try open(path: path).decode(reusing: &spare)
    }

    /// Decodes a PNG, TIFF or NIfTI file held in memory.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - path: the name used in errors.
    /// - Throws: `MaskIOError` naming `path` and the reason.
    public func decode(bytes: [UInt8], path: String) throws(MaskIOError) -> DecodedMask {
        var none: MaskSamples?
        return try decode(bytes: bytes, path: path, reusing: &none)
    }

    private func decode(bytes: [UInt8], path: String, reusing spare: inout MaskSamples?) throws(MaskIOError) -> DecodedMask {
        let result: Result<DecodedMask, MaskIOError> = bytes.withUnsafeBufferPointer { file in
            var handle: OpaquePointer?
            var info = cmask_info()
            var message = CodecMessage()
            let status = message.withBuffer { buffer, size in
                cmask_open(file.baseAddress, file.count, maxSamples, &handle, &info, buffer, size)
            }
            defer { cmask_close(handle) }
            guard status == CMASK_OK, let handle else {
                return .failure(MaskIOError(status: status, path: path, message: message.text))
            }
            cmask_set_png_decoder(handle, pngDecoder.shimValue)
            cmask_set_tiff_decoder(handle, tiffDecoder.shimValue)
            return Result { () throws(MaskIOError) in try Self.decode(handle, info, path, reusing: &spare) }
        }
        return try result.get()
    }

    /// Reads the pixels of an open handle into `spare`'s storage when it fits, else a new array.
    static func decode(_ handle: OpaquePointer, _ info: cmask_info, _ path: String, reusing spare: inout MaskSamples?)
        throws(MaskIOError) -> DecodedMask
    {
        // Moved, not copied, out of the caller's variable: this function then holds the storage's
        // only reference, and writing into it does not copy it.
        var reused = spare.take()
        let samples: MaskSamples
        let count = Int(info.data_bytes) / Self.sampleType(info.sample).byteWidth
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
        var declaration = Self.declaration(of: info)
        var result = samples
        if info.format == CMASK_FORMAT_NIFTI, case .float32(let values) = samples, let labels = Self.wholeNumbers(values) {
            result = labels
            declaration.nifti?.floatsReadAsLabels = true
        }
        let extent = Self.extent(of: info, declaration)
        return DecodedMask(
            width: extent.width, height: extent.height, depth: extent.depth, channels: Int(info.channels),
            samples: result, declaration: declaration)
    }

    /// Decodes into `storage`, resized to exactly `count` samples (no allocation when its capacity
    /// suffices; a new array otherwise). When the decoder can use room past the samples
    /// (`read_room_bytes`: a .nii.gz inflated straight into the buffer), the storage is grown to
    /// that room for the read and cut back to `count` after it.
    private static func read<T: AdditiveArithmetic>(
        into storage: inout [T], _ count: Int, _ handle: OpaquePointer, _ info: cmask_info, _ path: String
    ) throws(MaskIOError) {
        let room = roomElements(T.self, count, info)
        guard storage.capacity >= room else {
            storage = try read(T.self, count, handle, info, path)
            return
        }
        if storage.count > room {
            storage.removeLast(storage.count - room)
        } else if storage.count < room {
            storage.append(contentsOf: repeatElement(.zero, count: room - storage.count))
        }
        var status = CMASK_OK
        var message = CodecMessage()
        storage.withUnsafeMutableBytes { buffer in
            status = message.withBuffer { text, size in
                cmask_read_into(handle, buffer.baseAddress, info.data_bytes, UInt64(buffer.count), text, size)
            }
        }
        if room > count { storage.removeLast(room - count) }
        guard status == CMASK_OK else {
            throw MaskIOError(status: status, path: path, message: message.text)
        }
    }

    /// Decodes into a new array of exactly `count` samples (with the decoder's room as capacity).
    private static func read<T>(
        _ type: T.Type, _ count: Int, _ handle: OpaquePointer, _ info: cmask_info, _ path: String
    ) throws(MaskIOError) -> [T] {
        var status = CMASK_OK
        var message = CodecMessage()
        let room = roomElements(T.self, count, info)
        let values = [T](unsafeUninitializedCapacity: room) { buffer, initialized in
            status = message.withBuffer { text, size in
                cmask_read_into(
                    handle, buffer.baseAddress, info.data_bytes, UInt64(room * MemoryLayout<T>.stride), text, size)
            }
            // Trivial element types: on failure nothing needs deinitialising.
            initialized = status == CMASK_OK ? count : 0
        }
        guard status == CMASK_OK else {
            throw MaskIOError(status: status, path: path, message: message.text)
        }
        return values
    }

    /// Elements of `T` the read's buffer holds: `count`, or the decoder's room when larger.
    private static func roomElements<T>(_ type: T.Type, _ count: Int, _ info: cmask_info) -> Int {
        let stride = MemoryLayout<T>.stride
        let room = Int(clamping: info.read_room_bytes)
        return room > count * stride ? (room + stride - 1) / stride : count
    }

    static func sampleType(_ sample: cmask_sample) -> SampleType {
        switch sample {
        case CMASK_SAMPLE_U16: return .uint16
        case CMASK_SAMPLE_U32: return .uint32
        case CMASK_SAMPLE_F32: return .float32
        default: return .uint8
        }
    }

    static func declaration(of info: cmask_info) -> MaskDeclaration {
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
        var declaration = MaskDeclaration(
            format: info.format == CMASK_FORMAT_TIFF ? .tiff : info.format == CMASK_FORMAT_NIFTI ? .nifti : .png,
            color: color, bitDepth: Int(info.bit_depth), palette: palette, compression: Int(info.compression),
            predictor: Int(info.predictor), separatePlanes: info.planar == 2, tiled: info.tiled != 0,
            interlaced: info.interlaced != 0)
        if info.format == CMASK_FORMAT_NIFTI {
            let facts = niftiFacts(of: info)
            declaration.nifti = facts
            let spacing = facts.pixdim.map { NiftiFacts.millimetres(abs($0), unit: facts.spaceUnit) }
            declaration.spacing = spacing
            declaration.geometry = VolumeGeometry(nifti: facts, spacing: spacing)
        }
        if info.format == CMASK_FORMAT_TIFF {
            declaration.spacing = TIFFSpacing.millimetres(of: info)
            if info.shaped_dims > 0 {
                declaration.tifffileShape = withUnsafeBytes(of: info.shaped) { raw in
                    raw.bindMemory(to: UInt64.self).prefix(Int(info.shaped_dims)).map { Int($0) }
                }
            }
        }
        return declaration
    }

    /// Width, height and depth of the samples: as the pages are, or in the shape of tifffile's
    /// description when it is 3-D, the file has one sample per pixel and the shape holds exactly its
    /// samples (the order of the samples is the same: C order, z slowest).
    static func extent(of info: cmask_info, _ declaration: MaskDeclaration) -> (width: Int, height: Int, depth: Int) {
        let pages = (width: Int(info.width), height: Int(info.height), depth: Int(info.pages))
        guard let shape = declaration.tifffileShape, shape.count == 3, info.channels == 1 else { return pages }
        let (plane, overflow) = shape[0].multipliedReportingOverflow(by: shape[1])
        let (all, overflowAll) = plane.multipliedReportingOverflow(by: shape[2])
        guard !overflow, !overflowAll, all == pages.width * pages.height * pages.depth else { return pages }
        return (shape[2], shape[1], shape[0])
    }

    /// Whether this machine's libtiff decodes the TIFF Compression tag value `compression`.
    public static func tiffCodecAvailable(_ compression: Int) -> Bool {
        compression >= 0 && compression <= 0xffff && cmask_tiff_codec_available(UInt32(compression))
    }
}

/// A fixed-size buffer for the shim's one-line messages.
struct CodecMessage {
    private var storage = [CChar](repeating: 0, count: 512)

    mutating func withBuffer<R>(_ body: (UnsafeMutablePointer<CChar>, Int) -> R) -> R {
        storage.withUnsafeMutableBufferPointer {
            guard let start = $0.baseAddress else { preconditionFailure("the message buffer has 512 bytes") }
            return body(start, $0.count)
        }
    }

    var text: String {
        let bytes = storage.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension MaskIOError {
    /// Maps a shim status code and message to the error case that names `path`.
    init(status: cmask_status, path: String, message: String) {
        let text = message.isEmpty ? "decoder status \(status.rawValue)" : message
        switch status {
        case CMASK_ERR_FORMAT: self = .notAMask(path: path, reason: text)
        case CMASK_ERR_UNSUPPORTED: self = .unsupportedLayout(path: path, detail: text)
        case CMASK_ERR_TOO_LARGE: self = .tooLarge(path: path, detail: text)
        default: self = .corrupt(path: path, codecMessage: text)
        }
    }
}

/// The size facts of a mask file, from its header: what decoding it will allocate.
public struct MaskHeader: Sendable, Equatable {
    /// PNG, TIFF or NIfTI.
    public var format: MaskFormat
    /// Pixels per row.
    public var width: Int
    /// Rows per page.
    public var height: Int
    /// Pages (TIFF directories); 1 for PNG.
    public var pages: Int
    /// Samples per pixel; alpha counts as a channel.
    public var channels: Int
    /// The type of one decoded sample.
    public var sampleType: SampleType
    /// The colour model of the stored samples.
    public var color: ColorType
    /// Bytes of the decoded samples: `width · height · pages · channels · sampleType.byteWidth`.
    public var decodedBytes: UInt64
    /// Bytes decoding may allocate beside `decodedBytes`: float NIfTI data holding whole numbers
    /// become a label array (at most 4 bytes a sample) while the floats are still held; 0 otherwise.
    public var conversionBytes: UInt64 = 0
    /// Where the volume lies in space (NIfTI); nil for PNG and TIFF.
    public var geometry: VolumeGeometry? = nil
    /// Bytes decoding holds for a while beside `decodedBytes`: a `.nii.gz` of at most 256 MiB is
    /// inflated whole (its compressed file and its contents at once); 0 otherwise.
    public var scratchBytes: UInt64 = 0

    /// Pixels in all pages: `width · height · pages`.
    public var pixelCount: Int { width * height * pages }
}

/// An open mask file whose header has been read: `header` says what decoding it costs, before
/// `decode` allocates anything. Holds the file open until it is released.
public final class MaskReader {
    /// The path as given.
    public let path: String
    /// The size facts of the file.
    public let header: MaskHeader
    private let descriptor: Int32
    let handle: OpaquePointer
    let info: cmask_info

    init(path: String, descriptor: Int32, handle: OpaquePointer, info: cmask_info) {
        self.path = path
        self.descriptor = descriptor
        self.handle = handle
        self.info = info
        let declaration = MaskDecoder.declaration(of: info)
        let extent = MaskDecoder.extent(of: info, declaration)
        header = MaskHeader(
            format: declaration.format, width: extent.width, height: extent.height, pages: extent.depth,
            channels: Int(info.channels), sampleType: MaskDecoder.sampleType(info.sample), color: declaration.color,
            decodedBytes: info.data_bytes,
            conversionBytes: info.format == CMASK_FORMAT_NIFTI && info.sample == CMASK_SAMPLE_F32 ? info.data_bytes : 0,
            geometry: declaration.geometry, scratchBytes: info.scratch_bytes)
    }

    deinit {
        cmask_close(handle)
        Glibc.close(descriptor)
    }

    /// Decodes the pixels, into the storage of `spare` when it has the right sample type and room
    /// enough. A reader decodes once.
    /// - Parameter spare: samples of an earlier mask that nothing else references; taken (nil on return).
    /// - Throws: `MaskIOError` naming the file and the reason.
    public func decode(reusing spare: inout MaskSamples?) throws(MaskIOError) -> DecodedMask {
        try MaskDecoder.decode(handle, info, path, reusing: &spare)
    }

    /// Decodes the pixels into new storage.
    /// - Throws: `MaskIOError` naming the file and the reason.
    public func decode() throws(MaskIOError) -> DecodedMask {
        var none: MaskSamples?
        return try decode(reusing: &none)
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
