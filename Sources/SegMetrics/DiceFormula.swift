import Foundation

/// The base formulas of `dice-variants.md` §3, evaluated on `OverlapTerms`.
///
/// With I = Σt·p, St = Σt, Sp = Σp and numerator/denominator smoothing nr/dr:
/// - `hard`, `soft`: (2I + nr) / (St + Sp + dr) — for 0/1 masks this is 2TP / (2TP + FP + FN);
///   `hard` binarises first, `soft` uses the values as given;
/// - `softSquared`: (2I + nr) / (Σt² + Σp² + dr) (V-Net, MONAI `squared_pred`);
/// - `softPow(γ)`: (2I + nr) / (Σt^γ + Σp^γ + dr);
/// - `fuzzy`: (2Σmin(t,p) + nr) / (St + Sp + dr) (EvaluateSegmentation, MONAI `soft_label`, SMP);
/// - `tversky(α, β)`: (I + nr) / (I + α·FP + β·FN + dr), α on FP = Σp(1−t), β on FN = Σt(1−p);
/// - `jaccard`: (2I + nr) / (2(St + Sp − I) + dr) (MONAI `jaccard=True`; IoU when nr = dr = 0);
/// - `generalized`: Sudre's weighted sum over classes, see `GeneralizedDice`.
public enum DiceFormula: Hashable, Sendable {
    case hard
    case soft
    case softSquared
    case softPow(Double)
    case fuzzy
    case tversky(alpha: Double, beta: Double)
    case jaccard
    case generalized(GeneralizedDice.Weighting)

    /// The `--variant` spelling of the formula.
    public var name: String {
        switch self {
        case .hard: return "hard"
        case .soft: return "soft"
        case .softSquared: return "soft-squared"
        case .softPow(let gamma): return "soft-pow:\(Self.number(gamma))"
        case .fuzzy: return "fuzzy"
        case .tversky(let alpha, let beta): return "tversky:\(Self.number(alpha)),\(Self.number(beta))"
        case .jaccard: return "jaccard"
        case .generalized(let weighting): return "generalized:\(weighting.rawValue)"
        }
    }

    /// The formula as printed in reports.
    public var text: String {
        switch self {
        case .hard: return "2TP/(2TP+FP+FN)"
        case .soft: return "(2Σtp+nr)/(Σt+Σp+dr)"
        case .softSquared: return "(2Σtp+nr)/(Σt²+Σp²+dr)"
        case .softPow(let gamma): return "(2Σtp+nr)/(Σt^\(Self.number(gamma))+Σp^\(Self.number(gamma))+dr)"
        case .fuzzy: return "(2Σmin(t,p)+nr)/(Σt+Σp+dr)"
        case .tversky(let alpha, let beta):
            return "(TP+nr)/(TP+\(Self.number(alpha))·FP+\(Self.number(beta))·FN+dr), α on FP, β on FN"
        case .jaccard: return "(2Σtp+nr)/(2(Σt+Σp−Σtp)+dr)"
        case .generalized(let weighting):
            return "(2Σ_c w_c·Σtp+nr)/(Σ_c w_c·(Σt+Σp)+dr), w_c = \(weighting.formula)"
        }
    }

    /// True when the formula needs the prediction binarised before counting.
    public var isHard: Bool { self == .hard }

    /// The exponent γ when the formula needs Σt^γ and Σp^γ.
    public var power: Double? {
        if case .softPow(let gamma) = self { return gamma }
        return nil
    }

    /// The numerator and denominator for one class, before the empty rule.
    /// - Returns: nil for `generalized`, which is computed over all classes at once.
    public func fraction(_ terms: OverlapTerms, numeratorSmoothing nr: Double, denominatorSmoothing dr: Double)
        -> (numerator: Double, denominator: Double)?
    {
        switch self {
        case .hard, .soft:
            return (2 * terms.intersection + nr, terms.truth + terms.prediction + dr)
        case .softSquared:
            return (2 * terms.intersection + nr, terms.truthSquared + terms.predictionSquared + dr)
        case .softPow:
            return (2 * terms.intersection + nr, terms.truthPower + terms.predictionPower + dr)
        case .fuzzy:
            return (2 * terms.minimum + nr, terms.truth + terms.prediction + dr)
        case .tversky(let alpha, let beta):
            return (
                terms.intersection + nr,
                terms.intersection + alpha * terms.falsePositive + beta * terms.falseNegative + dr
            )
        case .jaccard:
            return (2 * terms.intersection + nr, 2 * (terms.truth + terms.prediction - terms.intersection) + dr)
        case .generalized:
            return nil
        }
    }

    /// Parses a `--variant` base formula: `hard`, `soft`, `soft-squared`, `soft-pow:γ`, `fuzzy`,
    /// `tversky:α,β`, `jaccard`, `generalized:square|simple|uniform`.
    public init?(name: String) {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts[0], parts.count) {
        case ("hard", 1): self = .hard
        case ("soft", 1): self = .soft
        case ("soft-squared", 1): self = .softSquared
        case ("soft-pow", 2):
            guard let gamma = Double(parts[1]), gamma > 0 else { return nil }
            self = .softPow(gamma)
        case ("fuzzy", 1): self = .fuzzy
        case ("tversky", 2):
            let numbers = parts[1].split(separator: ",").compactMap { Double($0) }
            guard numbers.count == 2, numbers.allSatisfy({ $0 >= 0 }) else { return nil }
            self = .tversky(alpha: numbers[0], beta: numbers[1])
        case ("jaccard", 1): self = .jaccard
        case ("generalized", 2):
            guard let weighting = GeneralizedDice.Weighting(rawValue: parts[1]) else { return nil }
            self = .generalized(weighting)
        case ("generalized", 1): self = .generalized(.square)
        default: return nil
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
