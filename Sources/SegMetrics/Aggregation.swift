/// Per-class statistics over the images of a dataset, and the pooled value.
public struct ClassSummary: Sendable, Equatable {
    public var id: Int
    /// Mean of the per-image values, NaN skipped; NaN when nothing is left.
    public var mean: Double
    /// Median of the per-image values, NaN skipped (the mean of the two middle values for even n).
    public var median: Double
    /// Population standard deviation (ddof = 0, as numpy) of the per-image values, NaN skipped.
    public var std: Double
    public var min: Double
    public var max: Double
    /// Images whose value is a number.
    public var n: Int
    /// Images whose value is NaN (skipped).
    public var nNaN: Int
    /// The formula applied to counts (or soft sums) summed over every image.
    public var pooled: Double
    /// Counts summed over every image (hard variants).
    public var pooledCounts: ClassCounts?
    /// Terms summed over every image.
    public var pooledTerms: OverlapTerms

    public static func == (lhs: ClassSummary, rhs: ClassSummary) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
        return lhs.id == rhs.id && same(lhs.mean, rhs.mean) && same(lhs.median, rhs.median)
            && same(lhs.std, rhs.std) && same(lhs.min, rhs.min) && same(lhs.max, rhs.max) && lhs.n == rhs.n
            && lhs.nNaN == rhs.nNaN && same(lhs.pooled, rhs.pooled) && lhs.pooledCounts == rhs.pooledCounts
            && lhs.pooledTerms == rhs.pooledTerms
    }

    /// IoU, precision, recall, specificity and volumetric similarity of the pooled terms.
    public var pooledMetrics: OverlapMetrics { OverlapMetrics(pooledTerms) }
}

/// A library's own headline number, computed its way from the same per-image values.
public struct LibraryValue: Sendable, Equatable {
    /// The preset.
    public var variant: String
    /// The library's name for the number (`foreground_mean`, `mean`, …).
    public var name: String
    public var value: Double

    public static func == (lhs: LibraryValue, rhs: LibraryValue) -> Bool {
        lhs.variant == rhs.variant && lhs.name == rhs.name
            && (lhs.value.bitPattern == rhs.value.bitPattern || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// What a dataset scored: per-class statistics and the headline numbers.
public struct DatasetSummary: Sendable, Equatable {
    public var classes: [ClassSummary]
    /// The classes averaged into the headline (background left out unless asked).
    public var headlineClassIDs: [Int]
    /// Mean of the headline classes' means (classes whose mean is NaN are skipped).
    public var mean: Double
    /// Mean of the headline classes' pooled values (NaN ones skipped).
    public var pooled: Double
    /// Mean over images of the Generalized Dice, for `generalized` formulas.
    public var generalizedMean: Double?
    /// The preset's library headline, when it has one.
    public var library: LibraryValue?
    /// Number of images aggregated.
    public var imageCount: Int

    public static func == (lhs: DatasetSummary, rhs: DatasetSummary) -> Bool {
        func same(_ a: Double?, _ b: Double?) -> Bool {
            switch (a, b) {
            case (nil, nil): return true
            case (let x?, let y?): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
            default: return false
            }
        }
        return lhs.classes == rhs.classes && lhs.headlineClassIDs == rhs.headlineClassIDs && same(lhs.mean, rhs.mean)
            && same(lhs.pooled, rhs.pooled) && same(lhs.generalizedMean, rhs.generalizedMean)
            && lhs.library == rhs.library && lhs.imageCount == rhs.imageCount
    }
}

/// Collects per-image scores and summarises them.
///
/// Partial aggregates merge exactly: images are kept by key, and every statistic is computed in
/// key order when `summary()` is called, so the order in which images arrive (threads, shards)
/// cannot change any number, bit for bit.
public struct DatasetAggregator: Sendable {
    public let variant: DiceVariant
    /// Every scored class id, in report order.
    public let classIDs: [Int]
    /// Whether class 0 counts in the headline.
    public var includeBackground: Bool
    private var images: [String: ImageScore] = [:]

    /// Creates an empty aggregate.
    public init(variant: DiceVariant, classIDs: [Int], includeBackground: Bool = false) {
        self.variant = variant
        self.classIDs = classIDs
        self.includeBackground = includeBackground
    }

    /// Number of images so far.
    public var count: Int { images.count }

    /// Adds one image; a second image with the same key replaces the first.
    public mutating func add(_ image: ImageScore) {
        images[image.key] = image
    }

    /// Adds every image of another aggregate over the same classes and variant.
    public mutating func merge(_ other: DatasetAggregator) {
        precondition(other.classIDs == classIDs && other.variant == variant, "aggregates differ")
        for (key, image) in other.images { images[key] = image }
    }

    /// The images in key order.
    public var orderedImages: [ImageScore] { images.keys.sorted().map { images[$0]! } }

    /// The headline classes: every class, less 0 unless `includeBackground` (all of them if that
    /// would leave none).
    public var headlineClassIDs: [Int] {
        let foreground = classIDs.filter { $0 != 0 }
        return includeBackground || foreground.isEmpty ? classIDs : foreground
    }

    /// Computes every statistic, in key order.
    public func summary() -> DatasetSummary {
        let ordered = orderedImages
        var classes: [ClassSummary] = []
        for (index, id) in classIDs.enumerated() {
            let scores = ordered.map { image in image.classes.first { $0.id == id } }
            classes.append(summarise(id: id, index: index, scores: scores))
        }
        let headline = headlineClassIDs
        let chosen = classes.filter { headline.contains($0.id) }
        let generalized: Double?
        if case .generalized = variant.formula {
            generalized = nanMean(ordered.compactMap(\.generalized))
        } else {
            generalized = nil
        }
        return DatasetSummary(
            classes: classes, headlineClassIDs: headline, mean: nanMean(chosen.map(\.mean)),
            pooled: nanMean(chosen.map(\.pooled)), generalizedMean: generalized,
            library: libraryValue(ordered: ordered, classes: classes), imageCount: ordered.count)
    }

    private func summarise(id: Int, index: Int, scores: [ClassScore?]) -> ClassSummary {
        let values = scores.map { $0?.dice ?? .nan }
        let kept = values.filter { !$0.isNaN }
        let mean = kept.isEmpty ? Double.nan : kept.compensatedSum() / Double(kept.count)
        var variance = Double.nan
        if !kept.isEmpty { variance = kept.map { ($0 - mean) * ($0 - mean) }.compensatedSum() / Double(kept.count) }
        let sorted = kept.sorted()
        let median: Double
        if sorted.isEmpty {
            median = .nan
        } else if sorted.count % 2 == 1 {
            median = sorted[sorted.count / 2]
        } else {
            median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let present = scores.compactMap { $0 }
        let pooledCounts: ClassCounts? =
            present.allSatisfy({ $0.counts != nil }) && !present.isEmpty
            ? present.reduce(ClassCounts()) { $0 + $1.counts! } : nil
        let pooledTerms = pooledCounts?.terms ?? Self.sum(present.map(\.terms))
        return ClassSummary(
            id: id, mean: mean, median: median, std: variance.squareRoot(), min: sorted.first ?? .nan,
            max: sorted.last ?? .nan, n: kept.count, nNaN: values.count - kept.count,
            pooled: variant.classValue(of: pooledTerms, classIndex: index), pooledCounts: pooledCounts,
            pooledTerms: pooledTerms)
    }

    /// Field-by-field compensated sums, in the given order.
    static func sum(_ terms: [OverlapTerms]) -> OverlapTerms {
        OverlapTerms(
            intersection: terms.map(\.intersection).compensatedSum(), truth: terms.map(\.truth).compensatedSum(),
            prediction: terms.map(\.prediction).compensatedSum(),
            truthSquared: terms.map(\.truthSquared).compensatedSum(),
            predictionSquared: terms.map(\.predictionSquared).compensatedSum(),
            minimum: terms.map(\.minimum).compensatedSum(), truthPower: terms.map(\.truthPower).compensatedSum(),
            predictionPower: terms.map(\.predictionPower).compensatedSum(), pixels: terms.map(\.pixels).compensatedSum())
    }

    private func libraryValue(ordered: [ImageScore], classes: [ClassSummary]) -> LibraryValue? {
        guard let library = variant.library else { return nil }
        let ids = variant.libraryIncludesBackground ? classIDs : classIDs.filter { $0 != 0 }
        let value: Double
        switch library {
        case .nnunetForegroundMean:
            let means = classes.filter { $0.id != 0 }.map(\.mean)
            value = means.isEmpty ? .nan : means.reduce(0, +) / Double(means.count)
        case .monaiMean:
            let perImage = ordered.map { $0.mean(over: ids) }.filter { !$0.isNaN }
            value = perImage.isEmpty ? 0 : perImage.compensatedSum() / Double(perImage.count)
        case .torchmetricsMacro:
            value = nanMean(ordered.map { $0.mean(over: ids) })
        case .torchmetricsGlobal:
            value = nanMean(classes.filter { ids.contains($0.id) }.map(\.pooled))
        case .lossMean:
            let all = ordered.flatMap { image in image.classes.filter { ids.contains($0.id) }.map(\.dice) }
            value = all.isEmpty ? .nan : all.compensatedSum() / Double(all.count)
        case .smpPooled:
            value = nanMean(classes.filter { ids.contains($0.id) }.map(\.pooled))
        case .flatten:
            let everything = ordered.flatMap { image in image.classes.filter { ids.contains($0.id) }.map(\.terms) }
            var folded = variant
            folded.smoothing = Smoothing(
                numerator: [variant.smoothing.numerator(at: 0)], denominator: [variant.smoothing.denominator(at: 0)])
            value = folded.value(of: Self.sum(everything))
        }
        return LibraryValue(variant: variant.name, name: library.rawValue, value: value)
    }
}
