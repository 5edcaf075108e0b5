import ArgumentParser
import DatasetScan
import Dispatch
import Foundation
import MaskIO
import ReportWriters
import SegMetrics
import SegScore

// The option groups of `segscore evaluate` (and the ones `explain` shares), with their --help text.

struct GateOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Fail (exit 1) when the headline mean is below X (0 to 1); nsd:X gates the NSD headline.", valueName: "x"))
    var failUnder: String?

    @Option(
        help: ArgumentHelp(
            "Fail when a class mean is below X (0 to 1), e.g. liver=0.9 or 2=0.8, or its NSD: liver=nsd:0.9 (repeatable).",
            valueName: "class=x"))
    var failUnderClass: [String] = []

    @Option(
        help: ArgumentHelp(
            "An earlier --json report to compare with (same variant, formula and classes, else exit 2).", valueName: "old.json"))
    var baseline: String?

    @Option(
        help: ArgumentHelp(
            "With --baseline: fail when a class mean or the headline drops by more than D (0 to 1).", valueName: "d"))
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
        if let failUnder {
            if let (metric, limit) = SurfaceGates.metricLimit(failUnder) {
                specs.append(.surface(nameOrID: nil, metric: metric, limit: limit, above: false))
            } else if let value = Double(failUnder) {
                specs.append(.headline(minimum: try checked(value, "--fail-under", "\(value)")))
            } else {
                throw ConfigurationError("--fail-under takes X in [0, 1], or nsd:X")
            }
        }
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
            throw ValidationError(
                "--bootstrap takes 0 (no intervals) to \(Bootstrap.maximumResamples) resamples, not \(bootstrap)")
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

    @Option(
        help: ArgumentHelp("Suffix stripped from region-of-interest names before matching (repeatable).", valueName: "suffix"))
    var roiSuffix: [String] = []

    @Flag(help: "Match on the file name alone, not the relative path.")
    var flat = false

    @Option(help: ArgumentHelp("Take the key from the named group (?<key>…) of this pattern.", valueName: "regex"))
    var keyRegex: String?

    @Option(help: "Ground truth without prediction: fail (error, exit 3), empty (scored against an empty mask) or skip.")
    var missing: MissingPolicy = .fail

    @Option(
        help: ArgumentHelp(
            "Levels of folders walked: 1 pairs only the files directly in each folder, as nnUNetv2_evaluate_folder (default: every level).",
            valueName: "n"))
    var maxDepth: Int?
}

struct EncodingOptions: ParsableArguments {
    @Option(help: "How masks are read: auto, labels, binary, channels, probability, rgb.")
    var encoding: MaskEncoding = .auto

    @Option(help: ArgumentHelp("Encoding of the ground truth only (overrides --encoding).", valueName: "encoding"))
    var gtEncoding: MaskEncoding?

    @Option(help: ArgumentHelp("Encoding of the predictions only (overrides --encoding).", valueName: "encoding"))
    var predEncoding: MaskEncoding?

    @Option(
        help: ArgumentHelp(
            "Class names, ids and colours: JSON or YAML. An nnU-Net dataset.json is read as nnU-Net does: v2 labels {name: id}, v1/Decathlon {\"0\": \"background\"}, regions {\"whole tumour\": [1, 2, 3]} (each the union of its labels, its id from regions_class_order), file_ending (only such files are paired). An entry named 'ignore' (nnU-Net's \"ignore\": 4) or with ignore: true is an ignore label, as --ignore-label.",
            valueName: "file"))
    var labels: String?

    @Option(
        help: ArgumentHelp(
            "Class ids to score, e.g. 1,2,5 (default: --labels, else every id seen). Any other id but 0 and the ignore labels is an error.",
            valueName: "ids"))
    var classes: String?

    @Option(help: ArgumentHelp("Ground-truth id left out of every count (repeatable), e.g. 255.", valueName: "id"))
    var ignoreLabel: [Int] = []

    @Option(
        help: ArgumentHelp(
            "Folder of region-of-interest masks paired by the same key; only nonzero pixels count.", valueName: "dir"))
    var roiDir: String?

    @Option(
        help: ArgumentHelp(
            "Threshold for probability maps (p > T is foreground), or one per channel: T1,T2,… (default 0.5).", valueName: "t"))
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
        options.maxDepth = pairing.maxDepth
        return options
    }

    func classList() throws -> [Int]? {
        guard let classes else { return nil }
        let parts = classes.split(separator: ",")
        let ids = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !ids.isEmpty, ids.count == parts.count, ids.allSatisfy({ $0 >= 0 }) else {
            throw ConfigurationError("--classes takes non-negative ids separated by commas, e.g. 1,2,5")
        }
        return ids
    }

    func thresholdList() throws -> [Double] {
        let parts = (threshold ?? "0.5").split(separator: ",")
        let values = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count == parts.count, values.allSatisfy({ (0...1).contains($0) }) else {
            throw ConfigurationError("--threshold takes values in [0, 1], one or one per channel: 0.5 or 0.4,0.6")
        }
        return values
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

    @Option(help: ActivationHelp.text)
    var activation: Activation = .none

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
        variant.activation = activation
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

    @Option(
        help: ArgumentHelp("Write the Markdown report (for a pull request or a CI job summary); - for stdout.", valueName: "file")
    )
    var markdown: String?

    @Option(help: ArgumentHelp("Write JUnit XML: each gate a test case; - for stdout.", valueName: "file"))
    var junit: String?

    @Option(
        help: ArgumentHelp(
            "Write nnU-Net's summary.json (its keys, nesting and numbers, as nnUNetv2_evaluate_folder writes it); - for stdout.",
            valueName: "file"))
    var nnunetSummary: String?

    @Option(
        help: ArgumentHelp(
            "Write the HTML report: one self-contained page (plots, tables, worst images with overlays, confusion matrix); - for stdout.",
            valueName: "file"))
    var html: String?

    @Option(
        help: ArgumentHelp(
            "Write a PNG overlay (TP, FP, FN) of each class's --worst images into this folder (made if missing, in an existing folder).",
            valueName: "dir"))
    var overlays: String?

    @Option(help: ArgumentHelp("Images per headline class drawn as overlays (0 to 100).", valueName: "k"))
    var worst: Int = 5

    @Option(
        help: ArgumentHelp(
            "Write the pooled class × class pixel counts of label maps (rows ground truth, columns prediction) as CSV; - for stdout.",
            valueName: "file"))
    var confusionCsv: String?

    @Option(help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: "Progress on stderr: auto (when stderr is a terminal), always, never.")
    var progress: ProgressMode = .auto

    @Flag(help: "No summary and no progress; errors and warnings still go to stderr.")
    var quiet = false

    /// The report outputs asked for, as (option, path), in the order of the options.
    var reports: [(name: String, path: String)] {
        [
            ("--json", json), ("--csv", csv), ("--summary-csv", summaryCsv), ("--markdown", markdown), ("--junit", junit),
            ("--nnunet-summary", nnunetSummary), ("--html", html), ("--confusion-csv", confusionCsv),
        ]
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
        if !(0...100).contains(worst) { throw ValidationError("--worst takes 0 to 100 images per class, not \(worst)") }
    }
}

enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

extension MaskEncoding: ExpressibleByArgument {}
extension PageMode: ExpressibleByArgument {}
extension MissingPolicy: ExpressibleByArgument {}
extension EmptyRule: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}

/// The `--help` text of `--activation` (evaluate and explain).
enum ActivationHelp {
    static let text = ArgumentHelp(
        "Applied to the prediction's float values first: none, sigmoid, tanh (each value), softmax (across channels).",
        discussion: """
            With an activation, values outside [0, 1] (logits) are expected; soft formulas use the \
            activated values, hard ones binarise them (threshold or argmax). Softmax on one channel, \
            and any activation on integer predictions (label maps, 8/16-bit maps), are pair errors (exit 3).
            """,
        valueName: "name")
}
