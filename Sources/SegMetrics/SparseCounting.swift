/// The distinct (ground truth, prediction) pairs of stored values of one image, with their pixel
/// counts: the sparse form of a joint histogram, for label maps with many ids (instance maps).
///
/// A dense (C+1)² confusion matrix costs memory and time quadratic in the number of classes; the
/// pairs that occur are at most the number of pixels, and for instance maps little more than the
/// number of ids. Each pixel's pair is packed into one `UInt64` (truth in the high 32 bits) and
/// counted in an open-addressing hash table; runs of equal pairs (the inside of a region) are
/// counted once.
public struct PairCounts: Sendable, Equatable {
    /// Packed pairs `truth << 32 | prediction`, sorted increasingly.
    public private(set) var keys: [UInt64]
    /// Pixels per pair, parallel to `keys`.
    public private(set) var counts: [Int]

    /// Pairs given directly (e.g. read off a joint histogram); sorted here, equal keys merged.
    public init(keys: [UInt64], counts: [Int]) {
        precondition(keys.count == counts.count, "one count per key")
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        var mergedKeys: [UInt64] = []
        var mergedCounts: [Int] = []
        for i in order where counts[i] != 0 {
            if mergedKeys.last == keys[i] {
                mergedCounts[mergedCounts.count - 1] &+= counts[i]
            } else {
                mergedKeys.append(keys[i])
                mergedCounts.append(counts[i])
            }
        }
        self.keys = mergedKeys
        self.counts = mergedCounts
    }

    /// The stored ground-truth value of pair `index`.
    @inlinable public func truth(at index: Int) -> Int { Int(keys[index] >> 32) }
    /// The stored prediction value of pair `index`.
    @inlinable public func prediction(at index: Int) -> Int { Int(keys[index] & 0xFFFF_FFFF) }

    /// Counts the pairs of two label buffers of up to 32 bits per sample.
    /// - Parameters:
    ///   - roi: when given, only pixels where it is nonzero count.
    /// - Precondition: equal lengths; `T` and `U` at most 32 bits wide.
    /// - Complexity: O(n) expected time in pixels; memory O(distinct pairs).
    public init<T: FixedWidthInteger & UnsignedInteger, U: FixedWidthInteger & UnsignedInteger>(
        truth: UnsafeBufferPointer<T>, prediction: UnsafeBufferPointer<U>, roi: UnsafeBufferPointer<UInt8>? = nil
    ) {
        precondition(truth.count == prediction.count, "truth and prediction differ in size")
        precondition(T.bitWidth <= 32 && U.bitWidth <= 32, "label samples wider than 32 bits")
        precondition(roi.map { $0.count == truth.count } ?? true, "region of interest differs in size")
        var table = PairTable()
        let n = truth.count
        if n > 0 {
            let t = truth.baseAddress.unsafelyUnwrapped
            let p = prediction.baseAddress.unsafelyUnwrapped
            var runKey: UInt64 = 0
            var runLength = 0
            if let roi {
                let r = roi.baseAddress.unsafelyUnwrapped
                for i in 0..<n where r[i] != 0 {
                    let key = UInt64(truncatingIfNeeded: t[i]) &<< 32 | UInt64(truncatingIfNeeded: p[i])
                    if key == runKey && runLength > 0 {
                        runLength &+= 1
                    } else {
                        if runLength > 0 { table.add(runKey, runLength) }
                        runKey = key
                        runLength = 1
                    }
                }
            } else {
                for i in 0..<n {
                    let key = UInt64(truncatingIfNeeded: t[i]) &<< 32 | UInt64(truncatingIfNeeded: p[i])
                    if key == runKey && runLength > 0 {
                        runLength &+= 1
                    } else {
                        if runLength > 0 { table.add(runKey, runLength) }
                        runKey = key
                        runLength = 1
                    }
                }
            }
            if runLength > 0 { table.add(runKey, runLength) }
        }
        (keys, counts) = table.sortedEntries()
    }

    /// Every scored class's counts, from the pairs.
    ///
    /// Each pair's values are renamed by the aliases; a pair whose ground-truth id is ignored (and
    /// not scored) is left out; ids outside `ids` are "other". Then TP of a class is its diagonal,
    /// FN its row sum − TP, FP its column sum − TP, TN the rest: what the dense
    /// `ConfusionMatrix` gives for the same table.
    /// - Parameters:
    ///   - ids: scored ids, in report order, without duplicates.
    ///   - ignored: ground-truth ids left out of every count.
    ///   - truthAliases, predictionAliases: stored value → label id.
    /// - Returns: one `ClassCounts` per id, in the order of `ids`, and the pixels counted.
    /// - Complexity: O(distinct pairs + ids), no per-class scan.
    public func classCounts(
        ids: [Int], ignored: [Int] = [], truthAliases: [Int: Int] = [:], predictionAliases: [Int: Int] = [:]
    ) -> (counts: [ClassCounts], total: Int) {
        var index: [Int: Int] = [:]
        index.reserveCapacity(ids.count)
        for (position, id) in ids.enumerated() { index[id] = position }
        let skipped = Set(ignored).subtracting(ids)
        var tp = [Int](repeating: 0, count: ids.count)
        var row = tp
        var column = tp
        var total = 0
        for k in keys.indices {
            let storedTruth = truth(at: k)
            let t = truthAliases.isEmpty ? storedTruth : (truthAliases[storedTruth] ?? storedTruth)
            if !skipped.isEmpty && skipped.contains(t) { continue }
            let storedPrediction = prediction(at: k)
            let p = predictionAliases.isEmpty ? storedPrediction : (predictionAliases[storedPrediction] ?? storedPrediction)
            let c = counts[k]
            total &+= c
            let g = index[t]
            let q = index[p]
            if let g { row[g] &+= c }
            if let q { column[q] &+= c }
            if let g, g == q { tp[g] &+= c }
        }
        var result: [ClassCounts] = []
        result.reserveCapacity(ids.count)
        for c in ids.indices {
            let fp = column[c] - tp[c]
            let fn = row[c] - tp[c]
            result.append(ClassCounts(tp: tp[c], fp: fp, fn: fn, tn: total - tp[c] - fp - fn))
        }
        return (result, total)
    }
}

/// An open-addressing (linear probing) hash table from packed pair to pixel count.
/// A slot is empty while its count is 0 (every added run has at least one pixel).
struct PairTable {
    private var keys: [UInt64]
    private var counts: [Int]
    private var mask: Int
    private(set) var count = 0

    init() {
        keys = [UInt64](repeating: 0, count: 1024)
        counts = [Int](repeating: 0, count: 1024)
        mask = 1023
    }

    /// Fibonacci hashing of the packed pair, taken from the high bits.
    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    mutating func add(_ key: UInt64, _ pixels: Int) {
        var s = slot(key)
        while counts[s] != 0 {
            if keys[s] == key {
                counts[s] &+= pixels
                return
            }
            s = (s &+ 1) & mask
        }
        keys[s] = key
        counts[s] = pixels
        count += 1
        // Keep the load under one half.
        if count * 2 > mask + 1 { grow() }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldCounts = counts
        let size = (mask + 1) * 2
        keys = [UInt64](repeating: 0, count: size)
        counts = [Int](repeating: 0, count: size)
        mask = size - 1
        for i in oldKeys.indices where oldCounts[i] != 0 {
            var s = slot(oldKeys[i])
            while counts[s] != 0 { s = (s &+ 1) & mask }
            keys[s] = oldKeys[i]
            counts[s] = oldCounts[i]
        }
    }

    /// The entries, sorted by key.
    func sortedEntries() -> ([UInt64], [Int]) {
        var entries: [(UInt64, Int)] = []
        entries.reserveCapacity(count)
        for i in keys.indices where counts[i] != 0 { entries.append((keys[i], counts[i])) }
        entries.sort { $0.0 < $1.0 }
        return (entries.map(\.0), entries.map(\.1))
    }
}
