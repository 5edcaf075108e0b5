import ArgumentParser
import Foundation
import ReportWriters
import SegMetrics
import SegScore

/// What `evaluate` and `merge` do once a run's result exists: the baseline and the gates, every
/// report asked for (staged, then renamed into place together), the summary, the messages and
/// the exit code. One code path, so a merge of shards writes what the unsharded run writes.
enum RunReports {
    /// A file written with the reports (a shard's partial file), staged and committed with them.
    struct ExtraOutput {
        var path: String
        var body: (ReportFile.Sink) -> Void
    }

    /// Writes the reports of `result` and ends the run: returns for exit 0, throws `ExitCode`
    /// otherwise (2 when a report cannot be written, 3 for data problems, 1 for a failed gate).
    /// - Parameters:
    ///   - commandLine: the command the Markdown report shows.
    ///   - extra: files written and committed with the reports.
    ///   - shardRun: a shard writing its partial file: exit 0 once it is written (data problems
    ///     and gates are decided by `merge`); errors and warnings are still printed.
    static func finish(
        result: EvaluationResult, output: OutputOptions, gateOptions: GateOptions, gateSpecs: [GateSpec],
        commandLine: [String], extra: [ExtraOutput] = [], shardRun: Bool = false
    ) throws {
        var result = result
        let options = result.options
        // A quiet shard writing only its partial file shows no interval (gates are decided by the
        // merge, which draws the run's): none is drawn. With many classes that is most of its time.
        let showsNothing = shardRun && output.quiet && output.reports.isEmpty
        let bootstrap = Bootstrap(resamples: showsNothing ? 0 : gateOptions.bootstrap)
        // EvaluationSetupError.configuration: Main prints it, exit 2.
        let baseline = try gateOptions.baseline.map { path throws(EvaluationSetupError) in try Baseline.load(path: path) }
        // A baseline of another definition is exit 2; doubts about it are warnings (stderr and the reports).
        result.warnings += try baseline?.compatibility(with: result) ?? []
        if output.nnunetSummary != nil, let nested = result.nnunetSubfolderWarning { result.warnings.append(nested) }
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
        let overlayLinks = writePictures(
            result: result, report: report, output: output, commandLine: commandLine, write: write)
        // Without --labels or --classes: every class seen but background, as nnU-Net's foreground labels.
        let nnunetKeys =
            options.nnunetKeys.isEmpty
            ? report.value.classes.filter { $0.id != 0 }.map { (id: $0.id, key: String($0.id)) }
            : options.nnunetKeys
        write(output.nnunetSummary) { report.value.writeNnUNetSummary(classes: nnunetKeys, to: $0) }
        for file in extra { write(file.path, file.body) }
        // A shard's own Markdown is not appended to the job summary: the merge's is.
        let stepSummary = shardRun ? nil : stepSummaryPath(output)
        if failures.isEmpty && (output.markdown != nil || stepSummary != nil) {
            let markdown = report.value.markdown(
                generated: generatedDate(), commandLine: commandLine, overlayLinks: overlayLinks)
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
        if shardRun { return }
        if result.hasDataProblems { throw ExitCode(status: .dataProblem) }
        if report.gateFailed { throw ExitCode(status: .gateFailed) }
    }

    /// GITHUB_STEP_SUMMARY when it is set and no `--markdown` is given: the Markdown report is
    /// appended there.
    static func stepSummaryPath(_ output: OutputOptions) -> String? {
        guard output.markdown == nil else { return nil }
        return ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Before any work (before the folders are scanned): refuses two outputs on one file, and an
    /// output whose folder is missing or that names a folder.
    /// - Throws: `ReportFile.Conflict` or `ReportFile.WriteError` (exit 2, one line).
    static func checkOutputs(_ output: OutputOptions, extra: [(name: String, path: String)] = [], shardRun: Bool = false)
        throws
    {
        var outputs = output.reports + extra
        if !shardRun, let stepSummary = stepSummaryPath(output) { outputs.append(("GITHUB_STEP_SUMMARY", stepSummary)) }
        try ReportFile.checkDistinct(outputs)
        try checkOverlayFolder(output)
        for (name, path) in outputs {
            try ReportFile.checkDestination(path, name: name == "GITHUB_STEP_SUMMARY" ? "GITHUB_STEP_SUMMARY \(path)" : nil)
        }
    }

    /// ISO 8601 UTC; SOURCE_DATE_EPOCH, when set, fixes it (reproducible reports).
    static func generatedDate() -> String {
        let seconds =
            ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) ?? Date().timeIntervalSince1970
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
