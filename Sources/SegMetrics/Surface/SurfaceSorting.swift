import Foundation

/// Sorting of distance lists for the percentiles and the median, the same arrays as `sorted()`.
package enum SurfaceSorting {
    /// `values.sorted()`. Non-negative float64 values (no −0, no NaN) are ordered as their bit
    /// patterns, and equal values have equal patterns, so an LSD radix sort on the patterns' bytes
    /// gives the same array; the bytes every value shares are skipped. Other lists are sorted by
    /// comparison.
    package static func sorted(_ values: [Double]) -> [Double] {
        let n = values.count
        guard n > 64, radixOrdered(values) else { return values.sorted() }
        var keys = values.map(\.bitPattern)
        var scratch = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 8 * 256)
        keys.withUnsafeMutableBufferPointer { k in
            scratch.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    guard var from = k.baseAddress, var to = s.baseAddress, let count = c.baseAddress else { return }
                    for i in 0..<n {
                        let key = from[i]
                        for digit in 0..<8 { count[digit * 256 + Int((key >> UInt64(8 * digit)) & 0xFF)] += 1 }
                    }
                    var inScratch = false
                    for digit in 0..<8 {
                        let table = count + digit * 256
                        if table[Int((from[0] >> UInt64(8 * digit)) & 0xFF)] == n { continue }  // shared by all
                        var start = 0
                        for b in 0..<256 {
                            let c = table[b]
                            table[b] = start
                            start += c
                        }
                        for i in 0..<n {
                            let key = from[i]
                            let b = Int((key >> UInt64(8 * digit)) & 0xFF)
                            to[table[b]] = key
                            table[b] += 1
                        }
                        swap(&from, &to)
                        inScratch.toggle()
                    }
                    if inScratch { to.update(from: from, count: n) }
                }
            }
        }
        return keys.map { Double(bitPattern: $0) }
    }

    /// Whether every value is ordered by its bit pattern (non-negative, not −0, not NaN).
    package static func radixOrdered(_ values: [Double]) -> Bool {
        values.allSatisfy { $0 >= 0 && $0.sign == .plus }
    }

    /// `(a + b).sorted()` from `sorted(a)` and `sorted(b)`: their merge when every value is
    /// `radixOrdered` (a total order), else a sort of the concatenation.
    package static func pooled(_ a: [Double], _ b: [Double], sortedA: [Double], sortedB: [Double]) -> [Double] {
        radixOrdered(a) && radixOrdered(b) ? merged(sortedA, sortedB) : (a + b).sorted()
    }

    /// The ascending merge of two ascending arrays: `(a + b).sorted()`.
    package static func merged(_ a: [Double], _ b: [Double]) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if b[j] < a[i] {
                result.append(b[j])
                j += 1
            } else {
                result.append(a[i])
                i += 1
            }
        }
        result.append(contentsOf: a[i...])
        result.append(contentsOf: b[j...])
        return result
    }
}
