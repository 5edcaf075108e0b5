/// Per-class statistics over the images of a dataset, and the pooled value.
public struct ClassSummary: Sendable, Equatable {
    /// The class id.
    public var id: Int
    /// Mean of the per-image values, NaN skipped; NaN when nothing is left.
    public var mean: Double
    /// Median of the per-image values, NaN skipped (the mean of the two middle values for even n).
    public var median: Double
    /// Population standard deviation (ddof = 0, as numpy) of the per-image values, NaN skipped.
    public var std: Double
    /// Smallest per-image value, NaN skipped; NaN when every value is NaN.
    public var min: Double
    /// Largest per-image value, NaN skipped; NaN when every value is NaN.
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

    /// Equal when every statistic has the same bits (any two NaNs equal), so runs compare exactly.
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
    /// The library's headline, computed its way (NaN where the library gives NaN, e.g. nnU-Net when a
    /// class mean is NaN).
    public var value: Double

    /// Equal when the names match and the values have the same bits or are both NaN.
    public static func == (lhs: LibraryValue, rhs: LibraryValue) -> Bool {
        lhs.variant == rhs.variant && lhs.name == rhs.name
            && (lhs.value.bitPattern == rhs.value.bitPattern || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// What a dataset scored: per-class statistics and the headline numbers.
public struct DatasetSummary: Sendable, Equatable {
    /// Statistics of every scored class, in report order.
    public var classes: [ClassSummary]
    /// The classes averaged into the headline (background left out unless asked).
    public var headlineClassIDs: [Int]
    /// Mean of the headline classes' means (classes whose mean is NaN are skipped).
    public var mean: Double
    /// Mean of the headline classes' pooled values (NaN ones skipped).
    public var pooled: Double
    /// Mean over images of each image's Generalized Dice summed over the headline classes, for
    /// `generalized` formulas (MONAI `GeneralizedDiceScore(reduction="mean")`; JSON
    /// `aggregate.generalized`).
    public var generalizedMean: Double?
    /// The preset's library headline, when it has one.
    public var library: LibraryValue?
    /// Number of images aggregated.
    public var imageCount: Int

    /// Equal when every number has the same bits (any two NaNs equal) and the rest is equal.
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

/// Builds a dataset summary from images added one at a time, in key order.
///
/// Pooled counts and soft sums, the Generalized Dice mean and the library headlines are kept as
/// running (compensated) sums; the only thing kept per image is its value per class
/// (`values`, 8 bytes per image and class), which the median, the standard deviation and the
/// bootstrap need. Adding the same images in the same order gives the same bits, so a run that
/// streams its images from disk and one that holds them in memory agree exactly.
public struct SummaryAccumulator: Sendable {
    /// The variant the images were scored with.
    public let variant: DiceVariant
    /// Every scored class id, in report order.
    public let classIDs: [Int]
    /// Whether class 0 counts in the headline.
    public let includeBackground: Bool
    /// Each image's value per class, row-major (`values[image * classIDs.count + class]`), NaN
    /// where the value is NaN or the image lacks the class.
    public private(set) var values: [Double] = []
    /// Number of images added.
    public private(set) var imageCount = 0

    private struct Pool: Sendable {
        var counts = ClassCounts()
        var allHard = true
        var present = 0
        var terms = [CompensatedSum](repeating: CompensatedSum(), count: 9)

        mutating func add(_ score: ClassScore) {
            present += 1
            if let counts = score.counts { self.counts = self.counts + counts } else { allHard = false }
            for (index, value) in OverlapTerms.fields(of: score.terms).enumerated() { terms[index].add(value) }
        }

        var pooledCounts: ClassCounts? { allHard && present > 0 ? counts : nil }
        var pooledTerms: OverlapTerms { pooledCounts?.terms ?? OverlapTerms.from(fields: terms.map(\.value)) }
    }

    private var pools: [Pool]
    private let libraryIDs: [Int]
    /// `libraryIDs` as a set: membership per class and image is O(1).
    private let librarySet: Set<Int>
    private var generalized = CompensatedSum()
    private var generalizedCount = 0
    /// Per-image means over the library's classes (MONAI, TorchMetrics macro), NaN skipped.
    private var imageMeans = CompensatedSum()
    private var imageMeanCount = 0
    /// Every value of the library's classes, image by image (loss means), NaN included.
    private var everyValue = CompensatedSum()
    private var everyValueCount = 0
    /// Terms of the library's classes summed over images (flattened Dice).
    private var flattened = [CompensatedSum](repeating: CompensatedSum(), count: 9)

    /// Creates an empty accumulator.
    public init(variant: DiceVariant, classIDs: [Int], includeBackground: Bool = false) {
        self.variant = variant
        self.classIDs = classIDs
        self.includeBackground = includeBackground
        pools = Array(repeating: Pool(), count: classIDs.count)
        libraryIDs = variant.libraryIncludesBackground ? classIDs : classIDs.filter { $0 != 0 }
        librarySet = Set(libraryIDs)
    }

    /// The headline classes: every class, less 0 unless `includeBackground`. With no foreground
    /// class the list is empty and the headline NaN ("no foreground class scored"), never the
    /// background's value.
    public var headlineClassIDs: [Int] {
        includeBackground ? classIDs : classIDs.filter { $0 != 0 }
    }

    /// Makes room for `count` images, so that `values` is allocated once.
    public mutating func reserveCapacity(images count: Int) {
        values.reserveCapacity(count * classIDs.count)
    }

    /// Adds the next image in key order.
    public mutating func add(_ image: ImageScore) {
        imageCount += 1
        // Images scored over the run's class list (what `Evaluation` builds) line up position by
        // position; others are looked up by id, once, not per class (runs may have 65,536 classes).
        let aligned = image.classes.count == classIDs.count && zip(image.classes, classIDs).allSatisfy { $0.id == $1 }
        var byID: [Int: Int] = [:]
        if !aligned {
            for (position, score) in image.classes.enumerated() where byID[score.id] == nil { byID[score.id] = position }
        }
        for (index, id) in classIDs.enumerated() {
            if let position = aligned ? index : byID[id] {
                let score = image.classes[position]
                values.append(score.dice)
                pools[index].add(score)
            } else {
                values.append(.nan)
            }
        }
        if let value = image.generalized, !value.isNaN {
            generalized.add(value)
            generalizedCount += 1
        }
        guard let library = variant.library else { return }
        switch library {
        case .monaiMean, .torchmetricsMacro:
            let mean = nanMean(image.classes.filter { librarySet.contains($0.id) }.map(\.dice))
            if !mean.isNaN {
                imageMeans.add(mean)
                imageMeanCount += 1
            }
        case .lossMean:
            for score in image.classes where librarySet.contains(score.id) {
                everyValue.add(score.dice)
                everyValueCount += 1
            }
        case .flatten:
            for score in image.classes where librarySet.contains(score.id) {
                for (index, value) in OverlapTerms.fields(of: score.terms).enumerated() { flattened[index].add(value) }
            }
        case .nnunetForegroundMean, .torchmetricsGlobal, .smpPooled:
            break
        }
    }

    /// Every statistic of the images added so far.
    public func summary() -> DatasetSummary {
        let width = classIDs.count
        var classes: [ClassSummary] = []
        for (index, id) in classIDs.enumerated() {
            // One array per class, sorted in place once the key-ordered sums are taken.
            var kept: [Double] = []
            kept.reserveCapacity(imageCount)
            for image in 0..<imageCount {
                let value = values[image &* width &+ index]
                if !value.isNaN { kept.append(value) }
            }
            classes.append(summarise(id: id, index: index, kept: &kept))
        }
        let headline = headlineClassIDs
        let headlineSet = Set(headline)
        let chosen = classes.filter { headlineSet.contains($0.id) }
        var generalizedMean: Double?
        if case .generalized = variant.formula {
            generalizedMean = generalizedCount == 0 ? .nan : generalized.value / Double(generalizedCount)
        }
        return DatasetSummary(
            classes: classes, headlineClassIDs: headline, mean: nanMean(chosen.map(\.mean)),
            pooled: nanMean(chosen.map(\.pooled)), generalizedMean: generalizedMean, library: libraryValue(classes: classes),
            imageCount: imageCount)
    }

    /// - Parameter kept: the class's values that are numbers, in key order; sorted on return.
    private func summarise(id: Int, index: Int, kept: inout [Double]) -> ClassSummary {
        let mean = kept.isEmpty ? Double.nan : kept.compensatedSum() / Double(kept.count)
        var variance = Double.nan
        if !kept.isEmpty {
            var squares = CompensatedSum()
            for value in kept { squares.add((value - mean) * (value - mean)) }
            variance = squares.value / Double(kept.count)
        }
        kept.sort()
        let sorted = kept
        let median: Double
        if sorted.isEmpty {
            median = .nan
        } else if sorted.count % 2 == 1 {
            median = sorted[sorted.count / 2]
        } else {
            median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let pool = pools[index]
        let pooledTerms = pool.pooledTerms
        return ClassSummary(
            id: id, mean: mean, median: median, std: variance.squareRoot(), min: sorted.first ?? .nan,
            max: sorted.last ?? .nan, n: kept.count, nNaN: imageCount - kept.count,
            pooled: variant.classValue(of: pooledTerms, classIndex: index), pooledCounts: pool.pooledCounts,
            pooledTerms: pooledTerms)
    }

    private func libraryValue(classes: [ClassSummary]) -> LibraryValue? {
        guard let library = variant.library else { return nil }
        let value: Double
        switch library {
        case .nnunetForegroundMean:
            let means = classes.filter { $0.id != 0 }.map(\.mean)
            value = means.isEmpty ? .nan : means.reduce(0, +) / Double(means.count)
        case .monaiMean:
            value = imageMeanCount == 0 ? 0 : imageMeans.value / Double(imageMeanCount)
        case .torchmetricsMacro:
            value = imageMeanCount == 0 ? .nan : imageMeans.value / Double(imageMeanCount)
        case .torchmetricsGlobal, .smpPooled:
            value = nanMean(classes.filter { librarySet.contains($0.id) }.map(\.pooled))
        case .lossMean:
            value = everyValueCount == 0 ? .nan : everyValue.value / Double(everyValueCount)
        case .flatten:
            var folded = variant
            folded.smoothing = Smoothing(
                numerator: [variant.smoothing.numerator(at: 0)], denominator: [variant.smoothing.denominator(at: 0)])
            value = folded.value(of: OverlapTerms.from(fields: flattened.map(\.value)))
        }
        return LibraryValue(variant: variant.name, name: library.rawValue, value: value)
    }
}

/// Collects per-image scores in memory and summarises them.
///
/// Partial aggregates merge exactly: images are kept by key, and every statistic is computed in
/// key order (the bytes of the keys) when `summary()` is called, so the order in which images
/// arrive (threads, shards) cannot change any number, bit for bit. `Evaluation` streams its images
/// through the same `SummaryAccumulator` without holding them.
public struct DatasetAggregator: Sendable {
    /// The variant every added image was scored with.
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

    /// The images in key order (the bytes of the keys, as the pairing sorts them).
    public var orderedImages: [ImageScore] {
        images.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map(\.value)
    }

    /// The headline classes: every class, less 0 unless `includeBackground` (all of them if that
    /// would leave none).
    public var headlineClassIDs: [Int] { accumulator().headlineClassIDs }

    /// Computes every statistic, in key order.
    public func summary() -> DatasetSummary {
        var accumulator = accumulator()
        for image in orderedImages { accumulator.add(image) }
        return accumulator.summary()
    }

    private func accumulator() -> SummaryAccumulator {
        SummaryAccumulator(variant: variant, classIDs: classIDs, includeBackground: includeBackground)
    }
}
