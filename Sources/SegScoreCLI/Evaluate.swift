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
        return options
    }

    func run() throws {
        let options = try makeOptions()
        let gateSpecs = try gateOptions.specs()
        try checkOutputs()
        ReportFile.installInterruptCleanup()
        let progress = output.showProgress ? TerminalProgress() : nil
        var result: EvaluationResult
        do {
            result = try Evaluation.run(truth: gtDir, prediction: predDir, options: options, progress: progress)
        } catch {
            // Main prints the one line and exits 2, or 3 for a data limit.
            progress?.finish()
            throw error
        }
        progress?.finish()
        let bootstrap = Bootstrap(resamples: gateOptions.bootstrap)
        // EvaluationSetupError.configuration: Main prints it, exit 2.
        let baseline = try gateOptions.baseline.map { path throws(EvaluationSetupError) in try Baseline.load(path: path) }
        // A baseline of another definition is exit 2; doubts about it are warnings (stderr and the reports).
        result.warnings += try baseline?.compatibility(with: result) ?? []
        let gates = try QualityGates.evaluate(gateSpecs, result: result, baseline: baseline, bootstrap: bootstrap)
        // Only what was asked for is rendered; the large reports are streamed to their files. All
        // reports are written first and renamed into place together: when one cannot be written,
        // none of the earlier reports is replaced.
        let batch = ReportFile.Batch()
        var (report, failures) = EvaluationReport.write(
            result: result, gates: gates, bootstrap: bootstrap, json: output.json, csv: output.csv, into: batch)
        func write(_ path: String?, _ body: (ReportFile.Sink) -> Void) {
            guard let path, failures.isEmpty else { return }
            do throws(ReportFile.WriteError) {
                try batch.write(to: path, body)
            } catch {
                failures.append(error)
            }
        }
        write(output.summaryCsv) { $0.write(report.value.summaryCSV.renderedCSV()) }
        let stepSummary = stepSummaryPath
        if failures.isEmpty && (output.markdown != nil || stepSummary != nil) {
            let markdown = report.value.markdown(generated: Self.generatedDate(), commandLine: ["segscore"] + CommandLine.arguments.dropFirst())
            write(output.markdown) { $0.write(markdown) }
            write(output.junit) { $0.write(report.junit) }
            if failures.isEmpty, let summaryFile = stepSummary {
                // GitHub Actions: append the Markdown report to the job summary (last, as it cannot
                // be taken back; a failed append is cut back to the earlier length).
                do throws(ReportFile.WriteError) {
                    try ReportFile.append(markdown, to: summaryFile, name: "GITHUB_STEP_SUMMARY \(summaryFile)")
                } catch {
                    failures.append(error)
                }
            }
        } else {
            write(output.junit) { $0.write(report.junit) }
        }
        if failures.isEmpty {
            do throws(ReportFile.WriteError) { try batch.commit() } catch { failures.append(error) }
        } else {
            batch.discard()
        }
        for failure in failures { Terminal.error(failure.description) }
        var writeFailed = !failures.isEmpty
        if !output.quiet {
            // The summary counts the warnings and errors; each is one line on stderr below.
            let summary = report.value.summaryText(listingProblems: false)
            if output.reports.contains(where: { $0.path == "-" }) {
                Terminal.writeStderr(summary + "\n")
            } else {
                do throws(ReportFile.WriteError) {
                    try Terminal.output(summary)
                } catch {
                    Terminal.error(error.description)
                    writeFailed = true
                }
            }
        }
        for warning in result.warnings { Terminal.warning(warning) }
        for problem in result.problems { Terminal.error("\(problem.path): \(problem.message)") }
        if writeFailed { throw ExitCode(status: .usage) }
        if result.hasDataProblems { throw ExitCode(status: .dataProblem) }
        if report.gateFailed { throw ExitCode(status: .gateFailed) }
    }

    /// GITHUB_STEP_SUMMARY when it is set and no `--markdown` is given: the Markdown report is
    /// appended there.
    var stepSummaryPath: String? {
        guard output.markdown == nil else { return nil }
        return ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Before any work (before the folders are scanned): refuses two outputs on one file, and an
    /// output whose folder is missing or that names a folder.
    /// - Throws: `ReportFile.Conflict` or `ReportFile.WriteError` (exit 2, one line).
    func checkOutputs() throws {
        var outputs = output.reports
        if let stepSummary = stepSummaryPath { outputs.append(("GITHUB_STEP_SUMMARY", stepSummary)) }
        try ReportFile.checkDistinct(outputs)
        for (name, path) in outputs {
            try ReportFile.checkDestination(path, name: name == "GITHUB_STEP_SUMMARY" ? "GITHUB_STEP_SUMMARY \(path)" : nil)
        }
    }

    /// ISO 8601 UTC; SOURCE_DATE_EPOCH, when set, fixes it (reproducible reports).
    static func generatedDate() -> String {
        let seconds = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) ?? Date().timeIntervalSince1970
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

struct GateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Fail (exit 1) when the headline mean is below X (0 to 1).", valueName: "x"))
    var failUnder: Double?

    @Option(help: ArgumentHelp("Fail when a class mean is below X (0 to 1), e.g. liver=0.9 or 2=0.8 (repeatable).", valueName: "class=x"))
    var failUnderClass: [String] = []

    @Option(help: ArgumentHelp("An earlier --json report to compare with (same variant, formula and classes, else exit 2).", valueName: "old.json"))
    var baseline: String?

    @Option(help: ArgumentHelp("With --baseline: fail when a class mean or the headline drops by more than D (0 to 1).", valueName: "d"))
    var maxDrop: Double?

    @Option(
        help: ArgumentHelp(
            "Bootstrap resamples for the 95% intervals (seeded, deterministic): 0 (off) to 100000.",
            discussion: """
                The bootstrap holds under about 40 MB whatever N and the number of classes; time grows \
                as N × images × classes (the default 1000 is a fraction of the scoring time).
                """,
            valueName: "n"))
    var bootstrap: Int = 1000

    /// The gates asked for; every threshold lies in [0, 1] (a Dice value or a drop of one).
    func specs() throws -> [GateSpec] {
        func checked(_ value: Double, _ option: String, _ given: String) throws -> Double {
            guard (0...1).contains(value) else { throw ConfigurationError("\(option) takes a value in [0, 1], not \(given)") }
            return value
        }
        var specs: [GateSpec] = []
        if let failUnder { specs.append(.headline(minimum: try checked(failUnder, "--fail-under", "\(failUnder)"))) }
        for text in failUnderClass {
            guard let spec = GateSpec.classGate(text) else {
                throw ConfigurationError("--fail-under-class takes NAME_OR_ID=X, e.g. liver=0.9")
            }
            if case .classMean(_, let minimum) = spec { _ = try checked(minimum, "--fail-under-class", text) }
            specs.append(spec)
        }
        if let maxDrop { specs.append(.maxDrop(try checked(maxDrop, "--max-drop", "\(maxDrop)"))) }
        return specs
    }

    func validate() throws {
        if !(0...Bootstrap.maximumResamples).contains(bootstrap) {
            throw ValidationError("--bootstrap takes 0 (no intervals) to \(Bootstrap.maximumResamples) resamples, not \(bootstrap)")
        }
        if maxDrop != nil && baseline == nil { throw ValidationError("--max-drop needs --baseline OLD.json") }
        if baseline != nil && maxDrop == nil { throw ValidationError("--baseline needs --max-drop D") }
    }
}

struct PairingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Suffix stripped from ground-truth names before matching (repeatable).", valueName: "suffix"))
    var gtSuffix: [String] = []

    @Option(help: ArgumentHelp("Suffix stripped from prediction names before matching (repeatable).", valueName: "suffix"))
    var predSuffix: [String] = []

    @Option(help: ArgumentHelp("Suffix stripped from region-of-interest names before matching (repeatable).", valueName: "suffix"))
    var roiSuffix: [String] = []

    @Flag(help: "Match on the file name alone, not the relative path.")
    var flat = false

    @Option(help: ArgumentHelp("Take the key from the named group (?<key>…) of this pattern.", valueName: "regex"))
    var keyRegex: String?

    @Option(help: "Ground truth without prediction: fail (error, exit 3), empty (scored against an empty mask) or skip.")
    var missing: MissingPolicy = .fail
}

struct EncodingOptions: ParsableArguments {
    @Option(help: "How masks are read: auto, labels, binary, channels, probability, rgb.")
    var encoding: MaskEncoding = .auto

    @Option(help: ArgumentHelp("Encoding of the ground truth only (overrides --encoding).", valueName: "encoding"))
    var gtEncoding: MaskEncoding?

    @Option(help: ArgumentHelp("Encoding of the predictions only (overrides --encoding).", valueName: "encoding"))
    var predEncoding: MaskEncoding?

    @Option(help: ArgumentHelp("Class names, ids and colours: JSON or YAML (nnU-Net dataset.json accepted). An entry named 'ignore' (nnU-Net's \"ignore\": 4) or with ignore: true is an ignore label, as --ignore-label.", valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Class ids to score, e.g. 1,2,5 (default: --labels, else every id seen). Any other id but 0 and the ignore labels is an error.", valueName: "ids"))
    var classes: String?

    @Option(help: ArgumentHelp("Ground-truth id left out of every count (repeatable), e.g. 255.", valueName: "id"))
    var ignoreLabel: [Int] = []

    @Option(help: ArgumentHelp("Folder of region-of-interest masks paired by the same key; only nonzero pixels count.", valueName: "dir"))
    var roiDir: String?

    @Option(help: ArgumentHelp("Threshold for probability maps (p > T is foreground), or one per channel: T1,T2,… (default 0.5).", valueName: "t"))
    var threshold: String?

    @Option(help: "A multi-page TIFF is a volume (slices) or K channels (channels).")
    var pages: PageMode = .slices

    @Option(help: ArgumentHelp("Refuse files declaring more samples than this.", valueName: "n"))
    var maxSamples: UInt64 = MaskDecoder.defaultMaxSamples

    @Option(help: ArgumentHelp(MemoryLimit.helpText, valueName: "size"))
    var maxMemory: String?

    /// The pairing and encoding part of the evaluation options (shared by evaluate and explain).
    func options(pairing: PairingOptions) throws -> EvaluationOptions {
        var labelSpec: LabelSpec?
        if let path = labels {
            do {
                labelSpec = try LabelSpec.load(path: path)
            } catch {
                throw EvaluationSetupError.labels(error)
            }
        }
        let memory = try MemoryLimit.option(maxMemory)
        var options = EvaluationOptions(
            truthEncoding: gtEncoding ?? encoding, predictionEncoding: predEncoding ?? encoding, pages: pages, labels: labelSpec,
            classes: try classList(), ignoreLabels: ignoreLabel, thresholds: try thresholdList(), missing: pairing.missing,
            keyRule: KeyRule(
                flat: pairing.flat, truthSuffixes: pairing.gtSuffix, predictionSuffixes: pairing.predSuffix,
                roiSuffixes: pairing.roiSuffix, keyPattern: pairing.keyRegex),
            roiFolder: roiDir, jobs: ProcessInfo.processInfo.activeProcessorCount, maxSamples: maxSamples)
        options.maxMemory = memory
        return options
    }

    func classList() throws -> [Int]? {
        guard let classes else { return nil }
        let ids = classes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !ids.isEmpty, ids.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw ConfigurationError("--classes takes non-negative ids separated by commas, e.g. 1,2,5")
        }
        return ids.map { $0! }
    }

    func thresholdList() throws -> [Double] {
        let values = (threshold ?? "0.5").split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && (0...1).contains($0!) }) else {
            throw ConfigurationError("--threshold takes values in [0, 1], one or one per channel: 0.5 or 0.4,0.6")
        }
        return values.map { $0! }
    }
}

struct MetricOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A base formula or a library preset (see `segscore explain`).", valueName: "name"))
    var variant: String = "hard"

    @Option(help: ArgumentHelp("Smoothing in numerator and denominator: S, or one per scored class S1,S2,…", valueName: "s"))
    var smooth: String?

    @Option(help: ArgumentHelp("Numerator smoothing only (value or per-class list).", valueName: "s"))
    var smoothNr: String?

    @Option(help: ArgumentHelp("Denominator smoothing only (value or per-class list).", valueName: "s"))
    var smoothDr: String?

    @Option(help: "Value of 0/0: nan (skipped in means), one, zero, or gt-empty-nan (NaN whenever the ground truth is empty).")
    var empty: EmptyRule?

    @Option(help: ArgumentHelp("How hard formulas binarise predictions: gt:T, nonzero, eq, int-eq, argmax.", valueName: "rule"))
    var binarize: String?

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Count class 0 in the headline mean, or not (it is always reported per class).",
            discussion: """
                Default: out when a side is a label map (id 0 is background), in when both sides are \
                channel data (channel 0 is a class like any other, MONAI's include_background=True); \
                --no-include-background says channel 0 is a one-hot background channel.
                """))
    var includeBackground: Bool?

    func resolvedVariant() throws -> DiceVariant {
        var variant: DiceVariant
        do {
            variant = try DiceVariant.named(self.variant)
        } catch {
            throw ConfigurationError(error.description)
        }
        func list(_ text: String, _ flag: String) throws -> [Double] {
            do {
                return try Smoothing.values(parsing: text, option: flag)
            } catch {
                throw ConfigurationError(error.description)
            }
        }
        if let smooth {
            let values = try list(smooth, "--smooth")
            variant.smoothing = Smoothing(numerator: values, denominator: values)
        }
        if let smoothNr { variant.smoothing.numerator = try list(smoothNr, "--smooth-nr") }
        if let smoothDr { variant.smoothing.denominator = try list(smoothDr, "--smooth-dr") }
        let nr = variant.smoothing.numerator.count
        let dr = variant.smoothing.denominator.count
        if nr > 1 && dr > 1 && nr != dr {
            throw ConfigurationError("--smooth-nr and --smooth-dr list different numbers of classes (\(nr) and \(dr))")
        }
        if let empty { variant.empty = empty }
        if let binarize {
            guard let rule = Binarization(name: binarize) else {
                throw ConfigurationError("--binarize takes gt:T, nonzero, eq, int-eq or argmax")
            }
            variant.binarization = rule
        }
        return variant
    }
}

struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the JSON report (schema segscore.report/1); - for stdout.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write one CSV row per image × class; - for stdout.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("Write one CSV row per class; - for stdout.", valueName: "file"))
    var summaryCsv: String?

    @Option(help: ArgumentHelp("Write the Markdown report (for a pull request or a CI job summary); - for stdout.", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Write JUnit XML: each gate a test case; - for stdout.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: "Progress on stderr: auto (when stderr is a terminal), always, never.")
    var progress: ProgressMode = .auto

    @Flag(help: "No summary and no progress; errors and warnings still go to stderr.")
    var quiet = false

    /// The report outputs asked for, as (option, path), in the order of the options.
    var reports: [(name: String, path: String)] {
        [("--json", json), ("--csv", csv), ("--summary-csv", summaryCsv), ("--markdown", markdown), ("--junit", junit)]
            .compactMap { name, path in path.map { (name, $0) } }
    }

    var showProgress: Bool {
        if quiet { return false }
        switch progress {
        case .always: return true
        case .never: return false
        case .auto: return Terminal.stderrIsTerminal
        }
    }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }
}

enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

extension MaskEncoding: ExpressibleByArgument {}
extension PageMode: ExpressibleByArgument {}
extension MissingPolicy: ExpressibleByArgument {}
extension EmptyRule: ExpressibleByArgument {}
