/// A CSV document: a header and rows of cells, rendered per RFC 4180.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// Appends a row; it must have as many cells as the header.
    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "row width differs from the header")
        rows.append(row)
    }

    /// The document with CRLF line ends; cells holding a comma, quote, CR or LF are quoted, and
    /// quotes inside them doubled.
    public func rendered() -> String {
        var out: [UInt8] = []
        for row in [header] + rows { Self.appendRow(row, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one row as CSV bytes, CRLF-terminated (what a streamed report writes per row).
    public static func appendRow(_ cells: [String], to out: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if needsQuotes(cell) {
                out.append(contentsOf: quote(cell).utf8)
            } else {
                out.append(contentsOf: cell.utf8)
            }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// One cell, quoted when it needs to be.
    public static func quote(_ cell: String) -> String {
        guard needsQuotes(cell) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension CSVTable {
    /// Whether a cell holds a comma, quote, CR or LF. Bytes, not Characters: ASCII never occurs
    /// inside a multi-byte UTF-8 sequence, and a byte scan is what a report of many cells can afford.
    static func needsQuotes(_ cell: String) -> Bool {
        cell.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// Pads columns for terminal tables: text left-aligned, numbers right-aligned.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int>

    public init(header: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned
    }

    /// The table as lines joined by newlines, two spaces between columns.
    public func rendered() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            row.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? padding + cell : cell + padding
            }.joined(separator: "  ").replacingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
