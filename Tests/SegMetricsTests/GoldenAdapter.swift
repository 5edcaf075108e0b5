import Foundation
import SegMetrics

/// One number segscore computed for a golden entry, beside the one the entry holds.
struct Comparison {
    var label: String
    var expected: Double
    var actual: Double
    /// The magnitude the tolerance is relative to, when not the value itself (a loss 1 − d carries
    /// the absolute error of d).
    var scale: Double? = nil
}

/// Maps one golden entry (library + settings) onto segscore's variants and counting, or says why
/// segscore does not reproduce it.
enum GoldenAdapter {
    enum Outcome {
        case compared([Comparison])
        case unsupported(String)
    }

    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any]) -> Outcome {
        let source = entry["source"] as! String
        let impl = entry["impl"] as! String
        let settings = entry["settings"] as? [String: Any] ?? [:]
        if let error = entry["error"] as? String { return expectedError(golden, entry, settings, error) }
        switch source {
        case "ours": return ours(golden, entry, settings)
        case "medpy": return medpy(golden, entry)
        case "miseval":
            return equalityRule(golden, entry, rule: .equality, empty: impl.contains("Sets") ? .zero : .one)
        case "seg-metrics": return equalityRule(golden, entry, rule: .truncatedEquality, empty: .one)
        case "nnunetv2": return NNUNetAdapter.evaluate(golden, entry, settings)
        case "monai": return MONAIAdapter.evaluate(golden, entry, settings)
        case "torchmetrics": return TorchMetricsAdapter.evaluate(golden, entry, settings)
        case "segmentation-models-pytorch": return SMPAdapter.evaluate(golden, entry, settings)
        default: return .unsupported("unknown source \(source)")
        }
    }

    /// Compares `per_class` (and `per_image`) of an entry with a per-class function.
    static func perClass(_ entry: [String: Any], _ value: (Int) -> Double) -> [Comparison] {
        guard let expected = entry["per_class"] as? [String: Any] else { return [] }
        return expected.keys.sorted().map { key in
            Comparison(label: "per_class[\(key)]", expected: goldenNumber(expected[key])!, actual: value(Int(key)!))
        }
    }

    static func perImage(_ golden: GoldenCase, _ entry: [String: Any], _ value: (Int, Int) -> Double)
        -> [Comparison]
    {
        guard let images = entry["per_image"] as? [[String: Any]] else { return [] }
        var out: [Comparison] = []
        for (index, image) in images.enumerated() {
            for key in image.keys.sorted() {
                out.append(
                    Comparison(
                        label: "per_image[\(index)][\(key)]", expected: goldenNumber(image[key])!,
                        actual: value(index, Int(key)!)))
            }
        }
        return out
    }

    /// Items (images) of a case as separate GoldenCase values, for the dataset kind.
    static func images(of golden: GoldenCase) -> [GoldenCase] {
        guard golden.kind.hasPrefix("dataset") else { return [golden] }
        return (0..<golden.items).map { i in
            var image = golden
            image.kind = "binary"
            image.shape = Array(golden.shape.dropFirst())
            image.gt = golden.slice(golden.gt, i)
            image.pred = golden.slice(golden.pred, i)
            return image
        }
    }

    /// The library raised. segscore must refuse the same input: TorchMetrics' index input with an id
    /// ≥ num_classes is segscore's "label id not among the classes".
    static func expectedError(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any], _ error: String)
        -> Outcome
    {
        guard error.contains("Class values must be smaller than num_classes") else {
            return .unsupported("library error not mapped: \(error)")
        }
        // TorchMetrics names num_classes; SMP takes it from the prediction's channels (the label set).
        let classes = settings["num_classes"] as? Int ?? defaultIDs(golden).count
        let table = ClassTable(ids: Array(0..<classes))
        do {
            try table.checkKnown(golden.labels + golden.ignored)
            return .compared([Comparison(label: "refused", expected: 1, actual: 0)])
        } catch {
            return .compared([Comparison(label: "refused", expected: 1, actual: 1)])
        }
    }

    // MARK: medpy, miseval, seg-metrics: per-class hard Dice with a binarisation rule

    static func medpy(_ golden: GoldenCase, _ entry: [String: Any]) -> Outcome {
        let golden = golden.withoutIgnored
        let variant = Preset.medpy.variant
        if golden.kind.hasPrefix("dataset") {
            let images = images(of: golden)
            return .compared(
                perImage(golden, entry) { index, _ in
                    variant.value(of: hardCounts(images[index].gt, images[index].pred, .nonzero).terms)
                })
        }
        return .compared(
            perClass(entry) { id in
                switch golden.kind {
                case "labelmap":
                    return variant.value(of: hardCounts(golden.gt, golden.pred, classValue: Double(id), .equality).terms)
                case "multichannel":
                    return variant.value(
                        of: hardCounts(golden.slice(golden.gt, id), golden.slice(golden.pred, id), .nonzero).terms)
                default:
                    return variant.value(of: hardCounts(golden.gt, golden.pred, .nonzero).terms)
                }
            })
    }

    static func equalityRule(_ golden: GoldenCase, _ entry: [String: Any], rule: Binarization, empty: EmptyRule)
        -> Outcome
    {
        guard !golden.kind.hasPrefix("dataset") else { return .unsupported("no dataset entries") }
        var variant = DiceVariant(formula: .hard, binarization: rule, empty: empty)
        variant.name = "equality"
        return .compared(
            perClass(entry) { id in
                if golden.kind == "multichannel" {
                    // A channel array is compared with the class value 1 (binary mode).
                    return variant.value(
                        of: hardCounts(golden.slice(golden.gt, id), golden.slice(golden.pred, id), classValue: 1, rule)
                            .terms)
                }
                return variant.value(of: hardCounts(golden.gt, golden.pred, classValue: Double(id), rule).terms)
            })
    }

    // MARK: ours

    static func ours(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> Outcome {
        let name = entry["variant"] as! String
        if name == "per-row table" { return perRowTable(golden, entry) }
        if golden.kind.hasPrefix("dataset") { return oursDataset(golden, entry, settings) }
        // Ignored pixels are dropped; the sigmoid entry zeroes them before σ instead (σ(0) = 0.5).
        let golden = name == "soft-sigmoid" ? golden.zeroingIgnored : golden.withoutIgnored
        let perClassExpected = entry["per_class"] as? [String: Any]
        let ids =
            perClassExpected?.keys.compactMap { Int($0) }.sorted()
            ?? (settings["classes"] as? [String])?.compactMap { Int($0) }
            ?? defaultIDs(golden)
        var variant: DiceVariant
        var power: Double?
        var activation = Activation.none
        switch name {
        case "hard":
            let emptyText = settings["empty"] as? String ?? "nan"
            let empty = EmptyRule(rawValue: String(emptyText.prefix { $0 != " " })) ?? .nan
            variant = DiceVariant(formula: .hard, binarization: .threshold(0.5), empty: empty)
            if let reduction = settings["reduction"] as? String, reduction.hasPrefix("micro") {
                let classes = (settings["classes"] as! [String]).map { Int($0)! }
                let counts = hardCountsPerClass(golden, ids: classes)
                let micro = counts.reduce(ClassCounts()) { $0 + $1 }
                return .compared([aggregate(entry, "value", variant.value(of: micro.terms))])
            }
            let counts = hardCountsPerClass(golden, ids: ids)
            let score = variant.score(key: golden.id, ids: ids, terms: counts.map(\.terms), counts: counts)
            var out = perClass(entry) { id in score.classes.first { $0.id == id }!.dice }
            out.append(aggregate(entry, "mean_nan_skip", score.mean(over: ids)))
            if let expectedCounts = entry["counts"] as? [String: [String: Any]] {
                for (key, fields) in expectedCounts.sorted(by: { $0.key < $1.key }) {
                    let c = score.classes.first { $0.id == Int(key)! }!.counts!
                    for (field, actual) in [("tp", c.tp), ("fp", c.fp), ("fn", c.fn)] {
                        out.append(
                            Comparison(
                                label: "counts[\(key)].\(field)", expected: goldenNumber(fields[field])!,
                                actual: Double(actual)))
                    }
                }
            }
            return .compared(out)
        case "soft":
            if let perChannel = settings["per_channel_smooth"] as? [Double] {
                variant = DiceVariant(formula: .soft, smoothing: Smoothing(numerator: perChannel, denominator: perChannel))
                let score = variant.score(key: golden.id, ids: ids, terms: terms(golden, ids: ids))
                let values = score.classes.map(\.dice)
                let aggregate = entry["aggregate"] as! [String: Any]
                return .compared(
                    perClass(entry) { id in score.classes.first { $0.id == id }!.dice } + [
                        Comparison(label: "sum", expected: goldenNumber(aggregate["sum"])!, actual: values.reduce(0, +)),
                        Comparison(
                            label: "mean", expected: goldenNumber(aggregate["mean"])!,
                            actual: values.reduce(0, +) / Double(values.count)),
                        Comparison(
                            label: "loss -sum", expected: goldenNumber(aggregate["loss -sum"])!,
                            actual: LossTransform.negative.apply(values.reduce(0, +))),
                        Comparison(
                            label: "loss 1-mean", expected: goldenNumber(aggregate["loss 1-mean"])!,
                            actual: LossTransform.oneMinus.apply(values.reduce(0, +) / Double(values.count))),
                    ])
            }
            if settings["losses from dice"] != nil { return seedLosses(golden, entry) }
            let nr = settings["smooth_nr"] as? Double ?? 0
            let dr = settings["smooth_dr"] as? Double ?? 0
            variant = DiceVariant(formula: .soft, smoothing: Smoothing(numerator: [nr], denominator: [dr]))
            if (settings["reduction"] as? String)?.hasPrefix("flatten") == true {
                let all = defaultIDs(golden)
                let folded = terms(golden, ids: all).reduce(OverlapTerms(), +)
                return .compared([aggregate(entry, "value", variant.value(of: folded))])
            }
        case "soft-squared":
            variant = DiceVariant(formula: .softSquared, smoothing: Smoothing(settings["smooth"] as? Double ?? 0))
        case "soft-pow":
            let gamma = settings["gamma"] as! Double
            power = gamma
            variant = DiceVariant(formula: .softPow(gamma), smoothing: Smoothing(settings["smooth"] as? Double ?? 0))
        case "fuzzy":
            variant = DiceVariant(formula: .fuzzy)
        case "soft-sigmoid":
            activation = .sigmoid
            variant = DiceVariant(formula: .soft, activation: .sigmoid)
        case "tversky":
            variant = DiceVariant(
                formula: .tversky(alpha: settings["alpha_fp"] as! Double, beta: settings["beta_fn"] as! Double),
                smoothing: Smoothing(settings["smooth"] as? Double ?? 0))
        case "jaccard-monai":
            variant = DiceVariant(
                formula: .jaccard,
                smoothing: Smoothing(
                    numerator: [settings["smooth_nr"] as! Double], denominator: [settings["smooth_dr"] as! Double]))
        case "loss:logcosh(1-soft)":
            variant = DiceVariant(formula: .soft, smoothing: Smoothing(settings["smooth"] as! Double))
            let all = terms(golden, ids: ids)
            let losses = all.map { LossTransform.logCosh.apply(variant.value(of: $0)) }
            return .compared(
                perClass(entry) { id in losses[ids.firstIndex(of: id)!] }
                    + [aggregate(entry, "mean_nan_skip", losses.reduce(0, +) / Double(losses.count))])
        case "generalized":
            let weighting = GeneralizedDice.Weighting(rawValue: settings["weight"] as! String)!
            let emptyWeight = GeneralizedDice.EmptyWeight(rawValue: settings["empty_gt_weight"] as! String)!
            let formula = GeneralizedDice(weighting: weighting, emptyWeight: emptyWeight)
            let all = terms(golden, ids: ids)
            var out = [aggregate(entry, "value", formula.value(of: all))]
            if let weights = entry["weights"] as? [Double] {
                for (i, (expected, actual)) in zip(weights, formula.weights(of: all)).enumerated() {
                    out.append(Comparison(label: "weights[\(i)]", expected: expected, actual: actual))
                }
            }
            return .compared(out)
        default:
            return .unsupported("variant \(name)")
        }
        let score = variant.score(
            key: golden.id, ids: ids, terms: terms(golden, ids: ids, power: power, activation: activation))
        return .compared(
            perClass(entry) { id in score.classes.first { $0.id == id }!.dice }
                + [aggregate(entry, "mean_nan_skip", score.mean(over: ids))])
    }

    static func aggregate(_ entry: [String: Any], _ key: String, _ actual: Double) -> Comparison {
        let expected = (entry["aggregate"] as? [String: Any])?[key]
        return Comparison(label: "aggregate.\(key)", expected: goldenNumber(expected) ?? .nan, actual: actual)
    }

    static func defaultIDs(_ golden: GoldenCase) -> [Int] {
        switch golden.kind {
        case "labelmap":
            // The case's label set: the classes its first per-class entry lists.
            let first = golden.results.first { $0["per_class"] != nil }?["per_class"] as? [String: Any]
            return first?.keys.compactMap { Int($0) }.sorted() ?? golden.labels
        case "multichannel": return Array(0..<golden.shape[0])
        default: return [1]
        }
    }

    static func hardCountsPerClass(_ golden: GoldenCase, ids: [Int]) -> [ClassCounts] {
        switch golden.kind {
        case "labelmap": return labelCounts(golden.gt, golden.pred, ids: ids)
        default:
            return channels(of: golden, ids: ids).map { _, t, p in hardCounts(t, p, .threshold(0.5)) }
        }
    }

    static func terms(_ golden: GoldenCase, ids: [Int], power: Double? = nil, activation: Activation = .none)
        -> [OverlapTerms]
    {
        channels(of: golden, ids: ids).map { _, t, p in softTerms(t, p, power: power, activation: activation) }
    }

    static func seedLosses(_ golden: GoldenCase, _ entry: [String: Any]) -> Outcome {
        let aggregate = entry["aggregate"] as! [String: [String: Any]]
        var out: [Comparison] = []
        let folded = terms(golden, ids: [1]).reduce(OverlapTerms(), +)
        for (key, s) in [("s=1e-5", 1e-5), ("s=100", 100.0)] {
            let d = DiceVariant(formula: .soft, smoothing: Smoothing(s)).value(of: folded)
            let expected = aggregate[key]!
            out.append(Comparison(label: "\(key) dice", expected: goldenNumber(expected["dice"])!, actual: d))
            out.append(
                Comparison(
                    label: "\(key) 1-dice", expected: goldenNumber(expected["1-dice"])!,
                    actual: LossTransform.oneMinus.apply(d), scale: d))
            out.append(
                Comparison(
                    label: "\(key) -dice", expected: goldenNumber(expected["-dice"])!, actual: LossTransform.negative.apply(d)))
            out.append(
                Comparison(
                    label: "\(key) -log(dice)", expected: goldenNumber(expected["-log(dice)"])!,
                    actual: LossTransform.negativeLog.apply(d), scale: 1))
        }
        return .compared(out)
    }

    /// The seed's per-row table: each row of a (3, 4) array is its own item (reduction on the last axis).
    static func perRowTable(_ golden: GoldenCase, _ entry: [String: Any]) -> Outcome {
        let rows = entry["rows"] as! [String: [Double]]
        let width = golden.shape.last!
        let count = golden.gt.count / width
        func row(_ values: [Double], _ r: Int) -> [Double] { Array(values[(r * width)..<((r + 1) * width)]) }
        let variants: [(String, DiceVariant, Double?, Activation)] = [
            ("soft s=1 per row", DiceVariant(formula: .soft, smoothing: Smoothing(1)), nil, .none),
            (
                "soft-squared s=1 per row (SO variant 2, axis=-1)", DiceVariant(formula: .softSquared, smoothing: Smoothing(1)),
                nil, .none
            ),
            ("soft-sigmoid per row (SO variant 3)", DiceVariant(formula: .soft, activation: .sigmoid), nil, .sigmoid),
            ("soft-pow gamma=2 s=1 per row (SO variant 4)", DiceVariant(formula: .softPow(2), smoothing: Smoothing(1)), 2, .none),
        ]
        var out: [Comparison] = []
        for (key, variant, power, activation) in variants {
            guard let expected = rows[key] else { return .unsupported("row set \(key)") }
            for r in 0..<count {
                let t = softTerms(row(golden.gt, r), row(golden.pred, r), power: power, activation: activation)
                out.append(Comparison(label: "\(key)[\(r)]", expected: expected[r], actual: variant.value(of: t)))
            }
        }
        if rows.count != variants.count { return .unsupported("unexpected row sets \(rows.keys.sorted())") }
        return .compared(out)
    }

    static func oursDataset(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> Outcome {
        let empty = EmptyRule(rawValue: settings["empty"] as? String ?? "nan") ?? .nan
        let variant = DiceVariant(formula: .hard, empty: empty)
        var aggregator = DatasetAggregator(variant: variant, classIDs: [1])
        for (index, image) in images(of: golden).enumerated() {
            let counts = hardCounts(image.binaryTruth, image.binaryPrediction, .threshold(0.5))
            aggregator.add(variant.score(key: String(format: "%03d", index), ids: [1], terms: [counts.terms], counts: [counts]))
        }
        let summary = aggregator.summary()
        let ordered = aggregator.orderedImages
        if (settings["aggregate"] as? String)?.hasPrefix("pooled") == true {
            return .compared(perClass(entry) { _ in summary.classes[0].pooled })
        }
        return .compared(
            perImage(golden, entry) { index, _ in ordered[index].classes[0].dice }
                + perClass(entry) { _ in summary.classes[0].mean }
                + [aggregate(entry, "foreground_mean_of_class_means", summary.mean)])
    }
}
