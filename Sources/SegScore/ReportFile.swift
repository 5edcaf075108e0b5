import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes report files so that a reader never sees half a file: the text goes to a temporary
/// file beside the target, which is then renamed over it. `-` means standard output.
public enum ReportFile {
    /// Why a report could not be written.
    public struct WriteError: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// Temporary files in flight, removed by `removeTemporaryFiles()` on SIGINT/SIGTERM.
    nonisolated(unsafe) private static var inFlight: [String] = []
    private static let lock = NSLock()

    /// Writes `text` to `path` atomically, or to stdout when `path` is `-`.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        if path == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        lock.lock()
        inFlight.append(temporary)
        lock.unlock()
        defer {
            lock.lock()
            inFlight.removeAll { $0 == temporary }
            lock.unlock()
        }
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw WriteError(path: path, reason: String(cString: strerror(errno)).lowercased())
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno)).lowercased()
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    /// Removes temporary files left by an interrupted write.
    public static func removeTemporaryFiles() {
        lock.lock()
        let paths = inFlight
        lock.unlock()
        for path in paths { unlink(path) }
    }

    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// On SIGINT or SIGTERM: remove temporary report files, leave earlier reports intact, and exit
    /// with 128 + the signal number. Handled on a dispatch queue, not in signal context.
    public static func installInterruptCleanup() {
        guard signalSources.isEmpty else { return }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                removeTemporaryFiles()
                exit(128 + number)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}
