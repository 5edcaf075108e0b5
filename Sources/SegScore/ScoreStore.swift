import DatasetScan
import Foundation
import Parallel
import SegMetrics

#if canImport(Glibc)
    import Glibc
#endif

/// The counts of every scored pair of a run, in key order, kept out of the heap.
///
/// Workers finish pairs in any order; `Evaluation` hands them to a `ScoreStore.Writer` in key
/// order. Rows are small binary records (the pair's index, its encodings, its pixel count and
/// its counts or soft sums per class). The first 256 KB stay in memory; beyond that the rows go
/// to a temporary file that is unlinked as soon as it is created (nothing is left behind, even
/// on SIGKILL). Memory is then a write buffer, a read block per reader and 4 bytes per row,
/// however large the dataset. The summary, the reports and `explain` read the rows back.
final class ScoreStore: Sendable {
    // Every stored property is a constant; `cache` is a lock. pread on one descriptor from
    // several threads is safe.
    /// Start of each row, and the end of the last one (4 bytes a row).
    private let offsets: CompactOffsets
    /// The rows when they never left memory.
    private let memory: [UInt8]
    /// The spill file (already unlinked), or -1.
    private let descriptor: Int32
    /// Encoding names, indexed by the numbers stored in rows.
    private let encodings: [String]
    private let cache = Locked<[ReadCache]>([])

    /// A block read from the file: `bytes[0..<valid]` holds the file from `start`.
    private struct ReadCache {
        var start = 0
        var valid = 0
        var bytes: [UInt8] = []
        var lastUse = 0
    }

    /// Blocks kept: one per report being written at the same time, and a spare.
    private static let cacheBlocks = 3

    /// Bytes kept in memory before the rows spill to a file (then the size of each write).
    static let defaultMemoryLimit = 256 * 1024

    /// Bytes read from the spill file at a time.
    private static let readBlock = 256 * 1024

    private init(offsets: CompactOffsets, memory: [UInt8], descriptor: Int32, encodings: [String]) {
        self.offsets = offsets
        self.memory = memory
        self.descriptor = descriptor
        self.encodings = encodings
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Number of rows.
    var count: Int { offsets.count - 1 }

    /// True when the rows went to a temporary file.
    var spilled: Bool { descriptor >= 0 }

    /// Row `index`: the pair it belongs to and its counts.
    func row(_ index: Int) -> StoredRow {
        let start = offsets[index]
        let end = offsets[index + 1]
        if descriptor < 0 {
            return memory.withUnsafeBufferPointer {
                StoredRow.decode(UnsafeBufferPointer(rebasing: $0[start..<end]), encodings: encodings)
            }
        }
        return cache.withLock { blocks in
            let clock = (blocks.map(\.lastUse).max() ?? 0) + 1
            let block: Int
            if let cached = blocks.firstIndex(where: { start >= $0.start && end <= $0.start + $0.valid }) {
                block = cached
            } else {
                // Sequential readers each keep their block: refill the least recently used one.
                if blocks.count < Self.cacheBlocks {
                    blocks.append(ReadCache())
                    block = blocks.count - 1
                } else if let oldest = blocks.indices.min(by: { blocks[$0].lastUse < blocks[$1].lastUse }) {
                    block = oldest
                } else {
                    preconditionFailure("the read cache is full, so it holds at least one block")
                }
                let length = max(Self.readBlock, end - start)
                if blocks[block].bytes.count < length { blocks[block].bytes = [UInt8](repeating: 0, count: length) }
                blocks[block].valid = blocks[block].bytes.withUnsafeMutableBytes { Self.readFully(descriptor, $0, offset: start) }
                blocks[block].start = start
            }
            blocks[block].lastUse = clock
            precondition(
                end <= blocks[block].start + blocks[block].valid, "the score store's file is shorter than what was written")
            let base = blocks[block].start
            return blocks[block].bytes.withUnsafeBufferPointer {
                StoredRow.decode(UnsafeBufferPointer(rebasing: $0[(start - base)..<(end - base)]), encodings: encodings)
            }
        }
    }

    private static func readFully(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer, offset: Int) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress?.advanced(by: done), buffer.count - done, off_t(offset + done))
            let failure = n < 0 ? errno : 0
            if failure == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return done
    }

    /// Appends rows in order, then turns into a `ScoreStore`.
    struct Writer {
        private var offsets = CompactOffsets()
        private var buffer: [UInt8] = []
        private var written = 0
        private var descriptor: Int32 = -1
        private var encodings: [String] = []
        private var encodingNumbers: [String: UInt16] = [:]
        private let folder: String
        private let memoryLimit: Int
        private let expectedRows: Int

        /// - Parameters:
        ///   - expectedRows: at most this many rows will be appended.
        ///   - memoryLimit: bytes of rows kept in memory before they go to a file.
        ///   - folder: where the spill file is made (TMPDIR by default).
        init(expectedRows: Int, memoryLimit: Int = ScoreStore.defaultMemoryLimit, folder: String? = nil) {
            self.folder = folder ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            self.memoryLimit = max(1, memoryLimit)
            self.expectedRows = expectedRows
            offsets.append(0)
        }

        /// Appends the counts of pair `pairIndex`.
        /// - Throws: `SpillError` when the spill file cannot be made or written.
        mutating func append(pairIndex: Int, counts: ImageCounts) throws(SpillError) {
            let row = StoredRow(
                pairIndex: pairIndex, truthEncoding: number(of: counts.truthEncoding),
                predictionEncoding: number(of: counts.predictionEncoding), counts: counts)
            if buffer.capacity == 0 {
                // Reserved on first use, not in init: the writer is copied into the ordering
                // state before it is used, and an allocated buffer would then be copied too.
                buffer.reserveCapacity(min(memoryLimit, 1 << 20) + 16 * 1024)
                offsets.reserveCapacity(expectedRows + 1)
            }
            row.encode(into: &buffer)
            offsets.append(written + buffer.count)
            if buffer.count >= memoryLimit { try flush() }
        }

        /// Appends a row read back from elsewhere (a shard's partial file) as pair `pairIndex`: every
        /// field of the row travels; its encoding numbers are renumbered for this store.
        mutating func append(row: StoredRow, pairIndex: Int) throws(SpillError) {
            var row = row
            row.pairIndex = pairIndex
            row.truthEncoding = number(of: row.counts.truthEncoding)
            row.predictionEncoding = number(of: row.counts.predictionEncoding)
            if buffer.capacity == 0 { buffer.reserveCapacity(min(memoryLimit, 1 << 20) + 16 * 1024) }
            row.encode(into: &buffer)
            offsets.append(written + buffer.count)
            if buffer.count >= memoryLimit { try flush() }
        }

        private mutating func number(of encoding: String) -> UInt16 {
            if let number = encodingNumbers[encoding] { return number }
            let number = UInt16(encodings.count)
            encodings.append(encoding)
            encodingNumbers[encoding] = number
            return number
        }

        private mutating func flush() throws(SpillError) {
            if descriptor < 0 {
                var template = Array((folder + "/segscore-rows-XXXXXX").utf8CString)
                descriptor = mkstemp(&template)  // fills in the X's of the NUL-terminated template
                let failure = descriptor < 0 ? errno : 0
                guard descriptor >= 0 else { throw SpillError(folder: folder, step: .create, errorNumber: failure) }
                _ = unlink(template)
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            }
            var done = 0
            while done < buffer.count {
                var failure: Int32 = 0
                let n = buffer.withUnsafeBytes {
                    let n = write(descriptor, $0.baseAddress?.advanced(by: done), $0.count - done)
                    // A write of 0 bytes sets no errno: count it as an I/O error.
                    failure = n < 0 ? errno : EIO
                    return n
                }
                if n < 0 && failure == EINTR { continue }
                guard n > 0 else { throw SpillError(folder: folder, step: .write, errorNumber: failure) }
                done += n
            }
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }

        /// The finished store.
        mutating func finish() throws(SpillError) -> ScoreStore {
            if descriptor >= 0 { try flush() }
            return ScoreStore(
                offsets: offsets, memory: descriptor >= 0 ? [] : buffer, descriptor: descriptor, encodings: encodings)
        }

        /// Closes the spill file of a writer that will not finish (a setup error mid-run).
        func discard() {
            if descriptor >= 0 { close(descriptor) }
        }
    }
}

/// Why the per-image results of a run could not be written to their temporary file (made in
/// `TMPDIR` once they pass 256 KB).
public struct SpillError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Step: Sendable, Equatable {
        /// Making the temporary file (mkstemp).
        case create
        /// Writing rows to it.
        case write
    }

    /// The folder of the temporary file.
    public var folder: String
    /// Making the file or writing to it.
    public var step: Step
    /// The errno of the failing call, read right after it.
    public var errorNumber: Int32

    /// One line: the folder, what failed, the system's reason and what to do.
    public var description: String {
        let what =
            step == .create
            ? "cannot make a temporary file for per-image results" : "cannot write per-image results to a temporary file"
        return "\(folder): \(what): \(String(cString: strerror(errorNumber)).lowercased()) (set TMPDIR to a writable folder)"
    }
}

/// One stored row: a scored pair's counts, as `PairEvaluator` produced them.
struct StoredRow {
    var pairIndex: Int
    var truthEncoding: UInt16
    var predictionEncoding: UInt16
    var counts: ImageCounts

    /// Little-endian fixed-width fields: pair index, pixels (Int64); the two encodings (UInt16
    /// each); the number of present ids, of hard counts and of soft sums (UInt32 each); the present ids (Int64 each); per hard class its id, tp, fp, fn, tn (Int64); per
    /// soft class its id (Int64) and its nine sums (Float64 bits). Ids in increasing order.
    func encode(into buffer: inout [UInt8]) {
        func put(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { buffer.append(contentsOf: $0) } }
        func put16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) } }
        func put32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { buffer.append(contentsOf: $0) } }
        put(pairIndex)
        put(counts.pixels)
        put16(truthEncoding)
        put16(predictionEncoding)
        put32(counts.present.count)
        put32(counts.counts.count)
        put32(counts.terms.count)
        for id in counts.present { put(id) }
        for (id, c) in counts.counts.sorted(by: { $0.key < $1.key }) {
            put(id)
            put(c.tp)
            put(c.fp)
            put(c.fn)
            put(c.tn)
        }
        for (id, t) in counts.terms.sorted(by: { $0.key < $1.key }) {
            put(id)
            for value in OverlapTerms.fields(of: t) { put(Int(Int64(bitPattern: value.bitPattern))) }
        }
        SurfaceRow.encode(counts.surface, into: &buffer)
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, encodings: [String]) -> StoredRow {
        let raw = UnsafeRawBufferPointer(bytes)
        var position = 0
        func int() -> Int {
            let value = raw.loadUnaligned(fromByteOffset: position, as: Int64.self)
            position += 8
            return Int(Int64(littleEndian: value))
        }
        func uint16() -> UInt16 {
            let value = raw.loadUnaligned(fromByteOffset: position, as: UInt16.self)
            position += 2
            return UInt16(littleEndian: value)
        }
        func uint32() -> Int {
            let value = raw.loadUnaligned(fromByteOffset: position, as: UInt32.self)
            position += 4
            return Int(UInt32(littleEndian: value))
        }
        func double() -> Double { Double(bitPattern: UInt64(bitPattern: Int64(int()))) }
        let pairIndex = int()
        let pixels = int()
        let truth = uint16()
        let prediction = uint16()
        let presentCount = uint32()
        let hardCount = uint32()
        let softCount = uint32()
        var present: [Int] = []
        present.reserveCapacity(presentCount)
        for _ in 0..<presentCount { present.append(int()) }
        var hard: [Int: ClassCounts] = [:]
        for _ in 0..<hardCount {
            let id = int()
            hard[id] = ClassCounts(tp: int(), fp: int(), fn: int(), tn: int())
        }
        var soft: [Int: OverlapTerms] = [:]
        for _ in 0..<softCount {
            let id = int()
            soft[id] = OverlapTerms.from(fields: (0..<9).map { _ in double() })
        }
        let surface = SurfaceRow.decode(raw, at: &position)
        return StoredRow(
            pairIndex: pairIndex, truthEncoding: truth, predictionEncoding: prediction,
            counts: ImageCounts(
                pixels: pixels, counts: hard, terms: soft, present: present, truthEncoding: encodings[Int(truth)],
                predictionEncoding: encodings[Int(prediction)], surface: surface))
    }
}
