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
        var out = ""
        write(to: &out, indent: indent, level: level)
        return out
    }

    /// A string as a JSON string literal.
    public static func quoted(_ value: String) -> String {
        var out = ""
        writeString(value, to: &out)
        return out
    }

    private func write(to out: inout String, indent: Int, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .number(let value): out += JSONValue.format(value)
        case .string(let value): JSONValue.writeString(value, to: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            // Arrays of scalars stay on one line; arrays of containers get one item per line.
            let nested = items.contains { if case .array = $0 { return true }; if case .object = $0 { return true }; return false }
            if indent == 0 || !nested {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += indent == 0 ? "," : ", " }
                    item.write(to: &out, indent: indent, level: level + 1)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent * (level + 1))
                item.write(to: &out, indent: indent, level: level + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent * level) + "]"
        case .object(let members):
            if members.isEmpty {
                out += "{}"
                return
            }
            out += indent == 0 ? "{" : "{\n"
            for (i, (key, value)) in members.enumerated() {
                if indent > 0 { out += String(repeating: " ", count: indent * (level + 1)) }
                JSONValue.writeString(key, to: &out)
                out += indent == 0 ? ":" : ": "
                value.write(to: &out, indent: indent, level: level + 1)
                if i + 1 < members.count { out += indent == 0 ? "," : ",\n" } else if indent > 0 { out += "\n" }
            }
            if indent > 0 { out += String(repeating: " ", count: indent * level) }
            out += "}"
        }
    }

    /// Shortest round-trip decimal form; integral values up to 2^53 print as integers; NaN and
    /// infinities become `null`.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        // Integral values that a Double holds exactly print as integers (counts, ids).
        if value == value.rounded(), abs(value) <= 9_007_199_254_740_992 { return String(Int64(value)) }
        return String(value)
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        // Most keys and paths need no escape: one byte scan, one append.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
