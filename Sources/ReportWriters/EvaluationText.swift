/// The human summary of an evaluation: what a person reads on the terminal.
extension EvaluationReportValue {
    /// The summary listing every warning and error (up to 20 of each, then a count).
    public var text: String { summaryText(listingProblems: true) }

    /// The summary: definition, headline, per-class table, gates, unmatched files, problems.
    /// With `listingProblems` false, warnings and errors are only counted (`segscore evaluate`
    /// prints each of them as its own line on stderr). Control characters in names are shown
    /// visibly (`DisplayText.visible`: `\n`, `\u{1B}`), so no file or class name can add a line or
    /// drive the terminal.
    public func summaryText(listingProblems: Bool) -> String {
        typealias N = NumberText
        let d = definition
        var lines: [String] = []
        lines.append("segscore \(toolVersion) · variant \(d.variant): \(d.formula)")
        lines.append("  \(conventionsInEffect); background \(d.backgroundInHeadline ? "in" : "out of") the headline")
        if let reproduces = d.reproduces { lines.append("  reproduces \(reproduces)") }
        lines.append(
            "pairs: \(inputs.pairs) scored, \(failedPairs) failed · unmatched: \(inputs.unmatchedTruth.count) ground truth, "
                + "\(inputs.unmatchedPredictions.count) prediction\(inputs.unmatchedPredictions.count == 1 ? "" : "s")")
        let headlineNames = aggregate.classNames.map(DisplayText.visible).joined(separator: ", ")
        let interval =
            aggregate.resamples > 0
            ? aggregate.interval.map { " (95% CI \(N.fixed($0.lower))–\(N.fixed($0.upper)))" } ?? "" : ""
        if aggregate.classIDs.isEmpty {
            lines.append("headline: none (\(Self.noHeadline))")
        } else {
            lines.append(
                "headline: mean \(N.fixed(aggregate.mean))\(interval) · pooled \(N.fixed(aggregate.pooled))  (classes \(headlineNames))"
            )
        }
        if let library = aggregate.library {
            lines.append("  \(library.variant) \(library.name): \(N.fixed(library.value))")
        }
        if let generalized = aggregate.generalizedMean {
            lines.append("  generalized dice (classes summed per image), mean over images: \(N.fixed(generalized))")
        }
        if let surface { lines.append(surface.summaryLine) }
        lines.append("")
        let table = Table(
            header: ["class", "id", "mean", "std", "median", "min", "max", "n", "n_nan", "pooled"],
            rows: classes.map { c in
                [
                    DisplayText.visible(c.name), String(c.id), N.fixed(c.mean), N.fixed(c.std), N.fixed(c.median),
                    N.fixed(c.min), N.fixed(c.max), String(c.n), String(c.nNaN), N.fixed(c.pooled),
                ]
            }, rightAligned: Set(1...9))
        // One element per line: every line is made visible at the end, the table's breaks must stay.
        lines += table.renderedText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if !gates.isEmpty {
            lines.append("")
            lines.append("gates:")
            for gate in gates { lines.append("  \(gate.passed ? "pass" : "FAIL")  \(gate.name): \(gate.message)") }
        }
        if !inputs.unmatchedPredictions.isEmpty && !nothingPaired {
            lines.append("")
            lines.append("predictions without ground truth (not scored):")
            lines += Self.folded(inputs.unmatchedPredictions)
        }
        if !warnings.isEmpty && !listingProblems {
            lines.append("")
            lines.append("warnings: \(warnings.count) (listed on stderr)")
        } else if !warnings.isEmpty {
            lines.append("")
            lines.append("warnings:")
            lines += Self.folded(warnings)
        }
        if !errors.isEmpty && !listingProblems {
            lines.append("")
            lines.append("errors: \(errors.count) (listed on stderr)")
        } else if !errors.isEmpty {
            lines.append("")
            lines.append("errors (\(errors.count)):")
            lines += Self.folded(errors.map { "\($0.path): \($0.message)" })
        }
        // Names were made visible above (the table's widths count what is shown); every line
        // again, for the names inside messages (paths, gate names).
        return lines.map(DisplayText.visible).joined(separator: "\n")
    }

    private static func folded(_ items: [String], limit: Int = 20) -> [String] {
        var lines = items.prefix(limit).map { "  " + $0 }
        if items.count > limit { lines.append("  … and \(items.count - limit) more (all are in the JSON report)") }
        return lines
    }

    /// The variant's conventions line with the thresholds that were applied: a hard variant that
    /// thresholds probabilities uses `--threshold` (one value, or one per channel), not the number
    /// in its rule's name, so the line says `p > 0.3` or `p > 0.4 (channel 0), 0.6 (channel 1 and
    /// later)` instead of `gt:0.5`.
    public var conventionsInEffect: String {
        let conventions = definition.conventions
        guard definition.binarizesByThreshold, let name = definition.binarization else { return conventions }
        let named = "probability maps binarised by \(name)"
        guard conventions.hasPrefix(named) else { return conventions }
        return "probability maps binarised by " + Self.thresholdText(definition.thresholds) + conventions.dropFirst(named.count)
    }

    /// `p > T` for one threshold; one per channel, the last for every later channel, otherwise.
    public static func thresholdText(_ thresholds: [Double]) -> String {
        guard thresholds.count > 1 else { return "p > " + NumberText.shortest(thresholds.first ?? 0.5) }
        let last = thresholds.count - 1
        return "p > "
            + thresholds.enumerated().map { index, t in
                "\(NumberText.shortest(t)) (channel \(index)\(index == last ? " and later" : ""))"
            }.joined(separator: ", ")
    }
}
