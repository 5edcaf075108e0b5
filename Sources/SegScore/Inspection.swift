import Foundation
import MaskIO
import Parallel
import ReportWriters

/// The facts `segscore inspect` reports about one file.
public struct FileInspection: Sendable, Equatable {
    /// The path as given.
    public var path: String
    /// The decoded mask (its declaration, shape and samples). From `inspect(paths:…)` its samples
    /// are released (empty) once the statistics are taken, so a list of files holds no pixels.
    public var mask: DecodedMask
    /// Range, distinct values and histogram of the samples.
    public var statistics: MaskStatistics
    /// RGB/RGBA masks (alpha aside) and palette masks (through the palette): each colour as
    /// `--labels` writes it (`[r,g,b]`) with its pixel count, sorted; nil for other masks.
    public var colors: ColorCounts?
    /// What `--encoding auto` decides for this file, named as evaluate's reports name it
    /// (`binary`, `labels`, `palette-labels`, `probability`, `channels`, `probability-channels`,
    /// `rgb`).
    public var auto: String
    /// Why, in a few words: "0/255: 255 is label 1", "ids 0, 1, 2", or what `auto` refuses.
    public var autoDetail: String

    /// The colours of a mask, up to `limit` distinct ones.
    public struct ColorCounts: Sendable, Equatable {
        /// A colour (`[r, g, b]`, stored values) and its pixel count.
        public struct Entry: Sendable, Equatable {
            /// The colour's stored values, `[r, g, b]`.
            public var components: [Int]
            /// Pixels of that colour.
            public var count: Int
        }
        /// The colours in ascending order; nil when there are more than `limit`.
        public var entries: [Entry]?
        /// How many colours are listed at most.
        public static let limit = InspectionFacts.colorLimit
    }

    /// Decodes `path` and summarises its values.
    /// - Throws: `MaskIOError` naming the file and the reason.
    public init(path: String, decoder: MaskDecoder = MaskDecoder()) throws(MaskIOError) {
        self.path = path
        mask = try decoder.decode(path: path)
        statistics = MaskStatistics(of: mask)
        colors = Self.colors(of: mask)
        (auto, autoDetail) = Self.autoReading(of: mask, statistics: statistics)
    }

    /// `--encoding auto` applied to the file (no ignore labels, no colour table, pages as slices),
    /// by the rule `evaluate` uses (`DecodedMask.interpretation`), then described.
    static func autoReading(of mask: DecodedMask, statistics: MaskStatistics) -> (String, String) {
        let reading: SideInterpretation
        do throws(InterpretationError) {
            reading = try mask.interpretation(encoding: .auto, pages: .slices, ignored: [], colors: [:])
        } catch {
            let color = mask.declaration.color
            return (color == .rgb || color == .rgba ? "rgb" : "refused", error.message)
        }
        switch reading {
        case .labels(let label):
            let (aliases, kind) = (label.aliases, label.kind)
            if kind == "binary", let maximum = aliases.keys.first {
                return (kind, "0/\(maximum): \(maximum) is label 1")
            }
            var ids: String
            if let histogram = statistics.histogram {
                ids = "ids " + histogram.prefix(16).map { String($0.value) }.joined(separator: ", ")
                if histogram.count > 16 { ids += ", … (\(histogram.count - 16) more)" }
            } else {
                ids =
                    "\(statistics.distinct.map(String.init) ?? "many") distinct ids from "
                    + "\(NumberText.shortest(statistics.min)) to \(NumberText.shortest(statistics.max))"
            }
            // The rule of Evaluation.manyIDWarnings: distinct nonzero ids of a non-palette label map.
            let nonzero = statistics.histogram.map { $0.filter { $0.value != 0 }.count } ?? statistics.distinct ?? 0
            if kind == "labels" && nonzero > Evaluation.manyIDs {
                ids +=
                    "; more than \(Evaluation.manyIDs) nonzero ids: without --classes or --labels, evaluate warns "
                    + "it may be a probability map saved as integers"
            }
            return (kind, kind == "palette-labels" ? "palette indices are the labels: " + ids : ids)
        case .rgbLabels:
            return (reading.name, "colours through --labels")
        case .channels(let layout):
            var detail: String
            if layout.probabilities {
                detail =
                    layout.count == 1
                    ? "one float channel: p, foreground where p > --threshold"
                    : "\(layout.count) float channels: class = channel index"
                let low = statistics.min
                let high = statistics.max
                if !(low >= 0 && high <= 1) {
                    detail +=
                        "; but values lie outside [0, 1] (min \(NumberText.shortest(low)), max \(NumberText.shortest(high)))"
                        + ": evaluate refuses this file"
                }
            } else {
                detail = "\(layout.count) channels: class = channel index, nonzero = on"
            }
            return (reading.name, detail)
        }
    }

    /// The colours of an RGB/RGBA mask (alpha aside) or of a palette mask's pixels; nil otherwise.
    static func colors(of mask: DecodedMask) -> ColorCounts? {
        let declaration = mask.declaration
        var counts: [UInt64: Int] = [:]
        var overflow = false
        // Runs of one colour cost one dictionary update.
        var current: UInt64 = 0
        var run = 0
        func flush() {
            guard run > 0 else { return }
            if counts[current] != nil || counts.count < ColorCounts.limit {
                counts[current, default: 0] += run
            } else {
                overflow = true
            }
            run = 0
        }
        func add(_ packed: UInt64) {
            if packed != current {
                flush()
                current = packed
            }
            run += 1
        }
        func pack(_ r: Int, _ g: Int, _ b: Int) -> UInt64 { UInt64(r) << 32 | UInt64(g) << 16 | UInt64(b) }
        switch (declaration.color, mask.samples) {
        case (.rgb, .uint8(let v)), (.rgba, .uint8(let v)):
            let k = mask.channels
            guard k >= 3 else { return nil }
            for i in stride(from: 0, to: v.count - k + 1, by: k) { add(pack(Int(v[i]), Int(v[i + 1]), Int(v[i + 2]))) }
        case (.rgb, .uint16(let v)), (.rgba, .uint16(let v)):
            let k = mask.channels
            guard k >= 3 else { return nil }
            for i in stride(from: 0, to: v.count - k + 1, by: k) { add(pack(Int(v[i]), Int(v[i + 1]), Int(v[i + 2]))) }
        case (.palette, .uint8(let v)):
            let palette = declaration.palette
            guard !palette.isEmpty else { return nil }
            for index in v where Int(index) < palette.count {
                let c = palette[Int(index)]
                add(pack(Int(c.red), Int(c.green), Int(c.blue)))
            }
        default:
            return nil
        }
        flush()
        if overflow { return ColorCounts(entries: nil) }
        let entries = counts.keys.sorted().map { key in
            ColorCounts.Entry(
                components: [Int(key >> 32), Int((key >> 16) & 0xFFFF), Int(key & 0xFFFF)], count: counts[key] ?? 0)
        }
        return ColorCounts(entries: entries)
    }

    /// Decodes the file `reader` opened and summarises its values.
    init(reader: MaskReader) throws(MaskIOError) {
        path = reader.path
        mask = try reader.decode()
        statistics = MaskStatistics(of: mask)
        colors = Self.colors(of: mask)
        (auto, autoDetail) = Self.autoReading(of: mask, statistics: statistics)
    }

    /// Bytes `MaskStatistics` allocates for a mask of this header: the bins of 8- and 16-bit data,
    /// a sorted copy and up to one bin per sample for 32-bit integers; for float NIfTI data, the
    /// label array its whole numbers may become and the 32-bit statistics of it.
    static func statisticsBytes(_ header: MaskHeader) -> UInt64 {
        let samples = UInt64(header.pixelCount) * UInt64(header.channels)
        switch header.sampleType {
        case .uint8: return 256 * 8
        case .uint16: return 65536 * 8
        case .uint32: return samples.multipliedReportingOverflow(by: 20).overflow ? .max : samples * 20
        case .float32:
            // Float NIfTI data holding whole numbers become labels (conversionBytes), up to 32-bit ones.
            guard header.conversionBytes > 0 else { return 0 }
            let (labels, overflow) = samples.multipliedReportingOverflow(by: 20)
            return overflow
                ? .max
                : labels.addingReportingOverflow(header.conversionBytes).overflow
                    ? .max : labels + header.conversionBytes
        }
    }

    /// The facts `inspect` prints (text or JSON), as `ReportWriters` renders them.
    public var facts: InspectionFacts {
        let d = mask.declaration
        var facts = InspectionFacts(
            path: path, format: d.format.rawValue, width: mask.width, height: mask.height, pages: mask.depth,
            channels: mask.channels, bitDepth: d.bitDepth, sample: mask.sampleType.rawValue, color: d.color.rawValue,
            compression: d.compressionName, interlaced: d.interlaced, tiled: d.tiled, separatePlanes: d.separatePlanes,
            predictor: d.predictor, paletteEntries: d.palette.count, min: statistics.min, max: statistics.max,
            distinct: statistics.distinct,
            values: statistics.histogram.map { $0.map { InspectionFacts.ValueCount(value: $0.value, count: $0.count) } },
            hasColors: colors != nil,
            colors: colors?.entries.map { $0.map { InspectionFacts.ColorCount(components: $0.components, count: $0.count) } },
            auto: auto, autoDetail: autoDetail)
        if let n = d.nifti {
            facts.volume = InspectionFacts.Volume(
                version: n.version, dataType: n.dataType, bigEndian: n.bigEndian, dims: n.dims, pixdim: n.pixdim,
                unit: n.spaceUnit, spacing: d.spacing ?? [], qformCode: n.qformCode, sformCode: n.sformCode,
                scaling: n.scaled ? (n.sclSlope, n.sclInter) : nil, floatsReadAsLabels: n.floatsReadAsLabels)
            if let g = d.geometry {
                facts.volume?.placement = .init(transform: g.source, origin: g.origin, direction: g.direction)
            }
        }
        return facts
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
                FileInspection.statisticsBytes(reader.header) &+ reader.header.scratchBytes)
            guard !overflow, need <= memory.bytes else {
                throw .tooLarge(
                    path: reader.path,
                    detail:
                        "decoding and counting its values needs \(MemoryLimit.describe(overflow ? .max : need)), more than \(memory.name)"
                )
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
