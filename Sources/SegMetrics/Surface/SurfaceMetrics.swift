import Foundation

/// The grid a pair of binary masks lives on: sizes along x (columns), y (rows) and z (slices or
/// pages), the physical spacing along each axis, and whether the masks are 2-D or 3-D.
///
/// Masks are laid out in C order with x fastest: the sample of (x, y, z) is at
/// `(z · height + y) · width + x`; any nonzero byte is foreground.
public struct SurfaceGrid: Sendable, Hashable {
    /// Samples along x (columns).
    public var width: Int
    /// Samples along y (rows).
    public var height: Int
    /// Samples along z (slices); 1 for a 2-D mask.
    public var depth: Int
    /// Physical spacing along x, y and z (z is ignored in 2-D).
    public var spacing: (x: Double, y: Double, z: Double)
    /// 2 or 3: a 3-D grid with one slice is still 3-D (its faces above and below are image edges).
    public var dimensions: Int

    /// Creates a grid; `depth` 1 and `dimensions` 2 for a plain image.
    public init(
        width: Int, height: Int, depth: Int = 1, spacing: (x: Double, y: Double, z: Double) = (1, 1, 1), dimensions: Int? = nil
    ) {
        self.width = width
        self.height = height
        self.depth = depth
        self.spacing = spacing
        self.dimensions = dimensions ?? (depth > 1 ? 3 : 2)
    }

    /// Number of samples.
    public var count: Int { width * height * depth }

    /// The image diagonal in physical units, √Σ(nᵢ·sᵢ)², the distance `--surface-empty diagonal`
    /// puts in place of an undefined one.
    public var diagonal: Double {
        let x = Double(width) * spacing.x
        let y = Double(height) * spacing.y
        let z = dimensions == 3 ? Double(depth) * spacing.z : 0
        return (x * x + y * y + z * z).squareRoot()
    }

    /// Grids are equal when their sizes, dimensions and spacings are equal.
    public static func == (lhs: SurfaceGrid, rhs: SurfaceGrid) -> Bool {
        lhs.width == rhs.width && lhs.height == rhs.height && lhs.depth == rhs.depth && lhs.dimensions == rhs.dimensions
            && lhs.spacing.x == rhs.spacing.x && lhs.spacing.y == rhs.spacing.y && lhs.spacing.z == rhs.spacing.z
    }

    /// Hashes the sizes, dimensions and spacings.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(width)
        hasher.combine(height)
        hasher.combine(depth)
        hasher.combine(dimensions)
        hasher.combine(spacing.x)
        hasher.combine(spacing.y)
        hasher.combine(spacing.z)
    }
}

/// A named definition of the boundary metrics (`--surface-variant`): the base definition or a
/// preset reproducing one library (see `spec/surface-metrics.md`).
public enum SurfaceVariant: String, Sendable, Hashable, CaseIterable {
    /// The base definition: face-connected boundary at pixel centres, exact float64 distances,
    /// directed percentiles by linear interpolation, `assd` over the concatenation.
    case segscore
    /// medpy 0.5.2 `hd`, `hd95`, `assd`, `asd`.
    case medpy
    /// MONAI 1.6.1 Hausdorff, average surface distance and surface Dice without subvoxels.
    case monai
    /// MONAI `compute_surface_dice(use_subvoxels=True)`.
    case monaiSubvoxels = "monai-subvoxels"
    /// DeepMind surface-distance 0.1 (corner surfels weighted by length or area).
    case deepmind
    /// seg-metrics 1.2.8 with `fully_connected=True`.
    case segMetrics = "seg-metrics"
    /// seg-metrics 1.2.8 with `fully_connected=False`.
    case segMetricsFace = "seg-metrics-face"
}

/// One boundary metric, under the name the reports use.
public enum SurfaceMetric: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Hausdorff distance: max(max A, max B).
    case hd
    /// The percentile Hausdorff distance (95th unless `SurfaceRequest.percentile` says otherwise).
    case hd95
    /// Average symmetric surface distance.
    case assd
    /// Mean of the two directed average surface distances.
    case masd
    /// Mean distance from the prediction's boundary to the ground truth's.
    case asdPredToGt = "asd_pred_to_gt"
    /// Mean distance from the ground truth's boundary to the prediction's.
    case asdGtToPred = "asd_gt_to_pred"
    /// Normalised surface Dice at a tolerance.
    case nsd
    /// Median of the pooled surface distances.
    case medianSD = "median_sd"
    /// Standard deviation (ddof 0) of the pooled surface distances.
    case stdSD = "std_sd"

    /// The position of the case in the declaration (report order).
    private var ordinal: Int {
        switch self {
        case .hd: 0
        case .hd95: 1
        case .assd: 2
        case .masd: 3
        case .asdPredToGt: 4
        case .asdGtToPred: 5
        case .nsd: 6
        case .medianSD: 7
        case .stdSD: 8
        }
    }

    /// Report order: the order of the cases.
    public static func < (lhs: SurfaceMetric, rhs: SurfaceMetric) -> Bool { lhs.ordinal < rhs.ordinal }

    /// The same case. By the case, not the raw value: a raw-valued enum would otherwise compare
    /// and hash its strings (the metrics are dictionary keys of every pair's values).
    public static func == (lhs: SurfaceMetric, rhs: SurfaceMetric) -> Bool { lhs.ordinal == rhs.ordinal }

    /// Hashes the case (see `==`).
    public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }
}

/// What to do with a distance that is undefined because one mask is empty (`--surface-empty`).
public enum SurfaceEmptyRule: String, Sendable, Hashable, CaseIterable {
    /// Undefined (NaN, `null` in reports; skipped by means and counted in `n_nan`).
    case undefined
    /// The image diagonal in physical units (the BraTS convention), for every variant whose
    /// distance is undefined because exactly one mask is empty (`std_sd` becomes 0; `nsd` is 0
    /// anyway; both empty stays NaN; seg-metrics' presets give 0 and are left alone).
    case diagonal
}

/// Why a pair's distances are undefined.
public enum SurfaceUndefined: String, Sendable, Hashable {
    /// The ground truth has no foreground.
    case gtEmpty = "gt_empty"
    /// The prediction has no foreground.
    case predEmpty = "pred_empty"
    /// Neither mask has foreground.
    case bothEmpty = "both_empty"
}

/// The metrics asked for one class of one pair.
public struct SurfaceRequest: Sendable, Hashable {
    /// The definition.
    public var variant: SurfaceVariant
    /// The metrics to compute (those the variant does not define are left out of the result).
    public var metrics: Set<SurfaceMetric>
    /// The percentile of `hd95`, in 0…100.
    public var percentile: Double
    /// The NSD tolerance in physical units; required when `metrics` holds `.nsd`.
    public var tolerance: Double?
    /// The rule for undefined distances.
    public var emptyRule: SurfaceEmptyRule

    /// Creates a request.
    public init(
        variant: SurfaceVariant = .segscore, metrics: Set<SurfaceMetric>, percentile: Double = 95, tolerance: Double? = nil,
        emptyRule: SurfaceEmptyRule = .undefined
    ) {
        self.variant = variant
        self.metrics = metrics
        self.percentile = percentile
        self.tolerance = tolerance
        self.emptyRule = emptyRule
    }
}

/// The boundary metrics of one class of one pair.
public struct SurfaceValues: Sendable, Hashable {
    /// Each computed metric; NaN when undefined.
    public var values: [SurfaceMetric: Double]
    /// Why distances are undefined, when a mask is empty.
    public var undefined: SurfaceUndefined?

    /// Creates values.
    public init(values: [SurfaceMetric: Double] = [:], undefined: SurfaceUndefined? = nil) {
        self.values = values
        self.undefined = undefined
    }

    /// The value of `metric`, nil when it was not computed, NaN when undefined.
    public subscript(metric: SurfaceMetric) -> Double? { values[metric] }
}

extension SurfaceVariant {
    /// The metrics this definition gives (a library's preset gives only what the library computes).
    public var definedMetrics: Set<SurfaceMetric> {
        switch self {
        case .segscore: return [.hd, .hd95, .assd, .masd, .asdPredToGt, .asdGtToPred, .nsd, .medianSD, .stdSD]
        case .medpy: return [.hd, .hd95, .assd, .asdPredToGt, .asdGtToPred]
        case .monai: return [.hd, .hd95, .assd, .asdPredToGt, .asdGtToPred, .nsd]
        case .monaiSubvoxels: return [.nsd]
        case .deepmind: return [.hd, .hd95, .masd, .asdPredToGt, .asdGtToPred, .nsd]
        case .segMetrics, .segMetricsFace: return [.hd, .hd95, .assd, .medianSD, .stdSD]
        }
    }
}
