import Dispatch
import MaskIO
import Parallel

#if canImport(Glibc)
import Glibc
#endif

/// A mask file found under a root folder.
public struct MaskFile: Sendable, Hashable, Comparable {
    /// The path to open: the root joined with `relativePath`.
    public var path: String
    /// The path below the root, with `/` separators.
    public var relativePath: String

    public init(path: String, relativePath: String) {
        self.path = path
        self.relativePath = relativePath
    }

    public static func < (lhs: MaskFile, rhs: MaskFile) -> Bool { lhs.relativePath < rhs.relativePath }
}

/// What a walk found that is not a mask, or could not be read.
public struct ScanIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A folder that could not be listed (permissions, I/O error).
        case unreadableFolder = "unreadable folder"
        /// A file or folder name that is not valid UTF-8; it is not paired.
        case badName = "name is not UTF-8"
        /// A symbolic link leading back to a folder already walked; not followed again.
        case linkLoop = "symbolic-link loop"
        /// A dangling symbolic link.
        case brokenLink = "broken symbolic link"
    }

    public var kind: Kind
    public var path: String
    public var detail: String

    public var description: String { "\(path): \(kind.rawValue)\(detail.isEmpty ? "" : ": \(detail)")" }
}

/// Why a scan could not start.
public enum ScanError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAFolder(path: String)
    case unreadable(path: String, reason: String)
    case badKeyPattern(pattern: String, reason: String)

    public var description: String {
        switch self {
        case .notAFolder(let path): return "\(path): not a folder"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .badKeyPattern(let pattern, let reason): return "--key-regex '\(pattern)': \(reason)"
        }
    }
}

/// The result of walking one tree.
public struct FolderListing: Sendable {
    /// Mask files, sorted by relative path.
    public var files: FileList
    /// Files that are neither named nor shaped like masks (README, JSON, …): counted, not paired.
    public var ignoredCount: Int
    /// Problems met on the way.
    public var issues: [ScanIssue]
}

/// Walks a folder tree and lists its mask files.
///
/// Hidden entries (names starting with `.`) are skipped. Symbolic links are followed; a folder
/// reached twice (a link loop, or two links to one folder) is walked once. Subfolders are walked in
/// parallel with Dispatch; the result is sorted, so it never depends on thread timing. A file is a
/// mask when its extension is `.png`, `.tif` or `.tiff` (then a bad file is reported when decoded,
/// never dropped), or when its first bytes are a PNG or TIFF signature whatever its name.
public enum DirectoryWalk {
    static let maskExtensions: Set<String> = ["png", "tif", "tiff"]

    /// Lists the mask files under `root`.
    /// - Throws: `ScanError` when `root` is not a readable folder.
    public static func list(root: String) throws(ScanError) -> FolderListing {
        var status = stat()
        guard stat(root, &status) == 0 else {
            throw .unreadable(path: root, reason: String(cString: strerror(errno)).lowercased())
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .notAFolder(path: root) }
        let state = WalkState(root: root)
        state.markVisited(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        walk(folder: root, relative: "", state: state)
        return state.listing()
    }

    /// Lists two trees at once.
    public static func list(_ first: String, _ second: String) -> (Result<FolderListing, ScanError>, Result<FolderListing, ScanError>) {
        let roots = [first, second]
        let both = Parallel.map(count: 2, jobs: 2) { index in
            Result { () throws(ScanError) in try list(root: roots[index]) }
        }
        return (both[0], both[1])
    }

    private static func walk(folder: String, relative: String, state: WalkState) {
        guard let directory = opendir(folder) else {
            state.add(issue: ScanIssue(kind: .unreadableFolder, path: folder, detail: String(cString: strerror(errno)).lowercased()))
            return
        }
        var subfolders: [(String, String)] = []
        var files = FileList(root: state.root)  // packed as they are read: no object per name
        var ignored = 0
        while let entry = readdir(directory) {
            // A dirent is only d_reclen bytes long: read the name up to its NUL through a pointer,
            // never by copying the whole d_name array (that reads past the record).
            let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let namePointer = (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: UInt8.self)
            let name = Array(UnsafeBufferPointer(start: namePointer, count: strlen(UnsafeRawPointer(namePointer).assumingMemoryBound(to: CChar.self))))
            if name.first == UInt8(ascii: ".") { continue }  // ".", "..", hidden
            let display = String(decoding: name, as: UTF8.self)
            guard let text = String(validating: name, as: UTF8.self) else {
                state.add(issue: ScanIssue(kind: .badName, path: folder + "/" + display, detail: "renamed display shown"))
                continue
            }
            let path = folder.hasSuffix("/") ? folder + text : folder + "/" + text
            let child = relative.isEmpty ? text : relative + "/" + text
            var status = stat()
            if stat(path, &status) != 0 {
                var linkStatus = stat()
                if lstat(path, &linkStatus) == 0 && (linkStatus.st_mode & S_IFMT) == S_IFLNK {
                    state.add(issue: ScanIssue(kind: .brokenLink, path: path, detail: ""))
                } else if isMaskName(text) {
                    // Unreadable entries that look like masks are still listed: decoding names the reason.
                    files.append(relativePath: child)
                }
                continue
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR where isMaskName(text):
                // A folder named like a mask is listed, not walked: decoding reports "is a directory".
                files.append(relativePath: child)
            case S_IFDIR:
                if state.markVisited(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)) {
                    subfolders.append((path, child))
                } else {
                    state.add(issue: ScanIssue(kind: .linkLoop, path: path, detail: "folder already walked"))
                }
            case S_IFREG:
                if isMaskName(text) || hasMaskSignature(path) {
                    files.append(relativePath: child)
                } else {
                    ignored += 1
                }
            default:
                // FIFOs, sockets, devices: listed when named like masks (decoding refuses them), never opened here.
                if isMaskName(text) { files.append(relativePath: child) } else { ignored += 1 }
            }
        }
        closedir(directory)
        state.add(files: files, ignored: ignored)
        if subfolders.count == 1 {
            walk(folder: subfolders[0].0, relative: subfolders[0].1, state: state)
        } else if subfolders.count > 1 {
            let work = subfolders
            Parallel.forEach(count: work.count, jobs: work.count) { index in
                walk(folder: work[index].0, relative: work[index].1, state: state)
            }
        }
    }

    static func isMaskName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return maskExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    static func hasMaskSignature(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: 8)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 8) }
        guard count > 0 else { return false }
        return MaskFormat(sniffing: Array(head.prefix(count))) != nil
    }
}

/// Shared state of one walk: results and the set of folders seen, behind one lock.
private final class WalkState: Sendable {
    private struct Content {
        var files: FileList
        var ignored = 0
        var issues: [ScanIssue] = []
        var visited: Set<[UInt64]> = []
    }

    private let content: Locked<Content>

    let root: String

    init(root: String) {
        self.root = root
        content = Locked(Content(files: FileList(root: root)))
    }

    /// Records a folder; false when it was already walked.
    @discardableResult
    func markVisited(device: UInt64, inode: UInt64) -> Bool {
        content.withLock { $0.visited.insert([device, inode]).inserted }
    }

    func add(files: FileList, ignored: Int) {
        content.withLock {
            $0.files.append(contentsOf: files)
            $0.ignored += ignored
        }
    }

    func add(issue: ScanIssue) {
        content.withLock { $0.issues.append(issue) }
    }

    func listing() -> FolderListing {
        content.withLock {
            FolderListing(
                files: $0.files.sorted(), ignoredCount: $0.ignored,
                issues: $0.issues.sorted { ($0.path, $0.kind.rawValue) < ($1.path, $1.kind.rawValue) })
        }
    }
}
