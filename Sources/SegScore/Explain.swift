import Foundation
import ReportWriters
import SegMetrics

/// `segscore explain`: which Dice conventions exist, and what each gives on the user's masks.
public enum Explain {
    /// The base formulas shown by `explain` (with representative parameters), then every preset.
    public static var catalogue: [DiceVariant] {
        let bases = ["hard", "soft", "soft-squared", "soft-pow:2", "fuzzy", "tversky:0.5,0.5", "tversky:0.3,0.7", "jaccard", "generalized:square"]
        return bases.compactMap { try? DiceVariant.named($0) } + Preset.allCases.map(\.variant)
    }

    /// How a variant turns per-image values into a dataset number.
    static func reduction(_ variant: DiceVariant) -> String {
        switch variant.library {
        case .flatten?: return "one sum over every class and image"
        case .smpPooled?: return "sums over images per class, mean over classes"
        case .lossMean?: return "mean over (image, class)"
        case .monaiMean?: return "per image mean over classes, then over images (all NaN → 0)"
        case .torchmetricsMacro?: return "per image macro over classes, then NaN-skipping mean over images"
        case .torchmetricsGlobal?: return "sums over images per class, then macro over classes"
        case .nnunetForegroundMean?: return "per class NaN-skipping mean over images, plain mean over foreground classes"
        case nil: return "per image and class; class means skip NaN"
        }
    }

    /// The catalogue as a terminal table.
    public static var catalogueText: String {
        let table = TextTable(
            header: ["variant", "formula", "0/0", "smoothing", "reduction"],
            rows: catalogue.map { v in [v.name, v.formulaText, v.empty.rawValue, smoothingText(v), reduction(v)] })
        let libraries = TextTable(
            header: ["preset", "reproduces"], rows: catalogue.compactMap { v in v.reproduces.map { [v.name, $0] } })
        return table.rendered() + "\n\n" + libraries.rendered()
            + "\n\nsegscore explain --variant NAME shows one in detail; add --gt and --pred to compute them all on your masks."
    }

    /// The catalogue as JSON.
    public static var catalogueJSON: JSONValue {
        .object([
            ("schema", .string("segscore.explain/1")),
            ("variants", .array(catalogue.map(variantJSON))),
        ])
    }

    /// One variant as JSON: name, formula, empty rule, smoothing, conventions, reduction, library.
    public static func variantJSON(_ v: DiceVariant) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(v.name)), ("formula", .string(v.formulaText)), ("empty", .string(v.empty.rawValue)),
            ("smooth_nr", .array(v.smoothing.numerator.map { .number($0) })),
            ("smooth_dr", .array(v.smoothing.denominator.map { .number($0) })),
            ("conventions", .string(v.conventions)), ("reduction", .string(reduction(v))),
        ]
        if let reproduces = v.reproduces { members.append(("reproduces", .string(reproduces))) }
        return .object(members)
    }

    static func smoothingText(_ v: DiceVariant) -> String {
        let nr = v.smoothing.numerator.map(NumberText.shortest).joined(separator: ",")
        let dr = v.smoothing.denominator.map(NumberText.shortest).joined(separator: ",")
        return nr == dr ? nr : "\(nr)/\(dr)"
    }

    /// One variant in detail: formula, conventions, reduction, library, loss transforms.
    public static func detail(_ v: DiceVariant, values: [(String, Double)] = []) -> String {
        var lines = [
            "\(v.name)", "  formula      \(v.formulaText)", "  conventions  \(v.conventions)",
            "  reduction    \(reduction(v))", "  reproduces   \(v.reproduces ?? "segscore base formula")",
        ]
        if let floor = v.denominatorFloor { lines.append("  denominator  at least \(NumberText.shortest(floor))") }
        lines.append("  losses       " + LossTransform.allCases.map { "\($0.rawValue): \($0.formula)" }.joined(separator: " · "))
        if !values.isEmpty {
            lines.append("")
            let table = TextTable(
                header: ["class", "D"] + LossTransform.allCases.map(\.rawValue),
                rows: values.map { name, d in [DisplayText.visible(name), number(d)] + LossTransform.allCases.map { number($0.apply(d)) } },
                rightAligned: Set(1...(1 + LossTransform.allCases.count)))
            lines.append(table.rendered())
        }
        return lines.joined(separator: "\n")
    }

    /// Six significant digits: 9.9999e-06, 0.990099, NaN.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        return String(format: "%.6g", value)
    }
}

/// Every variant computed on one pair of files or two folders.
public struct DataExplanation: Sendable {
    public struct Row: Sendable {
        public var variant: DiceVariant
        /// Per class: the image's value (one pair) or the class mean (folders), in `classIDs` order.
        public var values: [Double]
        /// The dataset number: the headline mean, the Generalized Dice or the library's headline.
        public var overall: Double
        public var overallName: String
    }

    public var classIDs: [Int]
    public var rows: [Row]
    /// One line per (image, class) where the Dice variants disagree, naming the cause.
    public var disagreements: [String]
    /// The result of the default `hard` run (pairing, problems).
    public var reference: EvaluationResult
    public var options: EvaluationOptions

    /// Runs every variant of the catalogue (`variants` overrides it) on the data.
    /// - Parameters:
    ///   - smoothing: `--smooth` lists, applied to the base formulas (presets keep theirs).
    public static func compute(
        truth: String, prediction: String, options: EvaluationOptions, smoothing: Smoothing?, variants: [DiceVariant]? = nil
    ) throws(EvaluationSetupError) -> DataExplanation {
        var isDirectory: ObjCBool = false
        let folders = FileManager.default.fileExists(atPath: truth, isDirectory: &isDirectory) && isDirectory.boolValue
        func run(_ variant: DiceVariant) throws(EvaluationSetupError) -> EvaluationResult {
            var o = options
            o.variant = variant
            if folders { return try Evaluation.run(truth: truth, prediction: prediction, options: o) }
            return try Evaluation.run(truthFile: truth, predictionFile: prediction, options: o)
        }
        var chosen = variants ?? Explain.catalogue
        if let smoothing {
            for i in chosen.indices where chosen[i].library == nil && chosen[i].reproduces == nil {
                chosen[i].smoothing = smoothing
            }
        }
        let reference = try run(DiceVariant(formula: .hard))
        var results: [(DiceVariant, EvaluationResult)] = []
        for variant in chosen { results.append((variant, try run(variant))) }
        let ids = reference.classIDs
        let single = reference.images.count == 1
        let rows = results.map { variant, result -> Row in
            let values = ids.map { id -> Double in
                if single { return result.images[0].classes.first { $0.id == id }?.dice ?? .nan }
                return result.summary.classes.first { $0.id == id }?.mean ?? .nan
            }
            let summary = result.summary
            if let library = summary.library { return Row(variant: variant, values: values, overall: library.value, overallName: library.name) }
            if let generalized = summary.generalizedMean {
                return Row(variant: variant, values: values, overall: generalized, overallName: "generalized")
            }
            return Row(variant: variant, values: values, overall: summary.mean, overallName: "mean")
        }
        return DataExplanation(
            classIDs: ids, rows: rows, disagreements: disagreements(reference: reference, results: results), reference: reference,
            options: options)
    }

    /// True for the formulas that are a Dice coefficient (Jaccard and asymmetric Tversky are not).
    static func isDice(_ variant: DiceVariant) -> Bool {
        switch variant.formula {
        case .hard, .soft, .softSquared, .fuzzy: return true
        case .softPow(let gamma): return gamma == 1
        case .tversky(let alpha, let beta): return alpha == 0.5 && beta == 0.5
        case .jaccard, .generalized: return false
        }
    }

    static func disagreements(reference: EvaluationResult, results: [(DiceVariant, EvaluationResult)]) -> [String] {
        var lines: [String] = []
        let dice = results.filter { isDice($0.0) }
        for (index, image) in reference.images.enumerated() {
            for c in image.classes {
                // Variants grouped by the value they report (to display precision).
                var groups: [(String, [String])] = []
                for (variant, result) in dice {
                    guard index < result.images.count, result.images[index].key == image.key,
                        let value = result.images[index].classes.first(where: { $0.id == c.id })?.dice
                    else { continue }
                    let shown = Explain.number(value)
                    if let g = groups.firstIndex(where: { $0.0 == shown }) { groups[g].1.append(variant.name) } else { groups.append((shown, [variant.name])) }
                }
                guard groups.count > 1 else { continue }
                let terms = c.terms
                let cause: String
                if terms.truth == 0 && terms.prediction == 0 {
                    cause = "both empty"
                } else if terms.truth == 0 {
                    cause = "GT empty, prediction not"
                } else if terms.prediction == 0 {
                    cause = "prediction empty"
                } else if reference.records[index].predictionEncoding.hasPrefix("probability") {
                    cause = "soft prediction (binarisation and soft sums differ)"
                } else {
                    cause = "smoothing"
                }
                let described = groups.sorted { $0.1.count > $1.1.count }.map { value, names in
                    "\(value) under \(names.count > 6 ? names.prefix(6).joined(separator: ", ") + " and \(names.count - 6) more" : names.joined(separator: ", "))"
                }
                lines.append("\(image.key) class \(reference.options.name(of: c.id)): \(cause): " + described.joined(separator: "; "))
            }
        }
        return lines
    }

    /// The side-by-side table and the disagreements, for the terminal.
    public var text: String {
        let single = reference.images.count == 1
        var lines: [String] = []
        lines.append(
            single
                ? "\(reference.records.first?.truthPath ?? "") vs \(reference.records.first?.predictionPath ?? ""): value per class"
                : "\(reference.records.count) pairs: class means (NaN skipped)")
        let table = TextTable(
            header: ["variant"] + classIDs.map { DisplayText.visible(options.name(of: $0)) } + ["dataset", "how"],
            rows: rows.map { row in [row.variant.name] + row.values.map(Explain.number) + [Explain.number(row.overall), row.overallName] },
            rightAligned: Set(1...(classIDs.count + 1)))
        // One element per line: every line is made visible at the end, the table's breaks must stay.
        lines += table.rendered().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append("")
        if disagreements.isEmpty {
            lines.append("The Dice variants agree on every image and class (to 6 significant digits).")
        } else {
            lines.append("Where the Dice variants disagree (\(disagreements.count) image × class):")
            for line in disagreements.prefix(40) { lines.append("  " + line) }
            if disagreements.count > 40 { lines.append("  … and \(disagreements.count - 40) more (all are in --json)") }
        }
        // File and class names with control characters shown visibly (`\n`, `\u{1B}`).
        return lines.map(DisplayText.visible).joined(separator: "\n")
    }

    public var json: JSONValue {
        .object([
            ("schema", .string("segscore.explain/1")),
            ("pairs", .int(reference.records.count)),
            ("classes", .array(classIDs.map { .object([("id", .int($0)), ("name", .string(options.name(of: $0)))]) })),
            ("variants", .array(rows.map { row in
                var members: [(String, JSONValue)]
                if case .object(let base) = Explain.variantJSON(row.variant) { members = base } else { members = [] }
                members.append(("values", .array(row.values.map { .number($0) })))
                members.append(("dataset", .object([("name", .string(row.overallName)), ("value", .number(row.overall))])))
                return .object(members)
            })),
            ("disagreements", .array(disagreements.map { .string($0) })),
        ])
    }

    /// The most disagreement lines the Markdown lists (the JSON has them all).
    public static let markdownDisagreements = 200

    /// The side-by-side table and the disagreements as Markdown: class names escaped
    /// (`MarkdownText.escape`), each disagreement an inline code span (its image key and class
    /// name cannot start a heading or a tag), at most `markdownDisagreements` of them.
    public var markdown: String {
        var out = ["# segscore explain", ""]
        out.append("\(reference.records.count) pair\(reference.records.count == 1 ? "" : "s"); " + (reference.images.count == 1 ? "value per class." : "class means (NaN skipped)."))
        out.append("")
        out.append(
            MarkdownTable(
                header: ["variant", "formula"] + classIDs.map { MarkdownText.escape(DisplayText.clipped(DisplayText.visible(options.name(of: $0)), maxBytes: 80)) } + ["dataset"],
                rows: rows.map { row in
                    [MarkdownTable.code(row.variant.name), MarkdownTable.code(row.variant.formulaText)] + row.values.map(Explain.number)
                        + ["\(Explain.number(row.overall)) (\(row.overallName))"]
                }, rightAligned: Set(2...(classIDs.count + 2))
            ).rendered())
        out.append("")
        if !disagreements.isEmpty {
            out.append("## Disagreements")
            out.append("")
            for line in disagreements.prefix(Self.markdownDisagreements) {
                out.append("- " + MarkdownTable.code(DisplayText.clipped(DisplayText.visible(line), maxBytes: 400)))
            }
            if disagreements.count > Self.markdownDisagreements {
                out.append("- … and \(disagreements.count - Self.markdownDisagreements) more; see `--json`")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
