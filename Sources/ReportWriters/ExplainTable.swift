/// `segscore explain --gt --pred`: every variant computed on one pair of files or two folders.
public struct ExplainTable: Sendable {
    /// One variant's values.
    public struct Row: Sendable {
        /// The variant computed.
        public var variant: VariantFacts
        /// Per class: the image's value (one pair) or the class mean (folders), in `classes` order.
        public var values: [Double]
        /// The dataset number and what it is (`mean`, `generalized`, the library's name).
        public var overall: Double
        /// What `overall` is: `mean`, `generalized` or the library's name.
        public var overallName: String

        /// A row; every field is given by the caller.
        public init(variant: VariantFacts, values: [Double], overall: Double, overallName: String) {
            self.variant = variant
            self.values = values
            self.overall = overall
            self.overallName = overallName
        }
    }

    /// Pairs scored; with one, `values` are that image's, and `truthPath`/`predictionPath` name it.
    public var pairs: Int
    /// The ground-truth file.
    public var truthPath: String
    /// The prediction file; nil when scored against an empty mask.
    public var predictionPath: String
    /// The classes, in column order.
    public var classes: [(id: Int, name: String)]
    /// The rows, each with as many cells as the header.
    public var rows: [Row]
    /// One line per (image, class) where the Dice variants disagree, naming the cause.
    public var disagreements: [String]

    /// A table; every field is given by the caller.
    public init(
        pairs: Int, truthPath: String, predictionPath: String, classes: [(id: Int, name: String)], rows: [Row],
        disagreements: [String]
    ) {
        self.pairs = pairs
        self.truthPath = truthPath
        self.predictionPath = predictionPath
        self.classes = classes
        self.rows = rows
        self.disagreements = disagreements
    }

    /// The most disagreement lines the terminal lists.
    public static let textDisagreements = 40
    /// The most disagreement lines the Markdown lists (the JSON has them all).
    public static let markdownDisagreements = 200

    /// The side-by-side table and the disagreements, for the terminal; file and class names with
    /// control characters shown visibly (`\n`, `\u{1B}`).
    public var text: String {
        var lines: [String] = []
        lines.append(
            pairs == 1 ? "\(truthPath) vs \(predictionPath): value per class" : "\(pairs) pairs: class means (NaN skipped)")
        let table = Table(
            header: ["variant"] + classes.map { DisplayText.visible($0.name) } + ["dataset", "how"],
            rows: rows.map { row in
                [row.variant.name] + row.values.map(NumberText.significant) + [
                    NumberText.significant(row.overall), row.overallName,
                ]
            },
            rightAligned: Set(1...(classes.count + 1)))
        // One element per line: every line is made visible at the end, the table's breaks must stay.
        lines += table.renderedText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append("")
        if disagreements.isEmpty {
            lines.append("The Dice variants agree on every image and class (to 6 significant digits).")
        } else {
            let limit = Self.textDisagreements
            // Not "image × class": reading and activation lines are per image.
            let count = disagreements.count
            lines.append("Where the Dice variants disagree, and why (\(count) line\(count == 1 ? "" : "s")):")
            for line in disagreements.prefix(limit) { lines.append("  " + line) }
            if disagreements.count > limit { lines.append("  … and \(disagreements.count - limit) more (all are in --json)") }
        }
        return lines.map(DisplayText.visible).joined(separator: "\n")
    }

    /// The table as JSON (`segscore.explain/1`): classes, each variant's values and dataset number,
    /// the disagreements.
    public var json: JSONValue {
        .object([
            ("schema", .string("segscore.explain/1")),
            ("pairs", .int(pairs)),
            ("classes", .array(classes.map { .object([("id", .int($0.id)), ("name", .string($0.name))]) })),
            (
                "variants",
                .array(
                    rows.map { row in
                        var members = row.variant.jsonMembers
                        members.append(("values", .array(row.values.map { .number($0) })))
                        members.append(
                            ("dataset", .object([("name", .string(row.overallName)), ("value", .number(row.overall))])))
                        return .object(members)
                    })
            ),
            ("disagreements", .array(disagreements.map { .string($0) })),
        ])
    }

    /// The side-by-side table and the disagreements as Markdown: class names escaped
    /// (`MarkdownText.escape`), each disagreement an inline code span (its image key and class
    /// name cannot start a heading or a tag), at most `markdownDisagreements` of them.
    public var markdown: String {
        var out = ["# segscore explain", ""]
        out.append("\(pairs) pair\(pairs == 1 ? "" : "s"); " + (pairs == 1 ? "value per class." : "class means (NaN skipped)."))
        out.append("")
        out.append(
            Table(
                header: ["variant", "formula"]
                    + classes.map { MarkdownText.escape(DisplayText.clipped(DisplayText.visible($0.name), maxBytes: 80)) } + [
                        "dataset"
                    ],
                rows: rows.map { row in
                    [MarkdownText.code(row.variant.name), MarkdownText.code(row.variant.formula)]
                        + row.values.map(NumberText.significant)
                        + ["\(NumberText.significant(row.overall)) (\(row.overallName))"]
                }, rightAligned: Set(2...(classes.count + 2))
            ).renderedMarkdown())
        out.append("")
        if !disagreements.isEmpty {
            out.append("## Disagreements")
            out.append("")
            for line in disagreements.prefix(Self.markdownDisagreements) {
                out.append("- " + MarkdownText.code(DisplayText.clipped(DisplayText.visible(line), maxBytes: 400)))
            }
            if disagreements.count > Self.markdownDisagreements {
                out.append("- … and \(disagreements.count - Self.markdownDisagreements) more; see `--json`")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
