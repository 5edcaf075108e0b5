/// Everything the reports of one evaluation say, as plain values: what `SegScore` fills and every
/// format renders (JSON `segscore.report/1`, per-image and per-class CSV, the text summary,
/// Markdown, JUnit). Rendering is pure: the same value gives the same bytes.
///
/// Per-image rows are not held: `images` fetches each row when it is read, in key order, so a
/// report of any number of images is streamed one row at a time.
public struct EvaluationReportValue: Sendable {
    /// The version the reports name (`tool.version`, the summary's first line).
    public var toolVersion: String
    /// How the values were computed.
    public var definition: Definition
    /// What was scored and what was left aside.
    public var inputs: Inputs
    /// One row per class, in report order.
    public var classes: [ClassRow]
    /// The dataset numbers.
    public var aggregate: Aggregate
    /// The per-image rows, in key order, computed on access.
    public var images: ImageRows
    /// Each image's value per class, row-major (`classValues[image * classValueStride + class]`,
    /// class in `classes` order), NaN where the value is NaN: what the Markdown ranking reads.
    public var classValues: [Double]
    /// Values per image in `classValues`.
    public var classValueStride: Int
    /// The names of the overlap metrics every class row carries (`iou`, `precision`, …), in order:
    /// the CSV header.
    public var metricNames: [String]
    /// Every data problem, sorted by key then path.
    public var errors: [Problem]
    /// Things worth saying that are not errors.
    public var warnings: [String]
    /// Quality-gate outcomes, in the order they were asked for.
    public var gates: [Gate]
    /// Ground truth was found and no file paired (the unmatched lists are not repeated in the summary).
    public var nothingPaired: Bool
    /// The pooled class × class pixel counts of label maps (JSON `confusion`); nil for channel data.
    public var confusion: Confusion? = nil
    /// The boundary metrics, when asked for (`--surface-metrics`); nil leaves every report as without them.
    public var surface: SurfaceReport? = nil

    /// A report value; every part is given by the caller.
    public init(
        toolVersion: String, definition: Definition, inputs: Inputs, classes: [ClassRow], aggregate: Aggregate,
        images: ImageRows, classValues: [Double], classValueStride: Int, metricNames: [String], errors: [Problem],
        warnings: [String], gates: [Gate], nothingPaired: Bool
    ) {
        self.toolVersion = toolVersion
        self.definition = definition
        self.inputs = inputs
        self.classes = classes
        self.aggregate = aggregate
        self.images = images
        self.classValues = classValues
        self.classValueStride = classValueStride
        self.metricNames = metricNames
        self.errors = errors
        self.warnings = warnings
        self.gates = gates
        self.nothingPaired = nothingPaired
    }

    /// True when a gate failed.
    public var gateFailed: Bool { gates.contains { !$0.passed } }

    /// The exit status the report stands for: 3 data problems (wins), 1 a gate failed, 0.
    public var exitStatus: Int { !errors.isEmpty ? 3 : (gateFailed ? 1 : 0) }

    /// Pairs that were found and could not be scored (errors that name a key).
    public var failedPairs: Int { errors.filter { $0.key != nil }.count }

    /// What the reports say when the headline has no class to average.
    public static let noHeadline = "no foreground class scored; pass --include-background to make background the headline"
}

extension EvaluationReportValue {
    /// The variant and the options that define the numbers (the JSON `config`).
    public struct Definition: Sendable {
        /// Variant name, formula as printed, and its 0/0 rule (`empty`).
        public var variant: String
        /// The formula as printed.
        public var formula: String
        /// The 0/0 rule (`nan`, `one`, `zero`, …).
        public var empty: String
        /// Smoothing added to the numerator and the denominator (one value, or one per class).
        public var smoothNumerator: [Double]
        /// Smoothing added to the denominator (one value, or one per class).
        public var smoothDenominator: [Double]
        /// Whether class 0 counted in the headline.
        public var backgroundInHeadline: Bool
        /// Labels left out of every count.
        public var ignoreLabels: [Int]
        /// The binarisation rule's name for hard variants; nil for soft ones.
        public var binarization: String?
        /// True when a hard variant binarises probabilities with a threshold (`--threshold`): the
        /// conventions line then names the thresholds applied.
        public var binarizesByThreshold: Bool
        /// `--threshold`: one value, or one per channel.
        public var thresholds: [Double]
        /// The smallest denominator the formula allows, if any.
        public var denominatorFloor: Double?
        /// The activation applied to predictions; nil for none.
        public var activation: String?
        /// The `--encoding` of each side, and the `--missing` policy (`fail`, `empty`, `skip`).
        public var truthEncoding: String
        /// The predictions' `--encoding`.
        public var predictionEncoding: String
        /// The `--missing` policy: `fail`, `empty` or `skip`.
        public var missing: String
        /// The library version the variant reproduces, if any.
        public var reproduces: String?
        /// The variant's conventions sentence (empty rule, smoothing, binarisation).
        public var conventions: String

        /// A definition; every field is given by the caller.
        public init(
            variant: String, formula: String, empty: String, smoothNumerator: [Double], smoothDenominator: [Double],
            backgroundInHeadline: Bool, ignoreLabels: [Int], binarization: String?, binarizesByThreshold: Bool,
            thresholds: [Double], denominatorFloor: Double?, activation: String?, truthEncoding: String,
            predictionEncoding: String, missing: String, reproduces: String?, conventions: String
        ) {
            self.variant = variant
            self.formula = formula
            self.empty = empty
            self.smoothNumerator = smoothNumerator
            self.smoothDenominator = smoothDenominator
            self.backgroundInHeadline = backgroundInHeadline
            self.ignoreLabels = ignoreLabels
            self.binarization = binarization
            self.binarizesByThreshold = binarizesByThreshold
            self.thresholds = thresholds
            self.denominatorFloor = denominatorFloor
            self.activation = activation
            self.truthEncoding = truthEncoding
            self.predictionEncoding = predictionEncoding
            self.missing = missing
            self.reproduces = reproduces
            self.conventions = conventions
        }
    }

    /// The folders, the pairing and the encodings met.
    public struct Inputs: Sendable {
        /// The ground-truth folder (or file) as given.
        public var truthFolder: String
        /// The prediction folder (or file) as given.
        public var predictionFolder: String
        /// Pairs scored.
        public var pairs: Int
        /// Paths of the files left unpaired.
        public var unmatchedTruth: [String]
        /// Predictions without ground truth (paths).
        public var unmatchedPredictions: [String]
        /// Files under the folders that are not masks (README, JSON, …).
        public var ignoredFiles: Int
        /// (ground-truth encoding, prediction encoding, pairs) in first-seen key order.
        public var encodings: [(truth: String, prediction: String, pairs: Int)]

        /// The inputs; every field is given by the caller.
        public init(
            truthFolder: String, predictionFolder: String, pairs: Int, unmatchedTruth: [String], unmatchedPredictions: [String],
            ignoredFiles: Int, encodings: [(truth: String, prediction: String, pairs: Int)]
        ) {
            self.truthFolder = truthFolder
            self.predictionFolder = predictionFolder
            self.pairs = pairs
            self.unmatchedTruth = unmatchedTruth
            self.unmatchedPredictions = unmatchedPredictions
            self.ignoredFiles = ignoredFiles
            self.encodings = encodings
        }
    }

    /// tp/fp/fn/tn: integer counts for hard variants, soft masses otherwise.
    public enum Counts: Sendable, Equatable {
        case integers(tp: Int, fp: Int, fn: Int, tn: Int)
        case masses(tp: Double, fp: Double, fn: Double, tn: Double)
    }

    /// A 95% interval (bootstrap).
    public struct Interval: Sendable, Equatable {
        /// The lower bound.
        public var lower: Double
        /// The upper bound.
        public var upper: Double

        /// The interval [lower, upper].
        public init(lower: Double, upper: Double) {
            self.lower = lower
            self.upper = upper
        }
    }

    /// One class over the dataset: statistics over images and the pooled values.
    public struct ClassRow: Sendable {
        /// The class id.
        public var id: Int
        /// The class name (from `--labels`, or the id).
        public var name: String
        /// The mean (NaN-skipping).
        public var mean: Double
        /// The median over images with a value.
        public var median: Double
        /// Population standard deviation (ddof = 0).
        public var std: Double
        /// The smallest value.
        public var min: Double
        /// The largest value.
        public var max: Double
        /// Images with a value, and images whose value is NaN.
        public var n: Int
        /// Images whose value is NaN.
        public var nNaN: Int
        /// The value of the counts summed over images.
        public var pooled: Double
        /// The class mean's 95% interval; nil without one (no bootstrap, or no scored image).
        public var interval: Interval?
        /// The tp/fp/fn/tn summed over images.
        public var pooledCounts: Counts
        /// The overlap metrics of the pooled counts, named (`metricNames` order).
        public var pooledMetrics: [Double]
        /// p5, p25, p75, p95 over the images with a value (JSON and summary CSV); nil: not reported.
        public var percentiles: Percentiles? = nil

        /// A class row; every field is given by the caller.
        public init(
            id: Int, name: String, mean: Double, median: Double, std: Double, min: Double, max: Double, n: Int, nNaN: Int,
            pooled: Double, interval: Interval?, pooledCounts: Counts, pooledMetrics: [Double]
        ) {
            self.id = id
            self.name = name
            self.mean = mean
            self.median = median
            self.std = std
            self.min = min
            self.max = max
            self.n = n
            self.nNaN = nNaN
            self.pooled = pooled
            self.interval = interval
            self.pooledCounts = pooledCounts
            self.pooledMetrics = pooledMetrics
        }
    }

    /// The library's headline number, for presets that reproduce one (`monai`, `mean_dice`, 0.83).
    public struct LibraryValue: Sendable {
        /// The preset that reproduces the library.
        public var variant: String
        /// The library's name for the number (`mean_dice`).
        public var name: String
        /// The number as the library computes it.
        public var value: Double

        /// A library value.
        public init(variant: String, name: String, value: Double) {
            self.variant = variant
            self.name = name
            self.value = value
        }
    }

    /// The dataset numbers: the headline and how it was computed.
    public struct Aggregate: Sendable {
        /// Mean of the headline class means, and the headline of the pooled counts.
        public var mean: Double
        /// The value of the counts summed over images.
        public var pooled: Double
        /// The classes the headline averages, and their names.
        public var classIDs: [Int]
        /// The names of the headline classes, in `classIDs` order.
        public var classNames: [String]
        /// The headline's 95% interval (nil without one).
        public var interval: Interval?
        /// Bootstrap resamples (0: no intervals are reported) and the fixed seed.
        public var resamples: Int
        /// The bootstrap's fixed seed.
        public var seed: Int
        /// The mean Generalized Dice over images, for `generalized` formulas.
        public var generalizedMean: Double?
        /// The library's headline number, for presets that reproduce one.
        public var library: LibraryValue?

        /// The aggregate; every field is given by the caller.
        public init(
            mean: Double, pooled: Double, classIDs: [Int], classNames: [String], interval: Interval?, resamples: Int, seed: Int,
            generalizedMean: Double?, library: LibraryValue?
        ) {
            self.mean = mean
            self.pooled = pooled
            self.classIDs = classIDs
            self.classNames = classNames
            self.interval = interval
            self.resamples = resamples
            self.seed = seed
            self.generalizedMean = generalizedMean
            self.library = library
        }
    }

    /// A file that could not be scored; `key` is nil for files that were never paired.
    public struct Problem: Sendable, Equatable {
        /// The pairing key (relative path without extension).
        public var key: String?
        /// The file, as given or as found under the folders.
        public var path: String
        /// What went wrong, in one line.
        public var message: String

        /// A problem.
        public init(key: String?, path: String, message: String) {
            self.key = key
            self.path = path
            self.message = message
        }
    }
}
