/// The bounds that keep the Markdown report postable whatever the data: GitHub refuses comments
/// over 65,536 characters (step summaries over 1 MiB). Every list is cut to a number of items and
/// of bytes, with a count of what was left out ("… and 1,950 more; see the JSON report"), and a
/// last guard omits whole sections (never cuts one in half) should the sum still exceed
/// `maxBytes`.
public enum MarkdownBounds {
    /// The whole report, in UTF-8 bytes (so in characters too).
    public static let maxBytes = 60_000
    /// Files, errors, warnings: the most items shown per list.
    public static let listItems = 20
    /// Files, errors, warnings: the most bytes per list.
    public static let listBytes = 4_000
    /// Rows of the per-class table.
    public static let classRows = 40
    /// Bytes of the per-class table.
    public static let classBytes = 10_000
    /// Rows of the gates table (failed gates first).
    public static let gateRows = 20
    /// Bytes of the gates table.
    public static let gateBytes = 7_000
    /// Headline classes shown with their lowest images.
    public static let worstClasses = 5
    /// Lowest images listed per such class.
    public static let worstImages = 10
    /// Bytes of the lowest-images section.
    public static let worstBytes = 10_000
    /// Class names listed in the headline line.
    public static let headlineNames = 20
    /// Bytes of one file name or key, after control characters are made visible; a longer one keeps
    /// its beginning and end around ` … `.
    public static let nameBytes = 160
    /// Bytes of one class name, cut the same way.
    public static let classNameBytes = 80
    /// Bytes of one error or warning line, cut the same way.
    public static let messageBytes = 300
    /// The command line at the end.
    public static let commandBytes = 2_000

    /// Up to `maxItems` items whose bytes stay within `maxBytes` (the first is always kept), and
    /// how many were left out.
    static func bounded(_ count: Int, maxItems: Int, maxBytes: Int, item: (Int) -> String) -> (items: [String], more: Int) {
        bounded(count, maxItems: maxItems, maxBytes: maxBytes, item: item, size: { $0.utf8.count + 1 })
    }

    /// Table rows: as above, a row's size being the sum of its cells (and their separators).
    static func bounded(_ count: Int, maxItems: Int, maxBytes: Int, item: (Int) -> [String]) -> (items: [[String]], more: Int) {
        bounded(count, maxItems: maxItems, maxBytes: maxBytes, item: item, size: { $0.reduce(4) { $0 + $1.utf8.count + 3 } })
    }

    private static func bounded<Item>(_ count: Int, maxItems: Int, maxBytes: Int, item: (Int) -> Item, size: (Item) -> Int)
        -> (items: [Item], more: Int)
    {
        var items: [Item] = []
        var bytes = 0
        for index in 0..<min(count, maxItems) {
            let next = item(index)
            let nextSize = size(next)
            if !items.isEmpty && bytes + nextSize > maxBytes { break }
            items.append(next)
            bytes += nextSize
        }
        return (items, count - items.count)
    }

    /// A name as inline Markdown text: visible, clipped, escaped.
    static func inline(_ text: String, _ maxBytes: Int) -> String {
        MarkdownText.escape(clip(text, maxBytes))
    }

    /// A name as inline code: visible and clipped.
    static func code(_ text: String, _ maxBytes: Int = nameBytes) -> String {
        MarkdownText.code(clip(text, maxBytes))
    }

    /// Visible (`DisplayText.visible`), then at most `maxBytes` bytes.
    static func clip(_ text: String, _ maxBytes: Int) -> String {
        DisplayText.clipped(DisplayText.visible(text), maxBytes: maxBytes)
    }

    /// A name inside HTML (the `<summary>` of a folded block): visible, clipped, HTML-escaped.
    static func html(_ text: String) -> String { XMLText.escape(clip(text, classNameBytes)) }
}

/// Arguments written back as a shell reads them.
public enum ShellText {
    /// The argument as the shell reads it back: as is when it holds only safe characters,
    /// `'…'` otherwise, and `$'…'` (bash/zsh ANSI-C quoting, `\n`, `\x1b`) when it holds control
    /// characters, so the command stays one visible line and still runs when pasted.
    public static func quote(_ argument: String) -> String {
        let safe = argument.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "-_./=:,@%+".unicodeScalars.contains($0)
        }
        if safe && !argument.isEmpty { return argument }
        guard argument.unicodeScalars.contains(where: DisplayText.isHidden) else {
            return "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }
        var out = "$'"
        for scalar in argument.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            default:
                if DisplayText.isHidden(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out +=
                        scalar.value < 0x80
                        ? "\\x" + (hex.count < 2 ? "0" : "") + hex
                        : "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "'"
    }
}
