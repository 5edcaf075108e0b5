import ArgumentParser
import SegScore

#if canImport(Glibc)
    import Glibc
#endif

/// The `segscore` command: parses options and hands the work to the SegScore library.
struct SegScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segscore",
        abstract: "Score segmentation masks across a dataset with named, reproducible Dice variants.",
        discussion: """
            Examples:
              segscore evaluate gt/ pred/ --json report.json
              segscore explain --gt gt/01.png --pred pred/01.png
              segscore inspect gt/01.png

            Exit codes: 0 success · 1 a quality gate failed · 2 usage or configuration error · \
            3 data problems (unreadable, corrupt or unpaired files).

            stdout carries the summary (or a report written to -) and nothing else; errors and \
            warnings go to stderr, one line each: "segscore: error: PATH: REASON", \
            "segscore: warning: …". NO_COLOR turns colour off. SEGSCORE_PNG_DECODER=libpng and \
            SEGSCORE_TIFF_DECODER=libtiff decode every PNG or TIFF with libpng or libtiff instead of \
            segscore's fast paths (the same samples, reports and refusals).
            """,
        version: segscoreVersion,
        subcommands: [Evaluate.self, MergeCommand.self, ExplainCommand.self, Inspect.self]
    )
}

@main
enum Main {
    static func main() {
        do {
            var command = try SegScoreCommand.parseAsRoot()
            try command.run()
        } catch let error as ReportFile.WriteError {
            // A report or stdout that cannot be written: one line, exit 2.
            Terminal.error(error.description)
            exit(ExitStatus.usage.rawValue)
        } catch let error as EvaluationSetupError {
            // Found once the options were parsed: one line, no usage text; exit 2, or 3 when the
            // data passed a run-level limit.
            Terminal.error(error.description)
            exit(error.isDataProblem ? ExitStatus.dataProblem.rawValue : ExitStatus.usage.rawValue)
        } catch let error as ConfigurationError {
            // Found after parsing: one line, no usage text, exit 2.
            Terminal.error(error.description)
            exit(ExitStatus.usage.rawValue)
        } catch let error as ReportFile.Conflict {
            Terminal.error(error.description)
            exit(ExitStatus.usage.rawValue)
        } catch {
            let code = SegScoreCommand.exitCode(for: error)
            let message = SegScoreCommand.fullMessage(for: error)
            if code == .success {
                do throws(ReportFile.WriteError) {
                    if !message.isEmpty { try Terminal.output(message) }
                } catch {
                    Terminal.error(error.description)
                    exit(ExitStatus.usage.rawValue)
                }
                exit(0)
            }
            if !message.isEmpty { Terminal.error(message, keepingLineBreaks: true) }
            // ArgumentParser's usage errors (64) become segscore's documented 2.
            exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
        }
    }
}
