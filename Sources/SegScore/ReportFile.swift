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

    /// Where a streamed report goes: text is buffered and written in large blocks.
    public final class Sink {
        private let handle: FileHandle
        private var buffer: [UInt8] = []
        private(set) var failed = false

        init(handle: FileHandle) {
            self.handle = handle
            buffer.reserveCapacity(1 << 16)
        }

        /// Appends text.
        public func write(_ text: String) {
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= 1 << 16 { flush() }
        }

        /// Writes UTF-8 bytes as they are.
        public func write(bytes: [UInt8]) {
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 16 { flush() }
        }

        func flush() {
            guard !buffer.isEmpty else { return }
            do {
                try handle.write(contentsOf: buffer)
            } catch {
                failed = true
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Streams a report to `path` atomically (temporary file, then rename), or to stdout for `-`:
    /// memory stays flat however many images the report lists. A path that is a device or FIFO
    /// (`/dev/null`, `/dev/stdout`) is written in place, never replaced.
    public static func write(to path: String, _ body: (Sink) -> Void) throws(WriteError) {
        if path == "-" {
            let sink = Sink(handle: FileHandle.standardOutput)
            body(sink)
            sink.flush()
            return
        }
        var status = stat()
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            // A device, FIFO or terminal (`--json /dev/null`, `/dev/stdout`): written in place.
            // Renaming a temporary file over it would replace the device with a regular file.
            guard (status.st_mode & S_IFMT) != S_IFDIR else { throw WriteError(path: path, reason: "is a directory") }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw WriteError(path: path, reason: String(cString: strerror(errno)).lowercased())
            }
            let sink = Sink(handle: handle)
            body(sink)
            sink.flush()
            try? handle.close()
            if sink.failed { throw WriteError(path: path, reason: "write failed") }
            return
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        lock.lock()
        let slot = segscore_interrupt_register(temporary)
        lock.unlock()
        defer {
            lock.lock()
            segscore_interrupt_unregister(slot)
            lock.unlock()
        }
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw WriteError(path: path, reason: String(cString: strerror(errno)).lowercased())
        }
        let sink = Sink(handle: handle)
        body(sink)
        sink.flush()
        try? handle.close()
        if sink.failed {
            unlink(temporary)
            throw WriteError(path: path, reason: "write failed (disk full?)")
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno)).lowercased()
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    /// Writes `text` to `path` atomically, or to stdout when `path` is `-`.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(to: path) { $0.write(text) }
    }

    /// On SIGINT or SIGTERM: remove temporary report files, leave earlier reports intact, and exit
    /// with 128 + the signal number (a plain sigaction handler, see CInterrupt).
    public static func installInterruptCleanup() {
        segscore_interrupt_install()
    }
}
