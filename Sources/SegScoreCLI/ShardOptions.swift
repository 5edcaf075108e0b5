import ArgumentParser
import SegScore

/// `evaluate --shard I/N --partial FILE`: score one shard of the pairs and write its partial
/// result for `segscore merge`.
struct ShardOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Score shard I of N (1 ≤ I ≤ N): the pairs whose key's FNV-1a hash mod N is I−1.",
            discussion: """
                A 0-based array index i (Slurm's SLURM_ARRAY_TASK_ID, Kubernetes' \
                JOB_COMPLETION_INDEX) is shard i+1. Files without a key and the ignored-file count \
                go to shard 1.
                """,
            valueName: "I/N"))
    var shard: String?

    @Option(
        help: ArgumentHelp(
            "Write the shard's partial result (docs/partial-format.md) for `segscore merge`; exit 0 once written.",
            valueName: "file"))
    var partial: String?

    func validate() throws {
        // The summary goes to stdout: a binary partial there would be mixed with it.
        if partial == "-" { throw ValidationError("--partial needs a file, not - (stdout)") }
    }

    /// The shard asked for (1/1 without --shard).
    /// - Throws: `EvaluationSetupError.configuration` for a malformed I/N (exit 2).
    func resolvedShard() throws -> Shard {
        guard let shard else { return .whole }
        return try Shard(parsing: shard)
    }
}

/// The evaluate arguments a partial file records, and the merge arguments that go with them: the
/// Markdown report of a merge shows `segscore evaluate RECORDED MERGE-OPTIONS`, the command of the
/// unsharded run.
enum RecordedArguments {
    /// Options (output, gates, shards) that take a value.
    static let valued: Set<String> = [
        "--json", "--csv", "--summary-csv", "--markdown", "--junit", "--nnunet-summary", "--jobs", "--progress",
        "--fail-under", "--fail-under-class", "--baseline", "--max-drop", "--bootstrap", "--shard", "--partial",
        "--html", "--overlays", "--worst", "--confusion-csv", "--fail-over", "--fail-over-class",
    ]
    /// Flags of the same groups.
    static let flags: Set<String> = ["--quiet"]

    /// The arguments after `evaluate`, without --shard/--partial and without the output and gate
    /// options (`--name value` and `--name=value`).
    static func evaluate(_ arguments: [String]) -> [String] {
        let rest = arguments.first == "evaluate" ? Array(arguments.dropFirst()) : arguments
        return split(rest).kept
    }

    /// Splits `arguments` into the ones kept (not output, gate or shard options) and the ones
    /// taken out, in order. After `--` everything is kept.
    static func split(_ arguments: [String]) -> (kept: [String], options: [String]) {
        var kept: [String] = []
        var options: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                kept += arguments[index...]
                break
            }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if valued.contains(name) {
                options.append(argument)
                if !argument.contains("="), index + 1 < arguments.count {
                    options.append(arguments[index + 1])
                    index += 1
                }
            } else if flags.contains(argument) {
                options.append(argument)
            } else {
                kept.append(argument)
            }
            index += 1
        }
        return (kept, options)
    }
}
