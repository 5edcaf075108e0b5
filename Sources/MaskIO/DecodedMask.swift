/// The container a mask was read from.
public enum MaskFormat: String, Sendable, Equatable, CaseIterable {
    case png
    case tiff
    /// NIfTI-1 or NIfTI-2, `.nii` or `.nii.gz`.
    case nifti
}

/// The type of one decoded sample.
public enum SampleType: String, Sendable, Equatable, CaseIterable {
    case uint8
    case uint16
    case uint32
    case float32

    /// Size of one sample in bytes.
    public var byteWidth: Int {
        switch self {
        case .uint8: return 1
        case .uint16: return 2
        case .uint32, .float32: return 4
        }
    }

    /// True for the integer types.
    public var isInteger: Bool { self != .float32 }
}

/// What the file said its pixels are, before any interpretation as classes.
public enum ColorType: String, Sendable, Equatable, CaseIterable {
    case gray
    case grayAlpha = "gray_alpha"
    case palette
    case rgb
    case rgba
    /// Any other sample count, e.g. a K-channel TIFF.
    case multi
}

/// An 8-bit RGB colour, as found in a palette.
public struct RGBColor: Hashable, Sendable, CustomStringConvertible {
    /// The red component, 0–255.
    public var red: UInt8
    /// The green component, 0–255.
    public var green: UInt8
    /// The blue component, 0–255.
    public var blue: UInt8

    /// Creates a colour from its three components.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `(r,g,b)`, as messages print a colour.
    public var description: String { "(\(red),\(green),\(blue))" }
}

/// The facts a file declared about its encoding, kept for reports and for colour lookup.
public struct MaskDeclaration: Sendable, Equatable {
    /// PNG, TIFF or NIfTI.
    public var format: MaskFormat
    /// The colour model of the stored samples.
    public var color: ColorType
    /// Bits per sample as stored (1, 2, 4, 8, 16 or 32).
    public var bitDepth: Int
    /// Palette entries (PNG PLTE or TIFF colour map scaled to 8 bits); empty when there is none.
    /// The decoded samples are the palette *indices*; this table only serves colour lookup.
    public var palette: [RGBColor]
    /// TIFF Compression tag value (1 none, 5 LZW, 8 Deflate, 32773 PackBits, 50000 ZSTD); 0 for PNG.
    public var compression: Int
    /// TIFF Predictor tag (1 none, 2 horizontal, 3 floating point); 1 for PNG.
    public var predictor: Int
    /// True when TIFF samples are stored plane by plane (PlanarConfiguration 2).
    public var separatePlanes: Bool
    /// True when the TIFF is tiled rather than stored in strips.
    public var tiled: Bool
    /// True for an Adam7-interlaced PNG.
    public var interlaced: Bool
    /// Voxel spacing along x, y, z in millimetres (NIfTI `pixdim` in the units of `xyzt_units`,
    /// unknown units taken as mm); nil for PNG and TIFF.
    public var spacing: [Double]? = nil
    /// The NIfTI header facts; nil for PNG and TIFF.
    public var nifti: NiftiFacts? = nil
    /// TIFF: the array shape of tifffile's `{"shape": […]}` description on the first page, C order
    /// (`[z, y, x]` for a volume). A single-sample file holding exactly that many samples is read
    /// in that shape: a one-slice volume saved as one page (`[1, y, x]`) stays 3-D, and `[z, y, 1]`,
    /// which tifffile saves as one z × y page, is z slices of one column.
    public var tifffileShape: [Int]? = nil
    /// Where the volume lies in space (spacing, origin, direction), as ITK reads the NIfTI
    /// header; nil for PNG and TIFF.
    public var geometry: VolumeGeometry? = nil

    /// A readable name for `compression`.
    public var compressionName: String {
        switch (format, compression) {
        case (.png, _): return "deflate"
        case (.tiff, 1): return "none"
        case (.tiff, 5): return "lzw"
        case (.tiff, 7): return "jpeg"
        case (.tiff, 8), (.tiff, 32946): return "deflate"
        case (.tiff, 32773): return "packbits"
        case (.tiff, 34925): return "lzma"
        case (.tiff, 50000): return "zstd"
        case (.tiff, 50001): return "webp"
        case (.tiff, 34887): return "lerc"
        case (.nifti, 8): return "gzip"
        case (.nifti, _): return "none"
        default: return "tiff-\(compression)"
        }
    }
}

/// What a NIfTI header declared, beyond the shape: kept for `inspect` and geometry checks.
public struct NiftiFacts: Sendable, Equatable {
    /// 1 or 2.
    public var version: Int
    /// The stored data type: `uint8`, `int8`, `int16`, `uint16`, `int32`, `uint32`, `int64`,
    /// `uint64`, `float32` or `float64`.
    public var dataType: String
    /// The NIfTI datatype code (2, 256, 4, 512, 8, 768, 1024, 1280, 16, 64).
    public var dataTypeCode: Int
    /// True for a gzip-compressed file.
    public var gzip: Bool
    /// True when header and data are big-endian.
    public var bigEndian: Bool
    /// The dimensions as declared (`dim[1...dim[0]]`), trailing singletons included.
    public var dims: [Int]
    /// `pixdim[1...3]` as stored, in `spaceUnit`.
    public var pixdim: [Double]
    /// The spatial unit of `xyzt_units`: `m`, `mm`, `um` or `unknown`.
    public var spaceUnit: String
    /// `qform_code` and `sform_code` (0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 template).
    public var qformCode: Int
    /// See `qformCode`.
    public var sformCode: Int
    /// `scl_slope` and `scl_inter` as stored.
    public var sclSlope: Double
    /// See `sclSlope`.
    public var sclInter: Double
    /// True when `value · scl_slope + scl_inter` was applied.
    public var scaled: Bool
    /// True when float (or scaled) data held only whole numbers from 0 to 2^32 − 1 and was read
    /// as integer labels.
    public var floatsReadAsLabels: Bool
    /// `pixdim[0]` as stored: `qfac` (−1 flips the qform's third axis).
    public var qfac: Double = 1
    /// `quatern_b`, `quatern_c`, `quatern_d` as stored.
    public var quatern: [Double] = [0, 0, 0]
    /// `qoffset_x`, `qoffset_y`, `qoffset_z` as stored, in `spaceUnit`.
    public var qoffset: [Double] = [0, 0, 0]
    /// `srow_x`, `srow_y`, `srow_z` as stored (a 3×4 matrix row by row), in `spaceUnit`.
    public var srow: [Double] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]

    /// `value` in `unit` (`m`, `mm`, `um`; unknown units are taken as mm) in millimetres.
    public static func millimetres(_ value: Double, unit: String) -> Double {
        switch unit {
        case "m": return value * 1e3
        case "um": return value * 1e-3  // ITK's factor (a product, not value / 1000: they differ in the last bit)
        default: return value
        }
    }
}

/// The samples of a mask in one flat buffer, in page, row, column, channel order.
public enum MaskSamples: Sendable, Equatable {
    case uint8([UInt8])
    case uint16([UInt16])
    case uint32([UInt32])
    case float32([Float])

    /// The sample type held.
    public var type: SampleType {
        switch self {
        case .uint8: return .uint8
        case .uint16: return .uint16
        case .uint32: return .uint32
        case .float32: return .float32
        }
    }

    /// Number of samples.
    public var count: Int {
        switch self {
        case .uint8(let values): return values.count
        case .uint16(let values): return values.count
        case .uint32(let values): return values.count
        case .float32(let values): return values.count
        }
    }

    /// Sample `index` as a Double (for tests and reports; hot loops use the typed arrays).
    public subscript(index: Int) -> Double {
        switch self {
        case .uint8(let values): return Double(values[index])
        case .uint16(let values): return Double(values[index])
        case .uint32(let values): return Double(values[index])
        case .float32(let values): return Double(values[index])
        }
    }
}

/// A decoded mask: dimensions, the stored samples, and what the file declared.
///
/// Sample `(page, y, x, channel)` is at `((page · height + y) · width + x) · channels + channel`.
public struct DecodedMask: Sendable, Equatable {
    /// Pixels per row.
    public var width: Int
    /// Rows per page.
    public var height: Int
    /// Pages (TIFF directories, or slices of a volume); 1 for PNG.
    public var depth: Int
    /// Samples per pixel; alpha counts as a channel.
    public var channels: Int
    /// The stored sample values: palette indices, 16-bit labels, never colour-converted.
    public var samples: MaskSamples
    /// What the file declared.
    public var declaration: MaskDeclaration

    /// Creates a mask; `samples.count` must equal `width · height · depth · channels`.
    public init(
        width: Int, height: Int, depth: Int = 1, channels: Int = 1, samples: MaskSamples,
        declaration: MaskDeclaration
    ) {
        precondition(samples.count == width * height * depth * channels, "sample count does not match the shape")
        self.width = width
        self.height = height
        self.depth = depth
        self.channels = channels
        self.samples = samples
        self.declaration = declaration
    }

    /// The sample type.
    public var sampleType: SampleType { samples.type }

    /// Pixels in all pages: `width · height · depth`.
    public var pixelCount: Int { width * height * depth }
}
