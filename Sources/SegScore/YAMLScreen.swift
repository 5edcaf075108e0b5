// libyaml's event API, which Yams wraps but does not expose. Yams builds a document recursively
// (one stack frame per nesting level) and copies an alias's whole subtree every time the alias
// is used, so a few hundred bytes of aliases expand to gigabytes and deep nesting overflows the
// stack. Reading the events first, before Yams sees the text, bounds both: aliases are refused
// before anything is expanded, nesting and the number of values are counted as they stream by.
internal import CYaml

/// A first pass over YAML text that refuses what would make building the document unbounded.
enum YAMLScreen {
    /// Why the text was refused.
    struct Refusal: Error, Equatable {
        var reason: String
    }

    /// Streams the events of `bytes` (UTF-8) through libyaml and checks them.
    ///
    /// - Parameters:
    ///   - maximumDepth: the most collections one value may sit inside.
    ///   - maximumValues: the most scalars and collections the document may hold.
    /// - Throws: `Refusal` at the first alias (`*name`), the first collection nested deeper
    ///   than `maximumDepth`, the value past `maximumValues`, or a syntax error; each reason is
    ///   one line with the line number.
    /// - Complexity: O(bytes) time; memory O(depth) (libyaml's own state).
    static func check(_ bytes: [UInt8], maximumDepth: Int, maximumValues: Int) throws(Refusal) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Refusal(reason: "cannot start the YAML reader") }
        defer { yaml_parser_delete(&parser) }
        let refusal: Refusal? = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var depth = 0
            var values = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
                    return Refusal(reason: "not valid YAML: \(problem) (line \(parser.problem_mark.line + 1))")
                }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1
                switch event.type {
                case YAML_ALIAS_EVENT:
                    return Refusal(reason: "YAML aliases (*name) are not accepted in a labels file (line \(line))")
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    values += 1
                    if depth > maximumDepth {
                        return Refusal(reason: "nested deeper than \(maximumDepth) levels (line \(line))")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_SCALAR_EVENT:
                    values += 1
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
                if values > maximumValues {
                    return Refusal(reason: "more than \(maximumValues) values (line \(line))")
                }
            }
        }
        if let refusal { throw refusal }
    }
}
