/// A ground-truth file with its prediction (nil when missing and `--missing empty`) and ROI.
public struct MaskPair: Sendable, Hashable {
    /// The key the files share (see `CompiledKeyRule.key(for:side:)`).
    public var key: String
    /// The ground-truth file.
    public var truth: MaskFile
    /// The prediction file; nil when it is missing and scored against an empty prediction (`--missing empty`).
    public var prediction: MaskFile?
    /// The region-of-interest file from `--roi-dir`; nil without one.
    public var roi: MaskFile?

    /// A pair of the given files under `key`.
    public init(key: String, truth: MaskFile, prediction: MaskFile?, roi: MaskFile? = nil) {
        self.key = key
        self.truth = truth
        self.prediction = prediction
        self.roi = roi
    }
}

/// What `--missing` does with a ground-truth file that has no prediction.
public enum MissingPolicy: String, Sendable, CaseIterable {
    /// An error: listed, exit code 3.
    case fail
    /// Scored against an empty prediction.
    case empty
    /// Left out, with a warning.
    case skip
}
