import Foundation

/// Order statistics of distance lists without sorting them: the percentiles and the median need
/// one or two neighbouring entries of the sorted list, found here by selection in O(n).
///
/// Non-negative float64 values (no −0, no NaN; +∞ allowed) are ordered as their bit patterns and
/// equal values have equal patterns (`SurfaceSorting.radixOrdered`), so the patterns are selected
/// as integers: a first partition around two pivots taken from a sample (most of the list is set
/// aside at once), then a quickselect with a three-way partition around the median of three (runs
/// of equal distances, such as the zeros of coinciding boundaries, end it at once; each pass is
/// free of data-dependent branches), falling back to a sort of the remaining range after too many
/// rounds. The entries returned are those of
/// `sorted()` at the same positions, bit for bit. Other lists are sorted by comparison.
package enum SurfaceSelection {
    /// `(s[k], s[min(k + 1, n − 1)])` of `s = values.sorted()`; `k` in `0..<values.count`.
    package static func orderPair(_ values: [Double], _ k: Int) -> (Double, Double) {
        orderPair(values, [], k)
    }

    /// `orderPair` of the concatenation `a + b`, without building it as doubles.
    package static func orderPair(_ a: [Double], _ b: [Double], _ k: Int) -> (Double, Double) {
        let n = a.count + b.count
        precondition(k >= 0 && k < n, "order statistic out of range")
        if n >= 512, let pair = narrowed(a, b, k) { return pair }
        var largest: UInt64 = 0
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
            for (i, v) in a.enumerated() {
                buffer[i] = v.bitPattern
                largest = max(largest, v.bitPattern)
            }
            for (i, v) in b.enumerated() {
                buffer[a.count + i] = v.bitPattern
                largest = max(largest, v.bitPattern)
            }
            count = n
        }
        // The patterns of +0…+∞ are 0…0x7FF0…0; −0, negatives and NaNs lie above.
        guard n > 16, largest <= Double.infinity.bitPattern else {
            let sorted = (a + b).sorted()
            return (sorted[k], sorted[min(k + 1, n - 1)])
        }
        return keys.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return (.nan, .nan) }
            let (kth, next) = select(base, n, k)
            return (Double(bitPattern: kth), Double(bitPattern: next))
        }
    }

    /// `orderPair` (n ≥ 512) from the entries between two pivots around the k-th of an even
    /// sample of 64 (Floyd & Rivest), kept in one pass over `a` and `b` while those below are
    /// counted: about an eighth of the list is then selected from. nil when the pivots miss the
    /// k-th or its successor (or a value is negative or NaN): the caller's full selection decides.
    private static func narrowed(_ a: [Double], _ b: [Double], _ k: Int) -> (Double, Double)? {
        let n = a.count + b.count
        var sample = (0..<64).map { i -> UInt64 in
            let j = i * n / 64
            return j < a.count ? a[j].bitPattern : b[j - a.count].bitPattern
        }
        sample.sort()
        let position = k * 64 / n
        let low = sample[max(position - 4, 0)]
        let high = sample[min(position + 4, 63)]
        var below = 0
        var largest: UInt64 = 0
        var kept = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
            var cursor = 0
            for list in [a, b] {
                list.withUnsafeBufferPointer { values in
                    for v in values {
                        // Every entry is written; the cursor moves past the ones in [low, high].
                        // Without branches: for patterns below 2^63 (the only lists kept, see
                        // `largest`), x − y borrows into bit 63 exactly when x < y; for others
                        // the cursor still moves by 0 or 1.
                        let key = v.bitPattern
                        largest = max(largest, key)
                        let under = Int(truncatingIfNeeded: (key &- low) >> 63)
                        let over = Int(truncatingIfNeeded: (high &- key) >> 63)
                        below &+= under
                        buffer[cursor] = key
                        cursor &+= (1 &- under) & (1 &- over)
                    }
                }
            }
            count = cursor
        }
        // The patterns of +0…+∞ are 0…0x7FF0…0; −0, negatives and NaNs lie above.
        let rank = k - below
        guard largest <= Double.infinity.bitPattern, rank >= 0, rank + 1 < kept.count else { return nil }
        return kept.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let (kth, next) = select(base, buffer.count, rank)
            return (Double(bitPattern: kth), Double(bitPattern: next))
        }
    }

    /// The k-th smallest of `keys[0..<n]` and the next one (the k-th again when `k` is last),
    /// reordering `keys`.
    private static func select(_ keys: UnsafeMutablePointer<UInt64>, _ n: Int, _ k: Int) -> (UInt64, UInt64) {
        var lo = 0
        var hi = n - 1
        if n >= 512 {
            // First round (Floyd & Rivest): two pivots around the k-th of an even sample of 64,
            // so that the range kept is most likely about an eighth of the list.
            var sample = (0..<64).map { keys[$0 * n / 64] }
            sample.sort()
            let position = k * 64 / n
            let low = sample[max(position - 4, 0)]
            let high = sample[min(position + 4, 63)]
            let below = partition(keys, 0, n - 1) { $0 < low }
            let within = partition(keys, below, n - 1) { $0 <= high }
            if k < below {
                hi = below - 1
            } else if k >= within {
                lo = within
            } else {
                lo = below
                hi = within - 1
            }
        }
        var rounds = 0
        let maxRounds = 2 * (Int.bitWidth - n.leadingZeroBitCount) + 8
        while hi > lo {
            rounds += 1
            if rounds > maxRounds {
                // Unlucky pivots: sort what is left (the entries outside are already in place).
                var rest = UnsafeMutableBufferPointer(start: keys + lo, count: hi - lo + 1)
                rest.sort()
                break
            }
            let pivot = medianOfThree(keys[lo], keys[lo + (hi - lo) / 2], keys[hi])
            // Three-way partition of [lo, hi] in two branch-free passes (swaps, the cursor moved by
            // the comparison): [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot.
            let lt = partition(keys, lo, hi) { $0 < pivot }
            let gt = partition(keys, lt, hi) { $0 <= pivot } - 1
            if k < lt {
                hi = lt - 1
            } else if k > gt {
                lo = gt + 1
            } else {
                // keys[k] is the pivot; the next entry is the pivot again or the least above it.
                return (pivot, k < gt ? pivot : least(keys + gt + 1, n - gt - 1, or: pivot))
            }
        }
        // Every entry before k is at most keys[k], every entry after it at least keys[k].
        return (keys[k], least(keys + k + 1, n - k - 1, or: keys[k]))
    }

    /// Moves the keys of `[lo, hi]` for which `below` holds before the others (Lomuto, every
    /// step a swap so that no branch depends on the data); returns the first position of the others.
    @inline(__always)
    private static func partition(
        _ keys: UnsafeMutablePointer<UInt64>, _ lo: Int, _ hi: Int, _ below: (UInt64) -> Bool
    ) -> Int {
        var cursor = lo
        for i in lo...hi {
            let v = keys[i]
            keys[i] = keys[cursor]
            keys[cursor] = v
            cursor += below(v) ? 1 : 0
        }
        return cursor
    }

    /// The least of `count` keys, or `fallback` when there are none.
    @inline(__always)
    private static func least(_ keys: UnsafeMutablePointer<UInt64>, _ count: Int, or fallback: UInt64) -> UInt64 {
        if count == 0 { return fallback }
        var m = keys[0]
        for i in 1..<count where keys[i] < m { m = keys[i] }
        return m
    }

    @inline(__always)
    private static func medianOfThree(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        max(min(a, b), min(max(a, b), c))
    }
}
