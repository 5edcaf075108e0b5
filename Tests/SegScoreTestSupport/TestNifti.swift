import Foundation

/// NIfTI-1 and NIfTI-2 files written byte by byte for tests, gzip through "stored" deflate blocks
/// (no zlib in the writer, so a zlib use bug cannot hide in both sides).
extension TestMasks {
    /// A NIfTI datatype: its code and how one value is stored.
    package enum NiftiType: Int, Sendable, CaseIterable {
        case uint8 = 2
        case int16 = 4
        case int32 = 8
        case float32 = 16
        case float64 = 64
        case int8 = 256
        case uint16 = 512
        case uint32 = 768
        case int64 = 1024

        /// Bytes per value.
        package var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16, .uint16: return 2
            case .int32, .uint32, .float32: return 4
            case .int64, .float64: return 8
            }
        }

        /// The little-endian bytes of `value` in this type (integers truncated).
        func bytes(_ value: Double) -> [UInt8] {
            func le(_ bits: UInt64, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) } }
            switch self {
            case .float32: return le(UInt64(Float(value).bitPattern), 4)
            case .float64: return le(value.bitPattern, 8)
            default: return le(UInt64(bitPattern: Int64(value)), size)
            }
        }
    }

    /// Where a test volume lies: the qform and sform fields of its header.
    package struct NiftiTransform: Sendable {
        /// `qform_code` and `sform_code`.
        package var qformCode = 1
        package var sformCode = 0
        /// `pixdim[0]`.
        package var qfac = 1.0
        /// `quatern_b`, `quatern_c`, `quatern_d`.
        package var quatern: [Double] = [0, 0, 0]
        /// `qoffset_x`, `qoffset_y`, `qoffset_z`.
        package var qoffset: [Double] = [0, 0, 0]
        /// `srow_x`, `srow_y`, `srow_z` row by row.
        package var srow: [Double] = [Double](repeating: 0, count: 12)

        /// Codes and fields as given (defaults: qform code 1 with the identity rotation at 0).
        package init(
            qformCode: Int = 1, sformCode: Int = 0, qfac: Double = 1, quatern: [Double] = [0, 0, 0],
            qoffset: [Double] = [0, 0, 0], srow: [Double] = [Double](repeating: 0, count: 12)
        ) {
            self.qformCode = qformCode
            self.sformCode = sformCode
            self.qfac = qfac
            self.quatern = quatern
            self.qoffset = qoffset
            self.srow = srow
        }
    }

    /// The bytes of a single-file NIfTI volume.
    /// - Parameters:
    ///   - version: 1 (348-byte header) or 2 (540-byte header).
    ///   - dims: `dim[1...]` (x fastest); `dim[0]` is their count.
    ///   - type: the stored data type.
    ///   - values: the voxel values in file order (x fastest, then y, z, t).
    ///   - pixdim: `pixdim[1...3]`.
    ///   - units: `xyzt_units` (2 mm, 3 µm, 1 m).
    ///   - slope: `scl_slope`; `intercept`: `scl_inter`.
    ///   - bigEndian: header and data big-endian.
    ///   - voxOffset: where the data starts (default: right after the header and 4 zero bytes).
    ///   - trailing: bytes appended after the data.
    ///   - gzip: wrap the file in gzip.
    package static func niftiBytes(
        version: Int = 1, dims: [Int], type: NiftiType = .uint8, values: [Double], pixdim: [Double] = [1, 1, 1],
        units: UInt8 = 2, slope: Double = 0, intercept: Double = 0, bigEndian: Bool = false, voxOffset: Int? = nil,
        trailing: [UInt8] = [], gzip: Bool = true, sizeofHeader: Int? = nil, transform: NiftiTransform = NiftiTransform()
    ) -> [UInt8] {
        let headerSize = version == 1 ? 348 : 540
        var h = [UInt8](repeating: 0, count: headerSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            let ordered = bigEndian ? Array(bytes.reversed()) : bytes
            for (i, b) in ordered.enumerated() { h[offset + i] = b }
        }
        func int(_ value: Int, _ count: Int) -> [UInt8] {
            (0..<count).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: Int64(value)) >> (8 * $0)) }
        }
        func f32(_ value: Double) -> [UInt8] { int(Int(Float(value).bitPattern), 4) }
        func f64(_ value: Double) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
        let offset = voxOffset ?? headerSize + 4
        let allDims = [dims.count] + dims + [Int](repeating: 1, count: 7 - dims.count)
        let allPixdim = [transform.qfac] + pixdim + [Double](repeating: 1, count: 4)
        put(int(sizeofHeader ?? headerSize, 4), at: 0)
        if version == 1 {
            for i in 0..<8 { put(int(allDims[i], 2), at: 40 + 2 * i) }
            put(int(type.rawValue, 2), at: 70)
            put(int(type.size * 8, 2), at: 72)
            for i in 0..<8 { put(f32(allPixdim[i]), at: 76 + 4 * i) }
            put(f32(Double(offset)), at: 108)
            put(f32(slope), at: 112)
            put(f32(intercept), at: 116)
            h[123] = units
            put(int(transform.qformCode, 2), at: 252)
            put(int(transform.sformCode, 2), at: 254)
            for i in 0..<3 { put(f32(transform.quatern[i]), at: 256 + 4 * i) }
            for i in 0..<3 { put(f32(transform.qoffset[i]), at: 268 + 4 * i) }
            for i in 0..<12 { put(f32(transform.srow[i]), at: 280 + 4 * i) }
            for (i, b) in Array("n+1\0".utf8).enumerated() { h[344 + i] = b }
        } else {
            for (i, b) in [0x6E, 0x2B, 0x32, 0, 0x0D, 0x0A, 0x1A, 0x0A].enumerated() { h[4 + i] = UInt8(b) }
            put(int(type.rawValue, 2), at: 12)
            put(int(type.size * 8, 2), at: 14)
            for i in 0..<8 { put(int(allDims[i], 8), at: 16 + 8 * i) }
            for i in 0..<8 { put(f64(allPixdim[i]), at: 104 + 8 * i) }
            put(int(offset, 8), at: 168)
            put(f64(slope), at: 176)
            put(f64(intercept), at: 184)
            put(int(transform.qformCode, 4), at: 344)
            put(int(transform.sformCode, 4), at: 348)
            for i in 0..<3 { put(f64(transform.quatern[i]), at: 352 + 8 * i) }
            for i in 0..<3 { put(f64(transform.qoffset[i]), at: 376 + 8 * i) }
            for i in 0..<12 { put(f64(transform.srow[i]), at: 400 + 8 * i) }
            put(int(Int(units), 4), at: 500)
        }
        var file = h + [UInt8](repeating: 0, count: max(0, offset - headerSize))
        for value in values {
            let bytes = type.bytes(value)
            file += bigEndian ? Array(bytes.reversed()) : bytes
        }
        file += trailing
        return gzip ? gzipStored(file) : file
    }

    /// `raw` in a gzip member of stored deflate blocks.
    package static func gzipStored(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var start = 0
        repeat {
            let count = min(65535, raw.count - start)
            let last: UInt8 = start + count == raw.count ? 1 : 0
            out += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += raw[start..<(start + count)]
            start += count
        } while start < raw.count
        let crc = crc32(raw)
        out += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
        out += (0..<4).map { UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: raw.count) >> (8 * $0)) }
        return out
    }
}
