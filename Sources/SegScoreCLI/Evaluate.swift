import ArgumentParser
import DatasetScan
import Dispatch
import Foundation
import MaskIO
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
              segscore evaluate gt/ pred/ --gt-suffix _manual1 --pred-suffix _manual2 --roi-dir fov/
              segscore evaluate gt/ pred/ --labels voc.json --ignore-label 255 --json report.json
              segscore evaluate gt/ pred/ --variant nnunet-eval --classes 1,2,3 --csv per-image.csv
              segscore evaluate gt/ pred/ --encoding probability --threshold 0.4 --variant soft

            Encodings (auto, decided per file): palette and integer PNG/TIFF are label maps, \
            except that a mask whose nonzero values all equal the type maximum (0/255, 0/65535) \
            is binary (label 1); RGB needs --labels with colours; float TIFF is a probability \
            map; multi-sample TIFF is K channels (class = channel index).

            Variants: hard (default: 2TP/(2TP+FP+FN), 0/0 → NaN, skipped in means), soft, \
            soft-squared, soft-pow:γ, fuzzy, tversky:α,β, jaccard, generalized:square|simple|uniform, \
            and the presets medpy, miseval, seg-metrics, nnunet-eval, monai-metric, \
            monai-metric-keep-empty, torchmetrics, torchmetrics-global, keras, monai-loss, \
            nnunet-loss, smp, vnet, evaluate-segmentation, so-answer.

            Exit codes: 0 all pairs scored · 2 usage or configuration error · 3 data problems \
            (unpaired ground truth under --missing fail, unreadable or corrupt files, size \
            mismatches, duplicate keys). Reports are written for everything that was scored.
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

    func validate() throws {
        _ = try makeOptions()
    }

    func makeOptions() throws -> EvaluationOptions {
        var labels: LabelSpec?
        if let path = encoding.labels {
            do {
                labels = try LabelSpec.load(path: path)
            } catch {
                throw ValidationError("--labels \(error.description)")
            }
        }
        return EvaluationOptions(
            variant: try metric.resolvedVariant(), truthEncoding: encoding.gtEncoding ?? encoding.encoding,
            predictionEncoding: encoding.predEncoding ?? encoding.encoding, pages: encoding.pages, labels: labels,
            classes: try encoding.classList(), ignoreLabels: encoding.ignoreLabel, thresholds: try encoding.thresholdList(),
            includeBackground: metric.includeBackground, missing: pairing.missing,
            keyRule: KeyRule(
                flat: pairing.flat, truthSuffixes: pairing.gtSuffix, predictionSuffixes: pairing.predSuffix,
                roiSuffixes: pairing.roiSuffix, keyPattern: pairing.keyRegex),
            roiFolder: encoding.roiDir, jobs: output.jobs ?? ProcessInfo.processInfo.activeProcessorCount,
            maxSamples: encoding.maxSamples)
    }

    func run() throws {
        let options = try makeOptions()
        ReportFile.installInterruptCleanup()
        let progress = output.showProgress ? TerminalProgress() : nil
        let result: EvaluationResult
        do {
            result = try Evaluation.run(truth: gtDir, prediction: predDir, options: options, progress: progress)
        } catch {
            progress?.finish()
            throw ValidationError(error.description)
        }
        progress?.finish()
        let report = EvaluationReport(result: result)
        let toStdout = [output.json, output.csv, output.summaryCsv].contains("-")
        var writeFailed = false
        func write(_ text: String, _ path: String?) {
            guard let path else { return }
            do {
                try ReportFile.write(text, to: path)
            } catch {
                Terminal.error(error.description)
                writeFailed = true
            }
        }
        write(report.json.rendered(indent: 2) + "\n", output.json)
        write(report.csv.rendered(), output.csv)
        write(report.summaryCSV.rendered(), output.summaryCsv)
        if !output.quiet {
            if toStdout {
                Terminal.writeStderr(report.text + "\n")
            } else {
                Terminal.output(report.text)
            }
        }
        for problem in result.problems where output.quiet {
            Terminal.error("\(problem.path): \(problem.message)")
        }
        if writeFailed { throw ExitCode(status: .usage) }
        if result.hasDataProblems { throw ExitCode(status: .dataProblem) }
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

    @Option(help: ArgumentHelp("Class names, ids and colours: JSON or YAML (nnU-Net dataset.json accepted).", valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Class ids to score, e.g. 1,2,5 (default: --labels, else every id seen). Any other id but 0 and the ignore labels is an error.", valueName: "ids"))
    var classes: String?

    @Option(help: ArgumentHelp("Ground-truth id left out of every count (repeatable), e.g. 255.", valueName: "id"))
    var ignoreLabel: [Int] = []

    @Option(help: ArgumentHelp("Folder of region-of-interest masks paired by the same key; only nonzero pixels count.", valueName: "dir"))
    var roiDir: String?

    @Option(help: ArgumentHelp("Threshold for probability maps (p > T is foreground), or one per channel: T1,T2,…", valueName: "t"))
    var threshold: String = "0.5"

    @Option(help: "A multi-page TIFF is a volume (slices) or K channels (channels).")
    var pages: PageMode = .slices

    @Option(help: ArgumentHelp("Refuse files declaring more samples than this.", valueName: "n"))
    var maxSamples: UInt64 = MaskDecoder.defaultMaxSamples

    func classList() throws -> [Int]? {
        guard let classes else { return nil }
        let ids = classes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !ids.isEmpty, ids.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw ValidationError("--classes takes non-negative ids separated by commas, e.g. 1,2,5")
        }
        return ids.map { $0! }
    }

    func thresholdList() throws -> [Double] {
        let values = threshold.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && (0...1).contains($0!) }) else {
            throw ValidationError("--threshold takes values in [0, 1], one or one per channel: 0.5 or 0.4,0.6")
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

    @Flag(help: "Count background (id 0) in the headline mean (it is always reported per class).")
    var includeBackground = false

    func resolvedVariant() throws -> DiceVariant {
        var variant: DiceVariant
        do {
            variant = try DiceVariant.named(self.variant)
        } catch {
            throw ValidationError(error.description)
        }
        func list(_ text: String, _ flag: String) throws -> [Double] {
            let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                throw ValidationError("\(flag) takes non-negative numbers: 1e-5 or 1e-5,1,100")
            }
            return values.map { $0! }
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
            throw ValidationError("--smooth-nr and --smooth-dr list different numbers of classes (\(nr) and \(dr))")
        }
        if let empty { variant.empty = empty }
        if let binarize {
            guard let rule = Binarization(name: binarize) else {
                throw ValidationError("--binarize takes gt:T, nonzero, eq, int-eq or argmax")
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

    @Option(help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: "Progress on stderr: auto (when stderr is a terminal), always, never.")
    var progress: ProgressMode = .auto

    @Flag(help: "No summary and no progress; errors still go to stderr.")
    var quiet = false

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
