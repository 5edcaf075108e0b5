/// The joint histogram of two 8-bit label maps: one pass over the pixels, after which the ids
/// present on each side, binary detection and every class's counts are read off 65,536 cells.
///
/// For 8-bit data this replaces a lookup-table build and separate scans: the common case of
/// segscore (PNG label maps) costs one counting pass per image.
public struct JointHistogram8: Sendable {
    /// `cells[truth << 8 | prediction]`: pixels with that pair of stored values.
    @usableFromInline package var cells: [UInt32]
    /// Pixels per stored ground-truth value, kept during `accumulate`.
    @usableFromInline package var truthCounts: [Int]
    /// Pixels per stored prediction value, kept during `accumulate`.
    @usableFromInline package var predictionCounts: [Int]

    /// An empty histogram.
    public init() {
        cells = [UInt32](repeating: 0, count: 65536)
        truthCounts = [Int](repeating: 0, count: 256)
        predictionCounts = [Int](repeating: 0, count: 256)
    }

    /// Empties the histogram for reuse, touching only the rows that hold counts.
    public mutating func reset() {
        cells.withUnsafeMutableBufferPointer { c in
            for t in 0..<256 where truthCounts[t] != 0 {
                for p in 0..<256 { c[t << 8 | p] = 0 }
            }
        }
        for v in 0..<256 {
            truthCounts[v] = 0
            predictionCounts[v] = 0
        }
    }

    /// Largest image one histogram can count (cells are 32-bit).
    public static let maximumPixels = Int(UInt32.max)

    /// Adds every (truth, prediction) pair.
    ///
    /// Label maps are mostly long runs of one (truth, prediction) pair, and a plain loop waits on
    /// each increment of the same cell. The pixels are therefore counted as runs: sixteen pixels
    /// at a time are compared with their left neighbours (two vector compares), a block without a
    /// change costs nothing more, and each change closes the current run with one increment of
    /// its length in the cell and in both per-side counts. The counts are those of the plain loop
    /// (`cells` wraps the same way, `&+`).
    /// - Precondition: equal lengths, at most `maximumPixels`.
    /// - Complexity: O(n), one pass, no allocation.
    @inlinable
    public mutating func accumulate(truth: UnsafeBufferPointer<UInt8>, prediction: UnsafeBufferPointer<UInt8>) {
        precondition(truth.count == prediction.count && truth.count <= Self.maximumPixels, "bad histogram input")
        let n = truth.count
        guard n > 0 else { return }
        let t = UnsafeRawPointer(truth.baseAddress.unsafelyUnwrapped)
        let p = UnsafeRawPointer(prediction.baseAddress.unsafelyUnwrapped)
        truthCounts.withUnsafeMutableBufferPointer { truthBuffer in
            predictionCounts.withUnsafeMutableBufferPointer { predictionBuffer in
                cells.withUnsafeMutableBufferPointer { buffer in
                    var runs = RunCounter(
                        truth: t, prediction: p, cells: buffer.baseAddress.unsafelyUnwrapped,
                        truthCounts: truthBuffer.baseAddress.unsafelyUnwrapped,
                        predictionCounts: predictionBuffer.baseAddress.unsafelyUnwrapped)
                    var i = 1
                    while i &+ 16 <= n {
                        let same = RunCounter.unchanged(t, p, at: i)
                        if !all(same) { runs.split(at: i, unchanged: same) }
                        i &+= 16
                    }
                    while i < n {
                        if RunCounter.changes(t, p, at: i) { runs.split(at: i) }
                        i &+= 1
                    }
                    runs.finish(at: n)
                }
            }
        }
    }

    /// Calls `body` with the cells (65,536) and the per-side counts (256 each), for a counter
    /// outside this type that counts into them as `accumulate` does (the NIfTI check-and-count,
    /// which wants them empty: a histogram fresh from `init` or `reset`).
    package mutating func withStorage<R>(
        _ body: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> R
    ) -> R {
        truthCounts.withUnsafeMutableBufferPointer { truthBuffer in
            predictionCounts.withUnsafeMutableBufferPointer { predictionBuffer in
                cells.withUnsafeMutableBufferPointer { buffer in
                    body(
                        buffer.baseAddress.unsafelyUnwrapped, truthBuffer.baseAddress.unsafelyUnwrapped,
                        predictionBuffer.baseAddress.unsafelyUnwrapped)
                }
            }
        }
    }

    /// Pixels per stored ground-truth value (256 entries).
    public var truthHistogram: [Int] { truthCounts }

    /// Pixels per stored prediction value (256 entries).
    public var predictionHistogram: [Int] { predictionCounts }

    /// The confusion matrix over `table`'s classes, as `accumulate(truth:prediction:table:into:)`
    /// would have counted it pixel by pixel.
    public func confusion(table: ClassTable, truthRows: [Int]) -> ConfusionMatrix {
        var matrix = ConfusionMatrix(classCount: table.ids.count)
        let k = table.ids.count + 1
        for t in truthRows {
            guard let g = table.truthIndex(t) else { continue }
            for p in 0..<256 {
                let count = cells[t << 8 | p]
                if count != 0 { matrix.cells[g * k + table.predictionIndex(p)] &+= Int(count) }
            }
        }
        return matrix
    }
}

/// The run being counted by `JointHistogram8.accumulate`: its (truth, prediction) values and first
/// pixel, and where a closed run is added.
@usableFromInline
struct RunCounter {
    @usableFromInline let truth: UnsafeRawPointer
    @usableFromInline let prediction: UnsafeRawPointer
    @usableFromInline let cells: UnsafeMutablePointer<UInt32>
    @usableFromInline let truthCounts: UnsafeMutablePointer<Int>
    @usableFromInline let predictionCounts: UnsafeMutablePointer<Int>
    @usableFromInline var truthValue: Int
    @usableFromInline var predictionValue: Int
    @usableFromInline var start = 0

    /// A run starting at pixel 0. - Precondition: at least one pixel.
    @inlinable
    init(
        truth: UnsafeRawPointer, prediction: UnsafeRawPointer, cells: UnsafeMutablePointer<UInt32>,
        truthCounts: UnsafeMutablePointer<Int>, predictionCounts: UnsafeMutablePointer<Int>
    ) {
        self.truth = truth
        self.prediction = prediction
        self.cells = cells
        self.truthCounts = truthCounts
        self.predictionCounts = predictionCounts
        truthValue = Int(truth.load(as: UInt8.self))
        predictionValue = Int(prediction.load(as: UInt8.self))
    }

    /// Lanes of pixels `i ..< i + 16` equal to their left neighbours on both sides. - Precondition: i ≥ 1.
    @inlinable @inline(__always)
    static func unchanged(_ t: UnsafeRawPointer, _ p: UnsafeRawPointer, at i: Int) -> SIMDMask<SIMD16<Int8>> {
        let a = t.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        let left = t.loadUnaligned(fromByteOffset: i &- 1, as: SIMD16<UInt8>.self)
        let b = p.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        let bLeft = p.loadUnaligned(fromByteOffset: i &- 1, as: SIMD16<UInt8>.self)
        return (a .== left) .& (b .== bLeft)
    }

    /// Whether pixel `i` differs from pixel `i − 1` on either side. - Precondition: i ≥ 1.
    @inlinable @inline(__always)
    static func changes(_ t: UnsafeRawPointer, _ p: UnsafeRawPointer, at i: Int) -> Bool {
        t.load(fromByteOffset: i, as: UInt8.self) != t.load(fromByteOffset: i &- 1, as: UInt8.self)
            || p.load(fromByteOffset: i, as: UInt8.self) != p.load(fromByteOffset: i &- 1, as: UInt8.self)
    }

    /// Starts a new run at each pixel of `i ..< i + 16` whose lane in `same` is false.
    @inlinable @inline(__always)
    mutating func split(at i: Int, unchanged same: SIMDMask<SIMD16<Int8>>) {
        // One bit per changed lane: lane weights 1…128 in each half, summed by a multiply.
        let weights = SIMD16<UInt8>(1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128)
        let halves = unsafeBitCast(SIMD16<UInt8>(repeating: 0).replacing(with: weights, where: .!same), to: SIMD2<UInt64>.self)
        let spread: UInt64 = 0x0101_0101_0101_0101
        var marks = (halves[0] &* spread) &>> 56 | ((halves[1] &* spread) &>> 56) &<< 8
        while marks != 0 {
            split(at: i &+ marks.trailingZeroBitCount)
            marks &= marks &- 1
        }
    }

    /// Closes the run before pixel `j` and starts one at `j`.
    @inlinable @inline(__always)
    mutating func split(at j: Int) {
        finish(at: j)
        truthValue = Int(truth.load(fromByteOffset: j, as: UInt8.self))
        predictionValue = Int(prediction.load(fromByteOffset: j, as: UInt8.self))
        start = j
    }

    /// Adds the run `start ..< end`.
    @inlinable @inline(__always)
    func finish(at end: Int) {
        let length = end &- start
        cells[truthValue &<< 8 | predictionValue] &+= UInt32(truncatingIfNeeded: length)
        truthCounts[truthValue] &+= length
        predictionCounts[predictionValue] &+= length
    }
}
