import SegMetrics

/// The outcome of one quality gate.
public struct GateOutcome: Sendable, Equatable {
    /// What the gate checks, as the reports print it (`mean >= 0.9`, `class liver mean drop <= 0.01 vs baseline`).
    public var name: String
    /// This run's number the gate checks: the headline mean or a class mean.
    public var value: Double
    /// The gate's limit: the minimum mean, or for baseline gates the largest drop allowed.
    public var threshold: Double
    /// Whether the gate held: value ≥ minimum, or for baseline gates value − baseline ≥ −drop.
    public var passed: Bool
    /// For baseline gates: the baseline's value.
    public var baseline: Double?
    /// For baseline gates: this run's value minus the baseline's (negative is a drop).
    public var difference: Double?
    /// For baseline gates: the paired bootstrap's 95% interval of the difference (nil without matching
    /// images or with `--bootstrap 0`).
    public var interval: BootstrapInterval?
    /// True for a gate that fails above its threshold (a distance: `--fail-over`).
    public var above = false

    /// An outcome; the baseline fields stay nil for gates that do not compare with a baseline.
    public init(
        name: String, value: Double, threshold: Double, passed: Bool, baseline: Double? = nil, difference: Double? = nil,
        interval: BootstrapInterval? = nil
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

    /// The failure message JUnit and the summary show (see `EvaluationReportValue.Gate.message`).
    public var message: String { reportGate.message }
}
