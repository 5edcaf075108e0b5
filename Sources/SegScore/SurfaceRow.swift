import DatasetScan
import SegMetrics

/// The boundary metrics of a stored row: after the counts, a flag byte (0: none), then the
/// spacing (three Float64), its source (one byte), the number of classes (UInt32) and per class
/// its id (Int64), why it is undefined (one byte, 0 for defined), the number of values (one byte)
/// and per value the metric's index in `SurfaceMetric.allCases` (one byte) and its Float64 bits.
enum SurfaceRow {
    private static let sources: [SpacingSource] = [.option, .file, .default]
    private static let reasons: [SurfaceUndefined?] = [nil, .gtEmpty, .predEmpty, .bothEmpty]

    static func encode(_ surface: PairSurface?, into buffer: inout [UInt8]) {
        func put64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) } }
        guard let surface else {
            buffer.append(0)
            return
        }
        buffer.append(1)
        for value in surface.spacing.prefix(3) { put64(value.bitPattern) }
        buffer.append(UInt8(sources.firstIndex(of: surface.source) ?? 2))
        withUnsafeBytes(of: UInt32(surface.values.count).littleEndian) { buffer.append(contentsOf: $0) }
        for (id, values) in surface.values.sorted(by: { $0.key < $1.key }) {
            put64(UInt64(bitPattern: Int64(id)))
            buffer.append(UInt8(reasons.firstIndex(of: values.undefined) ?? 0))
            let entries = values.values.sorted { $0.key < $1.key }
            buffer.append(UInt8(entries.count))
            for (metric, value) in entries {
                buffer.append(UInt8(SurfaceMetric.allCases.firstIndex(of: metric) ?? 0))
                put64(value.bitPattern)
            }
        }
    }

    static func decode(_ raw: UnsafeRawBufferPointer, at position: inout Int) -> PairSurface? {
        func byte() -> UInt8 {
            defer { position += 1 }
            return raw[position]
        }
        func u64() -> UInt64 {
            defer { position += 8 }
            return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        }
        guard position < raw.count, byte() == 1 else { return nil }
        let spacing = (0..<3).map { _ in Double(bitPattern: u64()) }
        let source = sources[Int(byte())]
        let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
        position += 4
        var classes: [Int: SurfaceValues] = [:]
        for _ in 0..<count {
            let id = Int(Int64(bitPattern: u64()))
            let reason = reasons[Int(byte())]
            var values: [SurfaceMetric: Double] = [:]
            for _ in 0..<Int(byte()) {
                let metric = SurfaceMetric.allCases[Int(byte())]
                values[metric] = Double(bitPattern: u64())
            }
            classes[id] = SurfaceValues(values: values, undefined: reason)
        }
        return PairSurface(values: classes, spacing: spacing, source: source)
    }
}

extension Evaluation {
    /// One warning when predictions declare another spacing than their ground truth (the ground
    /// truth's is used).
    static func spacingWarnings(_ notes: RunNotes, pairs: PairList) -> [String] {
        guard let first = notes.firstSpacingMismatch else { return [] }
        let others = notes.spacingMismatches - 1
        return [
            "\(pairs.predictionPath(at: first) ?? pairs.truthPath(at: first)): declares another spacing than its ground truth; "
                + "boundary metrics use the ground truth's"
                + (others > 0 ? " (and \(others) more pair\(others == 1 ? "" : "s"))" : "")
        ]
    }
}
