import ArgumentParser
import DatasetScan
import Foundation
import ReportWriters
import SegMetrics
import SegScore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Every Dice variant side by side: formulas, conventions, and their values on your masks.",
        discussion: """
            Without data: the catalogue of base formulas and library presets (formula, 0/0 rule, \
            smoothing, reduction, the library version reproduced). With --variant: one in detail, \
            with its loss transforms (1−d, −d, −log d, log cosh(1−d)).

            With --gt and --pred (two files, or two folders paired as evaluate pairs them): every \
            variant computed on that data, a table per class, and one line per disagreement naming \
            its cause, e.g. "GT empty, prediction not: NaN under monai-metric; 0 under hard".

            Examples:
              segscore explain
              segscore explain --variant monai-loss
              segscore explain --gt gt/01.png --pred pred/01.png
              segscore explain --gt gt/ --pred pred/ --labels labels.json \\
                  --markdown why.md
              segscore explain --gt empty.png --pred one_pixel.png --variant soft \\
                  --smooth 1e-5
              segscore explain --surface-metrics all
              segscore explain --gt gt/01.png --pred pred/01.png --surface-metrics all \\
                  --nsd-tolerance 2

            With --surface-metrics: the boundary definitions instead (their boundary, percentile, \
            mean, NSD, empty-mask and arithmetic rules); with data, every definition's hd, hdP, mean \
            distance (assd, or masd where the library has none) and nsd per class, and one line per \
            disagreement naming its causes (pooled vs directed percentile, concatenated vs averaged \
            mean, corners vs centres, image-edge rule, empty rule, float32 vs float64).
            """
    )

    @Option(help: ArgumentHelp("Show one variant in detail (with data: only that one).", valueName: "name"))
    var variant: String?

    @Option(help: ArgumentHelp("Ground truth: a mask file or a folder.", valueName: "path"))
    var gt: String?

    @Option(help: ArgumentHelp("Prediction: a mask file or a folder.", valueName: "path"))
    var pred: String?

    @Option(
        help: ArgumentHelp("Smoothing for the base formulas: S or one per class S1,S2,… (presets keep theirs).", valueName: "s"))
    var smooth: String?

    @Option(help: ActivationHelp.text)
    var activation: Activation = .none

    @OptionGroup(title: "Pairing (folders)") var pairing: PairingOptions
    @OptionGroup(title: "Encoding") var encoding: EncodingOptions
    @OptionGroup(title: "Boundary metrics") var surface: SurfaceCommandOptions

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Option(help: ArgumentHelp("Also write the explanation as Markdown; - for stdout.", valueName: "file"))
    var markdown: String?

    func validate() throws {
        if (gt == nil) != (pred == nil) { throw ValidationError("give both --gt and --pred, or neither") }
    }

    func resolve(_ name: String) throws -> DiceVariant {
        do {
            return try DiceVariant.named(name)
        } catch {
            throw ConfigurationError(error.description)
        }
    }

    func run() throws {
        if surface.surfaceMetrics != nil {
            try explainSurface()
            return
        }
        _ = try surface.options()  // --spacing, --nsd-tolerance, … without --surface-metrics: exit 2
        var chosen: DiceVariant? = try variant.map(resolve)
        chosen?.activation = activation
        var smoothing: Smoothing?
        if let smooth {
            let values: [Double]
            do {
                values = try Smoothing.values(parsing: smooth, option: "--smooth")
            } catch {
                throw ConfigurationError(error.description)
            }
            let parsed = Smoothing(numerator: values, denominator: values)
            smoothing = parsed
            if let base = chosen, base.reproduces == nil { chosen?.smoothing = parsed }
        }
        guard let gt, let pred else {
            if let chosen {
                try Terminal.output(json ? Explain.facts(chosen).json.rendered() : Explain.detail(chosen).text)
            } else {
                try Terminal.output(json ? Explain.catalogueValue.json.rendered() : Explain.catalogueValue.text)
            }
            return
        }
        let options = try encoding.options(pairing: pairing)
        // EvaluationSetupError: Main prints it, exit 2 (3 for a run-level data limit, as evaluate).
        let explanation = try DataExplanation.compute(
            truth: gt, prediction: pred, options: options, smoothing: smoothing, variants: chosen.map { [$0] },
            activation: activation)
        if let chosen, explanation.reference.images.count >= 1 {
            var values = zip(explanation.classIDs, explanation.rows[0].values).map { (options.name(of: $0), $1) }
            if case .generalized = chosen.formula {
                // The classes summed into one value: the image's, or the mean over images.
                let single = explanation.reference.images.count == 1
                values.append(
                    (
                        single ? "summed (images[].generalized)" : "summed, mean of images (aggregate.generalized)",
                        explanation.rows[0].overall
                    ))
            }
            try Terminal.output(json ? explanation.table.json.rendered() : Explain.detail(chosen, values: values).text)
        } else {
            try Terminal.output(json ? explanation.table.json.rendered() : explanation.table.text)
        }
        // A Markdown file that cannot be written: ReportFile.WriteError, one line, exit 2.
        if let markdown { try ReportFile.write(explanation.table.markdown, to: markdown) }
        for problem in explanation.reference.problems { Terminal.error("\(problem.path): \(problem.message)") }
        if explanation.reference.hasDataProblems { throw ExitCode(status: .dataProblem) }
    }
}

extension ExplainCommand {
    /// `explain --surface-metrics`: the boundary catalogue, or every boundary definition on the data.
    func explainSurface() throws {
        guard let gt, let pred else {
            let table = SurfaceExplain.catalogue
            try Terminal.output(json ? table.json.rendered() : table.catalogueText)
            return
        }
        var options = try encoding.options(pairing: pairing)
        options.surface = try surface.options()
        let (table, reference) = try SurfaceExplain.compute(truth: gt, prediction: pred, options: options)
        try Terminal.output(json ? table.json.rendered() : table.text)
        for problem in reference.problems { Terminal.error("\(problem.path): \(problem.message)") }
        if reference.hasDataProblems { throw ExitCode(status: .dataProblem) }
    }
}
