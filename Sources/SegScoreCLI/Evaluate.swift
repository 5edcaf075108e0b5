import ArgumentParser
import DatasetScan
import Dispatch
import Foundation
import MaskIO
import ReportWriters
import SegMetrics
import SegScore

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score every prediction against its ground truth, class by class, over a whole dataset.",
        discussion: """
            Files are paired by key: the relative path without extension (case1/slice_003), \
            after stripping --gt-suffix/--pred-suffix; formats are recognised by content.

            Examples:
              segscore evaluate gt/ pred/
              segscore evaluate gt/ pred/ --gt-suffix _manual1 --pred-suffix _manual2 \\
                  --roi-dir fov/
              segscore evaluate gt/ pred/ --labels voc.json --ignore-label 255 \\
                  --json report.json
              segscore evaluate gt/ pred/ --variant nnunet-eval --classes 1,2,3 \\
                  --csv per-image.csv
              segscore evaluate gt/ pred/ --encoding probability --threshold 0.4 \\
                  --variant soft
              segscore evaluate gt/ pred/ --surface-metrics hd95,assd,nsd \\
                  --nsd-tolerance 2 --fail-over hd95:5

            Encodings (auto, decided per file): palette and integer PNG/TIFF are label maps, \
            except that a mask whose nonzero values all equal the type maximum (0/255, 0/65535) \
            is binary (label 1); RGB needs --labels with colours; float TIFF is a probability \
            map; multi-sample TIFF is K channels (class = channel index).

            Variants: hard (default: 2TP/(2TP+FP+FN), 0/0 → NaN, skipped in means), soft, \
            soft-squared, soft-pow:γ, fuzzy, tversky:α,β, jaccard, generalized:square|simple|uniform, \
            and the presets medpy, miseval, seg-metrics, nnunet-eval, monai-metric, \
            monai-metric-keep-empty, torchmetrics, torchmetrics-global, keras, monai-loss, \
            nnunet-loss, smp, vnet, evaluate-segmentation, so-answer.

            Gates: --fail-under 0.85 (headline mean), --fail-under-class liver=0.9 (a class mean, \
            by name or id), --baseline old.json --max-drop 0.02 (no class mean and not the \
            headline may drop by more; a bootstrap over the images of both runs gives the 95% \
            interval of that same change and says whether it exceeds the noise). A baseline scored \
            with another variant, formula, 0/0 rule, smoothing, background rule, ignore labels or \
            classes is refused (exit 2); few images in common is a warning.

            Boundary metrics (--surface-metrics): per scored class, a binary mask per side \
            (label maps: the class; channels: the channel after the binarisation the hard counts \
            use); pixels outside --roi-dir and ground-truth ignore labels are background on both \
            sides; class 0 only when it is in the headline. Spacing: --spacing, else the ground \
            truth's file (NIfTI pixdim; TIFF resolution tags, ImageJ unit= and spacing=; in mm), \
            else 1. Distances fail gates above their threshold (--fail-over hd95:5), NSD below \
            (--fail-under nsd:0.9).

            Statistics over images: mean, median, min, max and the population standard \
            deviation (ddof = 0, numpy's default; n = the images with a value, NaN skipped); \
            pooled applies the formula to the counts summed over all images.

            Messages: stdout carries the summary (or a report written to -) and nothing else. \
            Each data error and warning is one line on stderr ("segscore: error: PATH: REASON", \
            "segscore: warning: …"), --quiet included; the summary only counts them. A problem \
            found after parsing (a missing folder, an unreadable --labels file or baseline, a bad \
            --smooth list) is one line and exit 2.

            Exit codes: 0 all pairs scored and gates passed · 1 a gate failed · 2 usage or \
            configuration error · 3 data problems (unpaired ground truth under --missing fail, \
            unreadable or corrupt files, size mismatches, duplicate keys); 3 wins over 1. \
            Reports are written for everything that was scored.

            Reports are replaced together or not at all: each is written to a temporary file \
            beside it and all are renamed into place once every one is complete; a report that \
            cannot be written (full disk, missing folder, stdout closed or full) leaves the \
            earlier reports as they were and exits 2. Two outputs may not name the same file \
            (checked before any work).

            Pictures: --html FILE writes one self-contained page (nothing fetched; opens from a \
            file:// URL) with the verdict, the headline, the definition, a distribution plot per \
            class, the tables, the --worst K images per headline class drawn over their ground \
            truth (TP, FP, FN in three colours), the confusion matrix and the files left out. \
            --overlays DIR also writes those pictures as PNG files (the Markdown report links \
            them). --confusion-csv FILE: the pooled class × class pixel counts of label maps.

            Shards: --shard I/N --partial FILE scores the pairs whose key hashes to shard I of N \
            (a 0-based array index i is shard i+1) and writes a partial result; `segscore merge` \
            turns the N partial files into the reports of the unsharded run, byte for byte.

            Memory does not grow with the dataset: per-image counts of a large run are kept in a \
            temporary file in TMPDIR, removed as soon as it is made (nothing is left behind).
            """
    )

    @Argument(help: "Folder of ground-truth masks (walked recursively).")
    var gtDir: String

    @Argument(help: "Folder of predicted masks (walked recursively).")
    var predDir: String

    @OptionGroup(title: "Pairing") var pairing: PairingOptions
    @OptionGroup(title: "Encoding") var encoding: EncodingOptions
    @OptionGroup(title: "Metric") var metric: MetricOptions
    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "Gates") var gateOptions: GateOptions
    @OptionGroup(title: "Boundary metrics") var surface: SurfaceCommandOptions
    @OptionGroup(title: "Boundary gates") var surfaceGates: SurfaceGateOptions
    @OptionGroup(title: "Shards") var shardOptions: ShardOptions

    /// The evaluation options; values that cannot be used (a bad list, an unknown variant, an
    /// unreadable --labels file) are checked here, after parsing.
    /// - Throws: `ConfigurationError` (one line, exit 2).
    func makeOptions() throws -> EvaluationOptions {
        var options = try encoding.options(pairing: pairing)
        options.variant = try metric.resolvedVariant()
        // --binarize gt:T is the threshold: it sets --threshold, or must agree with it.
        if let rule = metric.binarize, case .threshold(let t) = options.variant.binarization {
            if let given = encoding.threshold, options.thresholds != [t] {
                throw ConfigurationError("--binarize \(rule) and --threshold \(given) disagree: give the threshold once")
            }
            options.thresholds = [t]
        }
        options.includeBackground = metric.includeBackground
        // MONAI's include_background=False: the library's own headline leaves class 0 out too.
        if metric.includeBackground == false { options.variant.libraryIncludesBackground = false }
        options.jobs = max(1, output.jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        options.surface = try surface.options()
        return options
    }

    func run() throws {
        let options = try makeOptions()
        let gateSpecs = try gateOptions.specs() + surfaceGates.gateSpecs()
        try SurfaceGates.check(gateSpecs, surface: options.surface)
        let shard = try shardOptions.resolvedShard()
        try RunReports.checkOutputs(
            output, extra: shardOptions.partial.map { [("--partial", $0)] } ?? [], shardRun: shardOptions.partial != nil)
        ReportFile.installInterruptCleanup()
        let progress = output.showProgress ? TerminalProgress() : nil
        let collected: CollectedRun
        do {
            collected = try Evaluation.collect(
                truth: gtDir, prediction: predDir, options: options, shard: shard, progress: progress)
        } catch {
            // Main prints the one line and exits 2, or 3 for a data limit.
            progress?.finish()
            throw error
        }
        progress?.finish()
        let result = try Evaluation.finish(collected)
        // A shard's partial file is staged and committed with its reports.
        let recorded = RecordedArguments.evaluate(Array(CommandLine.arguments.dropFirst()))
        let extra = shardOptions.partial.map { path in
            [RunReports.ExtraOutput(path: path) { PartialFile.write(collected, arguments: recorded, to: $0) }]
        }
        try RunReports.finish(
            result: result, output: output, gateOptions: gateOptions, gateSpecs: gateSpecs,
            commandLine: ["segscore"] + CommandLine.arguments.dropFirst(), extra: extra ?? [],
            shardRun: shardOptions.partial != nil)
    }
}
