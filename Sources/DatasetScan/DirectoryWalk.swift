import Dispatch
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

    /// A file at `path`, which is `relativePath` joined to the walk's root.
    public init(path: String, relativePath: String) {
        self.path = path
        self.relativePath = relativePath
    }

    /// Orders files by relative path (Swift `String` order).
    public static func < (lhs: MaskFile, rhs: MaskFile) -> Bool { lhs.relativePath < rhs.relativePath }
}

/// What a walk found that is not a mask, or could not be read.
public struct ScanIssue: Sendable, Hashable, CustomStringConvertible {
    /// What kind of issue it is; the raw value is the words the report prints after the path.
    public enum Kind: String, Sendable {
        /// A folder that could not be examined or listed (permissions, a path too long, I/O error).
        case unreadableFolder = "unreadable folder"
        /// An entry that could not be examined (its type is unknown): it may hide masks.
        case unreadableEntry = "cannot be examined"
        /// A file in an image or volume format segscore does not read (JPEG, NIfTI, NumPy, …).
        case unsupportedImage = "image format segscore does not read"
        /// A file or folder name that is not valid UTF-8; it is not paired.
        case badName = "name is not UTF-8"
        /// A symbolic link to a folder on the path being walked (an ancestor); not followed.
        case linkLoop = "symbolic-link loop"
        /// A dangling symbolic link.
        case brokenLink = "broken symbolic link"
    }

    /// What went wrong.
    public var kind: Kind
    /// The file or folder concerned, as the walk reached it (below the root).
    public var path: String
    /// More words after the kind (e.g. the system's reason, lowercased); empty when there are none.
    public var detail: String

    /// One line: `path: kind`, then `: detail` when there is one.
    public var description: String { "\(path): \(kind.rawValue)\(detail.isEmpty ? "" : ": \(detail)")" }
}

/// Why a scan could not start.
public enum ScanError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAFolder(path: String)
    case unreadable(path: String, reason: String)
    case badKeyPattern(pattern: String, reason: String)

    /// One line naming the folder (or the `--key-regex` pattern) and the reason.
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
    /// Folders left unwalked because they lie below the walk's `maxDepth`.
    public var foldersBelowDepth = 0
}

/// Walks a folder tree and lists its mask files.
///
/// Hidden entries (names starting with `.`) are skipped. Symbolic links are followed: a link to a
/// folder on the path being walked (an ancestor, the root included) is a loop, reported and not
/// followed; any other folder is walked however many links lead to it (two links to one folder
/// list its files twice, under each link's path). An entry that cannot be examined (a path too
/// long, no permission) is reported, never skipped. Subfolders are walked in parallel with
/// Dispatch; the result is sorted, so it never depends on thread timing. A file is a mask when its
/// extension is `.png`, `.tif`, `.tiff`, `.nii` or `.nii.gz` (then a bad file is reported when
/// decoded, never dropped), or when its first bytes are a PNG or TIFF signature or an uncompressed
/// NIfTI header whatever its name (a gzip file counts by its name only: gzip holds anything). A file in an
/// image or volume format segscore does not read (by its extension, or by its first bytes) is
/// reported; other files (JSON, text, CSV, …) are counted as ignored.
public enum DirectoryWalk {
    static let maskExtensions: Set<String> = ["png", "tif", "tiff", "nii"]

    /// Image and volume formats segscore does not read: such a file beside masks is a data
    /// problem, not an ignored file (lower case, without the dot).
    static let unreadableImageExtensions: Set<String> = [
        // Photographs and web images.
        "jpg", "jpeg", "jpe", "jfif", "bmp", "dib", "gif", "webp", "avif", "heic", "heif", "ico",
        "jp2", "j2k", "jpx", "jpf", "jxl", "tga", "pbm", "pgm", "ppm", "pnm", "pfm", "exr", "hdr", "psd",
        // Arrays and medical volumes.
        "npy", "npz", "mha", "mhd", "nrrd", "nhdr", "dcm", "dicom", "mgz", "mgh", "mnc",
    ]

    /// Compression suffixes that make `x.nii.gz` or `x.png.gz` an image segscore cannot read.
    static let compressionExtensions: Set<String> = ["gz", "bz2", "xz", "zst"]

    /// Lists the mask files under `root`.
    /// - Parameter maxDepth: how many levels of folders to list: 1 lists the files directly in
    ///   `root` and no subfolder; nil lists every level. Folders below it are counted, not opened.
    /// - Throws: `ScanError` when `root` is not a readable folder.
    public static func list(root: String, maxDepth: Int? = nil) throws(ScanError) -> FolderListing {
        var status = stat()
        let found = stat(root, &status) == 0 ? 0 : errno
        guard found == 0 else { throw .unreadable(path: root, reason: String(cString: strerror(found)).lowercased()) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .notAFolder(path: root) }
        let state = WalkState(root: root, maxDepth: maxDepth)
        walk(folder: root, relative: "", ancestors: [FolderID(status)], state: state)
        return state.listing()
    }

    /// Lists two trees at once, each to `maxDepth` levels (nil: every level).
    public static func list(_ first: String, _ second: String, maxDepth: Int? = nil) -> (
        Result<FolderListing, ScanError>, Result<FolderListing, ScanError>
    ) {
        let roots = [first, second]
        let both = Parallel.map(count: 2, jobs: 2) { index in
            Result { () throws(ScanError) in try list(root: roots[index], maxDepth: maxDepth) }
        }
        return (both[0], both[1])
    }

    /// Lists `folder`, then walks its subfolders.
    /// - Parameter ancestors: the folders from the root down to `folder`, itself included: a link
    ///   to one of them is a loop.
    private static func walk(folder: String, relative: String, ancestors: [FolderID], state: WalkState) {
        let opened = opendir(folder)
        let failure = opened == nil ? errno : 0
        guard let directory = opened else {
            state.add(
                issue: ScanIssue(kind: .unreadableFolder, path: folder, detail: String(cString: strerror(failure)).lowercased()))
            return
        }
        var subfolders: [(path: String, relative: String, id: FolderID)] = []
        var files = FileList(root: state.root)  // packed as they are read: no object per name
        var ignored = 0
        while let entry = readdir(directory) {
            // A dirent is only d_reclen bytes long: read the name up to its NUL through a pointer,
            // never by copying the whole d_name array (that reads past the record).
            guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else {
                preconditionFailure("dirent.d_name is a stored field, so it has an offset")
            }
            let namePointer = (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: UInt8.self)
            let name = Array(
                UnsafeBufferPointer(
                    start: namePointer, count: strlen(UnsafeRawPointer(namePointer).assumingMemoryBound(to: CChar.self))))
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
                let code = errno
                let reason = String(cString: strerror(code)).lowercased()
                let missing = code == ENOENT
                var linkStatus = stat()
                if lstat(path, &linkStatus) == 0 && (linkStatus.st_mode & S_IFMT) == S_IFLNK {
                    state.add(issue: ScanIssue(kind: .brokenLink, path: path, detail: missing ? "" : reason))
                } else if isMaskName(text) {
                    // Unreadable entries that look like masks are still listed: decoding names the reason.
                    files.append(relativePath: child)
                } else {
                    // Never skipped: a folder that cannot be examined may hold masks.
                    let isFolder = entry.pointee.d_type == UInt8(DT_DIR)
                    state.add(issue: ScanIssue(kind: isFolder ? .unreadableFolder : .unreadableEntry, path: path, detail: reason))
                }
                continue
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR where isMaskName(text):
                // A folder named like a mask is listed, not walked: decoding reports "is a directory".
                files.append(relativePath: child)
            case S_IFDIR:
                let id = FolderID(status)
                if ancestors.contains(id) {
                    state.add(issue: ScanIssue(kind: .linkLoop, path: path, detail: "leads back to a folder above it"))
                } else {
                    subfolders.append((path, child, id))
                }
            case S_IFREG:
                if isMaskName(text) {
                    files.append(relativePath: child)
                    break
                }
                // The bytes decide first: a PNG named `x.jpg` is a mask.
                let content = contentKind(path)
                if content == .mask {
                    files.append(relativePath: child)
                } else if let suffix = unreadableImageSuffix(of: text) {
                    state.add(
                        issue: ScanIssue(kind: .unsupportedImage, path: path, detail: "\(suffix) (masks are PNG, TIFF or NIfTI)"))
                } else if case .image(let format) = content {
                    state.add(
                        issue: ScanIssue(
                            kind: .unsupportedImage, path: path, detail: "\(format) data (masks are PNG, TIFF or NIfTI)"))
                } else {
                    ignored += 1
                }
            default:
                // FIFOs, sockets, devices: listed when named like masks (decoding refuses them), never opened here.
                if isMaskName(text) {
                    files.append(relativePath: child)
                } else if let suffix = unreadableImageSuffix(of: text) {
                    state.add(
                        issue: ScanIssue(kind: .unsupportedImage, path: path, detail: "\(suffix) (masks are PNG, TIFF or NIfTI)"))
                } else {
                    ignored += 1
                }
            }
        }
        closedir(directory)
        state.add(files: files, ignored: ignored)
        if let maxDepth = state.maxDepth, ancestors.count >= maxDepth {
            state.add(foldersBelowDepth: subfolders.count)
            return
        }
        if subfolders.count == 1 {
            walk(
                folder: subfolders[0].path, relative: subfolders[0].relative, ancestors: ancestors + [subfolders[0].id],
                state: state)
        } else if subfolders.count > 1 {
            let work = subfolders
            Parallel.forEach(count: work.count, jobs: work.count) { index in
                walk(
                    folder: work[index].path, relative: work[index].relative, ancestors: ancestors + [work[index].id],
                    state: state)
            }
        }
    }

    static func isMaskName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        let last = name[name.index(after: dot)...].lowercased()
        if last == "gz" { return name.lowercased().hasSuffix(".nii.gz") && name.count > 7 }
        return maskExtensions.contains(last)
    }

    /// The image suffix of a name segscore cannot read (`.jpg`, `.nii.gz`, `.png.gz`, as spelled in
    /// the name), or nil.
    package static func unreadableImageSuffix(of name: String) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        let last = parts[parts.count - 1].lowercased()
        if unreadableImageExtensions.contains(last) { return "." + parts[parts.count - 1] }
        if compressionExtensions.contains(last) && parts.count >= 3 {
            let inner = parts[parts.count - 2].lowercased()
            if inner == "nii" && last == "gz" { return nil }  // NIfTI: a mask
            if unreadableImageExtensions.contains(inner) || maskExtensions.contains(inner) {
                return "." + parts[parts.count - 2] + "." + parts[parts.count - 1]
            }
        }
        return nil
    }

    /// What a file's first bytes say it is.
    package enum ContentKind: Equatable {
        /// A PNG or TIFF signature.
        case mask
        /// An image or volume format segscore does not read, by name (`JPEG`).
        case image(String)
        /// Anything else (text, JSON, unknown, unreadable).
        case other
    }

    /// Recognises a file from its first 132 bytes.
    static func contentKind(_ path: String) -> ContentKind {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .other }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: 132)
        var filled = 0
        while filled < head.count {
            var failure: Int32 = 0
            let count = head.withUnsafeMutableBytes {
                let count = read(descriptor, $0.baseAddress?.advanced(by: filled), $0.count - filled)
                failure = count < 0 ? errno : 0
                return count
            }
            if failure == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        return contentKind(head: Array(head.prefix(filled)))
    }

    /// Recognises a file from its first bytes (132 are enough).
    package static func contentKind(head: [UInt8]) -> ContentKind {
        if head.isEmpty { return .other }
        if MaskSignature.isMask(head) { return .mask }
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + bytes.count && Array(head[offset..<(offset + bytes.count)]) == bytes
        }
        func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
        if starts([0xFF, 0xD8, 0xFF]) { return .image("JPEG") }
        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) { return .image("GIF") }
        if starts(ascii("RIFF")) && starts(ascii("WEBP"), at: 8) { return .image("WebP") }
        if starts([0x93] + ascii("NUMPY")) { return .image("NumPy") }
        if starts([0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]) || starts([0xFF, 0x4F, 0xFF, 0x51]) {
            return .image("JPEG 2000")
        }
        if starts([0, 0, 0, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A]) || starts([0xFF, 0x0A]) {
            return .image("JPEG XL")
        }
        if starts(ascii("NRRD000")) { return .image("NRRD") }
        if starts(ascii("DICM"), at: 128) { return .image("DICOM") }
        // BMP: "BM", the file size, then four reserved bytes that are zero.
        if starts(ascii("BM")) && head.count >= 14 && head[6..<10].allSatisfy({ $0 == 0 }) { return .image("BMP") }
        return .other
    }
}

/// A folder's identity: device and inode, the same through any link.
struct FolderID: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}

/// Shared state of one walk: its results, behind one lock.
private final class WalkState: Sendable {
    private struct Content {
        var files: FileList
        var ignored = 0
        var issues: [ScanIssue] = []
        var foldersBelowDepth = 0
    }

    private let content: Locked<Content>

    let root: String
    /// Levels of folders to list (1: the root alone); nil: every level.
    let maxDepth: Int?

    init(root: String, maxDepth: Int?) {
        self.root = root
        self.maxDepth = maxDepth
        content = Locked(Content(files: FileList(root: root)))
    }

    func add(foldersBelowDepth count: Int) {
        content.withLock { $0.foldersBelowDepth += count }
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
                issues: $0.issues.sorted { ($0.path, $0.kind.rawValue) < ($1.path, $1.kind.rawValue) },
                foldersBelowDepth: $0.foldersBelowDepth)
        }
    }
}
