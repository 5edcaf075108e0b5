import ReportWriters
import SegMetrics

/// The outputs of an evaluation: JSON (`segscore.report/1`), per-image CSV, per-class CSV and the
/// human summary. Pure functions of the result, so they are identical for any `--jobs`.
public struct EvaluationReport: Sendable {
    public var result: EvaluationResult
    /// Quality-gate outcomes, when gates were asked for.
    public var gates: [GateOutcome]
    /// 95% bootstrap intervals of each class mean (in `summary.classes` order) and of the headline.
    public var classIntervals: [BootstrapInterval?]
    public var headlineInterval: BootstrapInterval?
    /// Number of bootstrap resamples (0: no intervals).
    public var resamples: Int

    /// Builds the report; the bootstrap runs here, in key order, with a fixed seed.
    public init(result: EvaluationResult, gates: [GateOutcome] = [], bootstrap: Bootstrap = Bootstrap(resamples: 0)) {
        self.result = result
        self.gates = gates
        resamples = bootstrap.resamples
        let ids = result.classIDs
        let headlineIDs = Set(result.summary.headlineClassIDs)
        let headline = ids.indices.filter { headlineIDs.contains(ids[$0]) }
        let intervals = bootstrap.intervals(rows: result.classValues, classCount: ids.count, headline: headline)
        // No scored image gives no interval, but the classes are still listed: one nil each.
        classIntervals = intervals.classes.count == ids.count ? intervals.classes : Array(repeating: nil, count: ids.count)
        headlineInterval = intervals.headline
    }

    /// True when a gate failed.
    public var gateFailed: Bool { gates.contains { !$0.passed } }

    static func interval(_ interval: BootstrapInterval?) -> JSONValue {
        interval.map { .array([.number($0.lower), .number($0.upper)]) } ?? .null
    }

    static func signed(_ value: Double) -> String { NumberText.signed(value) }

    private var options: EvaluationOptions { result.options }
    private var variant: DiceVariant { result.options.variant }

    // MARK: JSON

    /// The JSON report, schema `segscore.report/1`; NaN is `null`.
    public var json: JSONValue {
        .object(jsonMembers.map { key, value in key == "images" ? (key, .array(result.images.indices.map(imageJSON))) : (key, value) })
    }

    /// Streams the JSON report (the same text as `json.rendered()`), one image at a time.
    public func writeJSON(to sink: ReportFile.Sink) {
        let members = jsonMembers
        sink.write("{\n")
        for (position, (key, value)) in members.enumerated() {
            sink.write("  " + JSONValue.quoted(key) + ": ")
            if key == "images" {
                if result.images.isEmpty {
                    sink.write("[]")
                } else {
                    sink.write("[\n")
                    for index in result.images.indices {
                        sink.write("    " + imageJSON(index).rendered(indent: 2, level: 2))
                        sink.write(index + 1 < result.images.count ? ",\n" : "\n")
                    }
                    sink.write("  ]")
                }
            } else {
                sink.write(value.rendered(indent: 2, level: 1))
            }
            sink.write(position + 1 < members.count ? ",\n" : "\n")
        }
        sink.write("}\n")
    }

    /// The per-image object of the JSON report.
    func imageJSON(_ index: Int) -> JSONValue {
        let record = result.records[index]
        let image = result.images[index]
        var members: [(String, JSONValue)] = [
            ("key", .string(record.key)), ("gt", .string(record.truthPath)),
            ("pred", record.predictionPath.map { .string($0) } ?? .null),
            ("mean", .number(image.mean(over: result.summary.headlineClassIDs))),
        ]
        if let generalized = image.generalized { members.append(("generalized", .number(generalized))) }
        members.append(
            ("classes", .array(image.classes.map { c in
                .object([("id", .int(c.id)), ("dice", .number(c.dice))] + countMembers(counts: c.counts, terms: c.terms, prefix: ""))
            })))
        return .object(members)
    }

    /// The top-level members of the JSON report; `images` is a placeholder filled by the callers.
    private var jsonMembers: [(String, JSONValue)] {
        let summary = result.summary
        var config: [(String, JSONValue)] = [
            ("variant", .string(variant.name)),
            ("formula", .string(variant.formulaText)),
            ("empty", .string(variant.empty.rawValue)),
            ("smooth", .array(variant.smoothing.numerator.map { .number($0) })),
            ("include_background", .bool(result.backgroundInHeadline)),
            ("std_ddof", .int(0)),  // classes[].std is the population standard deviation
            ("ignore_labels", .array(options.ignoreLabels.map { .int($0) })),
        ]
        if variant.smoothing.numerator != variant.smoothing.denominator {
            config.append(("smooth_nr", .array(variant.smoothing.numerator.map { .number($0) })))
            config.append(("smooth_dr", .array(variant.smoothing.denominator.map { .number($0) })))
        }
        if variant.isHard { config.append(("binarize", .string(variant.binarization.name))) }
        config.append(("threshold", .array(options.thresholds.map { .number($0) })))
        if let floor = variant.denominatorFloor { config.append(("denominator_floor", .number(floor))) }
        if variant.activation != .none { config.append(("activation", .string(variant.activation.rawValue))) }
        config.append(("encoding", .object([("gt", .string(options.truthEncoding.rawValue)), ("pred", .string(options.predictionEncoding.rawValue))])))
        config.append(("missing", .string(options.missing.rawValue)))
        if let reproduces = variant.reproduces { config.append(("reproduces", .string(reproduces))) }

        let inputs: [(String, JSONValue)] = [
            ("gt", .string(result.truthFolder)),
            ("pred", .string(result.predictionFolder)),
            ("pairs", .int(result.records.count)),
            ("unmatched_gt", .array(result.unmatchedTruth.map { .string($0.path) })),
            ("unmatched_pred", .array(result.unmatchedPredictions.map { .string($0.path) })),
            ("ignored_files", .int(result.ignoredFiles)),
            ("encodings", .array(encodingCounts.map { .object([("gt", .string($0.0)), ("pred", .string($0.1)), ("pairs", .int($0.2))]) })),
        ]

        let classes: [JSONValue] = summary.classes.enumerated().map { index, c in
            var members: [(String, JSONValue)] = [
                ("id", .int(c.id)), ("name", .string(options.name(of: c.id))), ("mean", .number(c.mean)),
                ("median", .number(c.median)), ("std", .number(c.std)), ("min", .number(c.min)), ("max", .number(c.max)),
                ("n", .int(c.n)), ("n_nan", .int(c.nNaN)), ("pooled", .number(c.pooled)),
            ]
            if resamples > 0 { members.append(("ci95", Self.interval(classIntervals[index]))) }
            members += countMembers(counts: c.pooledCounts, terms: c.pooledTerms, prefix: "pooled_")
            members += c.pooledMetrics.named.map { ("pooled_" + $0.0, .number($0.1)) }
            return .object(members)
        }

        var aggregate: [(String, JSONValue)] = [
            ("mean", .number(summary.mean)), ("pooled", .number(summary.pooled)),
            ("classes", .array(summary.headlineClassIDs.map { .int($0) })),
        ]
        if summary.headlineClassIDs.isEmpty { aggregate.append(("note", .string(Self.noHeadline))) }
        if resamples > 0 {
            aggregate.append(("ci95", Self.interval(headlineInterval)))
            aggregate.append(("bootstrap", .object([("resamples", .int(resamples)), ("seed", .int(Int(Bootstrap().seed)))])))
        }
        if let generalized = summary.generalizedMean { aggregate.append(("generalized_mean", .number(generalized))) }
        if let library = summary.library {
            aggregate.append(
                ("library", .object([("variant", .string(library.variant)), ("name", .string(library.name)), ("value", .number(library.value))])))
        }

        let errors: [JSONValue] = result.problems.map { p in
            .object([("key", p.key.map { .string($0) } ?? .null), ("path", .string(p.path)), ("message", .string(p.message))])
        }
        return [
            ("schema", .string("segscore.report/1")),
            ("tool", .object([("name", .string("segscore")), ("version", .string(segscoreVersion))])),
            ("config", .object(config)),
            ("inputs", .object(inputs)),
            ("classes", .array(classes)),
            ("aggregate", .object(aggregate)),
            ("images", .null),
            ("errors", .array(errors)),
            ("warnings", .array(result.warnings.map { .string($0) })),
            ("gates", .array(gates.map(\.json))),
        ]
    }

    /// tp/fp/fn/tn: integer counts for hard variants, soft masses otherwise.
    private func countMembers(counts: ClassCounts?, terms: OverlapTerms, prefix: String) -> [(String, JSONValue)] {
        if let counts {
            return [(prefix + "tp", .int(counts.tp)), (prefix + "fp", .int(counts.fp)), (prefix + "fn", .int(counts.fn)), (prefix + "tn", .int(counts.tn))]
        }
        let tn = terms.pixels - terms.intersection - terms.falsePositive - terms.falseNegative
        return [
            (prefix + "tp", .number(terms.intersection)), (prefix + "fp", .number(terms.falsePositive)),
            (prefix + "fn", .number(terms.falseNegative)), (prefix + "tn", .number(tn)),
        ]
    }

    /// (gt encoding, pred encoding, pairs) in first-seen key order.
    private var encodingCounts: [(String, String, Int)] {
        var order: [String] = []
        var counts: [String: (String, String, Int)] = [:]
        for record in result.records {
            let key = record.truthEncoding + "|" + record.predictionEncoding
            if counts[key] == nil {
                order.append(key)
                counts[key] = (record.truthEncoding, record.predictionEncoding, 0)
            }
            counts[key]!.2 += 1
        }
        return order.map { counts[$0]! }
    }

    // MARK: CSV

    /// Streams the per-image CSV, one row per image × class with the value, the counts and every
    /// overlap metric (RFC 4180, CRLF).
    public func writeCSV(to sink: ReportFile.Sink) {
        var line: [UInt8] = []
        line.reserveCapacity(1024)
        func emit(_ row: [String]) {
            line.removeAll(keepingCapacity: true)
            CSVTable.appendRow(row, to: &line)
            sink.write(bytes: line)
        }
        emit(csvHeader)
        for index in result.images.indices {
            for row in csvRows(index) { emit(row) }
        }
    }

    private var csvHeader: [String] {
        ["key", "gt", "pred", "class_id", "class_name", "dice", "tp", "fp", "fn", "tn"] + OverlapMetrics(OverlapTerms()).named.map(\.0)
    }

    private func csvRows(_ index: Int) -> [[String]] {
        let record = result.records[index]
        return result.images[index].classes.map { c in
            let counts = countMembers(counts: c.counts, terms: c.terms, prefix: "").map { Self.cell($0.1) }
            return [record.key, record.truthPath, record.predictionPath ?? "", String(c.id), options.name(of: c.id), Self.number(c.dice)]
                + counts + c.metrics.named.map { Self.number($0.1) }
        }
    }

    /// One row per class: the statistics over images and the pooled values.
    public var summaryCSV: CSVTable {
        var table = CSVTable(
            header: ["class_id", "class_name", "mean", "median", "std", "min", "max", "n", "n_nan", "pooled",
                     "pooled_tp", "pooled_fp", "pooled_fn", "pooled_tn"]
                + OverlapMetrics(OverlapTerms()).named.map { "pooled_" + $0.0 })
        for c in result.summary.classes {
            let counts = countMembers(counts: c.pooledCounts, terms: c.pooledTerms, prefix: "").map { Self.cell($0.1) }
            table.append(
                [String(c.id), options.name(of: c.id), Self.number(c.mean), Self.number(c.median), Self.number(c.std),
                 Self.number(c.min), Self.number(c.max), String(c.n), String(c.nNaN), Self.number(c.pooled)]
                    + counts + c.pooledMetrics.named.map { Self.number($0.1) })
        }
        return table
    }

    /// A CSV cell: shortest round-trip form, `NaN`, `inf`, `-inf`.
    static func number(_ value: Double) -> String { NumberText.shortest(value) }

    private static func cell(_ value: JSONValue) -> String {
        switch value {
        case .int(let v): return String(v)
        case .number(let v): return number(v)
        default: return ""
        }
    }

    /// What the reports say when the headline has no class to average.
    static let noHeadline = "no foreground class scored; pass --include-background to make background the headline"

    // MARK: human summary

    /// What a person reads on the terminal: definition, headline, per-class table, problems.
    /// Control characters in names are shown visibly (`DisplayText.visible`: `\n`, `\u{1B}`), so
    /// no file or class name can add a line or drive the terminal.
    public var text: String { summaryText(listingProblems: true) }

    /// The human summary. With `listingProblems` false, warnings and errors are only counted
    /// (`segscore evaluate` prints each of them as its own line on stderr).
    public func summaryText(listingProblems: Bool) -> String {
        let summary = result.summary
        var lines: [String] = []
        lines.append("segscore \(segscoreVersion) · variant \(variant.name): \(variant.formulaText)")
        lines.append("  \(conventionsInEffect); background \(result.backgroundInHeadline ? "in" : "out of") the headline")
        if let reproduces = variant.reproduces { lines.append("  reproduces \(reproduces)") }
        let failed = result.problems.filter { $0.key != nil }.count
        lines.append(
            "pairs: \(result.records.count) scored, \(failed) failed · unmatched: \(result.unmatchedTruth.count) ground truth, "
                + "\(result.unmatchedPredictions.count) prediction\(result.unmatchedPredictions.count == 1 ? "" : "s")")
        let classes = summary.headlineClassIDs.map { DisplayText.visible(options.name(of: $0)) }.joined(separator: ", ")
        let interval = resamples > 0 ? headlineInterval.map { " (95% CI \(Self.fixed($0.lower))–\(Self.fixed($0.upper)))" } ?? "" : ""
        if summary.headlineClassIDs.isEmpty {
            lines.append("headline: none (\(Self.noHeadline))")
        } else {
            lines.append(
                "headline: mean \(Self.fixed(summary.mean))\(interval) · pooled \(Self.fixed(summary.pooled))  (classes \(classes))")
        }
        if let library = summary.library {
            lines.append("  \(library.variant) \(library.name): \(Self.fixed(library.value))")
        }
        if let generalized = summary.generalizedMean { lines.append("  generalized dice, mean over images: \(Self.fixed(generalized))") }
        lines.append("")
        let table = TextTable(
            header: ["class", "id", "mean", "std", "median", "min", "max", "n", "n_nan", "pooled"],
            rows: summary.classes.map { c in
                [DisplayText.visible(options.name(of: c.id)), String(c.id), Self.fixed(c.mean), Self.fixed(c.std), Self.fixed(c.median),
                 Self.fixed(c.min), Self.fixed(c.max), String(c.n), String(c.nNaN), Self.fixed(c.pooled)]
            }, rightAligned: Set(1...9))
        // One element per line: every line is made visible at the end, the table's breaks must stay.
        lines += table.rendered().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if !gates.isEmpty {
            lines.append("")
            lines.append("gates:")
            for gate in gates { lines.append("  \(gate.passed ? "pass" : "FAIL")  \(gate.name): \(gate.message)") }
        }
        if !result.unmatchedPredictions.isEmpty && !result.nothingPaired {
            lines.append("")
            lines.append("predictions without ground truth (not scored):")
            lines += Self.folded(result.unmatchedPredictions.map(\.path))
        }
        if !result.warnings.isEmpty && !listingProblems {
            lines.append("")
            lines.append("warnings: \(result.warnings.count) (listed on stderr)")
        } else if !result.warnings.isEmpty {
            lines.append("")
            lines.append("warnings:")
            lines += Self.folded(result.warnings)
        }
        if !result.problems.isEmpty && !listingProblems {
            lines.append("")
            lines.append("errors: \(result.problems.count) (listed on stderr)")
        } else if !result.problems.isEmpty {
            lines.append("")
            lines.append("errors (\(result.problems.count)):")
            lines += Self.folded(result.problems.map { "\($0.path): \($0.message)" })
        }
        // Names were made visible above (the table's widths count what is shown); every line
        // again, for the names inside messages (paths, gate names).
        return lines.map(DisplayText.visible).joined(separator: "\n")
    }

    /// Four decimals for the summary and Markdown tables; any Double prints (see `NumberText.fixed`).
    static func fixed(_ value: Double) -> String { NumberText.fixed(value) }

    private static func folded(_ items: [String], limit: Int = 20) -> [String] {
        var lines = items.prefix(limit).map { "  " + $0 }
        if items.count > limit { lines.append("  … and \(items.count - limit) more (all are in the JSON report)") }
        return lines
    }
}

extension GateOutcome {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("value", .number(value)), ("threshold", .number(threshold)), ("passed", .bool(passed)),
        ]
        if let baseline { members.append(("baseline", .number(baseline))) }
        if let difference { members.append(("difference", .number(difference))) }
        if let interval {
            members.append(("difference_ci95", .array([.number(interval.lower), .number(interval.upper)])))
            members.append(("drop_beyond_noise", .bool(dropBeyondNoise ?? false)))
        }
        return .object(members)
    }
}
