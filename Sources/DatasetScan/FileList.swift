/// Joins a root folder and a relative path the way the walk builds paths.
@inline(__always)
func joinedPath(_ root: String, _ relative: String) -> String {
    if root.isEmpty { return relative }
    return root.hasSuffix("/") ? root + relative : root + "/" + relative
}

/// -1, 0 or 1: the byte order of two byte strings (the order of `LC_ALL=C ls`).
@inline(__always)
func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let n = Swift.min(a.count, b.count)
    for k in 0..<n where a[k] != b[k] { return a[k] < b[k] ? -1 : 1 }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// Non-decreasing offsets (ends of packed records) in 4 bytes each.
///
/// Each offset keeps its low 32 bits; `wraps` lists the entries where the high part grows, so
/// offsets past 4 GiB stay exact (as long as one record is shorter than 4 GiB).
package struct CompactOffsets: Sendable, Equatable {
    private var low: [UInt32] = []
    /// Entry positions where the offset passed another multiple of 2^32.
    private var wraps: [Int] = []
    private var last = 0

    package init() {}

    package var count: Int { low.count }

    package mutating func reserveCapacity(_ count: Int) { low.reserveCapacity(count) }

    /// Appends an offset no smaller than the last one.
    package mutating func append(_ offset: Int) {
        precondition(offset >= last && offset - last < 1 << 32, "offsets must grow by less than 4 GiB a step")
        for _ in 0..<((offset >> 32) - (last >> 32)) { wraps.append(low.count) }
        low.append(UInt32(truncatingIfNeeded: offset))
        last = offset
    }

    package subscript(index: Int) -> Int {
        var high = 0
        for wrap in wraps where wrap <= index { high += 1 }
        return high << 32 | Int(low[index])
    }
}

/// A packed list of byte strings: every string in one buffer, 4 bytes of offset each.
///
/// A folder listing holds one of these instead of one `String` object per file, so it costs the
/// bytes of the names plus 4 bytes per file, however many files a dataset has.
struct PackedStrings: Sendable, Equatable {
    private var bytes: [UInt8] = []
    /// Where each entry ends in `bytes`.
    private var ends = CompactOffsets()

    var count: Int { ends.count }

    mutating func reserve(entries: Int, bytes total: Int) {
        ends.reserveCapacity(entries)
        bytes.reserveCapacity(total)
    }

    mutating func append(utf8: some Collection<UInt8>) {
        bytes.append(contentsOf: utf8)
        ends.append(bytes.count)
    }

    /// The byte range of entry i.
    func range(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// Calls `body` with the bytes of entry i, without copying them.
    func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let range = range(index)
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    subscript(index: Int) -> String {
        withBytes(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Appends every entry of another list (amortised growth: a walk appends one list per folder,
    /// and reserving the exact size each time would copy everything again per folder).
    mutating func append(contentsOf other: PackedStrings) {
        for index in 0..<other.count { other.withBytes(index) { append(utf8: $0) } }
    }

    /// The same entries in the order given by `permutation`.
    func reordered(_ permutation: [Int32]) -> PackedStrings {
        var result = PackedStrings()
        result.reserve(entries: permutation.count, bytes: bytes.count)
        for index in permutation { withBytes(Int(index)) { result.append(utf8: $0) } }
        return result
    }
}

/// The mask files found under one root folder, in a compact form: the root once, every relative
/// path packed into one buffer. A collection of `MaskFile` values built on access.
///
/// Files are kept in the order they were added; `DirectoryWalk` sorts them by the bytes of their
/// relative paths (the order of `LC_ALL=C ls`), which is the same as `String` order for ASCII names.
public struct FileList: RandomAccessCollection, Sendable, Equatable {
    /// The folder the relative paths start from.
    public let root: String
    private var names = PackedStrings()

    /// An empty list under `root`.
    public init(root: String) {
        self.root = root
    }

    /// A list of the given relative paths under `root`, in the given order.
    public init(root: String, relativePaths: [String]) {
        self.root = root
        for path in relativePaths { names.append(utf8: path.utf8) }
    }

    /// The first file's position: 0.
    public var startIndex: Int { 0 }
    /// The number of files.
    public var endIndex: Int { names.count }

    /// The file at `position`: its relative path, and that path joined to `root`.
    public subscript(position: Int) -> MaskFile {
        let relative = names[position]
        return MaskFile(path: joinedPath(root, relative), relativePath: relative)
    }

    /// Calls `body` with the UTF-8 bytes of file `position`'s relative path (no copy).
    func relativePathBytes<R>(at position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        names.withBytes(position, body)
    }

    /// Adds a file by its path below the root.
    public mutating func append(relativePath: String) { names.append(utf8: relativePath.utf8) }

    /// Adds every file of another list under the same root; the first list added is taken over
    /// as it is, without a copy.
    mutating func append(contentsOf other: FileList) {
        precondition(other.root == root, "lists under different roots")
        if names.count == 0 {
            names = other.names
        } else {
            names.append(contentsOf: other.names)
        }
    }

    /// The files sorted by the bytes of their relative paths.
    public func sorted() -> FileList {
        var result = FileList(root: root)
        func precedes(_ a: Int, _ b: Int) -> Bool { names.withBytes(a) { x in names.withBytes(b) { compareBytes(x, $0) < 0 } } }
        if indices.dropFirst().allSatisfy({ precedes($0 - 1, $0) }) { return self }
        var order = [Int32]()
        order.reserveCapacity(count)
        for index in indices { order.append(Int32(index)) }
        order.sort { precedes(Int($0), Int($1)) }
        result.names = names.reordered(order)
        return result
    }
}
