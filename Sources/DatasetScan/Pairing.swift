import Foundation

/// How file names become pairing keys.
public struct KeyRule: Sendable {
    /// Match on the file name alone instead of the relative path.
    public var flat: Bool
    /// Suffixes stripped from ground-truth stems (`_mask`, `_manual1`), the first that matches.
    public var truthSuffixes: [String]
    /// Suffixes stripped from prediction stems (`_pred`).
    public var predictionSuffixes: [String]
    /// Suffixes stripped from region-of-interest stems (`_test_mask`).
    public var roiSuffixes: [String]
    /// A pattern whose named group `key` takes the key from the stem (after suffix stripping).
    public var keyPattern: String?

    /// A rule; by default a key is the relative path without extension, with no suffix stripped and no pattern.
    public init(
        flat: Bool = false, truthSuffixes: [String] = [], predictionSuffixes: [String] = [], roiSuffixes: [String] = [],
        keyPattern: String? = nil
    ) {
        self.flat = flat
        self.truthSuffixes = truthSuffixes
        self.predictionSuffixes = predictionSuffixes
        self.roiSuffixes = roiSuffixes
        self.keyPattern = keyPattern
    }

    /// Checks the pattern once, before any file is looked at.
    /// - Throws: `ScanError.badKeyPattern` when it does not compile or has no `key` group.
    public func validated() throws(ScanError) -> CompiledKeyRule {
        var regex: NSRegularExpression?
        if let keyPattern {
            do {
                regex = try NSRegularExpression(pattern: keyPattern)
            } catch {
                throw .badKeyPattern(pattern: keyPattern, reason: "does not compile")
            }
            guard keyPattern.contains("(?<key>") else {
                throw .badKeyPattern(pattern: keyPattern, reason: "needs a named group (?<key>…)")
            }
        }
        return CompiledKeyRule(rule: self, regex: regex)
    }
}

/// Which folder a file comes from: each has its own suffixes.
public enum PairSide: Sendable {
    case truth, prediction, roi
}

/// A `KeyRule` whose pattern compiled.
public struct CompiledKeyRule: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented thread-safe for matching.
    /// The rule as given; its pattern (if any) compiled and has a `key` group.
    public let rule: KeyRule
    let regex: NSRegularExpression?

    /// The key of a file: its relative path (or name, with `flat`) without extension, less the
    /// side's suffix, narrowed by the pattern. Nil when the pattern does not match.
    public func key(for file: MaskFile, side: PairSide) -> String? {
        key(forRelativePath: file.relativePath, side: side)
    }

    /// The key of a file given by its path below the root.
    public func key(forRelativePath relativePath: String, side: PairSide) -> String? {
        let bytes = Array(relativePath.utf8)
        return keyRange(of: bytes, side: side).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// Where the key lies in a relative path's UTF-8 bytes: a key is always a contiguous part of
    /// the path, so pairing stores two numbers per file instead of a copy of the key.
    func keyRange(of path: some RandomAccessCollection<UInt8>, side: PairSide) -> Range<Int>? {
        let slash = UInt8(ascii: "/")
        let base = path.startIndex
        var start = 0
        var end = path.count
        func byte(_ offset: Int) -> UInt8 { path[path.index(base, offsetBy: offset)] }
        func lastOffset(of value: UInt8, in range: Range<Int>) -> Int? {
            var offset = range.upperBound - 1
            while offset >= range.lowerBound {
                if byte(offset) == value { return offset }
                offset -= 1
            }
            return nil
        }
        if rule.flat, let last = lastOffset(of: slash, in: 0..<end) { start = last + 1 }
        let lastSlash = lastOffset(of: slash, in: start..<end)
        if let dot = lastOffset(of: UInt8(ascii: "."), in: start..<end), lastSlash.map({ dot > $0 }) ?? true, dot != start {
            // `case1.nii.gz` → `case1`: the NIfTI suffix goes whole.
            func lower(_ offset: Int) -> UInt8 { byte(offset) | 0x20 }
            let gz = end - dot == 3 && lower(dot + 1) == UInt8(ascii: "g") && lower(dot + 2) == UInt8(ascii: "z")
            let nii =
                dot - 4 > (lastSlash.map { $0 + 1 } ?? start) && byte(dot - 4) == UInt8(ascii: ".")
                && lower(dot - 3) == UInt8(ascii: "n")
                && lower(dot - 2) == UInt8(ascii: "i") && lower(dot - 1) == UInt8(ascii: "i")
            end = gz && nii ? dot - 4 : dot
        }
        let suffixes: [String]
        switch side {
        case .truth: suffixes = rule.truthSuffixes
        case .prediction: suffixes = rule.predictionSuffixes
        case .roi: suffixes = rule.roiSuffixes
        }
        for suffix in suffixes where !suffix.isEmpty {
            let tail = Array(suffix.utf8)
            if end - start >= tail.count && (0..<tail.count).allSatisfy({ byte(end - tail.count + $0) == tail[$0] }) {
                end -= tail.count
                break
            }
        }
        guard let regex else { return start..<end }
        let stem = String(decoding: (start..<end).map(byte), as: UTF8.self)
        guard let match = regex.firstMatch(in: stem, range: NSRange(stem.startIndex..., in: stem)),
            let keyRange = Range(match.range(withName: "key"), in: stem)
        else { return nil }
        let lower = stem.utf8.distance(from: stem.startIndex, to: keyRange.lowerBound)
        let upper = stem.utf8.distance(from: stem.startIndex, to: keyRange.upperBound)
        return (start + lower)..<(start + upper)
    }
}

/// The pairs of a dataset in key order, stored compactly: the folder listings they come from
/// (names packed, shared, not copied) and 20 bytes per pair (the three files' positions in their
/// listings and where the key lies in the ground truth's path). A collection of `MaskPair`
/// values built on access.
public struct PairList: RandomAccessCollection, Sendable {
    /// The ground-truth listing the pairs point into.
    public let truthFiles: FileList
    /// The prediction listing the pairs point into.
    public let predictionFiles: FileList
    /// The region-of-interest listing the pairs point into (empty without `--roi-dir`).
    public let roiFiles: FileList
    /// The pairs (internal: `PairList+Shards.swift` draws subsets).
    var entries: [Entry] = []

    struct Entry: Sendable {
        /// Positions in the listings; -1: none.
        var truth: Int32
        var prediction: Int32
        var roi: Int32
        /// The key: UTF-8 bytes `keyStart..<keyEnd` of the ground truth's relative path.
        var keyStart: Int32
        var keyEnd: Int32
    }

    /// An empty list of pairs drawn from these listings.
    public init(truthFiles: FileList, predictionFiles: FileList, roiFiles: FileList? = nil) {
        self.truthFiles = truthFiles
        self.predictionFiles = predictionFiles
        self.roiFiles = roiFiles ?? FileList(root: "")
    }

    /// Adds a pair: the positions of its files in the listings, and where its key lies in the
    /// ground truth's relative path (UTF-8 byte offsets).
    public mutating func append(truth: Int, keyBytes: Range<Int>, prediction: Int?, roi: Int? = nil) {
        entries.append(
            Entry(
                truth: Int32(truth), prediction: Int32(prediction ?? -1), roi: Int32(roi ?? -1),
                keyStart: Int32(keyBytes.lowerBound), keyEnd: Int32(keyBytes.upperBound)))
    }

    mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    /// The first pair's position: 0.
    public var startIndex: Int { 0 }
    /// The number of pairs.
    public var endIndex: Int { entries.count }

    /// The pair at `position`, built from the listings on each access.
    public subscript(position: Int) -> MaskPair {
        let entry = entries[position]
        return MaskPair(
            key: key(at: position), truth: truthFiles[Int(entry.truth)],
            prediction: entry.prediction < 0 ? nil : predictionFiles[Int(entry.prediction)],
            roi: entry.roi < 0 ? nil : roiFiles[Int(entry.roi)])
    }

    /// The key of pair `position`.
    public func key(at position: Int) -> String {
        let entry = entries[position]
        return truthFiles.relativePathBytes(at: Int(entry.truth)) { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(entry.keyStart)..<Int(entry.keyEnd)]), as: UTF8.self)
        }
    }

    /// The ground-truth path of pair `position`.
    public func truthPath(at position: Int) -> String { truthFiles[Int(entries[position].truth)].path }

    /// The prediction path of pair `position`; nil when it is scored against an empty prediction.
    public func predictionPath(at position: Int) -> String? {
        let index = entries[position].prediction
        return index < 0 ? nil : predictionFiles[Int(index)].path
    }
}

/// Every file accounted for: the pairs, and what could not be paired.
public struct PairingReport: Sendable {
    /// Pairs in key order.
    public var pairs: PairList
    /// Ground-truth files without a prediction.
    public var unmatchedTruth: [MaskFile]
    /// Predictions without ground truth (never scored).
    public var unmatchedPredictions: [MaskFile]
    /// Keys that two or more files of one side map to, with every path: an error each.
    public var duplicates: [(key: String, paths: [String])]
    /// Files whose name the key pattern does not match: not paired.
    public var unkeyed: [MaskFile]
    /// Pairs whose ROI file is missing under `--roi-dir`: an error each.
    public var missingROI: [String]

    /// A report from its parts, as `pairFiles` builds it.
    public init(
        pairs: PairList, unmatchedTruth: [MaskFile], unmatchedPredictions: [MaskFile],
        duplicates: [(key: String, paths: [String])], unkeyed: [MaskFile], missingROI: [String]
    ) {
        self.pairs = pairs
        self.unmatchedTruth = unmatchedTruth
        self.unmatchedPredictions = unmatchedPredictions
        self.duplicates = duplicates
        self.unkeyed = unkeyed
        self.missingROI = missingROI
    }
}

/// One folder's files by key: where each file's key lies in its path, and the keyed files sorted
/// by key (12 bytes per file, no copy of any name).
private struct KeyedSide {
    let files: FileList
    /// Per file: the key's UTF-8 byte range in its relative path; start -1 when unkeyed.
    private var keyStarts: [Int32] = []
    private var keyEnds: [Int32] = []
    /// Keyed file positions sorted by key, then by relative path.
    private(set) var order: [Int32] = []

    init(_ files: FileList, side: PairSide, rule: CompiledKeyRule, unkeyed: inout [MaskFile]) {
        self.files = files
        keyStarts.reserveCapacity(files.count)
        keyEnds.reserveCapacity(files.count)
        for index in files.indices {
            let range = files.relativePathBytes(at: index) { rule.keyRange(of: $0, side: side) }
            if range == nil { unkeyed.append(files[index]) }
            keyStarts.append(Int32(range?.lowerBound ?? -1))
            keyEnds.append(Int32(range?.upperBound ?? -1))
        }
        var order = [Int32]()
        order.reserveCapacity(files.count)
        for index in files.indices where keyStarts[index] >= 0 { order.append(Int32(index)) }
        order.sort { a, b in
            let c = compare(file: Int(a), self, file: Int(b))
            return c == 0 ? a < b : c < 0
        }
        self.order = order
    }

    var count: Int { order.count }

    /// The key range of file `index`.
    func keyRange(_ index: Int) -> Range<Int> { Int(keyStarts[index])..<Int(keyEnds[index]) }

    /// The key of file `index`.
    func key(_ index: Int) -> String {
        files.relativePathBytes(at: index) { String(decoding: UnsafeBufferPointer(rebasing: $0[keyRange(index)]), as: UTF8.self) }
    }

    /// -1, 0 or 1: the byte order of the key of `file` here and of `otherFile` in `other`.
    func compare(file: Int, _ other: KeyedSide, file otherFile: Int) -> Int {
        files.relativePathBytes(at: file) { a in
            other.files.relativePathBytes(at: otherFile) { b in
                compareBytes(
                    UnsafeBufferPointer(rebasing: a[keyRange(file)]), UnsafeBufferPointer(rebasing: b[other.keyRange(otherFile)]))
            }
        }
    }

    /// The end of the run of files sharing the key of `order[start]`.
    func runEnd(from start: Int) -> Int {
        var end = start + 1
        while end < order.count && compare(file: Int(order[start]), self, file: Int(order[end])) == 0 { end += 1 }
        return end
    }

    func paths(_ run: Range<Int>) -> [String] { order[run].map { files[Int($0)].path }.sorted() }
}

/// Pairs ground truth with predictions (and ROI masks) by key, merging the sides in key order.
/// - Parameters:
///   - missing: what happens to ground truth without a prediction (`fail` keeps it in
///     `unmatchedTruth` for the caller to report; `empty` pairs it with no prediction; `skip` too
///     keeps it in `unmatchedTruth`, and the caller warns).
/// - Returns: pairs in key order (the bytes of the keys); memory is a few bytes per file beyond
///   the names.
/// - Complexity: O(n log n) in files.
public func pairFiles(
    truth: FileList, predictions: FileList, roi: FileList? = nil, rule: CompiledKeyRule,
    missing: MissingPolicy = .fail
) -> PairingReport {
    var unkeyed: [MaskFile] = []
    let truthSide = KeyedSide(truth, side: .truth, rule: rule, unkeyed: &unkeyed)
    let predictionSide = KeyedSide(predictions, side: .prediction, rule: rule, unkeyed: &unkeyed)
    let roiSide = roi.map { KeyedSide($0, side: .roi, rule: rule, unkeyed: &unkeyed) }

    var pairs = PairList(truthFiles: truth, predictionFiles: predictions, roiFiles: roi)
    pairs.reserveCapacity(truthSide.count)
    var duplicates: [(key: String, paths: [String])] = []
    var unmatchedTruth: [MaskFile] = []
    var unmatchedPredictions: [MaskFile] = []
    var missingROI: [String] = []
    // Runs of equal keys, merged across the sides in key order.
    var t = 0
    var p = 0
    var r = 0
    while t < truthSide.count || p < predictionSide.count {
        let order: Int
        if t < truthSide.count && p < predictionSide.count {
            order = truthSide.compare(file: Int(truthSide.order[t]), predictionSide, file: Int(predictionSide.order[p]))
        } else {
            order = t < truthSide.count ? -1 : 1
        }
        let truthRun = order <= 0 ? t..<truthSide.runEnd(from: t) : nil
        let predictionRun = order >= 0 ? p..<predictionSide.runEnd(from: p) : nil
        if let truthRun { t = truthRun.upperBound }
        if let predictionRun { p = predictionRun.upperBound }
        let truthIndex = truthRun.map { Int(truthSide.order[$0.lowerBound]) }
        let predictionIndex = predictionRun.map { Int(predictionSide.order[$0.lowerBound]) }
        var duplicated = false
        if let run = truthRun, let truthIndex, run.count > 1 {
            duplicates.append((truthSide.key(truthIndex), truthSide.paths(run)))
            duplicated = true
        }
        if let run = predictionRun, let predictionIndex, run.count > 1 {
            duplicates.append((predictionSide.key(predictionIndex), predictionSide.paths(run)))
            duplicated = true
        }
        if duplicated { continue }
        guard let truthIndex else {
            // The loop only runs while one side has files left, so a missing truth run means a prediction run.
            if let predictionIndex { unmatchedPredictions.append(predictions[predictionIndex]) }
            continue
        }
        if predictionIndex == nil {
            unmatchedTruth.append(truth[truthIndex])
            if missing != .empty { continue }
        }
        var roiIndex: Int?
        if let roiSide {
            func roiOrder() -> Int { roiSide.compare(file: Int(roiSide.order[r]), truthSide, file: truthIndex) }
            while r < roiSide.count && roiOrder() < 0 { r += 1 }
            if r < roiSide.count && roiOrder() == 0 {
                // Two region files on this key: already listed as a duplicate, the pair is not scored.
                if roiSide.runEnd(from: r) - r > 1 { continue }
                roiIndex = Int(roiSide.order[r])
            } else {
                missingROI.append(truthSide.key(truthIndex))
                continue
            }
        }
        pairs.append(truth: truthIndex, keyBytes: truthSide.keyRange(truthIndex), prediction: predictionIndex, roi: roiIndex)
    }
    // Region files: every key two or more of them map to is an error, whether or not a ground
    // truth uses it (as on the other sides); the pairs on those keys were left out above.
    if let roiSide {
        var start = 0
        while start < roiSide.count {
            let end = roiSide.runEnd(from: start)
            if end - start > 1 { duplicates.append((roiSide.key(Int(roiSide.order[start])), roiSide.paths(start..<end))) }
            start = end
        }
    }
    duplicates.sort { $0.key == $1.key ? $0.paths.lexicographicallyPrecedes($1.paths) : $0.key < $1.key }
    return PairingReport(
        pairs: pairs, unmatchedTruth: unmatchedTruth, unmatchedPredictions: unmatchedPredictions,
        duplicates: duplicates, unkeyed: unkeyed.sorted(), missingROI: missingROI)
}
