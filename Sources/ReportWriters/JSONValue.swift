/// A JSON document with object keys kept in insertion order, so reports diff cleanly.
///
/// Non-finite numbers are written as `null`, as the report schema requires.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Structural equality: object keys compared in order, two NaN numbers equal, `.int` never
    /// equal to `.number`.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Serialises the value.
    /// - Parameter indent: spaces per level; 0 writes everything on one line.
    /// - Returns: the JSON text, with no trailing newline.
    public func rendered(indent: Int = 2) -> String {
        rendered(indent: indent, level: 0)
    }

    /// Serialises the value as if nested `level` deep (for streaming one member at a time).
    public func rendered(indent: Int, level: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(to: &out, indent: indent, level: level)
        return String(decoding: out, as: UTF8.self)
    }

    /// A string as a JSON string literal.
    public static func quoted(_ value: String) -> String {
        var out: [UInt8] = []
        writeString(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // Written as UTF-8 bytes: a report writes a few dozen small pieces per image, and appending
    // bytes costs a fraction of appending `String`s.
    private func write(to out: inout [UInt8], indent: Int, level: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .number(let value): out.append(contentsOf: NumberText.json(value).utf8)
        case .string(let value): JSONValue.writeString(value, to: &out)
        case .array(let items):
            if items.isEmpty {
                out.append(contentsOf: "[]".utf8)
                return
            }
            // Arrays of scalars stay on one line; arrays of containers get one item per line.
            let nested = items.contains {
                if case .array = $0 { return true }
                if case .object = $0 { return true }
                return false
            }
            if indent == 0 || !nested {
                out.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { out.append(contentsOf: (indent == 0 ? "," : ", ").utf8) }
                    item.write(to: &out, indent: indent, level: level + 1)
                }
                out.append(UInt8(ascii: "]"))
                return
            }
            out.append(contentsOf: "[\n".utf8)
            for (i, item) in items.enumerated() {
                Self.spaces(indent * (level + 1), to: &out)
                item.write(to: &out, indent: indent, level: level + 1)
                out.append(contentsOf: (i + 1 < items.count ? ",\n" : "\n").utf8)
            }
            Self.spaces(indent * level, to: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(contentsOf: (indent == 0 ? "{" : "{\n").utf8)
            for (i, (key, value)) in members.enumerated() {
                Self.spaces(indent * (level + 1), to: &out)
                JSONValue.writeString(key, to: &out)
                out.append(contentsOf: (indent == 0 ? ":" : ": ").utf8)
                value.write(to: &out, indent: indent, level: level + 1)
                if i + 1 < members.count {
                    out.append(contentsOf: (indent == 0 ? "," : ",\n").utf8)
                } else if indent > 0 {
                    out.append(UInt8(ascii: "\n"))
                }
            }
            Self.spaces(indent * level, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func spaces(_ count: Int, to out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }

    private static func writeString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most keys and paths need no escape: one byte scan, one append. (0x7F is DEL; 0xC2 and
        // 0xE2 lead the UTF-8 of the C1 controls and of U+2028/U+2029, escaped below.)
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) {
            out.append(contentsOf: value.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: "\\\"".utf8)
            case "\\": out.append(contentsOf: "\\\\".utf8)
            case "\n": out.append(contentsOf: "\\n".utf8)
            case "\r": out.append(contentsOf: "\\r".utf8)
            case "\t": out.append(contentsOf: "\\t".utf8)
            default:
                // Every C0 control, DEL and the C1 controls as \u escapes (a terminal showing the
                // report sees no raw ESC or CSI); U+2028/U+2029 too (JavaScript before ES2019
                // read them as line ends inside strings).
                let v = scalar.value
                if v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0x2028 || v == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                } else {
                    out.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
