/// One Dice variant as `segscore explain` describes it.
public struct VariantFacts: Sendable {
    /// The variant or preset name (`hard`, `monai-metric`).
    public var name: String
    /// The formula as printed, and its 0/0 rule.
    public var formula: String
    /// The 0/0 rule (`nan`, `one`, `zero`, …).
    public var empty: String
    /// Smoothing added to the numerator (one value, or one per class).
    public var smoothNumerator: [Double]
    /// Smoothing added to the denominator (one value, or one per class).
    public var smoothDenominator: [Double]
    /// The conventions sentence, and how per-image values become a dataset number.
    public var conventions: String
    /// How per-image values become a dataset number.
    public var reduction: String
    /// The library version reproduced, if any.
    public var reproduces: String?
    /// The smallest denominator the formula allows, if any.
    public var denominatorFloor: Double?

    /// A variant's facts; every field is given by the caller.
    public init(
        name: String, formula: String, empty: String, smoothNumerator: [Double], smoothDenominator: [Double], conventions: String,
        reduction: String, reproduces: String?, denominatorFloor: Double?
    ) {
        self.name = name
        self.formula = formula
        self.empty = empty
        self.smoothNumerator = smoothNumerator
        self.smoothDenominator = smoothDenominator
        self.conventions = conventions
        self.reduction = reduction
        self.reproduces = reproduces
        self.denominatorFloor = denominatorFloor
    }

    /// The variant as JSON: name, formula, empty rule, smoothing, conventions, reduction, library.
    public var json: JSONValue { .object(jsonMembers) }

    var jsonMembers: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("formula", .string(formula)), ("empty", .string(empty)),
            ("smooth_nr", .array(smoothNumerator.map { .number($0) })),
            ("smooth_dr", .array(smoothDenominator.map { .number($0) })),
            ("conventions", .string(conventions)), ("reduction", .string(reduction)),
        ]
        if let reproduces { members.append(("reproduces", .string(reproduces))) }
        return members
    }

    /// `1e-05` when numerator and denominator share it, `0/1e-05` otherwise.
    var smoothingText: String {
        let nr = smoothNumerator.map(NumberText.shortest).joined(separator: ",")
        let dr = smoothDenominator.map(NumberText.shortest).joined(separator: ",")
        return nr == dr ? nr : "\(nr)/\(dr)"
    }
}

/// `segscore explain` without data: the catalogue of base formulas and presets.
public struct ExplainCatalogue: Sendable {
    /// The variants, in catalogue order.
    public var variants: [VariantFacts]

    /// The catalogue of `variants`, in order.
    public init(variants: [VariantFacts]) { self.variants = variants }

    /// The catalogue as terminal tables, then the hint line.
    public var text: String {
        let table = Table(
            header: ["variant", "formula", "0/0", "smoothing", "reduction"],
            rows: variants.map { v in [v.name, v.formula, v.empty, v.smoothingText, v.reduction] })
        let libraries = Table(
            header: ["preset", "reproduces"], rows: variants.compactMap { v in v.reproduces.map { [v.name, $0] } })
        return table.renderedText() + "\n\n" + libraries.renderedText()
            + "\n\nsegscore explain --variant NAME shows one in detail; add --gt and --pred to compute them all on your masks."
    }

    /// The catalogue as JSON (`segscore.explain/1`).
    public var json: JSONValue {
        .object([("schema", .string("segscore.explain/1")), ("variants", .array(variants.map(\.json)))])
    }
}

/// `segscore explain --variant NAME`: one variant in detail, with its loss transforms and, given
/// data, the value and the losses per class.
public struct VariantDetail: Sendable {
    /// The variant described.
    public var variant: VariantFacts
    /// The loss transforms: name (`1-d`) and formula (`1 − D`).
    public var losses: [(name: String, formula: String)]
    /// Per class: its name, the value D and each loss of D (in `losses` order).
    public var values: [(className: String, value: Double, losses: [Double])]

    /// A detail; every field is given by the caller.
    public init(
        variant: VariantFacts, losses: [(name: String, formula: String)],
        values: [(className: String, value: Double, losses: [Double])] = []
    ) {
        self.variant = variant
        self.losses = losses
        self.values = values
    }

    /// Formula, conventions, reduction, library, loss transforms, then the table of values.
    public var text: String {
        let v = variant
        var lines = [
            "\(v.name)", "  formula      \(v.formula)", "  conventions  \(v.conventions)",
            "  reduction    \(v.reduction)", "  reproduces   \(v.reproduces ?? "segscore base formula")",
        ]
        if let floor = v.denominatorFloor { lines.append("  denominator  at least \(NumberText.shortest(floor))") }
        lines.append("  losses       " + losses.map { "\($0.name): \($0.formula)" }.joined(separator: " · "))
        if !values.isEmpty {
            lines.append("")
            let table = Table(
                header: ["class", "D"] + losses.map(\.name),
                rows: values.map { row in
                    [DisplayText.visible(row.className), NumberText.significant(row.value)]
                        + row.losses.map(NumberText.significant)
                },
                rightAligned: Set(1...(1 + losses.count)))
            lines.append(table.renderedText())
        }
        return lines.joined(separator: "\n")
    }
}
