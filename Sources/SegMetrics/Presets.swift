/// The library presets of `dice-variants.md` §3. Each expands to fixed settings, reproduces one
/// library at the version the golden vectors were computed with, and names that library.
public enum Preset: String, CaseIterable, Sendable {
    case medpy
    case miseval
    case segMetrics = "seg-metrics"
    case nnunetEval = "nnunet-eval"
    case monaiMetric = "monai-metric"
    case monaiMetricKeepEmpty = "monai-metric-keep-empty"
    case torchmetrics
    case torchmetricsGlobal = "torchmetrics-global"
    case keras
    case monaiLoss = "monai-loss"
    case nnunetLoss = "nnunet-loss"
    case smp
    case vnet
    case evaluateSegmentation = "evaluate-segmentation"
    case soAnswer = "so-answer"

    /// The settings the preset stands for.
    public var variant: DiceVariant {
        var variant = settings
        if self == .monaiMetric || self == .monaiMetricKeepEmpty { variant.multiChannelBinarization = .nonzero }
        return variant
    }

    private var settings: DiceVariant {
        let name = rawValue
        switch self {
        case .medpy:
            return DiceVariant(
                formula: .hard, binarization: .nonzero, empty: .nan, name: name,
                reproduces: "medpy 0.5.2 metric.binary.dc (numpy 2: both empty → NaN)")
        case .miseval:
            return DiceVariant(
                formula: .hard, binarization: .equality, empty: .one, name: name,
                reproduces: "miseval 1.3.0 calc_DSC", libraryIncludesBackground: true)
        case .segMetrics:
            return DiceVariant(
                formula: .hard, binarization: .truncatedEquality, empty: .one, name: name,
                reproduces: "seg-metrics 1.2.8 write_metrics")
        case .nnunetEval:
            return DiceVariant(
                formula: .hard, binarization: .equality, empty: .nan, name: name, library: .nnunetForegroundMean,
                reproduces: "nnunetv2 2.8.1 compute_metrics_on_folder")
        case .monaiMetric:
            return DiceVariant(
                formula: .hard, binarization: .equality, empty: .gtEmptyNaN, name: name, library: .monaiMean,
                reproduces: "MONAI 1.6.1 DiceMetric (ignore_empty=True, reduction=mean)",
                libraryIncludesBackground: true)
        case .monaiMetricKeepEmpty:
            return DiceVariant(
                formula: .hard, binarization: .equality, empty: .one, name: name, library: .monaiMean,
                reproduces: "MONAI 1.6.1 DiceMetric (ignore_empty=False, reduction=mean)",
                libraryIncludesBackground: true)
        case .torchmetrics:
            return DiceVariant(
                formula: .hard, binarization: .argmax, empty: .nan, name: name, library: .torchmetricsMacro,
                reproduces: "TorchMetrics 1.9.0 DiceScore (average=macro, samplewise)",
                libraryIncludesBackground: true)
        case .torchmetricsGlobal:
            return DiceVariant(
                formula: .hard, binarization: .argmax, empty: .nan, name: name, library: .torchmetricsGlobal,
                reproduces: "TorchMetrics 1.9.0 DiceScore (average=macro, aggregation_level=global)",
                libraryIncludesBackground: true)
        case .keras:
            return DiceVariant(
                formula: .soft, empty: .nan, smoothing: Smoothing(numerator: [0], denominator: [1e-7]), name: name,
                library: .flatten, reproduces: "Keras 3 losses.Dice (axis=None, ε = 1e-7)",
                libraryIncludesBackground: true)
        case .monaiLoss:
            return DiceVariant(
                formula: .soft, empty: .nan, smoothing: Smoothing(1e-5), name: name, library: .lossMean,
                reproduces: "MONAI 1.6.1 DiceLoss (smooth_nr = smooth_dr = 1e-5, batch=False), as 1 − loss",
                libraryIncludesBackground: true)
        case .nnunetLoss:
            return DiceVariant(
                formula: .soft, empty: .nan, smoothing: Smoothing(1e-5), denominatorFloor: 1e-8, name: name,
                library: .lossMean,
                reproduces: "nnunetv2 2.8.1 MemoryEfficientSoftDiceLoss (smooth 1e-5, do_bg=False), as −loss")
        case .smp:
            // SMP's score (TP + s)/max(TP + ½FP + ½FN + s, eps), TP = Σmin(t,p), is the fuzzy formula
            // with nr = dr = 2s and a floor of 2·eps; its default s is 0.
            return DiceVariant(
                formula: .fuzzy, empty: .gtEmptyOne, smoothing: Smoothing(0), denominatorFloor: 2e-7, name: name,
                library: .smpPooled,
                reproduces: "segmentation_models_pytorch 0.6.0 DiceLoss (smooth 0, eps 1e-7, from_logits=False), as 1 − loss",
                libraryIncludesBackground: true)
        case .vnet:
            return DiceVariant(
                formula: .softSquared, empty: .nan, name: name, reproduces: "V-Net paper (Milletari 2016)")
        case .evaluateSegmentation:
            return DiceVariant(
                formula: .fuzzy, empty: .nan, name: name,
                reproduces: "EvaluateSegmentation (Taha & Hanbury) fuzzy mode, without its per-image 8-bit rescale")
        case .soAnswer:
            return DiceVariant(
                formula: .soft, empty: .nan, smoothing: Smoothing(100), name: name, library: .flatten,
                reproduces: "the seed StackOverflow answer: flattened soft Dice, smooth 100",
                libraryIncludesBackground: true)
        }
    }
}
