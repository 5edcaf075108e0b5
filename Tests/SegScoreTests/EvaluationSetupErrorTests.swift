import DatasetScan
import Foundation
import Testing

@testable import SegScore

@Suite struct EvaluationSetupErrorTests {
    /// Each case keeps its cause and prints the line the CLI always printed for it.
    @Test func eachCaseNamesItsCauseInOneLine() {
        let cases: [(EvaluationSetupError, String, Bool)] = [
            (.scan(.notAFolder(path: "gt")), "gt: not a folder", false),
            (.scan(.badKeyPattern(pattern: "(", reason: "does not compile")), "--key-regex '(': does not compile", false),
            (.labels(LabelSpec.LoadError(path: "l.yaml", reason: "no labels")), "--labels l.yaml: no labels", false),
            (
                .spill(SpillError(folder: "/t", step: .create, errorNumber: ENOENT)),
                "/t: cannot make a temporary file for per-image results: no such file or directory (set TMPDIR to a writable folder)",
                false
            ),
            (
                .spill(SpillError(folder: "/t", step: .write, errorNumber: ENOSPC)),
                "/t: cannot write per-image results to a temporary file: no space left on device (set TMPDIR to a writable folder)",
                false
            ),
            (.configuration("--classes lists an id twice"), "--classes lists an id twice", false),
            (.dataLimit("gt/a.png: the run would score 9 classes"), "gt/a.png: the run would score 9 classes", true),
        ]
        for (error, line, isData) in cases {
            #expect(error.description == line)
            #expect(error.isDataProblem == isData, "\(error)")
        }
    }

    /// A folder that is not there is the scan's error, carried whole (not a string).
    @Test func aMissingFolderIsTheScanError() {
        let missing = "/nonexistent-segscore-folder/gt"
        #expect(throws: EvaluationSetupError.scan(.unreadable(path: missing, reason: "no such file or directory"))) {
            try Evaluation.run(truth: missing, prediction: missing, options: EvaluationOptions())
        }
    }

    /// Options that contradict each other are a configuration error (exit 2), not a data limit.
    @Test func aDuplicateClassIsAConfigurationError() {
        var options = EvaluationOptions()
        options.classes = [1, 1]
        #expect(throws: EvaluationSetupError.configuration("--classes lists an id twice")) {
            try Evaluation.run(truth: "/nonexistent", prediction: "/nonexistent", options: options)
        }
    }
}
