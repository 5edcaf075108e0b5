/// Hard overlap counts of one class in one item (an image, or the dataset when pooled).
///
/// Counts are `Int`, 64-bit on every platform segscore supports, and sum exactly across images.
public struct ClassCounts: Hashable, Sendable {
    /// Pixels that are the class in both ground truth and prediction.
    public var tp: Int
    /// Pixels predicted as the class whose ground truth is another class.
    public var fp: Int
    /// Pixels of the class in the ground truth predicted as something else.
    public var fn: Int
    /// Scored pixels that are the class in neither.
    public var tn: Int

    /// Creates counts.
    public init(tp: Int = 0, fp: Int = 0, fn: Int = 0, tn: Int = 0) {
        self.tp = tp
        self.fp = fp
        self.fn = fn
        self.tn = tn
    }

    /// Pixels of the class in the ground truth: TP + FN.
    public var truthCount: Int { tp &+ fn }
    /// Pixels of the class in the prediction: TP + FP.
    public var predictionCount: Int { tp &+ fp }
    /// Every scored pixel: TP + FP + FN + TN.
    public var total: Int { tp &+ fp &+ fn &+ tn }

    /// Sums two sets of counts.
    public static func + (lhs: ClassCounts, rhs: ClassCounts) -> ClassCounts {
        ClassCounts(tp: lhs.tp &+ rhs.tp, fp: lhs.fp &+ rhs.fp, fn: lhs.fn &+ rhs.fn, tn: lhs.tn &+ rhs.tn)
    }

    /// The same counts as overlap terms (t and p are 0/1, so t² = t and t^γ = t).
    public var terms: OverlapTerms {
        let i = Double(tp)
        let t = Double(truthCount)
        let p = Double(predictionCount)
        return OverlapTerms(
            intersection: i, truth: t, prediction: p, truthSquared: t, predictionSquared: p, minimum: i,
            truthPower: t, predictionPower: p, pixels: Double(total))
    }
}

/// The sums every Dice formula is built from, for one class in one item.
///
/// With t the ground-truth membership and p the prediction (0/1 for hard masks, [0, 1] for soft):
/// `intersection` = Σt·p, `truth` = Σt, `prediction` = Σp, `truthSquared` = Σt²,
/// `predictionSquared` = Σp², `minimum` = Σmin(t, p), `truthPower`/`predictionPower` = Σt^γ/Σp^γ
/// for the γ of a `soft-pow` variant (otherwise equal to Σt and Σp), `pixels` = n.
/// Soft FP and FN masses are Σp(1−t) = `prediction − intersection` and Σt(1−p) = `truth − intersection`.
public struct OverlapTerms: Equatable, Sendable {
    /// Σt·p: the (soft) true positives.
    public var intersection: Double
    /// Σt: the (soft) size of the ground truth.
    public var truth: Double
    /// Σp: the (soft) size of the prediction.
    public var prediction: Double
    /// Σt²: the ground truth's term in the squared soft Dice (`soft-squared`).
    public var truthSquared: Double
    /// Σp²: the prediction's term in the squared soft Dice (`soft-squared`).
    public var predictionSquared: Double
    /// Σmin(t, p): the fuzzy intersection.
    public var minimum: Double
    /// Σt^γ for the γ of a `soft-pow` variant; Σt otherwise.
    public var truthPower: Double
    /// Σp^γ for the γ of a `soft-pow` variant; Σp otherwise.
    public var predictionPower: Double
    /// n: the pixels counted (after the region of interest and ignore labels).
    public var pixels: Double

    /// Creates terms; every sum defaults to 0.
    public init(
        intersection: Double = 0, truth: Double = 0, prediction: Double = 0, truthSquared: Double = 0,
        predictionSquared: Double = 0, minimum: Double = 0, truthPower: Double = 0, predictionPower: Double = 0,
        pixels: Double = 0
    ) {
        self.intersection = intersection
        self.truth = truth
        self.prediction = prediction
        self.truthSquared = truthSquared
        self.predictionSquared = predictionSquared
        self.minimum = minimum
        self.truthPower = truthPower
        self.predictionPower = predictionPower
        self.pixels = pixels
    }

    /// Σp(1−t): the false-positive mass.
    public var falsePositive: Double { prediction - intersection }
    /// Σt(1−p): the false-negative mass.
    public var falseNegative: Double { truth - intersection }

    /// Adds two sets of terms.
    public static func + (lhs: OverlapTerms, rhs: OverlapTerms) -> OverlapTerms {
        OverlapTerms(
            intersection: lhs.intersection + rhs.intersection, truth: lhs.truth + rhs.truth,
            prediction: lhs.prediction + rhs.prediction, truthSquared: lhs.truthSquared + rhs.truthSquared,
            predictionSquared: lhs.predictionSquared + rhs.predictionSquared, minimum: lhs.minimum + rhs.minimum,
            truthPower: lhs.truthPower + rhs.truthPower, predictionPower: lhs.predictionPower + rhs.predictionPower,
            pixels: lhs.pixels + rhs.pixels)
    }
}

/// A compensated (Neumaier) sum: the result does not drift with the number of terms, and adding
/// the same values in the same order always gives the same bits.
@usableFromInline
struct CompensatedSum: Sendable {
    @usableFromInline var sum = 0.0
    @usableFromInline var compensation = 0.0

    @usableFromInline init() {}

    @inlinable @inline(__always)
    mutating func add(_ value: Double) {
        let t = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - t) + value
        } else {
            compensation += (value - t) + sum
        }
        sum = t
    }

    @inlinable var value: Double { sum + compensation }
}

extension Sequence where Element == Double {
    /// The compensated sum of the values, in sequence order.
    func compensatedSum() -> Double {
        var total = CompensatedSum()
        for value in self { total.add(value) }
        return total.value
    }
}

extension OverlapTerms {
    /// The nine sums in declaration order (what a record or a running sum stores).
    package static func fields(of terms: OverlapTerms) -> [Double] {
        [
            terms.intersection, terms.truth, terms.prediction, terms.truthSquared, terms.predictionSquared, terms.minimum,
            terms.truthPower, terms.predictionPower, terms.pixels,
        ]
    }

    /// Terms from the nine sums of `fields(of:)`.
    package static func from(fields f: [Double]) -> OverlapTerms {
        OverlapTerms(
            intersection: f[0], truth: f[1], prediction: f[2], truthSquared: f[3], predictionSquared: f[4], minimum: f[5],
            truthPower: f[6], predictionPower: f[7], pixels: f[8])
    }
}
