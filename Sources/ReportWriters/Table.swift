/// A table of text cells: a header and rows of as many cells, rendered as a terminal table, a
/// GitHub-flavoured Markdown table or an RFC 4180 CSV document. The one table type of the reports.
public struct Table: Sendable, Equatable {
    /// The column titles.
    public var header: [String]
    /// The rows, each with as many cells as the header.
    public var rows: [[String]]
    /// Columns aligned right (numbers) in the terminal and Markdown forms.
    public var rightAligned: Set<Int>

    /// A table; `rightAligned` holds the indices of the numeric columns.
    public init(header: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned
    }

    /// Appends a row.
    /// - Precondition: it has as many cells as the header.
    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "row width differs from the header")
        rows.append(row)
    }

    /// The terminal form: lines joined by newlines, columns padded (text left-aligned, numbers
    /// right-aligned), two spaces between columns, no trailing spaces, no trailing newline.
    public func renderedText() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            var line = row.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? padding + cell : cell + padding
            }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// The Markdown form, one line per row, no trailing newline. Every cell goes through
    /// `MarkdownText.cell` (hidden characters made visible, `|` escaped), so the table never breaks.
    /// - Precondition: every row has as many cells as the header.
    public func renderedMarkdown() -> String {
        var lines = ["| " + header.map(MarkdownText.cell).joined(separator: " | ") + " |"]
        lines.append("|" + header.indices.map { rightAligned.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|")
        for row in rows {
            precondition(row.count == header.count, "row width differs from the header")
            lines.append("| " + row.map(MarkdownText.cell).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// The CSV form: CRLF line ends; cells holding a comma, quote, CR or LF are quoted, and quotes
    /// inside them doubled (see `CSV.appendRow`).
    public func renderedCSV() -> String {
        var out: [UInt8] = []
        for row in [header] + rows { CSV.appendRow(row, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// RFC 4180 cells and rows, for tables written whole (`Table.renderedCSV`) or streamed row by row.
public enum CSV {
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

    /// One cell, quoted when it needs to be: `a,b` → `"a,b"`, `x"y` → `"x""y"`.
    public static func quote(_ cell: String) -> String {
        guard needsQuotes(cell) else { return cell }
        return "\"" + cell.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// Whether a cell holds a comma, quote, CR or LF. Bytes, not Characters: ASCII never occurs
    /// inside a multi-byte UTF-8 sequence, and a byte scan is what a report of many cells can afford.
    static func needsQuotes(_ cell: String) -> Bool {
        cell.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }
}
