/// A GitHub-flavoured Markdown table: every row has as many cells as the header, and pipes,
/// backslashes and line breaks inside cells are escaped so the table never breaks.
public struct MarkdownTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int>

    public init(header: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned
    }

    /// The table, one line per row, no trailing newline.
    public func rendered() -> String {
        var lines = ["| " + header.map(Self.escape).joined(separator: " | ") + " |"]
        lines.append("|" + header.indices.map { rightAligned.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|")
        for row in rows {
            precondition(row.count == header.count, "row width differs from the header")
            lines.append("| " + row.map(Self.escape).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// A cell's text with hidden characters made visible (`DisplayText.visible`: a line break
    /// becomes the two characters `\n`) and `|` escaped, so a cell is always one cell on one line.
    public static func escape(_ cell: String) -> String {
        let shown = DisplayText.visible(cell)
        guard shown.utf8.contains(UInt8(ascii: "|")) else { return shown }
        var out = ""
        for character in shown {
            if character == "|" { out += "\\|" } else { out.append(character) }
        }
        return out
    }

    /// Inline code that survives any content: hidden characters are made visible
    /// (`DisplayText.visible`: no line break can end the span) and the fence is longer than any
    /// backtick run inside. Empty text gives `` ` ` `` (a code span of one space).
    public static func code(_ text: String) -> String {
        let text = DisplayText.visible(text)
        if text.isEmpty { return "` `" }
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padded = text.hasPrefix("`") || text.hasSuffix("`") ? " \(text) " : text
        return fence + padded + fence
    }
}

/// XML text and attribute escaping.
///
/// XML 1.0 forbids most C0 controls even as character references (`&#27;` is not well-formed),
/// so they cannot be escaped: they are replaced by U+FFFD, as are U+FFFE and U+FFFF. Names should
/// go through `DisplayText.visible` first, which writes them readably (`\u{1B}`); this is the
/// last guard that keeps the document well-formed whatever it is given.
public enum XMLText {
    /// Element text: `&`, `<`, `>`, `"`, `'` escaped; tab, LF and CR kept; characters XML 1.0
    /// does not allow replaced by U+FFFD.
    public static func escape(_ text: String) -> String {
        escape(text, attribute: false)
    }

    /// An attribute value: as `escape`, and tab, LF and CR written `&#9;`, `&#10;`, `&#13;` (a
    /// parser turns them into spaces when written as they are).
    public static func attribute(_ text: String) -> String {
        escape(text, attribute: true)
    }

    private static func escape(_ text: String, attribute: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t" where attribute: out += "&#9;"
            case "\n" where attribute: out += "&#10;"
            case "\r" where attribute: out += "&#13;"
            default:
                let v = scalar.value
                if v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000 {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\u{FFFD}"
                }
            }
        }
        return out
    }
}
