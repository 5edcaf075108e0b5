import DatasetScan

/// Why an evaluation could not start or had to stop before its reports: a configuration problem
/// (exit code 2) or a run-level data limit (exit code 3). Data problems of single files never
/// throw; they are in the result.
public enum EvaluationSetupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A folder could not be listed, or `--key-regex` is not a usable pattern.
    case scan(ScanError)
    /// The `--labels` file was refused.
    case labels(LabelSpec.LoadError)
    /// The per-image results could not be written to their temporary file.
    case spill(SpillError)
    /// The options contradict each other or lie out of range, or a `--baseline` cannot be used:
    /// the one-line message, naming the option.
    case configuration(String)
    /// The data exceed a run-level limit (more classes than a run may score): the one-line
    /// message, naming the file where the limit was passed.
    case dataLimit(String)

    /// One line naming the file or option and what is wrong.
    public var description: String {
        switch self {
        case .scan(let error): return error.description
        case .labels(let error): return "--labels \(error.description)"
        case .spill(let error): return error.description
        case .configuration(let message), .dataLimit(let message): return message
        }
    }

    /// True when the data, not the options, stopped the run: exit code 3 rather than 2.
    public var isDataProblem: Bool {
        if case .dataLimit = self { return true }
        return false
    }
}
