/// The boundary definitions side by side (`explain --surface-metrics`): without data the
/// catalogue of rules, with data every definition's values per class and one line per
/// disagreement naming its causes.
public struct SurfaceExplainTable: Sendable {
    /// One definition and its rules.
    public struct Definition: Sendable {
        /// `--surface-variant` name.
        public var name: String
        /// The library reproduced, or "segscore's base definition".
        public var reproduces: String
        /// Rule name → rule (`boundary`, `percentile`, `mean`, `nsd`, `empty`, `arithmetic`), in order.
        public var rules: [(String, String)]
        /// The metrics it defines (report names).
        public var metrics: [String]

        /// A definition; every field is given by the caller.
        public init(name: String, reproduces: String, rules: [(String, String)], metrics: [String]) {
            self.name = name
            self.reproduces = reproduces
            self.rules = rules
            self.metrics = metrics
        }
    }

    /// Every definition, in catalogue order.
    public var definitions: [Definition]
    /// The columns with data: metric names (`hd`, `hd95`, `mean distance`, `nsd`).
    public var columns: [String]
    /// Per class (name, id): per definition (in `definitions` order) its values (NaN undefined,
    /// nil when the definition has no such metric).
    public var classes: [(name: String, id: Int, values: [[Double?]])]
    /// One line per class and column where the definitions disagree.
    public var disagreements: [String]
    /// The spacing used, as text (`1,1 (default)`); empty without data.
    public var spacing: String

    /// A table; without data `columns` and `classes` are empty.
    public init(
        definitions: [Definition], columns: [String] = [], classes: [(name: String, id: Int, values: [[Double?]])] = [],
        disagreements: [String] = [], spacing: String = ""
    ) {
        self.definitions = definitions
        self.columns = columns
        self.classes = classes
        self.disagreements = disagreements
        self.spacing = spacing
    }

    /// The catalogue as text: one block per definition, each rule on a line.
    public var catalogueText: String {
        var lines = ["Boundary metrics: every definition (--surface-variant) and its rules", ""]
        for d in definitions {
            lines.append("\(d.name) — \(d.reproduces)")
            lines.append("  metrics      \(d.metrics.joined(separator: ", "))")
            for (rule, text) in d.rules {
                lines.append("  " + rule + String(repeating: " ", count: max(0, 12 - rule.count)) + " " + text)
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// The values as text: per class a table (definition × column), then the disagreements.
    public var text: String {
        var lines = ["spacing \(spacing)"]
        for c in classes {
            lines.append("")
            lines.append("class \(DisplayText.visible(c.name)) (\(c.id))")
            let rows = zip(definitions, c.values).map { d, values in
                [d.name] + values.map { $0.map(NumberText.significant) ?? "—" }
            }
            let table = Table(header: ["definition"] + columns, rows: rows, rightAligned: Set(1...max(1, columns.count)))
            lines += table.renderedText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        if !disagreements.isEmpty {
            lines.append("")
            lines += disagreements.map(DisplayText.visible)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON form: `definitions` (rules), and with data `classes` and `disagreements`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            (
                "definitions",
                .array(
                    definitions.map { d in
                        .object(
                            [
                                ("name", .string(d.name)), ("reproduces", .string(d.reproduces)),
                                ("metrics", .array(d.metrics.map { .string($0) })),
                            ] + d.rules.map { ($0, .string($1)) })
                    })
            )
        ]
        if !classes.isEmpty {
            members.append(("spacing", .string(spacing)))
            members.append(
                (
                    "classes",
                    .array(
                        classes.map { c in
                            .object([
                                ("id", .int(c.id)), ("name", .string(c.name)),
                                (
                                    "values",
                                    .object(
                                        zip(definitions, c.values).map { d, values in
                                            (
                                                d.name,
                                                .object(
                                                    zip(columns, values).compactMap { column, value in
                                                        value.map { (column, .number($0)) }
                                                    })
                                            )
                                        })
                                ),
                            ])
                        })
                ))
            members.append(("disagreements", .array(disagreements.map { .string($0) })))
        }
        return .object(members)
    }
}
