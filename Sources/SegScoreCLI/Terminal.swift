import ArgumentParser
import SegScore

#if canImport(Glibc)
import Glibc
#endif

/// Messages on stderr, coloured only for a terminal and only when NO_COLOR is unset.
enum Terminal {
    static var colourOnStderr: Bool {
        isatty(2) == 1 && getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true
    }

    /// Prints `text` as a line on stdout.
    static func output(_ text: String) {
        print(text)
    }

    /// Prints `message` on stderr prefixed by `segscore: error:`.
    static func error(_ message: String) {
        let prefix = colourOnStderr ? "\u{1B}[31msegscore: error:\u{1B}[0m" : "segscore: error:"
        let body = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        writeStderr("\(prefix) \(body)\n")
    }

    static func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

extension ExitCode {
    /// The ArgumentParser exit code for one of segscore's documented statuses.
    init(status: ExitStatus) { self.init(status.rawValue) }
}
