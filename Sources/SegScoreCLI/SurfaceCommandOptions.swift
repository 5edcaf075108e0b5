import ArgumentParser
import SegMetrics
import SegScore

/// `--surface-metrics` and the options beside it (evaluate and explain).
struct SurfaceCommandOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Boundary metrics to compute: hd,hd95,assd,masd,asd_pred_to_gt,asd_gt_to_pred,nsd,median_sd,std_sd or all (none by default).",
            discussion: """
                Distances run between boundary pixels in physical units (spacing applied). all = every \
                metric the --surface-variant defines. Each costs a distance computation per class and pair.
                """,
            valueName: "list"))
    var surfaceMetrics: String?

    @Option(
        help: ArgumentHelp(
            "Boundary definition: segscore (default), medpy, monai, monai-subvoxels, deepmind, seg-metrics, seg-metrics-face.",
            valueName: "name"))
    var surfaceVariant: String = "segscore"

    @Option(
        help: ArgumentHelp("Percentile of hd95 (0 to 100); reports name the metric hdP, e.g. hd99.", valueName: "p"))
    var hdPercentile: Double = 95

    @Option(
        help: ArgumentHelp(
            "NSD tolerance in physical units (required with nsd): T, or one per scored class T1,T2,…", valueName: "t"))
    var nsdTolerance: String?

    @Option(
        help: ArgumentHelp(
            "An undefined distance (one mask empty): undefined (null, skipped by means) or diagonal (the image diagonal, BraTS).",
            valueName: "rule"))
    var surfaceEmpty: String = "undefined"

    @Option(
        help: ArgumentHelp(
            "Pixel spacing X,Y[,Z] (x columns, y rows, z slices), overriding the files (NIfTI pixdim, TIFF resolution, ImageJ spacing=); else 1.",
            valueName: "x,y[,z]"))
    var spacing: String?

    /// The boundary options; none when `--surface-metrics` is absent.
    /// - Throws: `ConfigurationError` (one line, exit 2).
    func options() throws -> SurfaceOptions {
        guard let text = surfaceMetrics else {
            let given = [
                ("--nsd-tolerance", nsdTolerance != nil), ("--spacing", spacing != nil),
                ("--surface-variant", surfaceVariant != "segscore"), ("--hd-percentile", hdPercentile != 95),
                ("--surface-empty", surfaceEmpty != "undefined"),
            ]
            if let first = given.first(where: \.1) { throw ConfigurationError("\(first.0) needs --surface-metrics") }
            return SurfaceOptions()
        }
        guard let variant = SurfaceVariant(rawValue: surfaceVariant) else {
            throw ConfigurationError(
                "--surface-variant: unknown '\(surfaceVariant)' (known: \(SurfaceVariant.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        guard hdPercentile.isFinite, (0...100).contains(hdPercentile) else {
            throw ConfigurationError("--hd-percentile takes a value in [0, 100], not \(hdPercentile)")
        }
        guard let empty = SurfaceEmptyRule(rawValue: surfaceEmpty) else {
            throw ConfigurationError("--surface-empty takes undefined or diagonal, not '\(surfaceEmpty)'")
        }
        do {
            let metrics = try SurfaceOptions.metrics(parsing: text, variant: variant, percentile: hdPercentile)
            var tolerances: [Double] = []
            if let nsdTolerance {
                tolerances = try SurfaceOptions.positiveList(
                    nsdTolerance, option: "--nsd-tolerance", example: "2 or 1.5,2,3", allowingZero: true)
            }
            if metrics.contains(.nsd) && tolerances.isEmpty {
                throw ConfigurationError("nsd needs --nsd-tolerance T (physical units), or one per scored class T1,T2,…")
            }
            if !metrics.contains(.nsd) && !tolerances.isEmpty {
                throw ConfigurationError("--nsd-tolerance is given but nsd is not among --surface-metrics")
            }
            var spacingValues: [Double]?
            if let spacing {
                let values = try SurfaceOptions.positiveList(spacing, option: "--spacing", example: "0.5,0.5 or 0.8,0.8,2.5")
                guard (2...3).contains(values.count) else {
                    throw ConfigurationError("--spacing takes 2 or 3 values X,Y[,Z], not \(values.count)")
                }
                spacingValues = values
            }
            return SurfaceOptions(
                variant: variant, metrics: metrics, percentile: hdPercentile, tolerances: tolerances, emptyRule: empty,
                spacing: spacingValues)
        } catch let error as SurfaceOptionError {
            throw ConfigurationError(error.description)
        }
    }
}

/// `--fail-over` and `--fail-over-class` (evaluate).
struct SurfaceGateOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Fail when a boundary distance's headline is above X, e.g. hd95:5 (repeatable; NaN fails). Gate nsd with --fail-under nsd:X.",
            valueName: "metric:x"))
    var failOver: [String] = []

    @Option(
        help: ArgumentHelp(
            "Fail when a class's mean boundary distance is above X, e.g. liver=hd95:5 (repeatable). nsd: --fail-under-class liver=nsd:0.9.",
            valueName: "class=metric:x"))
    var failOverClass: [String] = []

    /// The `--fail-over` and `--fail-over-class` gates.
    func gateSpecs() throws -> [GateSpec] {
        var specs: [GateSpec] = []
        for text in failOver {
            guard let (metric, limit) = SurfaceGates.metricLimit(text) else {
                throw ConfigurationError("--fail-over takes METRIC:X, e.g. hd95:5")
            }
            specs.append(.surface(nameOrID: nil, metric: metric, limit: limit, above: true))
        }
        for text in failOverClass {
            guard let equals = text.firstIndex(of: "="),
                let (metric, limit) = SurfaceGates.metricLimit(String(text[text.index(after: equals)...])),
                equals != text.startIndex
            else {
                throw ConfigurationError("--fail-over-class takes NAME_OR_ID=METRIC:X, e.g. liver=hd95:5")
            }
            specs.append(.surface(nameOrID: String(text[..<equals]), metric: metric, limit: limit, above: true))
        }
        return specs
    }
}
