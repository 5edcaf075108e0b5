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
    /// Label maps are mostly large uniform regions where both sides agree, and there consecutive
    /// pixels hit the same cell, so a plain loop waits on each increment. Eight pixels are compared
    /// at once instead: when all sixteen bytes hold one value, one increment counts them all; other
    /// words are counted pixel by pixel.
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
                    let tc = truthBuffer.baseAddress.unsafelyUnwrapped
                    let pc = predictionBuffer.baseAddress.unsafelyUnwrapped
                    let c = buffer.baseAddress.unsafelyUnwrapped
                    let words = n / 8
                    var i = 0
                    for w in 0..<words {
                        let a = t.loadUnaligned(fromByteOffset: w &* 8, as: UInt64.self)
                        let b = p.loadUnaligned(fromByteOffset: w &* 8, as: UInt64.self)
                        let value = a & 0xFF
                        if a == b && a == value &* 0x0101_0101_0101_0101 {
                            c[Int(value) &* 257] &+= 8
                            tc[Int(value)] &+= 8
                            pc[Int(value)] &+= 8
                        } else {
                            let base = w &* 8
                            for j in base..<(base &+ 8) {
                                let u = Int(t.load(fromByteOffset: j, as: UInt8.self))
                                let v = Int(p.load(fromByteOffset: j, as: UInt8.self))
                                c[u &<< 8 | v] &+= 1
                                tc[u] &+= 1
                                pc[v] &+= 1
                            }
                        }
                        i = (w &+ 1) &* 8
                    }
                    while i < n {
                        let u = Int(t.load(fromByteOffset: i, as: UInt8.self))
                        let v = Int(p.load(fromByteOffset: i, as: UInt8.self))
                        c[u &<< 8 | v] &+= 1
                        tc[u] &+= 1
                        pc[v] &+= 1
                        i &+= 1
                    }
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
