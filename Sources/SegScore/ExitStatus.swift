/// The exit statuses segscore documents (interface.md): what a CI job can branch on.
public enum ExitStatus: Int32, Sendable {
    /// All pairs scored and every gate passed.
    case success = 0
    /// A quality gate failed.
    case gateFailed = 1
    /// A usage or configuration error: bad flags, unreadable options files.
    case usage = 2
    /// Data problems: unpaired, unreadable or corrupt files, size mismatches. Wins over `gateFailed`.
    case dataProblem = 3
}
