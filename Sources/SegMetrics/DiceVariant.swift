import Foundation

/// How a prediction (and, for equality rules, the ground truth) becomes a 0/1 mask for hard formulas.
public enum Binarization: Hashable, Sendable {
    /// p > threshold (strict: 0.5 is background at threshold 0.5). The ground truth is nonzero.
    case threshold(Double)
    /// Any nonzero value is foreground, on both sides (medpy, MONAI multi-channel `bool()`).
    case nonzero
    /// Value == class id on both sides (miseval, nnU-Net, MONAI single channel: == 1).
    case equality
    /// Value truncated to an integer, then == class id, on both sides (seg-metrics `astype(int)`).
    case truncatedEquality
    /// The channel with the largest value wins, first on ties (TorchMetrics float one-hot).
    case argmax

    /// The `--binarize` spelling.
    public var name: String {
        switch self {
        case .threshold(let t): return "gt:\(DiceFormula.number(t))"
        case .nonzero: return "nonzero"
        case .equality: return "eq"
        case .truncatedEquality: return "int-eq"
        case .argmax: return "argmax"
        }
    }

    /// Parses `nonzero`, `eq`, `int-eq`, `argmax` or `gt:<threshold>`.
    public init?(name: String) {
        switch name {
        case "nonzero": self = .nonzero
        case "eq": self = .equality
        case "int-eq": self = .truncatedEquality
        case "argmax": self = .argmax
        default:
            guard name.hasPrefix("gt:"), let t = Double(name.dropFirst(3)) else { return nil }
            self = .threshold(t)
        }
    }
}

/// The value of a formula that comes out as 0/0, and MONAI's rule for an empty ground truth.
public enum EmptyRule: String, Hashable, Sendable, CaseIterable {
    /// 0/0 → NaN: left out of means, counted in `n_nan` (nnU-Net, medpy under numpy 2, TorchMetrics).
    case nan
    /// 0/0 → 1 (miseval, seg-metrics, MONAI `ignore_empty=False`).
    case one
    /// 0/0 → 0 (miseval `calc_DSC_Sets`).
    case zero
    /// NaN whenever the ground truth is empty, even with false positives (MONAI `ignore_empty=True`).
    case gtEmptyNaN = "gt-empty-nan"
    /// 1 whenever the ground truth is empty, whatever the prediction (SMP: such a channel has loss 0).
    case gtEmptyOne = "gt-empty-one"

    /// Applies the rule to a fraction; `truth` is Σt of the class.
    @inlinable
    public func value(numerator: Double, denominator: Double, truth: Double) -> Double {
        switch self {
        case .gtEmptyNaN where truth == 0: return .nan
        case .gtEmptyOne where truth == 0: return 1
        default: break
        }
        if denominator == 0 {
            switch self {
            case .one: return 1
            case .zero: return 0
            case .nan, .gtEmptyNaN, .gtEmptyOne: return .nan
            }
        }
        return numerator / denominator
    }
}

/// What is applied to the prediction's float values before anything else (`--activation`).
///
/// `sigmoid` and `tanh` act on each value (MONAI `sigmoid=True`, `other_act=torch.tanh`);
/// `softmax` acts across the channels of each pixel (MONAI `softmax=True`) and needs two or more
/// channels. Soft formulas use the activated values; hard formulas binarise them.
public enum Activation: String, Hashable, Sendable, CaseIterable {
    /// The values are used as stored.
    case none
    /// σ(x) = 1/(1 + e^−x), element-wise, as in the seed question's third variant.
    case sigmoid
    /// e^x_c / Σ_k e^x_k over the channels of each pixel.
    case softmax
    /// tanh(x), element-wise (values in (−1, 1): soft sums may then be negative).
    case tanh

    /// True for the activations that act on each value alone (`none`, `sigmoid`, `tanh`).
    public var isElementwise: Bool { self != .softmax }

    /// The activated value of `x` for an element-wise activation.
    /// - Precondition: `isElementwise` (softmax needs every channel: `apply(to:channels:pageMajor:)`).
    @inlinable
    public func value(_ x: Double) -> Double {
        switch self {
        case .none: return x
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .tanh: return Foundation.tanh(x)
        case .softmax: preconditionFailure("softmax acts across channels: use apply(to:channels:pageMajor:)")
        }
    }

    /// Activates a float buffer in place: each value (sigmoid, tanh), or the `channels` values of
    /// each pixel (softmax, computed stably from the pixel's largest value). Each result is
    /// computed in double precision, then stored as a float.
    /// - Parameters:
    ///   - values: `channels` values per pixel, interleaved, or page after page when `pageMajor`.
    ///   - channels: the number of channels (softmax needs at least 2 to mean anything).
    /// - Complexity: O(n) in values.
    public func apply(to values: inout [Float], channels: Int, pageMajor: Bool) {
        guard self != .none, !values.isEmpty else { return }
        values.withUnsafeMutableBufferPointer { v in
            if isElementwise {
                for i in 0..<v.count { v[i] = Float(value(Double(v[i]))) }
                return
            }
            let k = Swift.max(channels, 1)
            let pixels = v.count / k
            let stride = pageMajor ? pixels : 1
            for pixel in 0..<pixels {
                let base = pageMajor ? pixel : pixel &* k
                var largest = -Double.infinity
                for c in 0..<k { largest = Swift.max(largest, Double(v[base &+ c &* stride])) }
                var total = 0.0
                for c in 0..<k { total += Foundation.exp(Double(v[base &+ c &* stride]) - largest) }
                for c in 0..<k {
                    let index = base &+ c &* stride
                    v[index] = Float(Foundation.exp(Double(v[index]) - largest) / total)
                }
            }
        }
    }
}

/// Per-class smoothing: numerator and denominator terms, one value for all classes or one per class.
public struct Smoothing: Hashable, Sendable {
    /// Added to the numerator (nr); one value, or one per scored class in order.
    public var numerator: [Double]
    /// Added to the denominator (dr); one value, or one per scored class in order.
    public var denominator: [Double]

    /// The same smoothing s in numerator and denominator.
    public init(_ value: Double = 0) {
        numerator = [value]
        denominator = [value]
    }

    /// Smoothing given as lists (one value, or one per class).
    public init(numerator: [Double], denominator: [Double]) {
        self.numerator = numerator.isEmpty ? [0] : numerator
        self.denominator = denominator.isEmpty ? [0] : denominator
    }

    /// nr for the class at `index` in the scored order.
    @inlinable public func numerator(at index: Int) -> Double {
        numerator.count == 1 ? numerator[0] : numerator[index]
    }

    /// dr for the class at `index` in the scored order.
    @inlinable public func denominator(at index: Int) -> Double {
        denominator.count == 1 ? denominator[0] : denominator[index]
    }

    /// True when neither list has a nonzero value.
    public var isZero: Bool { numerator.allSatisfy { $0 == 0 } && denominator.allSatisfy { $0 == 0 } }

    /// The longest list length (1 unless per-class lists were given).
    public var listLength: Int { max(numerator.count, denominator.count) }
}

/// How the dataset's per-image values become the number a library prints (`aggregate.library`).
public enum LibraryHeadline: String, Hashable, Sendable {
    /// nnU-Net `foreground_mean`: plain mean of the class means (label 0 left out), NaN if one is NaN.
    case nnunetForegroundMean = "foreground_mean"
    /// MONAI `reduction="mean"`: per image the NaN-skipping mean over classes, then over images;
    /// an image or a dataset with nothing left gives 0.
    case monaiMean = "mean"
    /// TorchMetrics `average="macro"`, samplewise: per image the NaN-skipping class mean, then the
    /// NaN-skipping mean over images.
    case torchmetricsMacro = "macro_samplewise"
    /// TorchMetrics `aggregation_level="global"`: numerator and denominator summed over images per
    /// class, then the NaN-skipping class mean.
    case torchmetricsGlobal = "macro_global"
    /// A loss's mean over every (image, class) value (MONAI `DiceLoss`, nnU-Net `SoftDiceLoss`), as dice.
    case lossMean = "mean_dice"
    /// SMP `DiceLoss`: sums over all images per class, an empty-GT class scores 1, mean over classes.
    case smpPooled = "pooled_mean"
    /// Keras and the seed answer: every class of every image folded into one sum.
    case flatten = "flatten"
}

/// A named Dice definition: formula, binarisation, empty rule, smoothing and the library details
/// needed to reproduce a preset.
public struct DiceVariant: Hashable, Sendable {
    /// The `--variant` name: a base formula or a preset.
    public var name: String
    /// The formula applied to each class's terms.
    public var formula: DiceFormula
    /// Used by `hard` formulas; soft formulas take the values as given.
    public var binarization: Binarization
    /// The rule for predictions with several channels, when the library changes rule there
    /// (MONAI: `== 1` on one channel, `bool()` on several).
    public var multiChannelBinarization: Binarization?
    /// What a 0/0 gives (and, for the `gt-empty-*` rules, what an empty ground truth gives).
    public var empty: EmptyRule
    /// Terms added to the numerator (nr) and the denominator (dr), for all classes or per class.
    public var smoothing: Smoothing
    /// The denominator is raised to at least this value (nnU-Net 1e-8, SMP eps 1e-7).
    public var denominatorFloor: Double?
    /// Applied to the prediction's float values before anything else (`--activation`).
    public var activation: Activation
    /// For Generalized Dice: the weight of a class whose ground truth is empty.
    public var emptyClassWeight: GeneralizedDice.EmptyWeight
    /// The library whose headline `aggregate.library` reproduces, when the variant is a preset.
    public var library: LibraryHeadline?
    /// The library and version a preset reproduces.
    public var reproduces: String?
    /// Whether the preset's library scores the background class by default.
    public var libraryIncludesBackground: Bool

    /// Whether the library compares the stored values with the label ids, as nnU-Net does (it reads
    /// each file and tests `== id`): under such a variant `--encoding auto` never reads a 0/255
    /// file as a binary mask, so a stored 255 is label 255.
    public var comparesStoredLabels: Bool { library == .nnunetForegroundMean }

    /// Creates a variant from a base formula with segscore's defaults: threshold 0.5, NaN for 0/0,
    /// no smoothing.
    public init(
        formula: DiceFormula, binarization: Binarization = .threshold(0.5), empty: EmptyRule = .nan,
        smoothing: Smoothing = Smoothing(), denominatorFloor: Double? = nil, activation: Activation = .none,
        emptyClassWeight: GeneralizedDice.EmptyWeight = .maxInImage, name: String? = nil,
        library: LibraryHeadline? = nil, reproduces: String? = nil, libraryIncludesBackground: Bool = false
    ) {
        self.name = name ?? formula.name
        self.formula = formula
        self.binarization = binarization
        self.multiChannelBinarization = nil
        self.empty = empty
        self.smoothing = smoothing
        self.denominatorFloor = denominatorFloor
        self.activation = activation
        self.emptyClassWeight = emptyClassWeight
        self.library = library
        self.reproduces = reproduces
        self.libraryIncludesBackground = libraryIncludesBackground
    }

    /// True when predictions are binarised before counting.
    public var isHard: Bool { formula.isHard }

    /// The per-class value of one item.
    /// - Parameters:
    ///   - terms: the sums of the class in the item.
    ///   - index: the class's position in the scored order (for per-class smoothing lists).
    /// - Returns: the Dice value; NaN where the empty rule says so.
    @inlinable
    public func value(of terms: OverlapTerms, classIndex index: Int = 0) -> Double {
        guard
            let (numerator, rawDenominator) = formula.fraction(
                terms, numeratorSmoothing: smoothing.numerator(at: index),
                denominatorSmoothing: smoothing.denominator(at: index))
        else {
            return GeneralizedDice(weighting: .uniform, emptyWeight: emptyClassWeight).value(
                of: [terms], smoothing: smoothing, empty: empty)
        }
        let denominator = denominatorFloor.map { Swift.max(rawDenominator, $0) } ?? rawDenominator
        return empty.value(numerator: numerator, denominator: denominator, truth: terms.truth)
    }

    /// The formula with this variant's conventions, as printed in reports.
    public var formulaText: String { formula.text }

    /// One line of the conventions: binarisation, empty rule, smoothing, floor.
    public var conventions: String {
        var parts: [String] = []
        if isHard { parts.append("probability maps binarised by \(binarization.name)") }
        parts.append("0/0 → \(empty.rawValue)")
        let nr = smoothing.numerator.map(DiceFormula.number).joined(separator: ",")
        let dr = smoothing.denominator.map(DiceFormula.number).joined(separator: ",")
        parts.append(nr == dr ? "smooth \(nr)" : "smooth nr \(nr), dr \(dr)")
        if let floor = denominatorFloor { parts.append("denominator ≥ \(DiceFormula.number(floor))") }
        if activation != .none { parts.append("activation \(activation.rawValue)") }
        return parts.joined(separator: "; ")
    }
}

extension DiceVariant {
    /// Why a `--variant` name or its options were refused.
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        /// One line naming the refused value and what is accepted.
        public var description: String
    }

    /// Resolves a `--variant` value: a preset name, or a base formula.
    /// - Throws: `ParseError` naming the value and the accepted names.
    public static func named(_ name: String) throws(ParseError) -> DiceVariant {
        if let preset = Preset(rawValue: name) { return preset.variant }
        if let formula = DiceFormula(name: name) { return DiceVariant(formula: formula) }
        throw ParseError(
            description: "unknown variant '\(name)': use a base formula (hard, soft, soft-squared, soft-pow:γ, "
                + "fuzzy, tversky:α,β, jaccard, generalized:square|simple|uniform) or a preset ("
                + Preset.allCases.map(\.rawValue).joined(separator: ", ") + ")")
    }
}
