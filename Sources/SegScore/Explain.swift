import Foundation
import ReportWriters
import SegMetrics

/// `segscore explain`: which Dice conventions exist, and what each gives on the user's masks.
public enum Explain {
    /// The base formulas shown by `explain` (with representative parameters), then every preset.
    public static var catalogue: [DiceVariant] {
        let bases = [
            "hard", "soft", "soft-squared", "soft-pow:2", "fuzzy", "tversky:0.5,0.5", "tversky:0.3,0.7", "jaccard",
            "generalized:square",
        ]
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
        case nil:
            if case .generalized = variant.formula {
                return "per image: the headline classes summed (images[].generalized); mean over images "
                    + "(aggregate.generalized); per class: plain soft Dice"
            }
            return "per image and class; class means skip NaN"
        }
    }

    /// What `explain` says about a variant: formula, conventions, reduction, library.
    public static func facts(_ v: DiceVariant) -> VariantFacts {
        VariantFacts(
            name: v.name, formula: v.formulaText, empty: v.empty.rawValue, smoothNumerator: v.smoothing.numerator,
            smoothDenominator: v.smoothing.denominator, conventions: v.conventions, reduction: reduction(v),
            reproduces: v.reproduces, denominatorFloor: v.denominatorFloor)
    }

    /// The catalogue, as `ReportWriters` renders it (text or JSON).
    public static var catalogueValue: ExplainCatalogue { ExplainCatalogue(variants: catalogue.map(facts)) }

    /// One variant in detail with its loss transforms, and the value and losses per class when
    /// `values` (class name, D) are given.
    public static func detail(_ v: DiceVariant, values: [(String, Double)] = []) -> VariantDetail {
        VariantDetail(
            variant: facts(v), losses: LossTransform.allCases.map { ($0.rawValue, $0.formula) },
            values: values.map { name, d in (name, d, LossTransform.allCases.map { $0.apply(d) }) })
    }
}

/// Every variant computed on one pair of files or two folders.
public struct DataExplanation: Sendable {
    /// One variant's numbers on the data.
    public struct Row: Sendable {
        /// The variant computed.
        public var variant: DiceVariant
        /// Per class: the image's value (one pair) or the class mean (folders), in `classIDs` order.
        public var values: [Double]
        /// The dataset number: the headline mean, the Generalized Dice or the library's headline.
        public var overall: Double
        /// What `overall` is: `mean`, `generalized`, or the library's name for its headline (`foreground_mean`, …).
        public var overallName: String
    }

    /// The classes scored (those of the `hard` reference run), in the order of each row's `values`.
    public var classIDs: [Int]
    /// One row per variant, in the order they were run (the catalogue's, or the `variants` given).
    public var rows: [Row]
    /// One line per (image, class) where the Dice variants disagree, naming the cause.
    public var disagreements: [String]
    /// The result of the default `hard` run (pairing, problems).
    public var reference: EvaluationResult
    /// The options as given; each run replaces only the variant.
    public var options: EvaluationOptions

    /// Runs every variant of the catalogue (`variants` overrides it) on the data.
    /// - Parameters:
    ///   - smoothing: `--smooth` lists, applied to the base formulas (presets keep theirs).
    ///   - activation: `--activation`, applied to the predictions under every variant; when it is
    ///     not `none`, `soft` is also run without it and each (image, class) whose value it
    ///     changes gets a disagreement line whose cause is "activation".
    public static func compute(
        truth: String, prediction: String, options: EvaluationOptions, smoothing: Smoothing?, variants: [DiceVariant]? = nil,
        activation: Activation = .none
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
        for i in chosen.indices { chosen[i].activation = activation }
        let reference = try run(DiceVariant(formula: .hard, activation: activation))
        var results: [(DiceVariant, EvaluationResult)] = []
        for variant in chosen { results.append((variant, try run(variant))) }
        var activationLines: [String] = []
        if activation != .none {
            var soft = DiceVariant(formula: .soft, activation: activation)
            if let smoothing { soft.smoothing = smoothing }
            var plain = soft
            plain.activation = .none
            activationLines = activationDisagreements(
                activation: activation, with: try run(soft), without: try run(plain), options: options)
        }
        let ids = reference.classIDs
        let single = reference.images.count == 1
        let rows = results.map { variant, result -> Row in
            let values = ids.map { id -> Double in
                if single { return result.images[0].classes.first { $0.id == id }?.dice ?? .nan }
                return result.summary.classes.first { $0.id == id }?.mean ?? .nan
            }
            let summary = result.summary
            if let library = summary.library {
                return Row(variant: variant, values: values, overall: library.value, overallName: library.name)
            }
            if let generalized = summary.generalizedMean {
                return Row(variant: variant, values: values, overall: generalized, overallName: "generalized")
            }
            return Row(variant: variant, values: values, overall: summary.mean, overallName: "mean")
        }
        return DataExplanation(
            classIDs: ids, rows: rows, disagreements: disagreements(reference: reference, results: results) + activationLines,
            reference: reference, options: options)
    }

    /// One line per (image, class) whose soft value the activation changes, and one per image
    /// that cannot be scored without it (logits are refused as probabilities).
    static func activationDisagreements(
        activation: Activation, with activated: EvaluationResult, without plain: EvaluationResult, options: EvaluationOptions
    ) -> [String] {
        var lines: [String] = []
        let name = activation.rawValue
        var plainByKey: [String: ImageScore] = [:]
        for image in plain.images { plainByKey[image.key] = image }
        for image in activated.images {
            guard let other = plainByKey[image.key] else {
                let reason = plain.problems.first { $0.key == image.key }?.message ?? "not scored"
                lines.append("\(image.key): activation: scored only with \(name); without it: \(reason)")
                continue
            }
            for c in image.classes {
                guard let value = other.classes.first(where: { $0.id == c.id })?.dice else { continue }
                let shown = NumberText.significant(c.dice)
                let shownPlain = NumberText.significant(value)
                guard shown != shownPlain else { continue }
                lines.append(
                    "\(image.key) class \(options.name(of: c.id)): activation: \(shown) under soft with \(name); "
                        + "\(shownPlain) under soft without")
            }
        }
        return lines
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
                    let shown = NumberText.significant(value)
                    if let g = groups.firstIndex(where: { $0.0 == shown }) {
                        groups[g].1.append(variant.name)
                    } else {
                        groups.append((shown, [variant.name]))
                    }
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
                lines.append(
                    "\(image.key) class \(reference.options.name(of: c.id)): \(cause): " + described.joined(separator: "; "))
            }
        }
        return lines + readingLines(reference: reference, results: dice)
    }

    /// A line for each variant that reads a file of a pair otherwise than the reference (e.g.
    /// `nnunet-eval` compares stored values, so a 0/255 file holds label 255, not 1).
    static func readingLines(reference: EvaluationResult, results: [(DiceVariant, EvaluationResult)]) -> [String] {
        var lines: [String] = []
        for (index, record) in reference.records.enumerated() {
            for (variant, result) in results where index < result.records.count {
                let other = result.records[index]
                for (side, mine, theirs) in [
                    ("ground truth", record.truthEncoding, other.truthEncoding),
                    ("prediction", record.predictionEncoding, other.predictionEncoding),
                ] where mine != theirs {
                    let why = variant.comparesStoredLabels ? " (its library compares stored values with the label ids)" : ""
                    lines.append(
                        "\(reference.images[index].key): \(variant.name) reads the \(side) as \(theirs), not \(mine)\(why)")
                }
            }
        }
        return lines
    }

    /// The side-by-side table and the disagreements, as `ReportWriters` renders them (text,
    /// JSON, Markdown).
    public var table: ExplainTable {
        ExplainTable(
            pairs: reference.records.count, truthPath: reference.records.first?.truthPath ?? "",
            predictionPath: reference.records.first?.predictionPath ?? "",
            classes: classIDs.map { ($0, options.name(of: $0)) },
            rows: rows.map {
                ExplainTable.Row(
                    variant: Explain.facts($0.variant), values: $0.values, overall: $0.overall, overallName: $0.overallName)
            },
            disagreements: disagreements)
    }
}
