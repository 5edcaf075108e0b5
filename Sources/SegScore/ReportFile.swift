import CInterrupt
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

    /// Serialises slot bookkeeping of the interrupt table.
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
        let slot = segscore_interrupt_register(temporary)
        lock.unlock()
        defer {
            lock.lock()
            segscore_interrupt_unregister(slot)
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

    /// On SIGINT or SIGTERM: remove temporary report files, leave earlier reports intact, and exit
    /// with 128 + the signal number (a plain sigaction handler, see CInterrupt).
    public static func installInterruptCleanup() {
        segscore_interrupt_install()
    }
}
