/// One class of one image: its counts (hard variants), its terms, and its value.
public struct ClassScore: Sendable, Equatable {
    /// The class id (label value or channel index).
    public var id: Int
    /// Hard counts; nil for soft variants.
    public var counts: ClassCounts?
    /// The sums the value was computed from.
    public var terms: OverlapTerms
    /// The variant's value; NaN where the empty rule says so.
    public var dice: Double

    /// A class score from its counts, terms and value.
    public init(id: Int, counts: ClassCounts?, terms: OverlapTerms, dice: Double) {
        self.id = id
        self.counts = counts
        self.terms = terms
        self.dice = dice
    }

    /// Equal when every field is, two NaN values counting as equal (NaN is a legitimate score).
    public static func == (lhs: ClassScore, rhs: ClassScore) -> Bool {
        lhs.id == rhs.id && lhs.counts == rhs.counts && lhs.terms == rhs.terms
            && (lhs.dice == rhs.dice || (lhs.dice.isNaN && rhs.dice.isNaN))
    }

    /// IoU, precision, recall, specificity and volumetric similarity of the class.
    public var metrics: OverlapMetrics { OverlapMetrics(terms) }
}

/// Every scored class of one image.
public struct ImageScore: Sendable, Equatable {
    /// The pairing key (relative path without extension).
    public var key: String
    /// The scored classes, in the order of the run's class list.
    public var classes: [ClassScore]
    /// The image's Generalized Dice with its classes summed (MONAI `compute_generalized_dice(…,
    /// sum_over_classes=True)` over the headline classes), for `generalized` formulas.
    public var generalized: Double?

    /// An image score from its key, classes and Generalized Dice.
    public init(key: String, classes: [ClassScore], generalized: Double? = nil) {
        self.key = key
        self.classes = classes
        self.generalized = generalized
    }

    /// Equal when key and classes are, and the Generalized Dice values are equal or both NaN.
    public static func == (lhs: ImageScore, rhs: ImageScore) -> Bool {
        lhs.key == rhs.key && lhs.classes == rhs.classes
            && (lhs.generalized == rhs.generalized || (lhs.generalized?.isNaN == true && rhs.generalized?.isNaN == true))
    }

    /// The NaN-skipping mean of the values of the classes in `ids`; NaN when none is left.
    public func mean(over ids: [Int]) -> Double {
        let wanted = Set(ids)
        return nanMean(classes.filter { wanted.contains($0.id) }.map(\.dice))
    }
}

extension DiceVariant {
    /// Scores one image from the terms of each class.
    /// - Parameters:
    ///   - key: the image's pairing key.
    ///   - ids: the class ids, in scored order (per-class smoothing follows this order).
    ///   - terms: one entry per id.
    ///   - counts: hard counts per id, when the variant is hard.
    ///   - summedIDs: the classes a `generalized` formula sums into the image's value (the
    ///     headline classes); every id when nil.
    public func score(
        key: String, ids: [Int], terms: [OverlapTerms], counts: [ClassCounts]? = nil, summedIDs: [Int]? = nil
    ) -> ImageScore {
        precondition(ids.count == terms.count, "one set of terms per class")
        var classes: [ClassScore] = []
        classes.reserveCapacity(ids.count)
        for (index, id) in ids.enumerated() {
            classes.append(
                ClassScore(
                    id: id, counts: counts?[index], terms: terms[index],
                    dice: classValue(of: terms[index], classIndex: index)))
        }
        var generalized: Double?
        if case .generalized(let weighting) = formula {
            var summed = terms
            if let summedIDs {
                let wanted = Set(summedIDs)
                summed = zip(ids, terms).filter { wanted.contains($0.0) }.map(\.1)
            }
            generalized = GeneralizedDice(weighting: weighting, emptyWeight: emptyClassWeight)
                .summedValue(of: summed, smoothing: smoothing)
        }
        return ImageScore(key: key, classes: classes, generalized: generalized)
    }

    /// A class's value; Generalized Dice reports plain per-class Dice beside its image value.
    func classValue(of terms: OverlapTerms, classIndex: Int) -> Double {
        if case .generalized = formula {
            var plain = self
            plain.formula = .soft
            return plain.value(of: terms, classIndex: classIndex)
        }
        return value(of: terms, classIndex: classIndex)
    }
}

/// Mean of the non-NaN values; NaN when there are none.
func nanMean(_ values: [Double]) -> Double {
    let kept = values.filter { !$0.isNaN }
    return kept.isEmpty ? .nan : kept.compensatedSum() / Double(kept.count)
}
