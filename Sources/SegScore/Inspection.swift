import Foundation
import MaskIO
import ReportWriters
import Parallel

/// The facts `segscore inspect` reports about one file.
public struct FileInspection: Sendable, Equatable {
    /// The path as given.
    public var path: String
    /// The decoded mask (its declaration, shape and samples). From `inspect(paths:…)` its samples
    /// are released (empty) once the statistics are taken, so a list of files holds no pixels.
    public var mask: DecodedMask
    /// Range, distinct values and histogram of the samples.
    public var statistics: MaskStatistics

    /// Decodes `path` and summarises its values.
    /// - Throws: `MaskIOError` naming the file and the reason.
    public init(path: String, decoder: MaskDecoder = MaskDecoder()) throws(MaskIOError) {
        self.path = path
        mask = try decoder.decode(path: path)
        statistics = MaskStatistics(of: mask)
    }

    /// Decodes the file `reader` opened and summarises its values.
    init(reader: MaskReader) throws(MaskIOError) {
        path = reader.path
        mask = try reader.decode()
        statistics = MaskStatistics(of: mask)
    }

    /// Bytes `MaskStatistics` allocates for a mask of this header: the bins of 8- and 16-bit data,
    /// a sorted copy and up to one bin per sample for 32-bit integers.
    static func statisticsBytes(_ header: MaskHeader) -> UInt64 {
        let samples = UInt64(header.pixelCount) * UInt64(header.channels)
        switch header.sampleType {
        case .uint8: return 256 * 8
        case .uint16: return 65536 * 8
        case .uint32: return samples.multipliedReportingOverflow(by: 20).overflow ? .max : samples * 20
        case .float32: return 0
        }
    }

    /// The `inspect --json` object: path, format, width, height, pages, channels, bit_depth,
    /// sample, color, min, max, distinct, values (the last two for integer data only, `values`
    /// when there are at most 256 distinct values), then the encoding details.
    public var json: JSONValue {
        let declaration = mask.declaration
        var members: [(String, JSONValue)] = [
            ("path", .string(path)),
            ("format", .string(declaration.format.rawValue)),
            ("width", .int(mask.width)),
            ("height", .int(mask.height)),
            ("pages", .int(mask.depth)),
            ("channels", .int(mask.channels)),
            ("bit_depth", .int(declaration.bitDepth)),
            ("sample", .string(mask.sampleType.rawValue)),
            ("color", .string(declaration.color.rawValue)),
            ("min", .number(statistics.min)),
            ("max", .number(statistics.max)),
        ]
        if let distinct = statistics.distinct { members.append(("distinct", .int(distinct))) }
        if let histogram = statistics.histogram {
            members.append(("values", .object(histogram.map { (String($0.value), .int($0.count)) })))
        }
        members.append(("compression", .string(declaration.compressionName)))
        if declaration.format == .png { members.append(("interlaced", .bool(declaration.interlaced))) }
        if declaration.format == .tiff {
            members.append(("tiled", .bool(declaration.tiled)))
            members.append(("planar", .string(declaration.separatePlanes ? "separate" : "contiguous")))
            members.append(("predictor", .int(declaration.predictor)))
        }
        if !declaration.palette.isEmpty { members.append(("palette_entries", .int(declaration.palette.count))) }
        return .object(members)
    }

    /// A few human lines: the encoding, then the values.
    public var text: String {
        let d = mask.declaration
        var encoding = "\(d.format.rawValue.uppercased()) \(mask.width)x\(mask.height)"
        encoding += ", \(mask.depth) page\(mask.depth == 1 ? "" : "s"), \(mask.channels) channel\(mask.channels == 1 ? "" : "s")"
        encoding += ", \(d.bitDepth)-bit \(d.color.rawValue) stored as \(mask.sampleType.rawValue), \(d.compressionName)"
        if d.interlaced { encoding += ", Adam7 interlaced" }
        if d.tiled { encoding += ", tiled" }
        if d.separatePlanes { encoding += ", separate planes" }
        if !d.palette.isEmpty { encoding += ", palette of \(d.palette.count)" }
        var lines = ["\(path): \(encoding)"]
        var range = "  min \(NumberText.shortest(statistics.min)), max \(NumberText.shortest(statistics.max))"
        if let distinct = statistics.distinct { range += ", \(distinct) distinct value\(distinct == 1 ? "" : "s")" }
        lines.append(range)
        if let histogram = statistics.histogram {
            let shown = histogram.prefix(16).map { "\($0.value): \($0.count)" }.joined(separator: ", ")
            lines.append("  values: " + shown + (histogram.count > 16 ? ", … (\(histogram.count - 16) more)" : ""))
        }
        return lines.joined(separator: "\n")
    }
}

/// Inspects many files in parallel; results come back in the order of `paths`.
/// - Parameters:
///   - paths: files to read.
///   - decoder: decoder settings (the size limit).
///   - memory: what the files being decoded may hold together (`--max-memory`): a file needing
///     more alone is an error naming the option; others wait until it fits.
/// - Returns: one result per path, in input order, each mask's samples released.
public func inspect(
    paths: [String], decoder: MaskDecoder = MaskDecoder(), memory: MemoryLimit = .machineDefault
) -> [Result<FileInspection, MaskIOError>] {
    var decoder = decoder
    decoder.maxBytes = memory.bytes
    decoder.maxBytesName = memory.name
    let budget = ByteBudget(capacity: memory.bytes)
    return Parallel.map(count: paths.count, jobs: ProcessInfo.processInfo.activeProcessorCount) { [decoder] index in
        Result { () throws(MaskIOError) in
            let reader = try decoder.open(path: paths[index])
            let (need, overflow) = reader.header.decodedBytes.addingReportingOverflow(
                FileInspection.statisticsBytes(reader.header))
            guard !overflow, need <= memory.bytes else {
                throw .tooLarge(
                    path: reader.path,
                    detail: "decoding and counting its values needs \(MemoryLimit.describe(overflow ? .max : need)), more than \(memory.name)")
            }
            budget.acquire(need)
            defer { budget.release(need) }
            var inspection = try FileInspection(reader: reader)
            // Empty, of the same type: `sample` in the report still reads the type.
            switch inspection.mask.samples {
            case .uint8: inspection.mask.samples = .uint8([])
            case .uint16: inspection.mask.samples = .uint16([])
            case .uint32: inspection.mask.samples = .uint32([])
            case .float32: inspection.mask.samples = .float32([])
            }
            return inspection
        }
    }
}
