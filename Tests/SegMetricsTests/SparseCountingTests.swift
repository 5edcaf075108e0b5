import SegMetrics
import SegScoreTestSupport
import Testing

/// Sparse pair counting (`PairCounts`) against hand-worked values and against the dense matrix.
@Suite struct SparseCountingTests {
    typealias SplitMix = SplitMix64

    @Test func pairsOfAShiftedMapAreCountedOnce() {
        // truth 7 7 9 9 70000, prediction 7 9 9 70000 70000: runs are merged, each pair counted once.
        let truth: [UInt32] = [7, 7, 9, 9, 70000]
        let prediction: [UInt32] = [7, 9, 9, 70000, 70000]
        let pairs = truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { PairCounts(truth: t, prediction: $0) }
        }
        let expectedKeys: [UInt64] = [
            (7 << 32) | 7, (7 << 32) | 9, (9 << 32) | 9, (9 << 32) | 70000, (70000 << 32) | 70000,
        ]
        #expect(pairs.keys == expectedKeys)
        #expect(pairs.counts == [1, 1, 1, 1, 1])
        // 9: truth 2,3; predicted at 1,2 → TP 1, FP 1, FN 1, TN 2. 70000: TP 1, FP 1, TN 3.
        let (counts, total) = pairs.classCounts(ids: [9, 70000])
        #expect(total == 5)
        #expect(counts == [ClassCounts(tp: 1, fp: 1, fn: 1, tn: 2), ClassCounts(tp: 1, fp: 1, fn: 0, tn: 3)])
    }

    @Test func ignoredAndAliasedValues() {
        // truth 255 255 5 1 0, prediction 1 0 1 65535 65535; truth 255 → 1, prediction 65535 → 1, 5 ignored.
        // Scored pixels 0, 1, 3, 4. Class 1: truth 0, 1, 3; prediction 0, 3, 4 → TP 2, FP 1, FN 1, TN 0.
        let truth: [UInt16] = [255, 255, 5, 1, 0]
        let prediction: [UInt16] = [1, 0, 1, 65535, 65535]
        let pairs = truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { PairCounts(truth: t, prediction: $0) }
        }
        let (counts, total) = pairs.classCounts(ids: [1], ignored: [5], truthAliases: [255: 1], predictionAliases: [65535: 1])
        #expect(total == 4)
        #expect(counts == [ClassCounts(tp: 2, fp: 1, fn: 1, tn: 0)])
    }

    @Test func pairsFromAHistogramMergeEqualKeys() {
        let keys: [UInt64] = [(3 << 32) | 1, (1 << 32) | 1, (3 << 32) | 1, 2]
        let pairs = PairCounts(keys: keys, counts: [2, 4, 1, 0])
        let merged: [UInt64] = [(1 << 32) | 1, (3 << 32) | 1]
        #expect(pairs.keys == merged)
        #expect(pairs.counts == [4, 3])
    }

    /// Dense counts through `ClassTable` and `ConfusionMatrix`.
    func dense<T: FixedWidthInteger & UnsignedInteger, U: FixedWidthInteger & UnsignedInteger>(
        _ truth: [T], _ prediction: [U], roi: [UInt8]?, ids: [Int], ignored: [Int], truthAliases: [Int: Int],
        predictionAliases: [Int: Int]
    ) -> [ClassCounts] {
        let table = ClassTable(ids: ids, ignored: ignored, truthAliases: truthAliases, predictionAliases: predictionAliases)
        var matrix = ConfusionMatrix(classCount: ids.count)
        truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { p in
                if let roi {
                    roi.withUnsafeBufferPointer { accumulate(truth: t, prediction: p, roi: $0, table: table, into: &matrix) }
                } else {
                    accumulate(truth: t, prediction: p, table: table, into: &matrix)
                }
            }
        }
        return matrix.classCounts
    }

    func sparse<T: FixedWidthInteger & UnsignedInteger, U: FixedWidthInteger & UnsignedInteger>(
        _ truth: [T], _ prediction: [U], roi: [UInt8]?, ids: [Int], ignored: [Int], truthAliases: [Int: Int],
        predictionAliases: [Int: Int]
    ) -> [ClassCounts] {
        let pairs = truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { p in
                if let roi { return roi.withUnsafeBufferPointer { PairCounts(truth: t, prediction: p, roi: $0) } }
                return PairCounts(truth: t, prediction: p)
            }
        }
        return pairs.classCounts(ids: ids, ignored: ignored, truthAliases: truthAliases, predictionAliases: predictionAliases)
            .counts
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    func denseAndSparseAgreeOnRandomMaps(seed: UInt64) {
        var random = SplitMix(state: seed)
        let n = 1 + random.below(400)
        // A few values, some above 65535 (the dictionary side of the dense table), in runs.
        let palette = (0..<(1 + random.below(12))).map { _ in
            random.below(3) == 0 ? 65536 + random.below(100_000) : random.below(300)
        }
        func map() -> [UInt32] {
            var values: [UInt32] = []
            while values.count < n {
                let v = UInt32(palette[random.below(palette.count)])
                for _ in 0..<(1 + random.below(5)) where values.count < n { values.append(v) }
            }
            return values
        }
        let truth = map()
        let prediction = map()
        let roi: [UInt8]? =
            random.below(2) == 0 ? nil : (0..<n).map { _ in UInt8(random.below(3) == 0 ? 0 : 1 + random.below(200)) }
        // Scored ids: every id seen, or a subset (the rest is "other"); sometimes one ignored id,
        // sometimes aliases.
        var ids = Array(Set(palette)).sorted()
        if random.below(2) == 0 { ids = ids.filter { _ in random.below(3) != 0 } }
        let ignored = random.below(2) == 0 ? [palette[random.below(palette.count)]] : []
        ids = ids.filter { !ignored.contains($0) }
        let truthAliases = random.below(3) == 0 ? [palette[0]: palette[palette.count - 1]] : [:]
        let predictionAliases = random.below(3) == 0 ? [palette[palette.count - 1]: 1] : [:]
        let expected = dense(
            truth, prediction, roi: roi, ids: ids, ignored: ignored, truthAliases: truthAliases,
            predictionAliases: predictionAliases)
        let got = sparse(
            truth, prediction, roi: roi, ids: ids, ignored: ignored, truthAliases: truthAliases,
            predictionAliases: predictionAliases)
        #expect(got == expected, "seed \(seed)")
        // The same maps as 16-bit data when they fit.
        if palette.allSatisfy({ $0 < 65536 }) {
            let t16 = truth.map { UInt16($0) }
            let p16 = prediction.map { UInt16($0) }
            #expect(
                sparse(
                    t16, p16, roi: roi, ids: ids, ignored: ignored, truthAliases: truthAliases,
                    predictionAliases: predictionAliases)
                    == dense(
                        t16, p16, roi: roi, ids: ids, ignored: ignored, truthAliases: truthAliases,
                        predictionAliases: predictionAliases))
        }
    }

    @Test func classCountsOfTheMatrixMatchThePerClassSums() {
        // 3×3 matrix over 2 classes + other, worked by hand:
        // rows (truth) 0: 5 1 0 / 1: 2 7 1 / other: 0 3 4 → class 0: TP 5, FN 1, FP 2, TN 15;
        // class 1: TP 7, FN 3, FP 4, TN 9.
        var matrix = ConfusionMatrix(classCount: 2)
        let truth: [UInt8] = Array(repeating: 0, count: 6) + Array(repeating: 1, count: 10) + Array(repeating: 9, count: 7)
        let prediction: [UInt8] = [0, 0, 0, 0, 0, 1] + [0, 0, 1, 1, 1, 1, 1, 1, 1, 9] + [1, 1, 1, 9, 9, 9, 9]
        truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer {
                accumulate(truth: t, prediction: $0, table: ClassTable(ids: [0, 1]), into: &matrix)
            }
        }
        #expect(matrix.classCounts == [ClassCounts(tp: 5, fp: 2, fn: 1, tn: 15), ClassCounts(tp: 7, fp: 4, fn: 3, tn: 9)])
        #expect(matrix.counts(forClassAt: 1) == ClassCounts(tp: 7, fp: 4, fn: 3, tn: 9))
    }

    @Test func unknownIDsAreFoundForAnyNumberOfClasses() {
        let ids = Array(0..<70000)
        do throws(UnknownLabelError) {
            try ClassTable.checkKnown([5, 69999, 70001, 80000, 90000], ids: ids, ignored: [90000])
            Issue.record("no error")
        } catch {
            #expect(error.ids == [70001, 80000])
        }
    }
}
