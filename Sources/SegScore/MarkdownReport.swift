import Foundation
import ReportWriters
import SegMetrics

/// The bounds that keep the Markdown report postable whatever the data: GitHub refuses comments
/// over 65,536 characters (step summaries over 1 MiB). Every list is cut to a number of items and
/// of bytes, with a count of what was left out ("… and 1,950 more; see the JSON report"), and a
/// last guard omits whole sections (never cuts one in half) should the sum still exceed
/// `maxBytes`.
public enum MarkdownBounds {
    /// The whole report, in UTF-8 bytes (so in characters too).
    public static let maxBytes = 60_000
    /// Files, errors, warnings: items per list, and bytes per list.
    public static let listItems = 20
    public static let listBytes = 4_000
    /// Rows of the per-class table, and its bytes.
    public static let classRows = 40
    public static let classBytes = 10_000
    /// Rows of the gates table (failed gates first), and its bytes.
    public static let gateRows = 20
    public static let gateBytes = 7_000
    /// Headline classes shown with their lowest images, images per class, and the section's bytes.
    public static let worstClasses = 5
    public static let worstImages = 10
    public static let worstBytes = 10_000
    /// Class names listed in the headline line.
    public static let headlineNames = 20
    /// One file name or key, one class name, one error or warning line (bytes, after control
    /// characters are made visible; longer ones keep their beginning and end around ` … `).
    public static let nameBytes = 160
    public static let classNameBytes = 80
    public static let messageBytes = 300
    /// The command line at the end.
    public static let commandBytes = 2_000
}

extension EvaluationReport {
    /// The exit status this report stands for: 3 data problems (wins), 1 a gate failed, 0.
    var exitStatus: ExitStatus {
        result.hasDataProblems ? .dataProblem : (gateFailed ? .gateFailed : .success)
    }

    /// The one-line verdict the Markdown report opens with.
    var verdict: String {
        let failed = gates.filter { !$0.passed }.count
        var parts: [String] = []
        if result.hasDataProblems {
            let n = result.problems.count
            parts.append("\(Self.grouped(n)) data problem\(n == 1 ? "" : "s")")
        }
        if gates.isEmpty {
            parts.append("no gates")
        } else if failed > 0 {
            parts.append("\(Self.grouped(failed)) of \(Self.grouped(gates.count)) gate\(gates.count == 1 ? "" : "s") failed")
        } else {
            parts.append(gates.count == 1 ? "the gate passed" : "all \(Self.grouped(gates.count)) gates passed")
        }
        if !result.hasDataProblems { parts.append("every pair scored") }
        let mark = exitStatus == .success ? "✅ **passed**" : "❌ **failed**"
        return "\(mark) (exit \(exitStatus.rawValue)): " + parts.joined(separator: "; ")
    }

    /// A self-describing report for a pull request or a CI job summary (GitHub-flavoured Markdown),
    /// at most `MarkdownBounds.maxBytes` long whatever the data: the verdict and the gates first,
    /// every list cut with a count of the rest (the JSON report has everything), each file listed
    /// once. Names are shown with control characters made visible (`DisplayText.visible`) and
    /// Markdown and HTML characters escaped, so no name can add a line, a heading or a tag.
    /// - Parameters:
    ///   - generated: the date line (ISO 8601), given by the caller so tests can fix it.
    ///   - commandLine: the exact command, shown at the end.
    public func markdown(generated: String, commandLine: [String]) -> String {
        var sections: [(title: String?, lines: [String])] = []
        sections.append((nil, ["# segscore report", "", verdict, "", "segscore \(segscoreVersion) · \(MarkdownText.escape(generated))", ""]))
        if !gates.isEmpty { sections.append(("Gates", gatesSection)) }
        sections.append(("Headline", headlineSection))
        sections.append(("Inputs", inputsSection))
        sections.append(("Definition", definitionSection))
        sections.append(("Per class", classSection))
        sections.append(("Worst images", worstSection))
        sections.append(("Unmatched and failed files", filesSection))
        sections.append(("Command", commandSection(commandLine)))
        // The last guard: a section that would pass the bound is replaced by a line saying so.
        // Sections are whole (tables and <details> closed), so what is kept stays valid Markdown.
        var out = ""
        var used = 0
        for (index, section) in sections.enumerated() {
            var text = (section.title.map { ["## \($0)", ""] } ?? []) + section.lines
            var size = text.reduce(0) { $0 + $1.utf8.count + 1 }
            // Room kept for an omission line per later section.
            let reserve = (sections.count - index - 1) * 160
            if used + size + reserve > MarkdownBounds.maxBytes, let title = section.title {
                text = ["## \(title)", "", "Omitted to keep this report under \(Self.grouped(MarkdownBounds.maxBytes)) characters; see the JSON report.", ""]
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
        let rows = Self.bounded(
            ordered.count, maxItems: MarkdownBounds.gateRows, maxBytes: MarkdownBounds.gateBytes,
            item: { i in
                let gate = ordered[i]
                return [
                    gate.passed ? "✅ pass" : "❌ fail", Self.inline(gate.name, MarkdownBounds.nameBytes), Self.fixed(gate.value),
                    Self.inline(gate.message, MarkdownBounds.messageBytes),
                ]
            })
        var lines = [MarkdownTable(header: ["", "gate", "value", "detail"], rows: rows.items, rightAligned: [2]).rendered(), ""]
        if rows.more > 0 {
            let failedLeft = ordered[rows.items.count...].filter { !$0.passed }.count
            lines += [
                "… and \(Self.grouped(rows.more)) more gate\(rows.more == 1 ? "" : "s") (\(Self.grouped(failedLeft)) failed); see the JSON report.",
                "",
            ]
        }
        return lines
    }

    private var headlineSection: [String] {
        let summary = result.summary
        let options = result.options
        var headline = [
            ["mean of class means", Self.fixed(summary.mean), resamples > 0 ? Self.range(headlineInterval) : "—"],
            ["pooled (counts summed over images)", Self.fixed(summary.pooled), "—"],
        ]
        if let library = summary.library {
            headline.append(["\(MarkdownText.escape(library.variant)) \(MarkdownText.escape(library.name))", Self.fixed(library.value), "—"])
        }
        var lines = [MarkdownTable(header: ["statistic", "value", "95% CI"], rows: headline, rightAligned: [1]).rendered(), ""]
        let ids = summary.headlineClassIDs
        if ids.isEmpty {
            lines.append("Headline classes: none (\(MarkdownText.escape(EvaluationReport.noHeadline))).")
        } else {
            let names = Self.bounded(
                ids.count, maxItems: MarkdownBounds.headlineNames, maxBytes: 2_000,
                item: { "\(Self.inline(options.name(of: ids[$0]), MarkdownBounds.classNameBytes)) (\(ids[$0]))" })
            lines.append(
                "Headline classes: " + names.items.joined(separator: ", ")
                    + (names.more > 0 ? " and \(Self.grouped(names.more)) more" : "") + ".")
        }
        lines.append("")
        return lines
    }

    private var inputsSection: [String] {
        let failedPairs = result.problems.filter { $0.key != nil }.count
        return [
            MarkdownTable(
                header: ["", ""],
                rows: [
                    ["ground truth", Self.code(result.truthFolder)], ["predictions", Self.code(result.predictionFolder)],
                    ["pairs scored", Self.grouped(result.records.count)], ["pairs failed", Self.grouped(failedPairs)],
                    ["ground truth without prediction", Self.grouped(result.unmatchedTruth.count)],
                    ["predictions without ground truth", Self.grouped(result.unmatchedPredictions.count)],
                    ["errors", Self.grouped(result.problems.count)],
                ]
            ).rendered(), "",
        ]
    }

    private var definitionSection: [String] {
        let options = result.options
        let variant = options.variant
        var out: [String] = []
        out.append("- variant \(MarkdownTable.code(variant.name)): \(MarkdownTable.code(variant.formulaText))")
        if let reproduces = variant.reproduces { out.append("- reproduces \(MarkdownText.escape(reproduces))") }
        out.append("- empty rule (0/0): \(MarkdownTable.code(variant.empty.rawValue))")
        let nr = variant.smoothing.numerator.map(NumberText.shortest).joined(separator: ",")
        let dr = variant.smoothing.denominator.map(NumberText.shortest).joined(separator: ",")
        out.append("- smoothing: numerator \(Self.clip(nr, 400)), denominator \(Self.clip(dr, 400))")
        if variant.isHard {
            out.append(
                "- probability maps binarised by \(MarkdownTable.code(variant.binarization.name)), threshold "
                    + Self.clip(options.thresholds.map(NumberText.shortest).joined(separator: ","), 400))
        }
        out.append("- background (id 0): \(result.backgroundInHeadline ? "in" : "out of") the headline")
        let ignore = options.ignoreLabels.isEmpty ? "none" : options.ignoreLabels.map(String.init).joined(separator: ", ")
        out.append("- ignore labels: \(Self.clip(ignore, 400))")
        out.append("- std: population standard deviation over the images with a value (ddof = 0)")
        out.append("")
        return out
    }

    private var classSection: [String] {
        let summary = result.summary
        let options = result.options
        let rows = Self.bounded(
            summary.classes.count, maxItems: MarkdownBounds.classRows, maxBytes: MarkdownBounds.classBytes,
            item: { index in
                let c = summary.classes[index]
                return [
                    Self.inline(options.name(of: c.id), MarkdownBounds.classNameBytes), String(c.id), "\(Self.fixed(c.mean)) ± \(Self.fixed(c.std))",
                    Self.fixed(c.median), Self.fixed(c.min), Self.fixed(c.pooled), String(c.n), String(c.nNaN),
                    resamples > 0 ? Self.range(classIntervals[index]) : "—",
                ]
            })
        var lines = [
            MarkdownTable(
                header: ["class", "id", "mean ± std", "median", "min", "pooled", "n", "n_nan", "95% CI"], rows: rows.items,
                rightAligned: Set(1...7)
            ).rendered(), "",
        ]
        if rows.more > 0 { lines += ["… and \(Self.grouped(rows.more)) more class\(rows.more == 1 ? "" : "es"); see the JSON report.", ""] }
        return lines
    }

    private var worstSection: [String] {
        let summary = result.summary
        let options = result.options
        let width = result.classIDs.count
        // The headline classes with the lowest means first (NaN last, ties by id).
        let headlineIDs = Set(summary.headlineClassIDs)
        let candidates = summary.classes.enumerated().filter { headlineIDs.contains($0.element.id) }
            .sorted { a, b in
                let (x, y) = (a.element.mean, b.element.mean)
                if x.isNaN != y.isNaN { return y.isNaN }
                return x == y || x.isNaN ? a.element.id < b.element.id : x < y
            }
        let blocks = Self.bounded(
            candidates.count, maxItems: MarkdownBounds.worstClasses, maxBytes: MarkdownBounds.worstBytes,
            item: { i -> String in
                let (position, c) = candidates[i]
                // Rows are in key order, so ties broken by row are ties broken by key.
                let ranked = (0..<result.images.count).compactMap { row -> (Int, Double)? in
                    let dice = result.classValues[row * width + position]
                    return dice.isNaN ? nil : (row, dice)
                }.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(MarkdownBounds.worstImages)
                    .map { (result.records[$0.0].key, $0.1) }
                let name = Self.html(options.name(of: c.id))
                return [
                    "<details><summary>\(name) (\(c.id)): \(ranked.count) lowest</summary>", "",
                    MarkdownTable(
                        header: ["rank", "image", "dice"],
                        rows: ranked.enumerated().map { [String($0 + 1), Self.code($1.0), Self.fixed($1.1)] },
                        rightAligned: [0, 2]
                    ).rendered(), "", "</details>", "",
                ].joined(separator: "\n")
            })
        var lines = blocks.items
        if blocks.more > 0 {
            lines += ["… and \(Self.grouped(blocks.more)) more headline class\(blocks.more == 1 ? "" : "es"); see the JSON report.", ""]
        }
        if candidates.isEmpty { lines += ["No headline class.", ""] }
        return lines
    }

    /// Each file once: a ground-truth file without prediction is listed there, not again among
    /// the errors (`--missing fail`) or the warnings (`--missing skip`).
    private var filesSection: [String] {
        let unmatched = Set(result.unmatchedTruth.map(\.path))
        let errors = result.problems.filter { !($0.key == nil && unmatched.contains($0.path)) }
        let skipped = ": no prediction"
        let warnings = result.warnings.filter { warning in
            guard let range = warning.range(of: skipped, options: .backwards) else { return true }
            return !unmatched.contains(String(warning[..<range.lowerBound]))
        }
        let truthNote: String
        switch result.options.missing {
        case .fail: truthNote = " (data errors, --missing fail)"
        case .skip: truthNote = " (skipped, --missing skip)"
        case .empty: truthNote = " (scored against an empty mask, --missing empty)"
        }
        let lists: [(String, Int, (Int) -> String)] = [
            ("ground truth without prediction" + truthNote, result.unmatchedTruth.count, { Self.code(result.unmatchedTruth[$0].path) }),
            ("predictions without ground truth (not scored)", result.unmatchedPredictions.count, { Self.code(result.unmatchedPredictions[$0].path) }),
            ("errors", errors.count, { Self.code("\(errors[$0].path): \(errors[$0].message)", MarkdownBounds.messageBytes) }),
            ("warnings", warnings.count, { Self.code(warnings[$0], MarkdownBounds.messageBytes) }),
        ]
        var lines: [String] = []
        for (title, count, item) in lists where count > 0 {
            let shown = Self.bounded(count, maxItems: MarkdownBounds.listItems, maxBytes: MarkdownBounds.listBytes, item: { "- " + item($0) })
            lines += ["<details><summary>\(Self.grouped(count)) \(title)</summary>", ""] + shown.items
            if shown.more > 0 { lines.append("- … and \(Self.grouped(shown.more)) more; see the JSON report") }
            lines += ["", "</details>", ""]
        }
        if lines.isEmpty { lines = ["None: every file was paired and scored.", ""] }
        return lines
    }

    private func commandSection(_ commandLine: [String]) -> [String] {
        let command = commandLine.map(Self.shellQuote).joined(separator: " ")
        let shown = command.utf8.count > MarkdownBounds.commandBytes
            ? DisplayText.clipped(command, maxBytes: MarkdownBounds.commandBytes) + "  # (shortened)" : command
        // A fence longer than any backtick run inside: an argument holding ``` cannot close it.
        var longest = 0
        var run = 0
        for character in shown {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return [fence + "sh", shown, fence]
    }

    /// Up to `maxItems` items whose bytes stay within `maxBytes` (the first is always kept), and
    /// how many were left out.
    static func bounded(_ count: Int, maxItems: Int, maxBytes: Int, item: (Int) -> String) -> (items: [String], more: Int) {
        bounded(count, maxItems: maxItems, maxBytes: maxBytes, item: item, size: { $0.utf8.count + 1 })
    }

    /// Table rows: as above, a row's size being the sum of its cells (and their separators).
    static func bounded(_ count: Int, maxItems: Int, maxBytes: Int, item: (Int) -> [String]) -> (items: [[String]], more: Int) {
        bounded(count, maxItems: maxItems, maxBytes: maxBytes, item: item, size: { $0.reduce(4) { $0 + $1.utf8.count + 3 } })
    }

    private static func bounded<Item>(_ count: Int, maxItems: Int, maxBytes: Int, item: (Int) -> Item, size: (Item) -> Int)
        -> (items: [Item], more: Int)
    {
        var items: [Item] = []
        var bytes = 0
        for index in 0..<min(count, maxItems) {
            let next = item(index)
            let nextSize = size(next)
            if !items.isEmpty && bytes + nextSize > maxBytes { break }
            items.append(next)
            bytes += nextSize
        }
        return (items, count - items.count)
    }

    /// A name as inline Markdown text: visible, clipped, escaped.
    static func inline(_ text: String, _ maxBytes: Int) -> String {
        MarkdownText.escape(clip(text, maxBytes))
    }

    /// A name as inline code: visible and clipped.
    static func code(_ text: String, _ maxBytes: Int = MarkdownBounds.nameBytes) -> String {
        MarkdownTable.code(clip(text, maxBytes))
    }

    static func clip(_ text: String, _ maxBytes: Int) -> String {
        DisplayText.clipped(DisplayText.visible(text), maxBytes: maxBytes)
    }

    /// 1950 → "1,950".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func range(_ interval: BootstrapInterval?) -> String {
        interval.map { "[\(fixed($0.lower)), \(fixed($0.upper))]" } ?? "—"
    }

    /// A name inside HTML (the `<summary>` of a folded block): visible, clipped, HTML-escaped.
    static func html(_ text: String) -> String { XMLText.escape(clip(text, MarkdownBounds.classNameBytes)) }

    /// The argument as the shell reads it back: as is when it holds only safe characters,
    /// `'…'` otherwise, and `$'…'` (bash/zsh ANSI-C quoting, `\n`, `\x1b`) when it holds control
    /// characters, so the command stays one visible line and still runs when pasted.
    static func shellQuote(_ argument: String) -> String {
        let safe = argument.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./=:,@%+".unicodeScalars.contains($0)
        }
        if safe && !argument.isEmpty { return argument }
        guard argument.unicodeScalars.contains(where: DisplayText.isHidden) else {
            return "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }
        var out = "$'"
        for scalar in argument.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            default:
                if DisplayText.isHidden(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "'"
    }
}
