import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a partial file (`PartialFile`), validating as it goes: the magic line and version, the
/// JSON header, each row's length and layout, the row count and the end of the file. Rows are
/// read one at a time (memory does not grow with the shard). Every error is one line naming the
/// file (`EvaluationSetupError.configuration`, exit 2).
final class PartialReader {
    let path: String
    let header: PartialHeader
    private let file: UnsafeMutablePointer<FILE>
    private var rowsRead = 0
    private var lastPairIndex = -1
    private var finished = false

    /// Fixed part of a row: pair index, pixels (8 each), two encodings (2 each), three counts (4 each).
    private static let fixedRowBytes = 32
    /// A row is at most this long (the class limits keep real rows far below).
    private static let maximumRowBytes = 1 << 30

    init(path: String) throws(EvaluationSetupError) {
        self.path = path
        guard let file = fopen(path, "rb") else {
            throw .configuration("\(path): cannot read: \(String(cString: strerror(errno)).lowercased())")
        }
        self.file = file
        do {
            header = try Self.readHeader(file, path: path)
        } catch {
            fclose(file)
            throw error
        }
    }

    deinit { fclose(file) }

    private static func fail(_ path: String, _ reason: String) -> EvaluationSetupError {
        .configuration("\(path): \(reason)")
    }

    /// Bytes up to the next newline (not included); nil at end of file before any newline.
    private static func line(_ file: UnsafeMutablePointer<FILE>, limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        while bytes.count <= limit {
            let c = getc(file)
            if c == EOF { return nil }
            if c == 10 { return bytes }
            bytes.append(UInt8(c))
        }
        return nil
    }

    private static func readHeader(_ file: UnsafeMutablePointer<FILE>, path: String) throws(EvaluationSetupError)
        -> PartialHeader
    {
        let expected = "\(PartialFile.magic) \(PartialFile.version)"
        guard let first = line(file, limit: 64).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw fail(path, "not a segscore partial file (no '\(expected)' line)")
        }
        if first != expected {
            if first.hasPrefix(PartialFile.magic + " ") {
                throw fail(
                    path,
                    "partial format version \(first.dropFirst(PartialFile.magic.count + 1)); this segscore reads version \(PartialFile.version)"
                )
            }
            throw fail(path, "not a segscore partial file (first line is not '\(expected)')")
        }
        guard let json = line(file, limit: Int.max - 1) else {
            throw fail(path, "truncated partial file (the header line is incomplete)")
        }
        let header: PartialHeader
        do {
            header = try JSONDecoder().decode(PartialHeader.self, from: Data(json))
        } catch let error as DecodingError {
            throw fail(path, "bad partial header: \(describe(error))")
        } catch {
            throw fail(path, "bad partial header: not valid JSON")
        }
        guard header.shards >= 1, header.shards <= Shard.maximumCount, (1...header.shards).contains(header.shard) else {
            throw fail(path, "bad partial header: shard \(header.shard)/\(header.shards)")
        }
        guard header.rows >= 0, header.rows <= header.pairs.count else {
            throw fail(path, "bad partial header: \(header.rows) rows for \(header.pairs.count) pairs")
        }
        for pair in header.pairs {
            let gt = Array(pair.gt.utf8)
            let key = Array(pair.key.utf8)
            guard pair.keyAt >= 0, pair.keyAt <= gt.count - key.count,
                gt[pair.keyAt..<(pair.keyAt + key.count)].elementsEqual(key)
            else {
                throw fail(path, "bad partial header: key '\(pair.key)' is not at \(pair.keyAt) in \(pair.gt)")
            }
        }
        return header
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = at(context)
            return "missing field '\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(at(context))' has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "field '\(at(context))' is not valid"
        @unknown default:
            return "not valid JSON"
        }
    }

    private func readExactly(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, count, file) }
        return n == count ? bytes : nil
    }

    /// The next row in key order, or nil after the last one (once the count and the end of the
    /// file are checked).
    func nextRow() throws(EvaluationSetupError) -> StoredRow? {
        if finished { return nil }
        if rowsRead == header.rows {
            if getc(file) != EOF {
                throw Self.fail(path, "bad partial file: data after its \(header.rows) rows")
            }
            finished = true
            return nil
        }
        guard let prefix = readExactly(4) else {
            throw Self.fail(path, "truncated partial file: \(rowsRead) of \(header.rows) rows")
        }
        let length = prefix.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length >= Self.fixedRowBytes, length <= Self.maximumRowBytes else {
            throw Self.fail(path, "bad partial file: row \(rowsRead + 1) has a length of \(length) bytes")
        }
        guard let bytes = readExactly(length) else {
            throw Self.fail(path, "truncated partial file: row \(rowsRead + 1) of \(header.rows) is cut short")
        }
        func int(_ at: Int, _ width: Int) -> Int {
            (0..<width).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
        }
        let pairIndex = Int(Int64(bitPattern: UInt64(truncatingIfNeeded: int(0, 8))))
        let truth = int(16, 2)
        let prediction = int(18, 2)
        let needed = Self.fixedRowBytes + int(20, 4) * 8 + int(24, 4) * 40 + int(28, 4) * 80
        guard needed <= length, truth < header.encodings.count, prediction < header.encodings.count,
            pairIndex > lastPairIndex, pairIndex < header.pairs.count
        else {
            throw Self.fail(path, "bad partial file: row \(rowsRead + 1) is not a valid row of this segscore")
        }
        rowsRead += 1
        lastPairIndex = pairIndex
        return bytes.withUnsafeBufferPointer { StoredRow.decode($0, encodings: header.encodings) }
    }
}
