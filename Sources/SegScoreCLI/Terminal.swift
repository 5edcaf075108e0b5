import ArgumentParser
import Dispatch
import Foundation
import Parallel
import ReportWriters
import SegScore

#if canImport(Glibc)
    import Glibc
#endif

/// Messages on stderr, coloured only for a terminal and only when NO_COLOR is unset.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static var colourOnStderr: Bool {
        stderrIsTerminal && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
    }

    /// Prints `text` as a line on stdout, checking the write.
    /// - Throws: `ReportFile.WriteError` for `stdout` (full disk, closed pipe): exit 2.
    static func output(_ text: String) throws(ReportFile.WriteError) {
        try ReportFile.writeStandardOutput(text + "\n")
    }

    /// Prints `message` as one line on stderr prefixed by `segscore: error:`. Control characters
    /// in it (from file or class names) are shown visibly (`DisplayText.visible`: `\n`,
    /// `\u{1B}`): a name can neither add a line nor drive the terminal.
    /// - Parameter keepingLineBreaks: for ArgumentParser's messages, whose usage text spans lines:
    ///   line breaks are kept, every other control character is shown visibly.
    static func error(_ message: String, keepingLineBreaks: Bool = false) {
        let prefix = colourOnStderr ? "\u{1B}[31msegscore: error:\u{1B}[0m" : "segscore: error:"
        let body = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        writeStderr("\(prefix) \(visible(body, keepingLineBreaks: keepingLineBreaks))\n")
    }

    /// Prints `message` as one line on stderr prefixed by `segscore: warning:`, control
    /// characters shown visibly.
    static func warning(_ message: String) {
        let prefix = colourOnStderr ? "\u{1B}[33msegscore: warning:\u{1B}[0m" : "segscore: warning:"
        writeStderr("\(prefix) \(DisplayText.visible(message))\n")
    }

    /// `text` with control characters shown visibly, line breaks kept when asked.
    static func visible(_ text: String, keepingLineBreaks: Bool) -> String {
        guard keepingLineBreaks else { return DisplayText.visible(text) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { DisplayText.visible(String($0)) }
            .joined(separator: "\n")
    }

    /// True when stderr's terminal understands cursor control (`ESC[K`): TERM is set and not `dumb`.
    static var stderrUnderstandsEscapes: Bool {
        guard let term = getenv("TERM").map({ String(cString: $0) }) else { return false }
        return !term.isEmpty && term != "dumb"
    }

    static func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                guard let base = bytes.baseAddress else { return }
                let n = write(2, base + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                // Nowhere is left to report a failed write on stderr.
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

/// A problem of the command line found after it was parsed (a bad `--smooth` list, an unknown
/// variant): one line on stderr and exit 2, without ArgumentParser's usage text (which only true
/// parse errors keep). What the library finds (a missing folder, an unreadable `--labels` file or
/// baseline) is an `EvaluationSetupError`, printed the same way.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ExitCode {
    /// The ArgumentParser exit code for one of segscore's documented statuses.
    init(status: ExitStatus) { self.init(status.rawValue) }
}

/// Progress on stderr. On a terminal that understands cursor control: done/total, rate and ETA on
/// one line, redrawn at most ten times a second (`\r` + `ESC[K`). Elsewhere (`TERM` unset or
/// `dumb`, e.g. an editor's shell or a CI log): plain lines `  k/N pairs (p%)`, one each time
/// another 10% is done, never an escape code or a carriage return.
final class TerminalProgress: ProgressSink, Sendable {
    private let start = DispatchTime.now()
    private let redraws: Bool
    private let drawing = Locked(Drawing())

    /// What was drawn, under the lock.
    private struct Drawing: Sendable {
        var lastDraw: UInt64 = 0
        var drawn = false
        /// Plain mode: the last 10% step printed.
        var lastStep = 0
    }

    init(redraws: Bool = Terminal.stderrUnderstandsEscapes) {
        self.redraws = redraws
    }

    func update(completed: Int, total: Int) {
        drawing.withLock { drawing in
            guard total > 0 else { return }
            if !redraws {
                let step = completed * 10 / total
                guard step > drawing.lastStep else { return }
                drawing.lastStep = step
                Terminal.writeStderr("  \(completed)/\(total) pairs (\(completed * 100 / total)%)\n")
                return
            }
            let now = DispatchTime.now().uptimeNanoseconds
            guard completed == total || now - drawing.lastDraw > 100_000_000 else { return }
            drawing.lastDraw = now
            let seconds = Double(now - start.uptimeNanoseconds) / 1e9
            let rate = seconds > 0 ? Double(completed) / seconds : 0
            // At most a year: a stalled first pair must not make the estimate overflow an Int.
            let eta = rate > 0 ? min(Double(total - completed) / rate, 31_536_000) : 0
            let line = "  \(completed)/\(total) pairs  \(Int(rate.rounded()))/s  ETA \(Int(eta.rounded()))s"
            Terminal.writeStderr("\r" + line + "\u{1B}[K")
            drawing.drawn = true
        }
    }

    /// Clears the progress line (redrawing mode; plain lines stay).
    func finish() {
        drawing.withLock { drawing in
            if drawing.drawn { Terminal.writeStderr("\r\u{1B}[K") }
            drawing.drawn = false
        }
    }
}
