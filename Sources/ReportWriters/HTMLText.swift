/// Text made safe for the HTML report: element text and attribute values, and JSON placed inside a
/// `<script type="application/json">` element.
public enum HTMLText {
    /// Element text or a quoted attribute value: hidden characters written visibly
    /// (`DisplayText.visible`: a newline as `\n`, ESC as `\u{1B}`), then `&`, `<`, `>`, `"` and `'`
    /// escaped, so no name can open a tag, close an attribute or run a script.
    public static func escape(_ text: String) -> String {
        XMLText.attribute(DisplayText.visible(text))
    }

    /// A JSON string literal that may sit inside a `<script>` element: `<`, `>`, `&` and the
    /// line separators U+2028/U+2029 written as `\u` escapes, so `</script>` or `<!--` in a name
    /// cannot end the element.
    public static func scriptJSON(_ text: String) -> String {
        var out = ""
        for scalar in JSONValue.quoted(text).unicodeScalars {
            switch scalar {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A number for the page's data: 6 significant decimals, `null` for NaN and infinities.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return NumberText.json((value * 1e6).rounded() / 1e6)
    }
}
