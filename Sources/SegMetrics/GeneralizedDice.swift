import Foundation

/// Generalized Dice (Sudre et al. 2017) over the classes of one item:
/// (2·Σ_c w_c·I_c + nr) / (Σ_c w_c·(St_c + Sp_c) + dr).
///
/// A class whose ground truth is empty has an infinite weight for `square` and `simple`; the
/// libraries differ in what they do with it, so `EmptyWeight` makes it explicit.
public struct GeneralizedDice: Sendable, Hashable {
    /// w_c as a function of St_c = Σt of the class.
    public enum Weighting: String, Sendable, Hashable, CaseIterable {
        /// 1/St² (Sudre; MONAI and TorchMetrics default).
        case square
        /// 1/St.
        case simple
        /// 1 (TorchMetrics calls it `linear`).
        case uniform

        /// The weight formula as printed.
        public var formula: String {
            switch self {
            case .square: return "1/(Σt)²"
            case .simple: return "1/Σt"
            case .uniform: return "1"
            }
        }

        func weight(truth: Double) -> Double {
            switch self {
            case .square: return 1 / (truth * truth)
            case .simple: return 1 / truth
            case .uniform: return 1
            }
        }
    }

    /// The weight given to a class whose weight is infinite (empty ground truth).
    public enum EmptyWeight: String, Sendable, Hashable, CaseIterable {
        /// The largest finite weight of the same item, or 1 if none is finite (MONAI metric).
        case maxInImage = "max-in-image"
        /// The largest finite weight of the same item, or 0 if none is finite (MONAI loss).
        case maxInImageOrZero = "max-in-image-or-zero"
        /// 0: the class drops out (TorchMetrics 1.9.0 with one image, through an indexing bug).
        case zero
        /// 1.
        case one
    }

    /// How a class's weight w_c follows from its ground-truth volume St_c (1/St², 1/St or 1).
    public var weighting: Weighting
    /// The weight of a class whose ground truth is empty (infinite for `square` and `simple`).
    public var emptyWeight: EmptyWeight

    /// Creates the formula.
    public init(weighting: Weighting, emptyWeight: EmptyWeight = .maxInImage) {
        self.weighting = weighting
        self.emptyWeight = emptyWeight
    }

    /// The weight of each class, after the empty-class rule.
    public func weights(of classes: [OverlapTerms]) -> [Double] {
        var weights = classes.map { weighting.weight(truth: $0.truth) }
        let finite = weights.filter(\.isFinite)
        let replacement: Double
        switch emptyWeight {
        case .maxInImage: replacement = finite.max() ?? 1
        case .maxInImageOrZero: replacement = finite.max() ?? 0
        case .zero: replacement = 0
        case .one: replacement = 1
        }
        for i in weights.indices where !weights[i].isFinite { weights[i] = replacement }
        return weights
    }

    /// The value over `classes` of one item.
    /// - Parameters:
    ///   - smoothing: nr and dr are taken from the first entry of the lists.
    ///   - empty: applied when the weighted denominator is 0.
    public func value(of classes: [OverlapTerms], smoothing: Smoothing = Smoothing(), empty: EmptyRule = .nan)
        -> Double
    {
        let weights = weights(of: classes)
        var numerator = CompensatedSum()
        var denominator = CompensatedSum()
        for (w, terms) in zip(weights, classes) {
            numerator.add(2 * w * terms.intersection)
            denominator.add(w * (terms.truth + terms.prediction))
        }
        let truth = classes.reduce(0) { $0 + $1.truth }
        return empty.value(
            numerator: numerator.value + smoothing.numerator(at: 0),
            denominator: denominator.value + smoothing.denominator(at: 0), truth: truth)
    }
}

extension GeneralizedDice {
    /// The value of one item with the classes summed, as MONAI's
    /// `compute_generalized_dice(…, sum_over_classes=True)` gives it:
    /// (2·Σ_c w_c·I_c + nr) / (Σ_c w_c·(St_c + Sp_c) + dr), a class absent from the ground truth
    /// weighted by `emptyWeight`; a zero denominator gives 1 when the prediction is empty too
    /// (every class has nothing to score), else 0.
    /// - Parameters:
    ///   - classes: the terms of the classes summed over (the headline classes of the image).
    ///   - smoothing: nr and dr are taken from the first entry of the lists (0 by default).
    /// - Returns: the value; NaN when there is no class to sum (no headline class).
    public func summedValue(of classes: [OverlapTerms], smoothing: Smoothing = Smoothing()) -> Double {
        guard !classes.isEmpty else { return .nan }
        let weights = weights(of: classes)
        var numerator = CompensatedSum()
        var denominator = CompensatedSum()
        var prediction = CompensatedSum()
        for (w, terms) in zip(weights, classes) {
            numerator.add(2 * w * terms.intersection)
            denominator.add(w * (terms.truth + terms.prediction))
            prediction.add(terms.prediction)
        }
        let top = numerator.value + smoothing.numerator(at: 0)
        let bottom = denominator.value + smoothing.denominator(at: 0)
        if bottom == 0 { return prediction.value == 0 ? 1 : 0 }
        return top / bottom
    }
}

/// The loss transforms seen in the libraries, for reports; they never change D.
public enum LossTransform: String, CaseIterable, Sendable {
    /// 1 − D (Keras, MONAI, SMP).
    case oneMinus = "1-d"
    /// −D (nnU-Net, the seed).
    case negative = "neg-d"
    /// −log D (SMP `log_loss`, the seed).
    case negativeLog = "neg-log-d"
    /// log cosh(1 − D) (Jadon 2020).
    case logCosh = "logcosh"

    /// The formula as printed.
    public var formula: String {
        switch self {
        case .oneMinus: return "1 − D"
        case .negative: return "−D"
        case .negativeLog: return "−log D"
        case .logCosh: return "log cosh(1 − D)"
        }
    }

    /// The loss for a Dice value `d`.
    public func apply(_ d: Double) -> Double {
        switch self {
        case .oneMinus: return 1 - d
        case .negative: return -d
        case .negativeLog: return -Foundation.log(d)
        case .logCosh: return Foundation.log(Foundation.cosh(1 - d))
        }
    }
}
