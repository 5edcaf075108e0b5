import ArgumentParser
import SegScore

/// `segscore merge PART…`: the reports of a sharded run, byte-identical to the unsharded run's.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the partial results of `evaluate --shard I/N --partial FILE` into the run's reports.",
        discussion: """
            Examples:
              segscore evaluate gt/ pred/ --shard 1/2 --partial part-1.segpart
              segscore evaluate gt/ pred/ --shard 2/2 --partial part-2.segpart
              segscore merge part-*.segpart --json report.json --fail-under 0.8

            The reports, the summary and the exit code are those of the unsharded run \
            (`segscore evaluate gt/ pred/ --json report.json --fail-under 0.8`), bootstrap \
            included: the rows are merged in key order and summarised by the same code. The \
            Markdown report shows that evaluate command: the options recorded in the parts \
            followed by merge's own options.

            The evaluate options recorded in the parts are parsed again here (a --labels file is \
            read again and must give the same configuration).

            Refused (exit 2, one line naming the files): a file that is not a partial or is \
            damaged, parts of different segscore versions, shard counts N, configurations or \
            folders, a shard given twice, missing shards.
            """
    )

    @Argument(help: ArgumentHelp("The partial files, one per shard 1…N (any order).", valueName: "part"))
    var parts: [String]

    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "Gates") var gateOptions: GateOptions
    @OptionGroup(title: "Boundary gates") var surfaceGates: SurfaceGateOptions

    func run() throws {
        let gateSpecs = try gateOptions.specs() + surfaceGates.gateSpecs()
        try RunReports.checkOutputs(output)
        let set = try PartialSet(paths: parts)
        let evaluate: Evaluate
        do {
            evaluate = try Evaluate.parse(set.arguments)
        } catch {
            throw ConfigurationError(
                "\(set.firstPath): the recorded evaluate options do not parse: \(Evaluate.message(for: error))")
        }
        let options = try evaluate.makeOptions()
        let differences = ScoringConfiguration(options).differences(from: set.configuration)
        if !differences.isEmpty || ScoringConfiguration(options) != set.configuration {
            throw ConfigurationError(
                "\(set.firstPath): its recorded evaluate options give another configuration here (\(differences.joined(separator: ", "))); did a --labels file change?"
            )
        }
        try SurfaceGates.check(gateSpecs, surface: options.surface)
        ReportFile.installInterruptCleanup()
        let result = try Evaluation.finish(set.collect(options: options))
        // The command of the unsharded run: the recorded evaluate options, then merge's own.
        let mergeOptions = RecordedArguments.split(mergeArguments).options
        try RunReports.finish(
            result: result, output: output, gateOptions: gateOptions, gateSpecs: gateSpecs,
            commandLine: ["segscore", "evaluate"] + set.arguments + mergeOptions)
    }

    /// merge's arguments as given (after `merge`).
    private var mergeArguments: [String] {
        let all = Array(CommandLine.arguments.dropFirst())
        return all.first == "merge" ? Array(all.dropFirst()) : all
    }
}
