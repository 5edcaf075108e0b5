import ReportWriters
import SegMetrics

extension EvaluationReport {
    /// A self-describing report for a pull request or a CI job summary (GitHub-flavoured Markdown).
    /// - Parameters:
    ///   - generated: the date line (ISO 8601), given by the caller so tests can fix it.
    ///   - commandLine: the exact command, shown at the end.
    public func markdown(generated: String, commandLine: [String]) -> String {
        let summary = result.summary
        let options = result.options
        let variant = options.variant
        var out: [String] = []
        out.append("# segscore report")
        out.append("")
        out.append("segscore \(segscoreVersion) · \(generated)")
        out.append("")
        let failedPairs = result.problems.filter { $0.key != nil }.count
        out.append("## Inputs")
        out.append("")
        out.append(
            MarkdownTable(
                header: ["", ""],
                rows: [
                    ["ground truth", MarkdownTable.code(result.truthFolder)], ["predictions", MarkdownTable.code(result.predictionFolder)],
                    ["pairs scored", String(result.records.count)], ["pairs failed", String(failedPairs)],
                    ["ground truth without prediction", String(result.unmatchedTruth.count)],
                    ["predictions without ground truth", String(result.unmatchedPredictions.count)],
                    ["errors", String(result.problems.count)],
                ]
            ).rendered())
        out.append("")
        out.append("## Definition")
        out.append("")
        out.append("- variant \(MarkdownTable.code(variant.name)): \(MarkdownTable.code(variant.formulaText))")
        if let reproduces = variant.reproduces { out.append("- reproduces \(reproduces)") }
        out.append("- empty rule (0/0): \(MarkdownTable.code(variant.empty.rawValue))")
        let nr = variant.smoothing.numerator.map(NumberText.shortest).joined(separator: ",")
        let dr = variant.smoothing.denominator.map(NumberText.shortest).joined(separator: ",")
        out.append("- smoothing: numerator \(nr), denominator \(dr)")
        if variant.isHard { out.append("- probability maps binarised by \(MarkdownTable.code(variant.binarization.name)), threshold \(options.thresholds.map(NumberText.shortest).joined(separator: ","))") }
        out.append("- background (id 0): \(result.backgroundInHeadline ? "in" : "out of") the headline")
        out.append("- ignore labels: \(options.ignoreLabels.isEmpty ? "none" : options.ignoreLabels.map(String.init).joined(separator: ", "))")
        out.append("")
        out.append("## Headline")
        out.append("")
        var headline = [
            ["mean of class means", Self.fixed(summary.mean), resamples > 0 ? Self.range(headlineInterval) : "—"],
            ["pooled (counts summed over images)", Self.fixed(summary.pooled), "—"],
        ]
        if let library = summary.library { headline.append(["\(library.variant) \(library.name)", Self.fixed(library.value), "—"]) }
        out.append(MarkdownTable(header: ["statistic", "value", "95% CI"], rows: headline, rightAligned: [1]).rendered())
        out.append("")
        out.append(
            summary.headlineClassIDs.isEmpty
                ? "Headline classes: none (\(EvaluationReport.noHeadline))."
                : "Headline classes: " + summary.headlineClassIDs.map { "\(options.name(of: $0)) (\($0))" }.joined(separator: ", ") + ".")
        out.append("")
        out.append("## Per class")
        out.append("")
        out.append(
            MarkdownTable(
                header: ["class", "id", "mean ± std", "median", "min", "pooled", "n", "n_nan", "95% CI"],
                rows: summary.classes.enumerated().map { index, c in
                    [options.name(of: c.id), String(c.id), "\(Self.fixed(c.mean)) ± \(Self.fixed(c.std))", Self.fixed(c.median),
                     Self.fixed(c.min), Self.fixed(c.pooled), String(c.n), String(c.nNaN),
                     resamples > 0 ? Self.range(classIntervals[index]) : "—"]
                }, rightAligned: Set(1...7)
            ).rendered())
        out.append("")
        if !gates.isEmpty {
            out.append("## Gates")
            out.append("")
            out.append(
                MarkdownTable(
                    header: ["", "gate", "value", "detail"],
                    rows: gates.map { [$0.passed ? "✅ pass" : "❌ fail", $0.name, Self.fixed($0.value), $0.message] },
                    rightAligned: [2]
                ).rendered())
            out.append("")
        }
        out.append("## Worst images")
        out.append("")
        let width = result.classIDs.count
        let headlineIDs = Set(summary.headlineClassIDs)
        for (position, c) in summary.classes.enumerated() where headlineIDs.contains(c.id) {
            // Rows are in key order, so ties broken by row are ties broken by key.
            let ranked = (0..<result.images.count).compactMap { row -> (Int, Double)? in
                let dice = result.classValues[row * width + position]
                return dice.isNaN ? nil : (row, dice)
            }.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(10).map { (result.records[$0.0].key, $0.1) }
            out.append("<details><summary>\(Self.html(options.name(of: c.id))) (\(c.id)): \(ranked.count) lowest</summary>")
            out.append("")
            out.append(
                MarkdownTable(
                    header: ["rank", "image", "dice"],
                    rows: ranked.enumerated().map { [String($0 + 1), MarkdownTable.code($1.0), Self.fixed($1.1)] },
                    rightAligned: [0, 2]
                ).rendered())
            out.append("")
            out.append("</details>")
            out.append("")
        }
        out.append("## Unmatched and failed files")
        out.append("")
        let sections: [(String, [String])] = [
            ("ground truth without prediction", result.unmatchedTruth.map(\.path)),
            ("predictions without ground truth", result.unmatchedPredictions.map(\.path)),
            ("errors", result.problems.map { "\($0.path): \($0.message)" }),
            ("warnings", result.warnings),
        ]
        var any = false
        for (title, items) in sections where !items.isEmpty {
            any = true
            out.append("<details><summary>\(items.count) \(title)</summary>")
            out.append("")
            for item in items { out.append("- " + MarkdownTable.code(item)) }
            out.append("")
            out.append("</details>")
            out.append("")
        }
        if !any {
            out.append("None: every file was paired and scored.")
            out.append("")
        }
        out.append("## Command")
        out.append("")
        out.append("```sh")
        out.append(commandLine.map(Self.shellQuote).joined(separator: " "))
        out.append("```")
        return out.joined(separator: "\n") + "\n"
    }

    static func range(_ interval: BootstrapInterval?) -> String {
        interval.map { "[\(fixed($0.lower)), \(fixed($0.upper))]" } ?? "—"
    }

    static func html(_ text: String) -> String { XMLText.escape(text) }

    static func shellQuote(_ argument: String) -> String {
        let safe = argument.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./=:,@%+".unicodeScalars.contains($0)
        }
        return safe && !argument.isEmpty ? argument : "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// JUnit XML (the shape GitLab and Jenkins read): each gate is a test case, and a data case
    /// fails when any file could not be scored.
    public var junit: String {
        let failures = gates.filter { !$0.passed }.count
        let errors = result.hasDataProblems ? 1 : 0
        let tests = gates.count + 1
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="segscore" tests="\#(tests)" failures="\#(failures)" errors="\#(errors)">"#,
            #"  <testsuite name="segscore.gates" tests="\#(tests)" failures="\#(failures)" errors="\#(errors)">"#,
        ]
        let data = "every pair scored (\(result.records.count) pairs)"
        if result.hasDataProblems {
            lines.append(#"    <testcase classname="segscore.data" name="\#(XMLText.escape(data))">"#)
            let message = "\(result.problems.count) data problem\(result.problems.count == 1 ? "" : "s")"
            let detail = result.problems.map { "\($0.path): \($0.message)" }.joined(separator: "\n")
            lines.append(#"      <error type="data" message="\#(XMLText.escape(message))">\#(XMLText.escape(detail))</error>"#)
            lines.append("    </testcase>")
        } else {
            lines.append(#"    <testcase classname="segscore.data" name="\#(XMLText.escape(data))"/>"#)
        }
        for gate in gates {
            let name = XMLText.escape(gate.name)
            if gate.passed {
                lines.append(#"    <testcase classname="segscore.gates" name="\#(name)"/>"#)
            } else {
                lines.append(#"    <testcase classname="segscore.gates" name="\#(name)">"#)
                let detail = "value \(NumberText.shortest(gate.value)), threshold \(NumberText.shortest(gate.threshold))"
                lines.append(#"      <failure type="gate" message="\#(XMLText.escape(gate.message))">\#(XMLText.escape(detail))</failure>"#)
                lines.append("    </testcase>")
            }
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }
}
