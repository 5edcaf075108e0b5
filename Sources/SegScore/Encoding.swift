import MaskIO
import SegMetrics

/// How the stored samples of a file become classes (`--encoding`).
public enum MaskEncoding: String, Sendable, CaseIterable {
    /// Decided per file: palette and integer data are labels (binary when every nonzero value is
    /// the type's maximum), RGB needs a colour table, float and multi-sample data are channels or
    /// probabilities.
    case auto
    /// Integer values are class ids.
    case labels
    /// Nonzero (or, for floats, above the threshold) is class 1.
    case binary
    /// K channels, each a class (0-based channel index): integer nonzero = on, float = probability.
    case channels
    /// Probability maps: floats as they are, 8/16-bit as value/255 and value/65535.
    case probability
    /// RGB colours mapped to classes through the colour table of `--labels`.
    case rgb
}

/// How a multi-page TIFF is read (`--pages`).
public enum PageMode: String, Sendable, CaseIterable {
    /// The pages are slices of a volume.
    case slices
    /// The pages are channels.
    case channels
}

/// What one side of a pair turned out to be, as the report states it.
enum SideInterpretation: Sendable {
    /// Integer class ids (after the reading's aliases, e.g. 255 → 1 for a 0/255 binary mask).
    case labels(LabelReading)
    /// RGB colours converted to class ids.
    case rgbLabels([UInt16])
    /// K stored channels (or one probability map).
    case channels(ChannelLayout)

    /// The name written into reports.
    var name: String {
        switch self {
        case .labels(let reading): return reading.kind
        case .rgbLabels: return "rgb"
        case .channels(let layout):
            return layout.probabilities ? (layout.count == 1 ? "probability" : "probability-channels") : "channels"
        }
    }
}

/// How the channels of a side are laid out and read.
///
/// Class ids of channel data are the 0-based channel indices, one channel included, with one
/// exception: a single probability map read under `auto`, `probability` or `binary` is the binary
/// problem, like the label map its threshold gives: class 1 is p, class 0 (background) is 1 − p.
struct ChannelLayout: Sendable, Equatable {
    /// Channels (samples per pixel, or pages under `--pages channels`).
    var count: Int
    /// True when channels are pages (page-major storage), false when interleaved.
    var pageMajor: Bool
    /// Turns stored values into [0, 1]: 1 for float, 1/255 and 1/65535 for 8- and 16-bit probabilities.
    var scale: Double
    /// False for integer on/off channels.
    var probabilities: Bool
    /// True for the single probability map of a binary problem (classes 0 = 1 − p and 1 = p).
    var binaryForeground: Bool = false
}

/// Why a mask could not be interpreted as classes.
struct InterpretationError: Error, Sendable {
    var message: String
}

extension DecodedMask {
    /// The value that `auto` reads as label 1 when it is the only nonzero value: 255 for 8-bit
    /// gray, 65535 for 16-bit gray; nil otherwise. Palette indices are always labels, and so are
    /// 1/2/4-bit gray values and 32-bit integers (the stored value is the label).
    var binaryMaximum: Int? {
        guard declaration.color == .gray else { return nil }
        switch samples {
        case .uint8: return declaration.bitDepth == 8 ? 255 : nil
        case .uint16: return declaration.bitDepth == 16 ? 65535 : nil
        case .uint32, .float32: return nil
        }
    }

    /// Decides how to read this file.
    /// - Parameters:
    ///   - ignored: ignore labels, left aside by the binary test.
    ///   - colors: the colour table of `--labels`, for RGB masks.
    ///   - autoBinary: when `auto` may read a 0/255 (0/65535) file as binary.
    func interpretation(
        encoding: MaskEncoding, pages: PageMode, ignored: [Int], colors: [RGBColor: Int],
        autoBinary: AutoBinaryRule = .always
    ) throws(InterpretationError) -> SideInterpretation {
        let pagesAreChannels = pages == .channels && depth > 1
        if pagesAreChannels && channels > 1 {
            throw InterpretationError(message: "--pages channels needs one sample per pixel; this file has \(channels)")
        }
        let channelCount = pagesAreChannels ? depth : channels
        let isFloat = sampleType == .float32
        let probabilityScale: Double
        switch samples {
        case .uint8: probabilityScale = 1.0 / 255
        case .uint16: probabilityScale = 1.0 / 65535
        case .uint32: probabilityScale = 1.0 / 4_294_967_295
        case .float32: probabilityScale = 1
        }
        func layout(scale: Double, probabilities: Bool, binaryForeground: Bool) -> SideInterpretation {
            .channels(
                ChannelLayout(
                    count: channelCount, pageMajor: pagesAreChannels, scale: scale, probabilities: probabilities,
                    binaryForeground: binaryForeground && channelCount == 1))
        }
        switch encoding {
        case .rgb:
            return .rgbLabels(try rgbLabels(colors: colors))
        case .channels:
            return layout(scale: 1, probabilities: isFloat, binaryForeground: false)
        case .probability:
            return layout(scale: probabilityScale, probabilities: true, binaryForeground: true)
        case .binary:
            guard channelCount == 1 else {
                throw InterpretationError(message: "--encoding binary needs one channel; this file has \(channelCount)")
            }
            if isFloat { return layout(scale: 1, probabilities: true, binaryForeground: true) }
            return .labels(labelReading(encoding: .binary, ignored: ignored))
        case .labels:
            guard channelCount == 1, !isFloat else {
                throw InterpretationError(message: "--encoding labels needs one integer channel")
            }
            return .labels(labelReading(encoding: .labels, ignored: ignored))
        case .auto:
            if declaration.color == .rgb || declaration.color == .rgba {
                guard !colors.isEmpty else {
                    var message = "an RGB mask needs --labels with colours ([r,g,b] per class), or --encoding channels"
                    if let shape = declaration.tifffileShape, shape.count == 3 {
                        // tifffile stores a 3-D array with 3 or 4 slices (or columns) as RGB pixels.
                        message +=
                            "; tifffile's description gives the shape \(shape): if this is a 3-D mask, save it with "
                            + "photometric='minisblack' (or as NIfTI) so that it is read as a volume"
                    }
                    throw InterpretationError(message: message)
                }
                return .rgbLabels(try rgbLabels(colors: colors))
            }
            if isFloat || channelCount > 1 {
                return layout(scale: 1, probabilities: isFloat, binaryForeground: isFloat)
            }
            return .labels(labelReading(encoding: .auto, ignored: ignored, autoBinary: autoBinary))
        }
    }

    /// The `LabelReading` rule applied to this single-channel integer file's distinct values.
    private func labelReading(encoding: MaskEncoding, ignored: [Int], autoBinary: AutoBinaryRule = .always) -> LabelReading {
        let stored: [Int]
        switch samples {
        case .uint8(let values): stored = values.withUnsafeBufferPointer { distinctLabels($0) }
        case .uint16(let values): stored = values.withUnsafeBufferPointer { distinctLabels($0) }
        case .uint32(let values): stored = values.withUnsafeBufferPointer { distinctLabels($0) }
        case .float32: stored = []  // not reached: floats are never label maps
        }
        return LabelReading(
            encoding: encoding, stored: stored, binaryMaximum: autoBinary.binaryMaximum(binaryMaximum),
            palette: declaration.color == .palette,
            ignored: ignored)
    }

    /// Converts RGB(A) pixels to class ids through the colour table.
    private func rgbLabels(colors: [RGBColor: Int]) throws(InterpretationError) -> [UInt16] {
        guard channels == 3 || channels == 4, case .uint8(let values) = samples else {
            throw InterpretationError(message: "--encoding rgb needs 8-bit RGB or RGBA pixels")
        }
        guard !colors.isEmpty else {
            throw InterpretationError(message: "an RGB mask needs --labels with colours ([r,g,b] per class)")
        }
        if let big = colors.values.first(where: { $0 > 65535 }) {
            throw InterpretationError(message: "class id \(big) is too large for an RGB mask")
        }
        // Packed 24-bit colour → id + 1 (0 = unknown), in a flat table.
        var table = [UInt32](repeating: 0, count: 1 << 24)
        for (color, id) in colors {
            table[Int(color.red) << 16 | Int(color.green) << 8 | Int(color.blue)] = UInt32(id) + 1
        }
        let k = channels
        var labels = [UInt16](repeating: 0, count: pixelCount)
        var unknown: Int?
        var unknownCount = 0
        values.withUnsafeBufferPointer { v in
            labels.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count {
                    let packed = Int(v[i * k]) << 16 | Int(v[i * k + 1]) << 8 | Int(v[i * k + 2])
                    let id = table[packed]
                    if id == 0 {
                        if unknown == nil { unknown = packed }
                        unknownCount += 1
                    } else {
                        out[i] = UInt16(id - 1)
                    }
                }
            }
        }
        if let unknown {
            let color = RGBColor(UInt8(unknown >> 16), UInt8((unknown >> 8) & 255), UInt8(unknown & 255))
            throw InterpretationError(
                message: "\(unknownCount) pixel\(unknownCount == 1 ? "" : "s") with colours not in --labels, first \(color)")
        }
        return labels
    }
}
