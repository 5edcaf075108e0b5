import CInterrupt
import Foundation
import Parallel

#if canImport(Glibc)
    import Glibc
#endif

/// Writes report files so that a reader never sees half a file, and the reports of one run are
/// replaced together or not at all: each text goes to a temporary file beside its target, and the
/// temporaries are renamed over the targets only once every report is complete (`Batch`).
/// `-` means standard output. Every write and every close is checked.
public enum ReportFile {
    /// Why a report could not be written.
    public struct WriteError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The destination as the user named it (`stdout` for `-`).
        public var path: String
        /// Why, in a few lowercase words (for system errors, the system's message).
        public var reason: String
        /// One line: `path: cannot write: reason`.
        public var description: String { "\(path): cannot write: \(reason)" }

        /// An error for `path` whose reason is already in words.
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        init(path: String, errorNumber: Int32) {
            self.init(path: path, reason: ReportFile.reason(errorNumber))
        }
    }

    /// Two outputs of one run that name the same file (or both standard output).
    public struct Conflict: Error, Equatable, Sendable, CustomStringConvertible {
        /// Each output as `option path`, e.g. `--json r.json`.
        public var first: String
        /// The other output, in the same form.
        public var second: String
        /// One line naming both outputs and asking for a path each.
        public var description: String { "\(first) and \(second) are the same file: give each report its own path" }
    }

    /// Serialises slot bookkeeping of the interrupt table.
    private static let interruptTable = Locked(())

    /// Where a streamed report goes: text is buffered and written in large blocks. After the first
    /// failed write the rest is dropped and the error kept.
    public final class Sink {
        private let descriptor: Int32
        private var buffer: [UInt8] = []
        /// The errno of the first failed write, 0 while all succeeded.
        private(set) var errorNumber: Int32 = 0

        init(descriptor: Int32) {
            self.descriptor = descriptor
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
            if errorNumber == 0 && !buffer.isEmpty {
                errorNumber = buffer.withUnsafeBytes { ReportFile.writeAll(descriptor, $0) }
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// The reports of one run: each is written completely (to a temporary file beside its target,
    /// or in place for stdout, devices and FIFOs), then `commit` renames them all, or `discard`
    /// removes the temporaries and leaves every earlier report as it was. Safe to use from several
    /// threads (one report per thread at a time).
    public final class Batch: Sendable {
        /// The staged reports and the number of temporaries made so far.
        private let books = Locked((staged: [(temporary: String, target: String, slot: Int32)](), counter: 0))

        /// An empty batch: nothing staged yet.
        public init() {}

        /// Writes one report. A regular file (or a new one) goes to a temporary beside it, renamed by
        /// `commit`; `-` (standard output), devices and FIFOs (`/dev/null`) are written in place now.
        /// - Throws: `WriteError` naming `path` (`stdout` for `-`); nothing of this report is left
        ///   behind then.
        public func write(to path: String, _ body: (Sink) -> Void) throws(WriteError) {
            if path == "-" {
                let sink = Sink(descriptor: 1)
                body(sink)
                sink.flush()
                if sink.errorNumber != 0 { throw WriteError(path: "stdout", errorNumber: sink.errorNumber) }
                return
            }
            var status = stat()
            if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
                // A device, FIFO or terminal (`--json /dev/null`, `/dev/stdout`): written in place.
                // Renaming a temporary file over it would replace the device with a regular file.
                guard (status.st_mode & S_IFMT) != S_IFDIR else { throw WriteError(path: path, reason: "is a directory") }
                let descriptor = open(path, O_WRONLY | O_CLOEXEC)
                let opened = descriptor >= 0 ? 0 : errno
                guard opened == 0 else { throw WriteError(path: path, errorNumber: opened) }
                let sink = Sink(descriptor: descriptor)
                body(sink)
                sink.flush()
                let closed = close(descriptor) == 0 ? 0 : errno
                if sink.errorNumber != 0 { throw WriteError(path: path, errorNumber: sink.errorNumber) }
                if closed != 0 { throw WriteError(path: path, errorNumber: closed) }
                return
            }
            let url = URL(fileURLWithPath: path)
            let number = books.withLock {
                $0.counter += 1
                return $0.counter
            }
            let temporary = url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(number)"
            let slot = ReportFile.interruptTable.withLock { _ in segscore_interrupt_register(temporary) }
            func forget() {
                ReportFile.interruptTable.withLock { _ in segscore_interrupt_unregister(slot) }
            }
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o666)
            let opened = descriptor >= 0 ? 0 : errno
            guard opened == 0 else {
                forget()
                throw WriteError(path: path, errorNumber: opened)
            }
            let sink = Sink(descriptor: descriptor)
            body(sink)
            sink.flush()
            let closed = close(descriptor) == 0 ? 0 : errno
            if sink.errorNumber != 0 || closed != 0 {
                unlink(temporary)
                forget()
                throw WriteError(path: path, errorNumber: sink.errorNumber != 0 ? sink.errorNumber : closed)
            }
            books.withLock { $0.staged.append((temporary, path, slot)) }
        }

        /// Renames every written temporary over its target. An interrupt (SIGINT, SIGTERM, …)
        /// arriving meanwhile takes effect once all are renamed.
        /// - Throws: `WriteError` for the first rename that failed; the temporaries not yet renamed
        ///   are removed.
        public func commit() throws(WriteError) {
            let entries = books.withLock { books in
                defer { books.staged.removeAll() }
                return books.staged
            }
            var failure: WriteError?
            segscore_interrupt_hold()
            for entry in entries {
                if failure == nil {
                    let renamed = rename(entry.temporary, entry.target) == 0 ? 0 : errno
                    if renamed != 0 { failure = WriteError(path: entry.target, errorNumber: renamed) }
                }
                if failure != nil { unlink(entry.temporary) }
            }
            ReportFile.interruptTable.withLock { _ in
                for entry in entries { segscore_interrupt_unregister(entry.slot) }
            }
            segscore_interrupt_release()
            if let failure { throw failure }
        }

        /// Removes every written temporary; the targets keep their earlier contents.
        public func discard() {
            let entries = books.withLock { books in
                defer { books.staged.removeAll() }
                return books.staged
            }
            for entry in entries { unlink(entry.temporary) }
            ReportFile.interruptTable.withLock { _ in
                for entry in entries { segscore_interrupt_unregister(entry.slot) }
            }
        }

        deinit { discard() }
    }

    /// Streams one report to `path` atomically (temporary file, then rename), or to stdout for `-`:
    /// memory stays flat however many images the report lists. A path that is a device or FIFO
    /// (`/dev/null`, `/dev/stdout`) is written in place, never replaced.
    public static func write(to path: String, _ body: (Sink) -> Void) throws(WriteError) {
        let batch = Batch()
        try batch.write(to: path, body)
        try batch.commit()
    }

    /// Writes `text` to `path` atomically, or to stdout when `path` is `-`.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(to: path) { $0.write(text) }
    }

    /// Writes `text` to standard output, checking every write.
    /// - Throws: `WriteError` for `stdout` (a full disk, a closed pipe).
    public static func writeStandardOutput(_ text: String) throws(WriteError) {
        var text = text
        let failure = text.withUTF8 { writeAll(1, UnsafeRawBufferPointer($0)) }
        if failure != 0 { throw WriteError(path: "stdout", errorNumber: failure) }
    }

    /// Appends `text` to the file at `path` (created when missing), as a GitHub job summary is
    /// written. When the append fails, a regular file is cut back to its earlier length.
    /// - Parameter name: how the destination is named in the error (e.g. `GITHUB_STEP_SUMMARY path`).
    public static func append(_ text: String, to path: String, name: String) throws(WriteError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        let opened = descriptor >= 0 ? 0 : errno
        guard opened == 0 else { throw WriteError(path: name, errorNumber: opened) }
        var status = stat()
        let earlier: off_t? = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? status.st_size : nil
        var text = text
        let failure = text.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
        if failure != 0, let earlier { _ = ftruncate(descriptor, earlier) }
        let closed = close(descriptor) == 0 ? 0 : errno
        if failure != 0 { throw WriteError(path: name, errorNumber: failure) }
        if closed != 0 { throw WriteError(path: name, errorNumber: closed) }
    }

    /// Checks, before any work, that a report can be put at `path`: its folder exists and is
    /// writable, and the path is not a folder. Standard output, devices and FIFOs pass.
    /// - Parameter name: how the destination is named in the error (the path itself by default).
    public static func checkDestination(_ path: String, name: String? = nil) throws(WriteError) {
        guard path != "-" else { return }
        let label = name ?? path
        var status = stat()
        if stat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR { throw WriteError(path: label, reason: "is a directory") }
            if (status.st_mode & S_IFMT) != S_IFREG { return }
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // errno is read right after the failing call: building a message allocates, and an
        // allocation may change errno.
        let found = stat(folder, &status) == 0 ? 0 : errno
        guard found == 0 else {
            throw WriteError(
                path: label, reason: found == ENOENT ? "folder \(folder) does not exist" : "\(folder): \(reason(found))")
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw WriteError(path: label, reason: "\(folder) is not a folder") }
        let writable = access(folder, W_OK) == 0 ? 0 : errno
        guard writable == 0 else { throw WriteError(path: label, reason: "folder \(folder): \(reason(writable))") }
    }

    /// Refuses two outputs that would write the same file: the same path spelled twice, `./r` and
    /// `r`, a symbolic link and its target, two `-`, or `-` and `/dev/stdout`. The null device may
    /// take any number of outputs.
    /// - Parameter outputs: each output's name (`--json`) and path, in the order given.
    /// - Throws: `Conflict` for the first pair found.
    public static func checkDistinct(_ outputs: [(name: String, path: String)]) throws(Conflict) {
        var seen: [Identity: String] = [:]
        var standardOutput: String?
        for (name, path) in outputs {
            let label = "\(name) \(path)"
            if path == "-" {
                if let earlier = standardOutput { throw Conflict(first: earlier, second: label) }
                standardOutput = label
            }
            let identity = Identity(path)
            if identity == .nullDevice { continue }
            if let earlier = seen[identity] { throw Conflict(first: earlier, second: label) }
            seen[identity] = label
        }
    }

    /// What a path writes to: an existing file or device by device and inode, a file still to be
    /// made by its resolved absolute path.
    enum Identity: Hashable {
        case nullDevice
        case file(device: UInt64, inode: UInt64)
        case name(String)

        init(_ path: String) {
            var status = stat()
            let found = path == "-" ? fstat(1, &status) == 0 : stat(path, &status) == 0
            guard found else {
                self = .name(Self.resolvedName(path))
                return
            }
            var null = stat()
            if (status.st_mode & S_IFMT) == S_IFCHR && stat("/dev/null", &null) == 0 && null.st_rdev == status.st_rdev {
                self = .nullDevice
            } else {
                self = .file(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
            }
        }

        /// The absolute path a file that does not exist yet will have: dangling symbolic links
        /// followed (at most 40), the folder resolved by `realpath`.
        static func resolvedName(_ path: String) -> String {
            var current = URL(fileURLWithPath: path).path
            for _ in 0..<40 {
                var status = stat()
                guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK,
                    let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current)
                else { break }
                current =
                    target.hasPrefix("/")
                    ? target : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).path
            }
            let url = URL(fileURLWithPath: current)
            let folder = url.deletingLastPathComponent().path
            guard let resolved = realpath(folder, nil) else { return url.standardized.path }
            defer { free(resolved) }
            let base = String(cString: resolved)
            return (base == "/" ? "" : base) + "/" + url.lastPathComponent
        }
    }

    /// Writes every byte, retrying after a short write, EINTR or EAGAIN. Returns 0 or the errno.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        writeEveryByte(descriptor, bytes)
    }

    /// `strerror` in lower case: "no space left on device".
    static func reason(_ errorNumber: Int32) -> String {
        String(cString: strerror(errorNumber)).lowercased()
    }

    /// On SIGINT, SIGTERM, SIGHUP or SIGPIPE (stdout closed by its reader): remove temporary report
    /// files, leave earlier reports intact, and die of the signal (default disposition restored
    /// and the signal re-raised, so a shell sees death by signal, $? = 128 + n; see CInterrupt).
    public static func installInterruptCleanup() {
        segscore_interrupt_install()
    }
}

/// Writes every byte, retrying after a short write, EINTR or EAGAIN. Returns 0 or the errno.
private func writeEveryByte(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard let base = bytes.baseAddress else { return 0 }
    var offset = 0
    while offset < bytes.count {
        let written = write(descriptor, base + offset, bytes.count - offset)
        let failure = written < 0 ? errno : 0
        if written > 0 {
            offset += written
        } else if failure == EINTR {
            continue
        } else if failure == EAGAIN || failure == EWOULDBLOCK {
            // A non-blocking descriptor (shared with the parent): wait until it takes more.
            var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            _ = poll(&request, 1, -1)
        } else {
            return written < 0 ? failure : EIO
        }
    }
    return 0
}
