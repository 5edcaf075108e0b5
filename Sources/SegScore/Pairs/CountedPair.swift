import SegMetrics

/// The counts of one pair: hard counts per class found (or per channel), and soft sums when the
/// variant needs them.
public struct ImageCounts: Sendable, Equatable {
    /// Scored pixels (after the ROI and ignore labels).
    public var pixels: Int
    /// Hard counts per class id present in the image (label maps) or per channel.
    public var counts: [Int: ClassCounts]
    /// Soft sums per class, for soft variants on probability maps; empty otherwise.
    public var terms: [Int: OverlapTerms]
    /// Class ids the image's files contain (label maps), or the channel ids.
    public var present: [Int]
    /// How the ground truth was read: `labels`, `binary`, `palette-labels`, `rgb`, `channels`, `probability`.
    public var truthEncoding: String
    /// How the prediction was read, in the same words.
    public var predictionEncoding: String
    /// The boundary metrics of the pair, when asked for (`--surface-metrics`).
    public var surface: PairSurface? = nil

    /// Counts of class `id`: an absent class has TP = FP = FN = 0 and every pixel TN.
    public func counts(of id: Int) -> ClassCounts { counts[id] ?? ClassCounts(tn: pixels) }

    /// The sums a formula uses for class `id`.
    public func terms(of id: Int) -> OverlapTerms {
        if let soft = terms[id] { return soft }
        return counts(of: id).terms
    }
}

/// A pair that could not be scored, with the file at fault and a one-line reason.
public struct PairFailure: Error, Sendable, Equatable {
    /// The pairing key of the pair.
    public var key: String
    /// The file at fault.
    public var path: String
    /// Why, in one line that does not repeat the path.
    public var message: String
}

/// How `auto` read a label-map side, for the check that every file of a side is read one way.
enum AutoReading: Sendable, Equatable {
    /// Only 0 and the type's maximum (0/255, 0/65535): read as binary, the maximum as label 1.
    case binaryByMaximum
    /// Ids other than 0 and 1: read as a label map.
    case labelsBeyondOne
}

/// One side's facts that matter beyond the pair: its `auto` reading and how many ids it holds.
struct SideNotes: Sendable, Equatable {
    /// Nil when the side was not decided by `auto` or holds nothing but 0 and 1 (either reading).
    var reading: AutoReading?
    /// Distinct nonzero ids of a non-palette label map read under `auto`; 0 otherwise.
    var autoLabelCount = 0

    init(reading: AutoReading? = nil) {
        self.reading = reading
    }

    /// The notes of a label map read under `auto` holding the nonzero ids `ids` (ignore labels aside).
    init(ids: [Int], palette: Bool) {
        reading = ids.contains { $0 > 1 } ? .labelsBeyondOne : nil
        autoLabelCount = palette ? 0 : ids.count
    }
}

/// A counted pair and the notes the run needs from it.
struct CountedPair: Sendable {
    var counts: ImageCounts
    var truth = SideNotes()
    var prediction = SideNotes()
    /// True when both sides are channel data (no label-map side): no class is background.
    var channelsOnBothSides = false
    /// The pair's class × class counts (label maps with a dense matrix), for the run's totals.
    var confusion: PairConfusion?
    /// True when the prediction's file declares another spacing than the ground truth's.
    var spacingMismatch = false
    /// One line for each of the prediction and the region of interest whose header places it
    /// otherwise than the ground truth (`GeometryCheck`).
    var geometryWarnings: [String] = []
    /// Label values the pair holds that an nnU-Net labels file does not declare (not scored).
    var undeclared = UndeclaredIDs()
}

/// Label values found in a pair that the `--labels` file (an nnU-Net form) does not declare:
/// nnU-Net does not score them, and neither does segscore, but the run says so.
struct UndeclaredIDs: Sendable, Equatable {
    /// Undeclared values in the ground truth and in the prediction, ascending.
    var truth: [Int] = []
    var prediction: [Int] = []

    var isEmpty: Bool { truth.isEmpty && prediction.isEmpty }
}
