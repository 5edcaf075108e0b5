import Foundation

/// The Markdown report of an evaluation (GitHub-flavoured), for a pull request or a CI job summary.
extension EvaluationReportValue {
    private typealias B = MarkdownBounds
    private typealias N = NumberText

    /// The one-line verdict the Markdown report opens with.
    public var verdict: String {
        let mark = exitStatus == 0 ? "✅ **passed**" : "❌ **failed**"
        return "\(mark) (exit \(exitStatus)): " + verdictWords
    }

    /// A self-describing report at most `MarkdownBounds.maxBytes` long whatever the data: the
    /// verdict and the gates first, every list cut with a count of the rest (the JSON report has
    /// everything), each file listed once. Names are shown with control characters made visible
    /// (`DisplayText.visible`) and Markdown and HTML characters escaped, so no name can add a
    /// line, a heading or a tag.
    /// - Parameters:
    ///   - generated: the date line (ISO 8601), given by the caller so tests can fix it.
    ///   - commandLine: the exact command, shown at the end.
    ///   - overlayLinks: overlays of the worst images (`--overlays`): an `overlay` column links them.
    public func markdown(generated: String, commandLine: [String], overlayLinks: [OverlayLink] = []) -> String {
        var sections: [(title: String?, lines: [String])] = []
        sections.append(
            (nil, ["# segscore report", "", verdict, "", "segscore \(toolVersion) · \(MarkdownText.escape(generated))", ""]))
        if !gates.isEmpty { sections.append(("Gates", gatesSection)) }
        sections.append(("Headline", headlineSection))
        sections.append(("Inputs", inputsSection))
        sections.append(("Definition", definitionSection))
        sections.append(("Per class", classSection))
        if surface != nil { sections.append(("Boundary metrics", surfaceSection)) }
        sections.append(("Worst images", worstSection(overlayLinks)))
        sections.append(("Unmatched and failed files", filesSection))
        sections.append(("Command", Self.commandSection(commandLine)))
        // The last guard: a section that would pass the bound is replaced by a line saying so.
        // Sections are whole (tables and <details> closed), so what is kept stays valid Markdown.
        var out = ""
        var used = 0
        for (index, section) in sections.enumerated() {
            var text = (section.title.map { ["## \($0)", ""] } ?? []) + section.lines
            var size = text.reduce(0) { $0 + $1.utf8.count + 1 }
            // Room kept for an omission line per later section.
            let reserve = (sections.count - index - 1) * 160
            if used + size + reserve > B.maxBytes, let title = section.title {
                text = [
                    "## \(title)", "",
                    "Omitted to keep this report under \(N.grouped(B.maxBytes)) characters; see the JSON report.", "",
                ]
                size = text.reduce(0) { $0 + $1.utf8.count + 1 }
            }
            used += size
            out += text.joined(separator: "\n") + "\n"
        }
        return out
    }

    private var gatesSection: [String] {
        // Failed gates first: they are what the reader came for.
        let ordered = gates.filter { !$0.passed } + gates.filter(\.passed)
        let rows = B.bounded(
            ordered.count, maxItems: B.gateRows, maxBytes: B.gateBytes,
            item: { i in
                let gate = ordered[i]
                return [
                    gate.passed ? "✅ pass" : "❌ fail", B.inline(gate.name, B.nameBytes), N.fixed(gate.value),
                    B.inline(gate.message, B.messageBytes),
                ]
            })
        var lines = [Table(header: ["", "gate", "value", "detail"], rows: rows.items, rightAligned: [2]).renderedMarkdown(), ""]
        if rows.more > 0 {
            let failedLeft = ordered[rows.items.count...].filter { !$0.passed }.count
            lines += [
                "… and \(N.grouped(rows.more)) more gate\(rows.more == 1 ? "" : "s") (\(N.grouped(failedLeft)) failed); see the JSON report.",
                "",
            ]
        }
        return lines
    }

    private var headlineSection: [String] {
        let resampled = aggregate.resamples > 0
        var headline = [
            ["mean of class means", N.fixed(aggregate.mean), resampled ? Self.range(aggregate.interval) : "—"],
            ["pooled (counts summed over images)", N.fixed(aggregate.pooled), "—"],
        ]
        if let library = aggregate.library {
            headline.append([
                "\(MarkdownText.escape(library.variant)) \(MarkdownText.escape(library.name))", N.fixed(library.value), "—",
            ])
        }
        var lines = [Table(header: ["statistic", "value", "95% CI"], rows: headline, rightAligned: [1]).renderedMarkdown(), ""]
        let ids = aggregate.classIDs
        if ids.isEmpty {
            lines.append("Headline classes: none (\(MarkdownText.escape(Self.noHeadline))).")
        } else {
            let names = B.bounded(
                ids.count, maxItems: B.headlineNames, maxBytes: 2_000,
                item: { "\(B.inline(aggregate.classNames[$0], B.classNameBytes)) (\(ids[$0]))" })
            lines.append(
                "Headline classes: " + names.items.joined(separator: ", ")
                    + (names.more > 0 ? " and \(N.grouped(names.more)) more" : "") + ".")
        }
        lines.append("")
        return lines
    }

    private var inputsSection: [String] {
        [
            Table(
                header: ["", ""],
                rows: [
                    ["ground truth", B.code(inputs.truthFolder)], ["predictions", B.code(inputs.predictionFolder)],
                    ["pairs scored", N.grouped(inputs.pairs)], ["pairs failed", N.grouped(failedPairs)],
                    ["ground truth without prediction", N.grouped(inputs.unmatchedTruth.count)],
                    ["predictions without ground truth", N.grouped(inputs.unmatchedPredictions.count)],
                    ["errors", N.grouped(errors.count)],
                ]
            ).renderedMarkdown(), "",
        ]
    }

    private var definitionSection: [String] {
        let d = definition
        var out: [String] = []
        out.append("- variant \(MarkdownText.code(d.variant)): \(MarkdownText.code(d.formula))")
        if let reproduces = d.reproduces { out.append("- reproduces \(MarkdownText.escape(reproduces))") }
        out.append("- empty rule (0/0): \(MarkdownText.code(d.empty))")
        let nr = d.smoothNumerator.map(N.shortest).joined(separator: ",")
        let dr = d.smoothDenominator.map(N.shortest).joined(separator: ",")
        out.append("- smoothing: numerator \(B.clip(nr, 400)), denominator \(B.clip(dr, 400))")
        if let binarization = d.binarization {
            out.append(
                "- probability maps binarised by \(MarkdownText.code(binarization)), threshold "
                    + B.clip(d.thresholds.map(N.shortest).joined(separator: ","), 400))
        }
        out.append("- background (id 0): \(d.backgroundInHeadline ? "in" : "out of") the headline")
        let ignore = d.ignoreLabels.isEmpty ? "none" : d.ignoreLabels.map(String.init).joined(separator: ", ")
        out.append("- ignore labels: \(B.clip(ignore, 400))")
        out.append("- std: population standard deviation over the images with a value (ddof = 0)")
        out.append("")
        return out
    }

    private var classSection: [String] {
        let resampled = aggregate.resamples > 0
        let rows = B.bounded(
            classes.count, maxItems: B.classRows, maxBytes: B.classBytes,
            item: { index in
                let c = classes[index]
                return [
                    B.inline(c.name, B.classNameBytes), String(c.id), "\(N.fixed(c.mean)) ± \(N.fixed(c.std))",
                    N.fixed(c.median), N.fixed(c.min), N.fixed(c.pooled), String(c.n), String(c.nNaN),
                    resampled ? Self.range(c.interval) : "—",
                ]
            })
        var lines = [
            Table(
                header: ["class", "id", "mean ± std", "median", "min", "pooled", "n", "n_nan", "95% CI"], rows: rows.items,
                rightAligned: Set(1...7)
            ).renderedMarkdown(), "",
        ]
        if rows.more > 0 {
            lines += ["… and \(N.grouped(rows.more)) more class\(rows.more == 1 ? "" : "es"); see the JSON report.", ""]
        }
        return lines
    }

    private func worstSection(_ links: [OverlayLink]) -> [String] {
        var linked: [String: String] = [:]
        for link in links { linked["\(link.classID)/\(link.key)"] = link.target }
        let width = classValueStride
        // The headline classes with the lowest means first (NaN last, ties by id).
        let headlineIDs = Set(aggregate.classIDs)
        let candidates = classes.enumerated().filter { headlineIDs.contains($0.element.id) }
            .sorted { a, b in
                let (x, y) = (a.element.mean, b.element.mean)
                if x.isNaN != y.isNaN { return y.isNaN }
                return x == y || x.isNaN ? a.element.id < b.element.id : x < y
            }
        let blocks = B.bounded(
            candidates.count, maxItems: B.worstClasses, maxBytes: B.worstBytes,
            item: { i -> String in
                let (position, c) = candidates[i]
                // Rows are in key order, so ties broken by row are ties broken by key.
                let ranked = (0..<images.count).compactMap { row -> (Int, Double)? in
                    let dice = classValues[row * width + position]
                    return dice.isNaN ? nil : (row, dice)
                }.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(B.worstImages)
                    .map { (images.key(at: $0.0), $0.1) }
                let overlay: (String) -> [String] = { key in
                    links.isEmpty ? [] : [linked["\(c.id)/\(key)"].map { "[png](\($0))" } ?? ""]
                }
                return [
                    "<details><summary>\(B.html(c.name)) (\(c.id)): \(ranked.count) lowest</summary>", "",
                    Table(
                        header: ["rank", "image", "dice"] + (links.isEmpty ? [] : ["overlay"]),
                        rows: ranked.enumerated().map { [String($0 + 1), B.code($1.0), N.fixed($1.1)] + overlay($1.0) },
                        rightAligned: [0, 2]
                    ).renderedMarkdown(), "", "</details>", "",
                ].joined(separator: "\n")
            })
        var lines = blocks.items
        if blocks.more > 0 {
            lines += [
                "… and \(N.grouped(blocks.more)) more headline class\(blocks.more == 1 ? "" : "es"); see the JSON report.", "",
            ]
        }
        if candidates.isEmpty { lines += ["No headline class.", ""] }
        return lines
    }

    /// Each file once: a ground-truth file without prediction is listed there, not again among
    /// the errors (`--missing fail`) or the warnings (`--missing skip`).
    private var filesSection: [String] {
        let unmatched = Set(inputs.unmatchedTruth)
        let errors = self.errors.filter { !($0.key == nil && unmatched.contains($0.path)) }
        let skipped = ": no prediction"
        let warnings = self.warnings.filter { warning in
            guard let range = warning.range(of: skipped, options: .backwards) else { return true }
            return !unmatched.contains(String(warning[..<range.lowerBound]))
        }
        let truthNote: String
        switch definition.missing {
        case "fail": truthNote = " (data errors, --missing fail)"
        case "skip": truthNote = " (skipped, --missing skip)"
        default: truthNote = " (scored against an empty mask, --missing empty)"
        }
        let lists: [(String, Int, (Int) -> String)] = [
            ("ground truth without prediction" + truthNote, inputs.unmatchedTruth.count, { B.code(inputs.unmatchedTruth[$0]) }),
            (
                "predictions without ground truth (not scored)", inputs.unmatchedPredictions.count,
                { B.code(inputs.unmatchedPredictions[$0]) }
            ),
            ("errors", errors.count, { B.code("\(errors[$0].path): \(errors[$0].message)", B.messageBytes) }),
            ("warnings", warnings.count, { B.code(warnings[$0], B.messageBytes) }),
        ]
        var lines: [String] = []
        for (title, count, item) in lists where count > 0 {
            let shown = B.bounded(count, maxItems: B.listItems, maxBytes: B.listBytes, item: { "- " + item($0) })
            lines += ["<details><summary>\(N.grouped(count)) \(title)</summary>", ""] + shown.items
            if shown.more > 0 { lines.append("- … and \(N.grouped(shown.more)) more; see the JSON report") }
            lines += ["", "</details>", ""]
        }
        if lines.isEmpty { lines = ["None: every file was paired and scored.", ""] }
        return lines
    }

    private static func commandSection(_ commandLine: [String]) -> [String] {
        let command = commandLine.map(ShellText.quote).joined(separator: " ")
        let shown =
            command.utf8.count > B.commandBytes
            ? DisplayText.clipped(command, maxBytes: B.commandBytes) + "  # (shortened)" : command
        // A fence longer than any backtick run inside: an argument holding ``` cannot close it.
        let fence = String(repeating: "`", count: max(3, MarkdownText.longestBacktickRun(shown) + 1))
        return [fence + "sh", shown, fence]
    }

    private static func range(_ interval: Interval?) -> String {
        interval.map { "[\(N.fixed($0.lower)), \(N.fixed($0.upper))]" } ?? "—"
    }
}
