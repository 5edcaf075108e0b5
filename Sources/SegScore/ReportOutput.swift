import Dispatch
import Parallel
import ReportWriters
import SegMetrics

extension ReportFile.Sink: ReportSink {}

extension EvaluationReport {
    /// Builds the report and writes the JSON and the per-image CSV, the way `segscore evaluate`
    /// does: the per-image CSV has no intervals, so a CSV file is written on a second thread while
    /// the bootstrap and the JSON run on this one.
    /// - Parameters:
    ///   - json, csv: paths (`-` for stdout, written in turn on this thread), or nil.
    ///   - batch: where the reports are staged; the caller commits it (with its other reports) or
    ///     discards it. Without one, both reports are replaced together when both were written,
    ///     and neither otherwise.
    /// - Returns: the report, and the reports that could not be written (JSON first).
    public static func write(
        result: EvaluationResult, gates: [GateOutcome] = [], bootstrap: Bootstrap, json: String?, csv: String?,
        into batch: ReportFile.Batch? = nil
    ) -> (report: EvaluationReport, failures: [ReportFile.WriteError]) {
        let ownBatch = batch == nil
        let batch = batch ?? ReportFile.Batch()
        if let json, let csv {
            do throws(ReportFile.Conflict) {
                try ReportFile.checkDistinct([("json", json), ("csv", csv)])
            } catch {
                return (
                    EvaluationReport(result: result, gates: gates, bootstrap: bootstrap),
                    [ReportFile.WriteError(path: csv, reason: error.description)]
                )
            }
        }
        let csvInBackground = csv.map { $0 != "-" } ?? false
        let background = DispatchGroup()
        let backgroundFailure = Locked<ReportFile.WriteError?>(nil)
        if csvInBackground, let path = csv {
            let rows = imageRows(of: result)
            let names = metricNames
            let surfaceNames = result.surface?.options.metricNames ?? []
            DispatchQueue.global().async(group: background) {
                do throws(ReportFile.WriteError) {
                    try batch.write(to: path) {
                        EvaluationReportValue.writeImageCSV(rows, metricNames: names, surfaceNames: surfaceNames, to: $0)
                    }
                } catch {
                    backgroundFailure.withLock { $0 = error }
                }
            }
        }
        let report = EvaluationReport(result: result, gates: gates, bootstrap: bootstrap)
        var failures: [ReportFile.WriteError] = []
        func attempt(_ path: String?, _ body: (ReportFile.Sink) -> Void) {
            guard let path else { return }
            do throws(ReportFile.WriteError) {
                try batch.write(to: path, body)
            } catch {
                failures.append(error)
            }
        }
        attempt(json) { report.value.writeJSON(to: $0) }
        if !csvInBackground && failures.isEmpty { attempt(csv) { report.value.writeCSV(to: $0) } }
        background.wait()
        if let error = backgroundFailure.withLock({ $0 }) { failures.append(error) }
        if ownBatch {
            if failures.isEmpty {
                do throws(ReportFile.WriteError) { try batch.commit() } catch { failures.append(error) }
            } else {
                batch.discard()
            }
        }
        return (report, failures)
    }
}
