/// The boundary metrics of an evaluation as the reports see them (`--surface-metrics`): how they
/// were measured, per class the statistics of each metric over the images, and the headline.
public struct SurfaceReport: Sendable {
    /// `--surface-variant`.
    public var variant: String
    /// The metrics' report names, in order (`hd`, `hd95` or `hdP`, `assd`, …).
    public var metricNames: [String]
    /// `--hd-percentile`.
    public var percentile: Double
    /// `--nsd-tolerance` (one, or one per class); empty without nsd.
    public var tolerances: [Double]
    /// `--surface-empty`: `undefined` or `diagonal`.
    public var emptyRule: String
    /// The spacing used (x, y, z), and where it came from: `option`, `file` or `default`.
    public var spacing: [Double]
    /// `option`, `file` or `default`.
    public var spacingSource: String
    /// The pairs' spacings differ: `spacing` is the first pair's, each image's is in its row
    /// (JSON `config.surface.spacing_varies`, present only when true).
    public var spacingVaries = false
    /// Per class id: per metric (in `metricNames` order) its statistics over the images.
    public var classes: [Int: [Statistics]]
    /// Per metric: the mean over the headline classes of the class means.
    public var headline: [Double]

    /// A report; every field is given by the caller.
    public init(
        variant: String, metricNames: [String], percentile: Double, tolerances: [Double], emptyRule: String, spacing: [Double],
        spacingSource: String, classes: [Int: [Statistics]], headline: [Double]
    ) {
        self.variant = variant
        self.metricNames = metricNames
        self.percentile = percentile
        self.tolerances = tolerances
        self.emptyRule = emptyRule
        self.spacing = spacing
        self.spacingSource = spacingSource
        self.classes = classes
        self.headline = headline
    }

    /// One metric of one class over the images (NaN skipped, as for Dice).
    public struct Statistics: Sendable, Equatable {
        /// Mean, median, population std, min and max of the values.
        public var mean: Double
        /// The median.
        public var median: Double
        /// The population standard deviation.
        public var std: Double
        /// The smallest value.
        public var min: Double
        /// The largest value.
        public var max: Double
        /// Images with a value.
        public var n: Int
        /// Images whose value is undefined.
        public var nNaN: Int

        /// Statistics; every field is given by the caller.
        public init(mean: Double, median: Double, std: Double, min: Double, max: Double, n: Int, nNaN: Int) {
            self.mean = mean
            self.median = median
            self.std = std
            self.min = min
            self.max = max
            self.n = n
            self.nNaN = nNaN
        }
    }

    /// The spacing as reports print it: `1,1` in 2-D (z left out when it is 1), else `x,y,z`;
    /// `per image (first 1,1)` when the pairs' spacings differ.
    public var spacingText: String {
        let shown = spacing.count == 3 && spacing[2] == 1 ? Array(spacing.prefix(2)) : spacing
        let text = shown.map(NumberText.shortest).joined(separator: ",")
        return spacingVaries ? "per image (first \(text))" : text
    }

    /// `config.surface` of the JSON report.
    var configJSON: JSONValue {
        .object(
            [
                ("variant", .string(variant)),
                ("metrics", .array(metricNames.map { .string($0) })),
                ("percentile", .number(percentile)),
                ("nsd_tolerance", .array(tolerances.map { .number($0) })),
                ("empty", .string(emptyRule)),
                ("spacing", .array(spacing.map { .number($0) })),
                ("spacing_source", .string(spacingSource)),
            ] + (spacingVaries ? [("spacing_varies", .bool(true))] : []))
    }

    /// `classes[].surface` of class `id`; nil when the class has no boundary metrics.
    func classJSON(_ id: Int) -> JSONValue? {
        guard let statistics = classes[id] else { return nil }
        return .object(
            zip(metricNames, statistics).map { name, s in
                (
                    name,
                    .object([
                        ("mean", .number(s.mean)), ("median", .number(s.median)), ("std", .number(s.std)),
                        ("min", .number(s.min)), ("max", .number(s.max)), ("n", .int(s.n)), ("n_nan", .int(s.nNaN)),
                    ])
                )
            })
    }

    /// `aggregate.surface`.
    var headlineJSON: JSONValue { .object(zip(metricNames, headline).map { ($0, .number($1)) }) }

    /// The summary's line: `boundary (segscore, spacing 1,1 default): hd95 1.0000 · assd 0.5000`.
    var summaryLine: String {
        let values = zip(metricNames, headline).map { "\($0) \(NumberText.fixed($1))" }.joined(separator: " · ")
        return "boundary (\(variant), spacing \(spacingText) \(spacingSource)): \(values)"
    }
}

extension EvaluationReportValue {
    /// The per-image members of a class's boundary metrics: the values, then `surface_undefined`.
    static func surfaceMembers(_ c: ImageClass, names: [String]) -> [(String, JSONValue)] {
        guard !c.surface.isEmpty else { return [] }
        var members: [(String, JSONValue)] = zip(names, c.surface).map { ($0, .number($1)) }
        if let undefined = c.surfaceUndefined { members.append(("surface_undefined", .string(undefined))) }
        return members
    }

    /// The per-image CSV cells of the boundary metrics (empty strings for classes without them).
    static func surfaceCells(_ c: ImageClass, count: Int) -> [String] {
        guard count > 0 else { return [] }
        if c.surface.isEmpty { return Array(repeating: "", count: count + 1) }
        return c.surface.map(NumberText.shortest) + [c.surfaceUndefined ?? ""]
    }

    /// The Markdown section of the boundary metrics: the headline and the class means.
    var surfaceSection: [String] {
        guard let surface else { return [] }
        var lines = [
            "Variant `\(surface.variant)`, spacing \(surface.spacingText) (\(surface.spacingSource))"
                + (surface.tolerances.isEmpty
                    ? "" : ", NSD tolerance \(surface.tolerances.map(NumberText.shortest).joined(separator: ","))")
                + ", undefined distances: \(surface.emptyRule).",
            "",
        ]
        var rows = [["headline"] + surface.headline.map(NumberText.fixed)]
        for c in classes.prefix(MarkdownBounds.classRows) {
            guard let statistics = surface.classes[c.id] else { continue }
            rows.append(
                ["\(MarkdownBounds.inline(c.name, MarkdownBounds.classNameBytes)) (\(c.id))"]
                    + statistics.map { s in NumberText.fixed(s.mean) + (s.nNaN > 0 ? " (\(s.nNaN) undefined)" : "") })
        }
        let table = Table(
            header: ["class (mean over images)"] + surface.metricNames, rows: rows,
            rightAligned: Set(1...max(1, surface.metricNames.count)))
        lines += [table.renderedMarkdown(), ""]
        return lines
    }
}

extension EvaluationReportValue {
    /// The summary CSV cells of class `id`: each boundary metric's class mean (empty without one).
    func surfaceMeanCells(_ id: Int) -> [String] {
        guard let surface else { return [] }
        guard let statistics = surface.classes[id] else { return Array(repeating: "", count: surface.metricNames.count) }
        return statistics.map { NumberText.shortest($0.mean) }
    }
}
