/// Why a mask file could not be turned into samples.
///
/// Every case names the file and carries a one-line reason, so a caller can print
/// `error.description` as it is and go on with the other files.
public enum MaskIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all: missing, a directory, no permission.
    case unreadable(path: String, reason: String)
    /// The bytes are neither PNG nor TIFF (or the file is empty).
    case notAMask(path: String, reason: String)
    /// A valid file whose layout segscore does not read (64-bit float, signed samples, YCbCr, …).
    case unsupportedLayout(path: String, detail: String)
    /// The codec refused the data: truncation, bad CRC, broken compressed stream, …
    case corrupt(path: String, codecMessage: String)
    /// The header declares more samples than the configured limit; nothing was allocated.
    case tooLarge(path: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .unreadable(let path, _), .notAMask(let path, _), .unsupportedLayout(let path, _),
            .corrupt(let path, _), .tooLarge(let path, _):
            return path
        }
    }

    /// The reason, without the path.
    public var reason: String {
        switch self {
        case .unreadable(_, let reason): return "cannot read: \(reason)"
        case .notAMask(_, let reason): return "not a mask: \(reason)"
        case .unsupportedLayout(_, let detail): return "unsupported: \(detail)"
        case .corrupt(_, let message): return "corrupt: \(message)"
        case .tooLarge(_, let detail): return "too large: \(detail)"
        }
    }

    /// One line: `path: reason`.
    public var description: String { "\(path): \(reason)" }
}
