/// What `segscore inspect` reports about one file, as plain values.
public struct InspectionFacts: Sendable, Equatable {
    /// A stored value and its pixel count.
    public struct ValueCount: Sendable, Equatable {
        /// The stored value.
        public var value: UInt32
        /// Pixels with this value or colour.
        public var count: Int

        /// A value count.
        public init(value: UInt32, count: Int) {
            self.value = value
            self.count = count
        }
    }

    /// A colour (`[r, g, b]`, stored values) and its pixel count.
    public struct ColorCount: Sendable, Equatable {
        /// The colour (`[r, g, b]`, stored values).
        public var components: [Int]
        /// Pixels with this value or colour.
        public var count: Int

        /// A colour count.
        public init(components: [Int], count: Int) {
            self.components = components
            self.count = count
        }
    }

    /// The path as given.
    public var path: String
    /// `png`, `tiff` or `nifti`.
    public var format: String
    /// Pixels per row.
    public var width: Int
    /// Rows of pixels.
    public var height: Int
    /// Pages (slices) in the file.
    public var pages: Int
    /// Samples per pixel.
    public var channels: Int
    /// Bits per stored sample.
    public var bitDepth: Int
    /// The sample type (`uint8`, `uint16`, `uint32`, `float32`) and the colour type (`gray`, `palette`, …).
    public var sample: String
    /// The colour type (`gray`, `palette`, `rgb`, …).
    public var color: String
    /// The compression's name (`deflate`, `lzw`, …).
    public var compression: String
    /// PNG only: Adam7 interlacing. TIFF only: tiles, separate planes, the predictor.
    public var interlaced: Bool
    /// TIFF: stored in tiles.
    public var tiled: Bool
    /// TIFF: one plane per channel.
    public var separatePlanes: Bool
    /// The TIFF predictor tag (1: none).
    public var predictor: Int
    /// Palette entries (0 without a palette).
    public var paletteEntries: Int
    /// The range of the samples; distinct values (integer data), and their histogram when there
    /// are at most 256.
    public var min: Double
    /// The largest value.
    public var max: Double
    /// Distinct values (integer data only).
    public var distinct: Int?
    /// Each stored value and its count, ascending; nil above 256 distinct values or for float data.
    public var values: [ValueCount]?
    /// True for RGB/RGBA and palette masks, whose colours are counted.
    public var hasColors: Bool
    /// The colours in ascending order; nil when there are none or more than `colorLimit`.
    public var colors: [ColorCount]?
    /// What `--encoding auto` decides for this file, and why in a few words.
    public var auto: String
    /// Why `auto` reads the file so, in a few words.
    public var autoDetail: String

    /// The NIfTI header facts; nil for PNG and TIFF (set after `init`).
    public var volume: Volume? = nil

    /// What a NIfTI header declared: dimensions, data type, spacing, units, orientation codes.
    public struct Volume: Sendable, Equatable {
        /// 1 or 2.
        public var version: Int
        /// The stored data type (`uint8`, `int16`, `float64`, …).
        public var dataType: String
        /// True when header and data are big-endian.
        public var bigEndian: Bool
        /// The dimensions as declared, trailing singletons included.
        public var dims: [Int]
        /// `pixdim[1...3]` as stored, in `unit`.
        public var pixdim: [Double]
        /// The spatial unit of `xyzt_units`: `m`, `mm`, `um` or `unknown`.
        public var unit: String
        /// The spacing in millimetres (x, y, z).
        public var spacing: [Double]
        /// `qform_code` and `sform_code`.
        public var qformCode: Int
        /// See `qformCode`.
        public var sformCode: Int
        /// `scl_slope` and `scl_inter` when they were applied; nil otherwise.
        public var scaling: (slope: Double, intercept: Double)?
        /// True when float data holding whole numbers was read as integer labels.
        public var floatsReadAsLabels: Bool
        /// Where the volume lies (as ITK reads the header): the transform used (`qform`, `sform`,
        /// `none`), the origin in mm and the unit direction of each voxel axis (RAS frame).
        public var placement: Placement? = nil

        /// Where a volume lies, for `inspect`.
        public struct Placement: Sendable, Equatable {
            /// `qform`, `sform` or `none`.
            public var transform: String
            /// Where voxel (0, 0, 0) lies, in mm.
            public var origin: [Double]
            /// The unit direction of each voxel axis, row by row (`direction[3 · row + axis]`).
            public var direction: [Double]

            /// The facts; every field is given by the caller.
            public init(transform: String, origin: [Double], direction: [Double]) {
                self.transform = transform
                self.origin = origin
                self.direction = direction
            }

            /// The axis codes (nibabel's `aff2axcodes`): for each voxel axis, the world axis its
            /// direction is closest to, as the letter it points towards (`R`/`L`, `A`/`P`, `S`/`I`).
            public var orientation: String {
                guard direction.count == 9 else { return "???" }
                let letters: [(Character, Character)] = [("R", "L"), ("A", "P"), ("S", "I")]
                return String(
                    (0..<3).map { axis -> Character in
                        let column = (0..<3).map { direction[3 * $0 + axis] }
                        let row = (0..<3).max { abs(column[$0]) < abs(column[$1]) } ?? axis
                        return column[row] >= 0 ? letters[row].0 : letters[row].1
                    })
            }
        }

        /// The facts; every field is given by the caller.
        public init(
            version: Int, dataType: String, bigEndian: Bool, dims: [Int], pixdim: [Double], unit: String, spacing: [Double],
            qformCode: Int, sformCode: Int, scaling: (slope: Double, intercept: Double)?, floatsReadAsLabels: Bool
        ) {
            self.version = version
            self.dataType = dataType
            self.bigEndian = bigEndian
            self.dims = dims
            self.pixdim = pixdim
            self.unit = unit
            self.spacing = spacing
            self.qformCode = qformCode
            self.sformCode = sformCode
            self.scaling = scaling
            self.floatsReadAsLabels = floatsReadAsLabels
        }

        /// Field by field (`scaling` is a tuple, which is not `Equatable`).
        public static func == (a: Volume, b: Volume) -> Bool {
            a.version == b.version && a.dataType == b.dataType && a.bigEndian == b.bigEndian && a.dims == b.dims
                && a.pixdim == b.pixdim && a.unit == b.unit && a.spacing == b.spacing && a.qformCode == b.qformCode
                && a.sformCode == b.sformCode && a.scaling?.slope == b.scaling?.slope
                && a.scaling?.intercept == b.scaling?.intercept && a.floatsReadAsLabels == b.floatsReadAsLabels
        }

        /// `96x64x8`.
        var dimsText: String { dims.map(String.init).joined(separator: "x") }

        /// The JSON object of `inspect --json`'s `nifti` member.
        var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("version", .int(version)), ("datatype", .string(dataType)),
                ("byte_order", .string(bigEndian ? "big-endian" : "little-endian")), ("dims", .array(dims.map { .int($0) })),
                ("pixdim", .array(pixdim.map { .number($0) })), ("units", .string(unit)),
                ("spacing_mm", .array(spacing.map { .number($0) })), ("qform_code", .int(qformCode)),
                ("sform_code", .int(sformCode)),
            ]
            if let scaling {
                members.append(("scl_slope", .number(scaling.slope)))
                members.append(("scl_inter", .number(scaling.intercept)))
            }
            members.append(("floats_read_as_labels", .bool(floatsReadAsLabels)))
            if let placement {
                members.append(("orientation", .string(placement.orientation)))
                members.append(("transform", .string(placement.transform)))
                members.append(("origin_mm", .array(placement.origin.map { .number($0) })))
                members.append(("direction", .array(placement.direction.map { .number($0) })))
            }
            return .object(members)
        }

        /// The text line of `inspect`.
        var text: String {
            func list(_ values: [Double]) -> String { values.map { NumberText.shortest($0) }.joined(separator: " x ") }
            var line = "  NIfTI-\(version): dims \(dimsText), \(dataType) \(bigEndian ? "big" : "little")-endian"
            if let scaling {
                line +=
                    ", scaled by scl_slope \(NumberText.shortest(scaling.slope)), scl_inter \(NumberText.shortest(scaling.intercept))"
            }
            line += "; spacing \(list(spacing)) mm"
            if unit != "mm" { line += " (pixdim \(list(pixdim)) \(unit))" }
            line += "; qform_code \(qformCode), sform_code \(sformCode)"
            if let placement {
                // Six significant digits: a direction read from 32-bit floats is not exact beyond that.
                func point(_ values: [Double]) -> String {
                    "(" + values.map { NumberText.significant($0) }.joined(separator: ", ") + ")"
                }
                let axes = (0..<3).map { axis in point((0..<3).map { placement.direction[safe: 3 * $0 + axis] ?? 0 }) }
                line +=
                    "\n  orientation \(placement.orientation) from the \(placement.transform == "none" ? "defaults (no qform or sform)" : placement.transform)"
                line += "; origin \(point(placement.origin)) mm; axes \(axes.joined(separator: " "))"
            }
            return line
        }
    }

    /// How many colours are listed at most.
    public static let colorLimit = 256

    /// The facts; every field is given by the caller.
    public init(
        path: String, format: String, width: Int, height: Int, pages: Int, channels: Int, bitDepth: Int, sample: String,
        color: String, compression: String, interlaced: Bool, tiled: Bool, separatePlanes: Bool, predictor: Int,
        paletteEntries: Int, min: Double, max: Double, distinct: Int?, values: [ValueCount]?, hasColors: Bool,
        colors: [ColorCount]?, auto: String, autoDetail: String
    ) {
        self.path = path
        self.format = format
        self.width = width
        self.height = height
        self.pages = pages
        self.channels = channels
        self.bitDepth = bitDepth
        self.sample = sample
        self.color = color
        self.compression = compression
        self.interlaced = interlaced
        self.tiled = tiled
        self.separatePlanes = separatePlanes
        self.predictor = predictor
        self.paletteEntries = paletteEntries
        self.min = min
        self.max = max
        self.distinct = distinct
        self.values = values
        self.hasColors = hasColors
        self.colors = colors
        self.auto = auto
        self.autoDetail = autoDetail
    }

    /// The `inspect --json` object: path, format, width, height, pages, channels, bit_depth,
    /// sample, color, min, max, distinct, values (the last two for integer data only, `values`
    /// when there are at most 256 distinct values), then the encoding details.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(path)), ("format", .string(format)), ("width", .int(width)), ("height", .int(height)),
            ("pages", .int(pages)), ("channels", .int(channels)), ("bit_depth", .int(bitDepth)), ("sample", .string(sample)),
            ("color", .string(color)), ("min", .number(min)), ("max", .number(max)),
        ]
        if let distinct { members.append(("distinct", .int(distinct))) }
        if let values { members.append(("values", .object(values.map { (String($0.value), .int($0.count)) }))) }
        if let colors { members.append(("colors", .object(colors.map { (Self.colorKey($0.components), .int($0.count)) }))) }
        members.append(("auto", .string(auto)))
        members.append(("auto_detail", .string(autoDetail)))
        members.append(("compression", .string(compression)))
        if format == "png" { members.append(("interlaced", .bool(interlaced))) }
        if format == "tiff" {
            members.append(("tiled", .bool(tiled)))
            members.append(("planar", .string(separatePlanes ? "separate" : "contiguous")))
            members.append(("predictor", .int(predictor)))
        }
        if paletteEntries > 0 { members.append(("palette_entries", .int(paletteEntries))) }
        if let volume { members.append(("nifti", volume.json)) }
        return .object(members)
    }

    /// The `inspect --json` line of a file that could not be read.
    public static func failureJSON(path: String, reason: String) -> JSONValue {
        .object([("path", .string(path)), ("error", .string(reason))])
    }

    /// A few human lines: the encoding, then the values.
    public var text: String {
        var encoding = "\(format.uppercased()) \(width)x\(height)"
        encoding += ", \(pages) page\(pages == 1 ? "" : "s"), \(channels) channel\(channels == 1 ? "" : "s")"
        if let volume {
            encoding += ", \(volume.dataType) read as \(sample)"
            if volume.floatsReadAsLabels { encoding += " (whole numbers: labels)" }
            encoding += ", \(compression)"
        } else {
            encoding += ", \(bitDepth)-bit \(color) stored as \(sample), \(compression)"
        }
        if interlaced { encoding += ", Adam7 interlaced" }
        if tiled { encoding += ", tiled" }
        if separatePlanes { encoding += ", separate planes" }
        if paletteEntries > 0 { encoding += ", palette of \(paletteEntries)" }
        var lines = ["\(path): \(encoding)"]
        if let volume { lines.append(volume.text) }
        var range = "  min \(NumberText.shortest(min)), max \(NumberText.shortest(max))"
        if let distinct { range += ", \(distinct) distinct value\(distinct == 1 ? "" : "s")" }
        lines.append(range)
        if hasColors {
            if let colors {
                let shown = colors.prefix(16).map { "\(Self.colorKey($0.components)): \($0.count)" }.joined(separator: ", ")
                lines.append("  colors: " + shown + (colors.count > 16 ? ", … (\(colors.count - 16) more)" : ""))
            } else {
                lines.append("  colors: more than \(Self.colorLimit) distinct")
            }
        }
        if let values {
            let shown = values.prefix(16).map { "\($0.value): \($0.count)" }.joined(separator: ", ")
            let label = hasColors && color != "palette" ? "  sample values (all channels): " : "  values: "
            lines.append(label + shown + (values.count > 16 ? ", … (\(values.count - 16) more)" : ""))
        }
        lines.append("  auto: \(auto) — \(autoDetail)")
        return lines.joined(separator: "\n")
    }

    /// A colour as `--labels` writes it: `[255,0,0]`.
    public static func colorKey(_ components: [Int]) -> String {
        "[" + components.map(String.init).joined(separator: ",") + "]"
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
