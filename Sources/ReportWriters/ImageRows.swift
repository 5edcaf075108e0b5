/// Where a streamed report goes: text and bytes, in order. `SegScore`'s report files conform;
/// `StringSink` collects into memory (tests, small reports).
public protocol ReportSink {
    /// Appends text (UTF-8).
    func write(_ text: String)
    /// Appends bytes as they are.
    func write(bytes: [UInt8])
}

/// A sink that keeps everything written in memory.
public final class StringSink: ReportSink {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty sink.
    public init() {}

    /// Appends text (UTF-8).
    public func write(_ text: String) { bytes.append(contentsOf: text.utf8) }
    /// Appends bytes as they are.
    public func write(bytes more: [UInt8]) { bytes.append(contentsOf: more) }

    /// What was written, as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension EvaluationReportValue {
    /// One image × class of the per-image reports.
    public struct ImageClass: Sendable {
        /// The class id.
        public var id: Int
        /// The class name (from `--labels`, or the id).
        public var name: String
        /// The value of the variant (NaN for 0/0 under the `nan` rule).
        public var dice: Double
        /// tp/fp/fn/tn of this image and class.
        public var counts: Counts
        /// The overlap metrics, in `metricNames` order.
        public var metrics: [Double]
        /// The boundary metrics, in `SurfaceReport.metricNames` order (NaN when undefined); empty
        /// when the class has none.
        public var surface: [Double] = []
        /// Why the boundary distances are undefined: `gt_empty`, `pred_empty` or `both_empty`.
        public var surfaceUndefined: String? = nil

        /// An image's class; every field is given by the caller.
        public init(id: Int, name: String, dice: Double, counts: Counts, metrics: [Double]) {
            self.id = id
            self.name = name
            self.dice = dice
            self.counts = counts
            self.metrics = metrics
        }
    }

    /// One image of the per-image reports.
    public struct ImageRow: Sendable {
        /// The pairing key (relative path without extension).
        public var key: String
        /// The ground-truth file.
        public var truthPath: String
        /// Nil when the ground truth was scored against an empty mask (`--missing empty`).
        public var predictionPath: String?
        /// The mean over the headline classes.
        public var mean: Double
        /// The image's Generalized Dice, for `generalized` formulas.
        public var generalized: Double?
        /// The classes, in report order.
        public var classes: [ImageClass]
        /// The spacing (x, y, z) the boundary metrics used when it came from this pair's file.
        public var spacing: [Double]? = nil

        /// An image row; every field is given by the caller.
        public init(
            key: String, truthPath: String, predictionPath: String?, mean: Double, generalized: Double?, classes: [ImageClass]
        ) {
            self.key = key
            self.truthPath = truthPath
            self.predictionPath = predictionPath
            self.mean = mean
            self.generalized = generalized
            self.classes = classes
        }
    }

    /// The per-image rows in key order, each computed when it is read (nothing is held): a report
    /// of 20,000 images holds one row at a time.
    public struct ImageRows: RandomAccessCollection, Sendable {
        private let total: Int
        private let keyOf: @Sendable (Int) -> String
        private let rowOf: @Sendable (Int) -> ImageRow

        /// Rows `0..<count`; `row(i)` computes row `i`, `key(i)` its key alone (cheaper).
        public init(count: Int, key: @escaping @Sendable (Int) -> String, row: @escaping @Sendable (Int) -> ImageRow) {
            total = count
            keyOf = key
            rowOf = row
        }

        /// Rows held in memory (tests, small reports).
        public init(_ rows: [ImageRow]) {
            self.init(count: rows.count, key: { rows[$0].key }, row: { rows[$0] })
        }

        /// Always 0.
        public var startIndex: Int { 0 }
        /// The number of rows.
        public var endIndex: Int { total }
        /// Row `position`, computed now (read it once: each access computes it again).
        public subscript(position: Int) -> ImageRow { rowOf(position) }

        /// The key of row `position`, without computing the row.
        public func key(at position: Int) -> String { keyOf(position) }
    }

    /// A quality gate's outcome.
    public struct Gate: Sendable, Equatable {
        /// The gate as asked (`mean >= 0.85`, `class liver mean >= 0.9`, `mean drop <= 0.02`).
        public var name: String
        /// The value the gate checks (a mean, or this run's value against a baseline).
        public var value: Double
        /// The minimum, or for a baseline gate the allowed drop.
        public var threshold: Double
        /// Whether the gate passed.
        public var passed: Bool
        /// For baseline gates: the baseline's value, the difference, and the paired bootstrap's 95%
        /// interval of the difference (nil without matching images or with `--bootstrap 0`).
        public var baseline: Double?
        /// This run minus the baseline (baseline gates).
        public var difference: Double?
        /// The 95% interval, if computed.
        public var interval: Interval?
        /// True for a gate that fails above its threshold (a distance, `--fail-over`).
        public var above = false

        /// A gate outcome.
        public init(
            name: String, value: Double, threshold: Double, passed: Bool, baseline: Double? = nil, difference: Double? = nil,
            interval: Interval? = nil
        ) {
            self.name = name
            self.value = value
            self.threshold = threshold
            self.passed = passed
            self.baseline = baseline
            self.difference = difference
            self.interval = interval
        }

        /// True when the whole interval of the difference lies below zero: a drop larger than the noise.
        public var dropBeyondNoise: Bool? { interval.map { $0.upper < 0 } }

        /// The sentence the summary, Markdown and JUnit show: `0.8123 < 0.8500`, or for a
        /// baseline gate the values, the change, the allowed drop and the change's interval.
        public var message: String {
            typealias N = NumberText
            if let baseline, let difference {
                var text =
                    "\(N.fixed(value)) vs baseline \(N.fixed(baseline)): "
                    + "change \(N.signed(difference)), allowed drop \(N.fixed(threshold))"
                if let interval {
                    text += ", 95% CI of the change [\(N.signed(interval.lower)), \(N.signed(interval.upper))]"
                    text += dropBeyondNoise == true ? " (beyond noise)" : " (within noise)"
                }
                return text
            }
            if above { return "\(N.fixed(value)) \(passed ? "<=" : ">") \(N.fixed(threshold))" }
            return "\(N.fixed(value)) \(passed ? ">=" : "<") \(N.fixed(threshold))"
        }
    }
}
