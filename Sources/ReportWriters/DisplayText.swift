/// Names (file names, class names, keys) as a person or a renderer may safely see them.
///
/// A file name may hold any byte but `/` and NUL, and a `--labels` class name any character: a
/// newline would start a new line (a Markdown heading, a forged error line), an ESC or OSC
/// sequence would drive the terminal. Every human-readable report (text summary, stderr lines,
/// Markdown, JUnit XML) passes names through `visible(_:)`; the JSON and CSV reports keep the
/// exact name (escaped by their own syntax).
public enum DisplayText {
    /// True for the characters `visible(_:)` replaces: C0 controls (U+0000–U+001F), DEL (U+007F),
    /// C1 controls (U+0080–U+009F, U+009B is a CSI on some terminals), the line and paragraph
    /// separators U+2028/U+2029, and the bidirectional embeddings, overrides and isolates
    /// (U+202A–U+202E, U+2066–U+2069) that make text display in another order than it is stored.
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0x2028 || v == 0x2029 || (v >= 0x202A && v <= 0x202E)
            || (v >= 0x2066 && v <= 0x2069)
    }

    /// The text with every hidden character (see `isHidden`) written visibly: newline, carriage
    /// return and tab as the two characters `\n`, `\r`, `\t`; every other one as `\u{HEX}`
    /// (`\u{1B}` for ESC, `\u{7F}` for DEL, `\u{202E}`). Other characters, backslashes included,
    /// are unchanged, so ordinary names print as they are.
    /// - Complexity: O(n); one byte scan and no copy when nothing needs replacing.
    public static func visible(_ text: String) -> String {
        // Every hidden scalar's UTF-8 starts with a byte < 0x20, 0x7F, 0xC2 (U+0080–U+00BF) or
        // 0xE2 (U+2000–U+2FFF); names without those bytes are returned as they are.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isHidden(scalar) else {
                out.append(scalar)
                continue
            }
            let replacement: String
            switch scalar {
            case "\n": replacement = "\\n"
            case "\r": replacement = "\\r"
            case "\t": replacement = "\\t"
            default: replacement = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            out.append(contentsOf: replacement.unicodeScalars)
        }
        return String(out)
    }

    /// The text cut to at most `maxBytes` UTF-8 bytes (never inside a character's encoding): its
    /// beginning and end joined by ` … ` (the end of a path names the file).
    /// - Precondition: `maxBytes >= 16`.
    public static func clipped(_ text: String, maxBytes: Int) -> String {
        precondition(maxBytes >= 16, "a clip shorter than 16 bytes says nothing")
        guard text.utf8.count > maxBytes else { return text }
        let marker = " … "
        let room = maxBytes - marker.utf8.count
        let headBudget = room * 2 / 3
        let tailBudget = room - headBudget
        var head = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            if used + size > headBudget { break }
            head.append(scalar)
            used += size
        }
        var tail: [Unicode.Scalar] = []
        used = 0
        for scalar in text.unicodeScalars.reversed() {
            let size = UTF8.width(scalar)
            if used + size > tailBudget { break }
            tail.append(scalar)
            used += size
        }
        head.append(contentsOf: marker.unicodeScalars)
        head.append(contentsOf: tail.reversed())
        return String(head)
    }
}

/// Inline Markdown (GitHub-flavoured) that renders as the literal text it was given.
public enum MarkdownText {
    /// The text, hidden characters made visible (`DisplayText.visible`), with a backslash before
    /// every character that could start Markdown or HTML: `\` `` ` `` `*` `_` `[` `]` `<` `>`
    /// `#` `~` `&` `$` (`$` starts GitHub math). `|` is left to `MarkdownText.cell`, which
    /// every table cell goes through. For text inside a line (a table cell, a sentence), never at
    /// the start of a line.
    public static func escape(_ text: String) -> String {
        let shown = DisplayText.visible(text)
        let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "#", "~", "&", "$"]
        guard shown.contains(where: special.contains) else { return shown }
        var out = ""
        out.reserveCapacity(shown.utf8.count + 8)
        for character in shown {
            if special.contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// A table cell's text with hidden characters made visible (`DisplayText.visible`: a line
    /// break becomes the two characters `\n`) and `|` escaped, so a cell is always one cell on one
    /// line.
    public static func cell(_ cell: String) -> String {
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
        let fence = String(repeating: "`", count: longestBacktickRun(text) + 1)
        let padded = text.hasPrefix("`") || text.hasSuffix("`") ? " \(text) " : text
        return fence + padded + fence
    }

    /// The longest run of backticks in `text` (a fence must be longer).
    public static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
