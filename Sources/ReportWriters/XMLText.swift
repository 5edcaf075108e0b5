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
                if v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
                {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\u{FFFD}"
                }
            }
        }
        return out
    }
}
