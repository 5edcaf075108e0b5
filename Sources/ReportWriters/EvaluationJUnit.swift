/// The JUnit XML report of an evaluation (the shape GitLab and Jenkins read).
extension EvaluationReportValue {
    /// The most files the data test case's error text lists (the JSON has them all).
    public static let junitListedProblems = 200

    /// JUnit XML: `testsuites` > one `testsuite` (`segscore.gates`, with `timestamp` and `time`)
    /// > a `testcase` per gate and one for the data.
    ///
    /// - Test names never depend on the data (only on the options): "every pair scored" for the
    ///   data, the gate's name (`mean >= 0.85`) for a gate. So a CI system keeps each test's
    ///   history across runs; the counts are in `system-out` and in the failure text.
    /// - A failed gate's `<failure>` text holds the whole verdict (GitLab shows only that text):
    ///   the gate's sentence, then value, threshold, baseline, difference and its 95% interval
    ///   with their exact values.
    /// - The data case has an `<error>` when a file could not be scored, listing up to
    ///   `junitListedProblems` of them.
    /// - `time`: the run's wall-clock seconds on the suite and on the data case (which did the
    ///   work); 0 on each gate.
    /// - Names are shown with control characters made visible (`DisplayText.visible`), then
    ///   XML-escaped: the document is well-formed XML 1.0 whatever the names are.
    /// - Parameters:
    ///   - start: when the run started, seconds since 1970-01-01T00:00:00Z (`timestamp`).
    ///   - seconds: the run's wall-clock seconds (`time`).
    public func junit(start: Double, seconds: Double) -> String {
        let failures = gates.filter { !$0.passed }.count
        let errorCount = errors.isEmpty ? 0 : 1
        let tests = gates.count + 1
        let time = NumberText.seconds(seconds)
        func attribute(_ text: String) -> String { XMLText.attribute(DisplayText.visible(text)) }
        func text(_ value: String) -> String { XMLText.escape(value) }
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="segscore" tests="\#(tests)" failures="\#(failures)" errors="\#(errorCount)" time="\#(time)">"#,
            #"  <testsuite name="segscore.gates" tests="\#(tests)" failures="\#(failures)" errors="\#(errorCount)" skipped="0" "#
                + #"time="\#(time)" timestamp="\#(Self.timestamp(start))">"#,
        ]
        if let surface {
            // The boundary headline, one property per metric (`surface.hd95`).
            lines.append("    <properties>")
            for (name, value) in zip(surface.metricNames, surface.headline) {
                lines.append(
                    #"      <property name="surface.\#(attribute(name))" value="\#(NumberText.shortest(value))"/>"#)
            }
            lines.append("    </properties>")
        }
        let counts =
            "\(inputs.pairs) pairs scored, \(failedPairs) failed; \(inputs.unmatchedTruth.count) ground truth without prediction, "
            + "\(inputs.unmatchedPredictions.count) predictions without ground truth; \(errors.count) data problems"
        lines.append(#"    <testcase classname="segscore.data" name="every pair scored" time="\#(time)">"#)
        if !errors.isEmpty {
            let n = errors.count
            let message = "\(n) data problem\(n == 1 ? "" : "s"): files that could not be scored"
            var detail = errors.prefix(Self.junitListedProblems).map { DisplayText.visible("\($0.path): \($0.message)") }
            if n > Self.junitListedProblems {
                detail.append("… and \(n - Self.junitListedProblems) more (all are in the JSON report)")
            }
            lines.append(
                #"      <error type="data" message="\#(attribute(message))">\#(text(detail.joined(separator: "\n")))</error>"#)
        }
        lines.append("      <system-out>\(text(counts))</system-out>")
        lines.append("    </testcase>")
        for gate in gates {
            let name = attribute(gate.name)
            if gate.passed {
                lines.append(#"    <testcase classname="segscore.gates" name="\#(name)" time="0"/>"#)
                continue
            }
            lines.append(#"    <testcase classname="segscore.gates" name="\#(name)" time="0">"#)
            var detail = [
                "\(DisplayText.visible(gate.name)) failed: \(gate.message)", "value: \(NumberText.shortest(gate.value))",
            ]
            if let baseline = gate.baseline {
                detail.append("allowed drop: \(NumberText.shortest(gate.threshold))")
                detail.append("baseline: \(NumberText.shortest(baseline))")
            } else {
                detail.append("threshold: \(NumberText.shortest(gate.threshold))")
            }
            if let difference = gate.difference { detail.append("difference: \(NumberText.shortest(difference))") }
            if let interval = gate.interval {
                detail.append(
                    "difference 95% CI: [\(NumberText.shortest(interval.lower)), \(NumberText.shortest(interval.upper))]")
                detail.append("drop beyond noise: \(gate.dropBeyondNoise == true ? "yes" : "no")")
            }
            lines.append(
                #"      <failure type="gate" message="\#(attribute(gate.message))">\#(text(detail.joined(separator: "\n")))</failure>"#
            )
            lines.append("    </testcase>")
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `2026-01-01T00:00:00`: ISO 8601 in UTC without a zone designator, as the JUnit schema
    /// Jenkins validates against wants it (whole seconds).
    public static func timestamp(_ secondsSince1970: Double) -> String {
        let total = Int64(secondsSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-\(two(month))-\(two(day))T"
            + "\(two(secondOfDay / 3_600)):\(two(secondOfDay % 3_600 / 60)):\(two(secondOfDay % 60))"
    }
}
