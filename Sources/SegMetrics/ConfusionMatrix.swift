/// The scored class ids of a label map, the ids left out, and a lookup from stored value to dense
/// index for each side.
///
/// Values up to 65535 go through flat tables, larger ones through a dictionary. A side's aliases
/// rename stored values before lookup (a 0/255 binary mask reads 255 as label 1).
public struct ClassTable: Sendable, Equatable {
    /// The scored ids, in report order.
    public let ids: [Int]
    /// Ground-truth ids whose pixels are left out of every count.
    public let ignored: [Int]
    /// Dense index of each stored ground-truth value 0...65535: position in `ids`, `other` or ignore.
    @usableFromInline let truthLookup: [UInt16]
    /// Dense index of each stored prediction value 0...65535.
    @usableFromInline let predictionLookup: [UInt16]
    @usableFromInline let largeTruth: [Int: UInt16]
    @usableFromInline let largePrediction: [Int: UInt16]

    /// The dense index of ids that are not scored (a prediction's unknown id, an unscored class).
    @inlinable public var other: Int { ids.count }
    /// The marker for ignored ground-truth ids.
    @usableFromInline static let ignoreMarker: UInt16 = .max

    /// Builds the table.
    /// - Parameters:
    ///   - ids: scored ids (fewer than 65534), in report order, without duplicates.
    ///   - ignored: ids left out where the ground truth has them.
    ///   - truthAliases, predictionAliases: stored value → label id, applied before lookup.
    ///   - valueLimit: stored values below it use the flat tables (65536 by default; 256 for 8-bit
    ///     data makes the table cheap to build), larger ones a dictionary.
    public init(
        ids: [Int], ignored: [Int] = [], truthAliases: [Int: Int] = [:], predictionAliases: [Int: Int] = [:],
        valueLimit: Int = 65536
    ) {
        precondition(ids.count < Int(UInt16.max) - 1, "too many classes for a dense table: count them with PairCounts")
        precondition(Set(ids).count == ids.count, "duplicate class ids")
        self.ids = ids
        self.ignored = ignored
        var index: [Int: UInt16] = [:]
        for (position, id) in ids.enumerated() { index[id] = UInt16(position) }
        for id in ignored where index[id] == nil { index[id] = Self.ignoreMarker }
        let other = UInt16(ids.count)
        func build(_ aliases: [Int: Int], ignoring: Bool) -> ([UInt16], [Int: UInt16]) {
            var lookup = [UInt16](repeating: other, count: valueLimit)
            var large: [Int: UInt16] = [:]
            func set(_ value: Int, _ label: Int) {
                var target = index[label] ?? other
                if target == Self.ignoreMarker && !ignoring { target = other }
                if value < valueLimit { lookup[value] = target } else { large[value] = target }
            }
            for (label, _) in index { set(label, label) }
            for (value, label) in aliases { set(value, label) }
            return (lookup, large)
        }
        (truthLookup, largeTruth) = build(truthAliases, ignoring: true)
        (predictionLookup, largePrediction) = build(predictionAliases, ignoring: false)
    }

    /// The dense index of a stored ground-truth value, or nil when the id is ignored.
    @inlinable @inline(__always)
    func truthIndex(_ value: Int) -> Int? {
        let index = value < truthLookup.count ? truthLookup[value] : (largeTruth[value] ?? UInt16(ids.count))
        return index == Self.ignoreMarker ? nil : Int(index)
    }

    /// The dense index of a stored prediction value (ignored ids are just not scored on this side).
    @inlinable @inline(__always)
    func predictionIndex(_ value: Int) -> Int {
        value < predictionLookup.count ? Int(predictionLookup[value]) : Int(largePrediction[value] ?? UInt16(ids.count))
    }
}

/// A (C+1)×(C+1) confusion matrix of a label map over C scored classes plus "other".
///
/// Row = ground truth, column = prediction. Every per-class count derives from it:
/// TP = m[c][c], FP = column sum − TP, FN = row sum − TP, TN = total − TP − FP − FN.
public struct ConfusionMatrix: Sendable, Equatable {
    /// C, the number of scored classes.
    public let classCount: Int
    /// Row-major cells, (C+1)² of them.
    @usableFromInline package var cells: [Int]

    /// An empty matrix for `classCount` scored classes.
    public init(classCount: Int) {
        self.classCount = classCount
        cells = [Int](repeating: 0, count: (classCount + 1) * (classCount + 1))
    }

    /// The cell for ground-truth index `truth` and prediction index `prediction`.
    public subscript(truth: Int, prediction: Int) -> Int { cells[truth * (classCount + 1) + prediction] }

    /// The counts of the class at dense index `c`.
    /// - Complexity: O(C²) (one pass over the cells); use `classCounts` for every class at once.
    public func counts(forClassAt c: Int) -> ClassCounts {
        counts(forClassAt: c, total: cells.reduce(0, &+))
    }

    /// The counts of the class at dense index `c`, given the sum of all cells.
    /// - Complexity: O(k): the total is computed once for all classes by `classCounts` (once per
    ///   class made 5,000 classes cost 5,000³ additions per image).
    func counts(forClassAt c: Int, total: Int) -> ClassCounts {
        let k = classCount + 1
        var row = 0
        var column = 0
        for i in 0..<k {
            row &+= cells[c * k + i]
            column &+= cells[i * k + c]
        }
        let tp = cells[c * k + c]
        let fp = column - tp
        let fn = row - tp
        return ClassCounts(tp: tp, fp: fp, fn: fn, tn: total - tp - fp - fn)
    }

    /// Every scored class's counts, in table order.
    /// - Complexity: O(C²): row sums, column sums and the total are taken in one pass.
    public var classCounts: [ClassCounts] {
        let k = classCount + 1
        var rows = [Int](repeating: 0, count: k)
        var columns = [Int](repeating: 0, count: k)
        var total = 0
        for t in 0..<k {
            for p in 0..<k {
                let value = cells[t * k + p]
                rows[t] &+= value
                columns[p] &+= value
            }
        }
        for value in rows { total &+= value }
        return (0..<classCount).map { c in
            let tp = cells[c * k + c]
            let fp = columns[c] - tp
            let fn = rows[c] - tp
            return ClassCounts(tp: tp, fp: fp, fn: fn, tn: total - tp - fp - fn)
        }
    }

    /// Sums two matrices of the same size.
    public static func + (lhs: ConfusionMatrix, rhs: ConfusionMatrix) -> ConfusionMatrix {
        precondition(lhs.classCount == rhs.classCount, "matrices differ in size")
        var sum = lhs
        for i in sum.cells.indices { sum.cells[i] &+= rhs.cells[i] }
        return sum
    }
}

/// Adds every (ground truth, prediction) label pair of one image to `matrix` in one pass.
///
/// Ground-truth ids in `table.ignored` are skipped; ids that are not scored count as "other".
/// - Parameters:
///   - roi: when given, only pixels where it is nonzero count.
/// - Precondition: `truth.count == prediction.count` (and `roi.count`).
/// - Complexity: O(n) in pixels, no allocation.
@inlinable
public func accumulate<T: FixedWidthInteger & UnsignedInteger, U: FixedWidthInteger & UnsignedInteger>(
    truth: UnsafeBufferPointer<T>, prediction: UnsafeBufferPointer<U>, roi: UnsafeBufferPointer<UInt8>? = nil,
    table: ClassTable, into matrix: inout ConfusionMatrix
) {
    precondition(truth.count == prediction.count, "truth and prediction differ in size")
    precondition(matrix.classCount == table.ids.count, "matrix and table differ")
    let k = table.ids.count + 1
    let n = truth.count
    guard n > 0 else { return }
    let t = truth.baseAddress.unsafelyUnwrapped
    let p = prediction.baseAddress.unsafelyUnwrapped
    table.truthLookup.withUnsafeBufferPointer { truthBuffer in
        table.predictionLookup.withUnsafeBufferPointer { predictionBuffer in
            let truthLookup = truthBuffer.baseAddress.unsafelyUnwrapped
            let predictionLookup = predictionBuffer.baseAddress.unsafelyUnwrapped
            // The flat path indexes the tables directly: only when every stored value fits them.
            let wide =
                (1 << T.bitWidth) > table.truthLookup.count || (1 << U.bitWidth) > table.predictionLookup.count
                || T.bitWidth > 16 || U.bitWidth > 16
            matrix.cells.withUnsafeMutableBufferPointer { cells in
                let m = cells.baseAddress.unsafelyUnwrapped
                if let roi {
                    precondition(roi.count == n, "region of interest differs in size")
                    let r = roi.baseAddress.unsafelyUnwrapped
                    for i in 0..<n where r[i] != 0 {
                        guard let g = table.truthIndex(Int(truncatingIfNeeded: t[i])) else { continue }
                        m[g &* k &+ table.predictionIndex(Int(truncatingIfNeeded: p[i]))] &+= 1
                    }
                } else if wide {
                    for i in 0..<n {
                        guard let g = table.truthIndex(Int(truncatingIfNeeded: t[i])) else { continue }
                        m[g &* k &+ table.predictionIndex(Int(truncatingIfNeeded: p[i]))] &+= 1
                    }
                } else {
                    // 8/16-bit ids: straight table lookups, no branch but the ignore check.
                    let ignore = ClassTable.ignoreMarker
                    for i in 0..<n {
                        let g = truthLookup[Int(truncatingIfNeeded: t[i])]
                        if g == ignore { continue }
                        let q = predictionLookup[Int(truncatingIfNeeded: p[i])]
                        m[Int(g) &* k &+ Int(q)] &+= 1
                    }
                }
            }
        }
    }
}

/// The distinct values of an integer buffer, sorted.
/// - Complexity: O(n) for 8- and 16-bit data; O(n log n) for wider types.
@inlinable
public func distinctLabels<T: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<T>) -> [Int] {
    if T.bitWidth <= 16 {
        var seen = [Bool](repeating: false, count: 1 << T.bitWidth)
        seen.withUnsafeMutableBufferPointer { flags in
            for value in values { flags[Int(truncatingIfNeeded: value)] = true }
        }
        return seen.indices.filter { seen[$0] }
    }
    return Array(Set(values.map { Int(truncatingIfNeeded: $0) })).sorted()
}

/// A label id found in a mask that is neither scored nor ignored.
public struct UnknownLabelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The ids found outside the table, sorted.
    public var ids: [Int]
    /// The scored ids.
    public var allowed: [Int]

    /// One line listing up to 8 of the unknown ids and up to 16 of the scored ones.
    public var description: String {
        let shown = ids.prefix(8).map(String.init).joined(separator: ", ") + (ids.count > 8 ? ", …" : "")
        return "label id\(ids.count == 1 ? "" : "s") \(shown) not among the classes "
            + allowed.prefix(16).map(String.init).joined(separator: ",") + (allowed.count > 16 ? ",…" : "")
    }
}

extension ClassTable {
    /// Checks that every id in `present` is scored or ignored.
    /// - Throws: `UnknownLabelError` listing the others (what TorchMetrics raises on index input,
    ///   and what `--classes` promises when it is given).
    public func checkKnown(_ present: [Int]) throws(UnknownLabelError) {
        try Self.checkKnown(present, ids: ids, ignored: ignored)
    }

    /// Checks that every id in `present` is in `ids` or `ignored`, without building a table (so
    /// for any number of ids).
    /// - Throws: `UnknownLabelError` listing the others.
    /// - Complexity: O(present + ids + ignored).
    public static func checkKnown(_ present: [Int], ids: [Int], ignored: [Int]) throws(UnknownLabelError) {
        let known = Set(ids).union(ignored)
        let unknown = present.filter { !known.contains($0) }
        if !unknown.isEmpty { throw UnknownLabelError(ids: unknown.sorted(), allowed: ids) }
    }
}

/// How many classes segscore scores, and where counting switches from a dense confusion matrix to
/// sparse pair counts.
///
/// - A pair holds at most `perPair` scored ids (ground truth and prediction together, ignore
///   labels aside): every 8- or 16-bit pair fits, a 32-bit instance map with more ids is a pair
///   error.
/// - A run scores at most `perRun` classes, and keeps at most `valuesPerRun` per-image values
///   (images × classes, 8 bytes each: 1 GiB), which the medians, spreads and bootstrap need.
public enum ClassLimits {
    /// Scored ids in one pair.
    public static let perPair = 65_536
    /// Classes in one run.
    public static let perRun = 65_536
    /// Images × classes in one run.
    public static let valuesPerRun = 1 << 27
    /// Up to this many classes a pair is counted into a dense (C+1)² matrix (at most 66,049
    /// cells); above, into sparse pair counts.
    public static let denseClasses = 256
}
