import DatasetScan
import MaskIO
import SegMetrics

/// Everything `evaluate` needs besides the two folders: the contract of interface.md as values.
public struct EvaluationOptions: Sendable {
    /// The Dice definition.
    public var variant: DiceVariant
    /// How ground-truth files are read (`--encoding`, or `--gt-encoding`).
    public var truthEncoding: MaskEncoding
    /// How prediction files are read (`--encoding`, or `--pred-encoding`).
    public var predictionEncoding: MaskEncoding
    /// Multi-page TIFF: volume slices or channels.
    public var pages: PageMode
    /// Class names, ids and colours from `--labels`; its ignore labels join `ignoreLabels`.
    public var labels: LabelSpec? {
        didSet { ignoreLabels = Self.merged(ignoreLabels, labels) }
    }
    /// `--classes`; nil: the ids of `--labels`, else every id seen.
    public var classes: [Int]?
    /// Ground-truth ids left out of every count: `--ignore-label` in the order given, then the
    /// ignore labels of `--labels` (`"ignore": 9` in a dataset.json) not already listed.
    public var ignoreLabels: [Int]
    /// `--threshold`: one value, or one per channel.
    public var thresholds: [Double]
    /// Whether class 0 counts in the headline; nil: decided by the data — out when a side is a
    /// label map (id 0 is background), in when both sides are channel data (no channel is
    /// background unless the user says so with `false`, MONAI's `include_background=False`).
    public var includeBackground: Bool?
    /// Ground truth without prediction: fail, empty or skip.
    public var missing: MissingPolicy
    /// How file names become keys.
    public var keyRule: KeyRule
    /// Folder of region-of-interest masks, paired by the same key.
    public var roiFolder: String?
    /// `--max-depth`: how many levels of folders the walk lists (1: the files directly in each
    /// folder, as `nnUNetv2_evaluate_folder`); nil: every level.
    public var maxDepth: Int? = nil
    /// Worker threads.
    public var jobs: Int
    /// Decoder size limit.
    public var maxSamples: UInt64
    /// What the decoded masks (and counting buffers) of all pairs in flight may hold together:
    /// `--max-memory`. A pair needing more alone is a data problem naming the option; pairs that
    /// fit only one at a time are decoded one at a time.
    public var maxMemory = MemoryLimit.machineDefault
    /// The boundary metrics to compute (`--surface-metrics` and its options); none by default.
    public var surface = SurfaceOptions()
    /// Bytes of per-image rows kept in memory before they go to a temporary file (tests lower it).
    var rowsInMemory = ScoreStore.defaultMemoryLimit
    /// Where that file is made; nil: TMPDIR, else /tmp.
    var rowsFolder: String?
    /// Whether pairs of 8-bit NIfTI volumes that are only counted are counted where the decoder
    /// inflated them (`PairEvaluator.countPlacedEightBit`); tests turn it off to compare with the
    /// general path.
    var placedReads = true

    /// Options with segscore's defaults: `hard`, auto encoding, threshold 0.5, background out.
    public init(
        variant: DiceVariant = DiceVariant(formula: .hard), truthEncoding: MaskEncoding = .auto,
        predictionEncoding: MaskEncoding = .auto, pages: PageMode = .slices, labels: LabelSpec? = nil,
        classes: [Int]? = nil, ignoreLabels: [Int] = [], thresholds: [Double] = [0.5], includeBackground: Bool? = nil,
        missing: MissingPolicy = .fail, keyRule: KeyRule = KeyRule(), roiFolder: String? = nil, jobs: Int = 1,
        maxSamples: UInt64 = MaskDecoder.defaultMaxSamples
    ) {
        self.variant = variant
        self.truthEncoding = truthEncoding
        self.predictionEncoding = predictionEncoding
        self.pages = pages
        self.labels = labels
        self.classes = classes
        self.ignoreLabels = Self.merged(ignoreLabels, labels)
        self.thresholds = thresholds
        self.includeBackground = includeBackground
        self.missing = missing
        self.keyRule = keyRule
        self.roiFolder = roiFolder
        self.jobs = max(1, jobs)
        self.maxSamples = maxSamples
    }

    /// The class list given up front (`--classes`, else `--labels`), if any.
    public var explicitClasses: [Int]? {
        if let classes { return classes }
        return labels?.ids.filter { !ignoreLabels.contains($0) }
    }

    /// The regions scored (`--labels` in nnU-Net's region mode, limited to `--classes` when given):
    /// class id → the stored labels whose union it is. Empty when classes are plain labels.
    public var regions: [Int: [Int]] {
        guard let all = labels?.regions, !all.isEmpty else { return [:] }
        guard let classes else { return all }
        return all.filter { classes.contains($0.key) }
    }

    /// nnU-Net's `summary.json` key of each scored class (`--labels`' keys, else `str(id)` of the
    /// `--classes` ids), in the order nnU-Net evaluates them; background 0 has none outside region
    /// mode unless `--classes` lists it.
    public var nnunetKeys: [(id: Int, key: String)] {
        if let labels, classes == nil { return labels.nnunetOrder.compactMap { id in labels.nnunetKeys[id].map { (id, $0) } } }
        let ids = classes ?? labels?.ids ?? []
        let order = regions.isEmpty ? ids.sorted() : (labels?.nnunetOrder ?? []).filter(ids.contains)
        // Label 0 only when asked for by `--classes` (nnU-Net's `-l 0 1 …`).
        return order.filter { $0 != 0 || !regions.isEmpty || classes?.contains(0) == true }
            .map { ($0, labels?.nnunetKeys[$0] ?? String($0)) }
    }

    /// The stored labels counted for each pair: the union of the scored regions' labels (plus
    /// background 0) in region mode, else `explicitClasses`.
    var countedClasses: [Int]? {
        let regions = regions
        if regions.isEmpty { return explicitClasses }
        return Array(Set(regions.values.joined()).union([0]).subtracting(ignoreLabels)).sorted()
    }

    /// When `--encoding auto` may read a 0/255 (0/65535) file as binary: see `AutoBinaryRule`.
    var autoBinary: AutoBinaryRule {
        AutoBinaryRule(storedValuesAreLabels: variant.comparesStoredLabels, declared: Set(countedClasses ?? []))
    }

    /// `explicit` followed by the ignore labels of `labels` it does not list yet.
    private static func merged(_ explicit: [Int], _ labels: LabelSpec?) -> [Int] {
        var ids = explicit
        for id in labels?.ignoreLabels ?? [] where !ids.contains(id) { ids.append(id) }
        return ids
    }

    /// The threshold of channel `index`.
    public func threshold(forChannel index: Int) -> Double {
        thresholds.count == 1 ? thresholds[0] : (index < thresholds.count ? thresholds[index] : thresholds[thresholds.count - 1])
    }

    /// A readable name of class `id`.
    public func name(of id: Int) -> String { labels?.name(of: id) ?? String(id) }
}
