import SegMetrics
import Testing

/// `JointHistogram8.accumulate` (runs found sixteen pixels at a time) against the plain loop that
/// adds one to a cell per pixel, on inputs chosen to break it: every length up to 70, changes on
/// and around the 16-pixel block edges, noise over all 256 values, long runs, unaligned buffers,
/// repeated calls, and cells already near 2^32.
@Suite struct JointHistogramReferenceTests {
    /// The plain loop: cells (wrapping like the histogram's) and both sides' counts.
    struct Reference: Equatable {
        var cells = [UInt32](repeating: 0, count: 65536)
        var truth = [Int](repeating: 0, count: 256)
        var prediction = [Int](repeating: 0, count: 256)

        mutating func add(_ t: some Collection<UInt8>, _ p: some Collection<UInt8>) {
            for (u, v) in zip(t, p) {
                cells[Int(u) << 8 | Int(v)] &+= 1
                truth[Int(u)] += 1
                prediction[Int(v)] += 1
            }
        }
    }

    func accumulate(_ histogram: inout JointHistogram8, _ t: [UInt8], _ p: [UInt8], from offset: Int = 0) {
        t.withUnsafeBufferPointer { tb in
            p.withUnsafeBufferPointer { pb in
                histogram.accumulate(
                    truth: UnsafeBufferPointer(rebasing: tb[offset...]), prediction: UnsafeBufferPointer(rebasing: pb[offset...]))
            }
        }
    }

    /// Both counts of `t`/`p` agree; the message names the case.
    func check(_ t: [UInt8], _ p: [UInt8], from offset: Int = 0, _ name: String) {
        var histogram = JointHistogram8()
        accumulate(&histogram, t, p, from: offset)
        var reference = Reference()
        reference.add(t[offset...], p[offset...])
        #expect(histogram.cells == reference.cells, "cells: \(name)")
        #expect(histogram.truthHistogram == reference.truth, "truth counts: \(name)")
        #expect(histogram.predictionHistogram == reference.prediction, "prediction counts: \(name)")
    }

    /// Values drawn from `alphabet`, each held for 1…`maxRun` pixels.
    func runs(_ count: Int, alphabet: Int, maxRun: Int, _ random: inout SplitMix64) -> [UInt8] {
        var values: [UInt8] = []
        while values.count < count {
            let value = UInt8(random.index(below: alphabet))
            values += repeatElement(value, count: min(count - values.count, 1 + random.index(below: maxRun)))
        }
        return values
    }

    @Test func everyLengthUpTo70() {
        var random = SplitMix64(seed: 7)
        for n in 0...70 {
            check(
                (0..<n).map { _ in UInt8(random.index(below: 3)) }, (0..<n).map { _ in UInt8(random.index(below: 3)) },
                "noise, length \(n)")
            check(
                runs(n, alphabet: 4, maxRun: 9, &random), runs(n, alphabet: 4, maxRun: 9, &random), "runs, length \(n)")
            let uniform = [UInt8](repeating: UInt8(n), count: n)
            check(uniform, uniform, "one value, length \(n)")
        }
    }

    @Test func oneChangeAtEveryPositionAroundTheBlockEdges() {
        // A single change in truth, prediction or both, at each pixel of 0…66, in 67 and 200 pixels.
        for n in [67, 200] {
            for j in 0..<67 {
                var changed = [UInt8](repeating: 9, count: n)
                changed[j] = 4
                let plain = [UInt8](repeating: 9, count: n)
                check(changed, plain, "truth changes at \(j) of \(n)")
                check(plain, changed, "prediction changes at \(j) of \(n)")
                check(changed, changed, "both change at \(j) of \(n)")
                var tail = plain
                for k in j..<n { tail[k] = 200 }
                check(tail, plain, "truth steps at \(j) of \(n)")
            }
        }
    }

    @Test func noiseOverAll256ValuesAndOddLengths() {
        var random = SplitMix64(seed: 11)
        for n in [1, 15, 17, 255, 257, 1023, 4097, 65_537] {
            let t = (0..<n).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let p = (0..<n).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            check(t, p, "noise, length \(n)")
        }
        // Every (truth, prediction) pair once: 65,536 cells of 1.
        let t = (0..<65536).map { UInt8($0 >> 8) }
        let p = (0..<65536).map { UInt8($0 & 255) }
        check(t, p, "every pair")
        var histogram = JointHistogram8()
        accumulate(&histogram, t, p)
        #expect(histogram.cells.allSatisfy { $0 == 1 })
        #expect(histogram.truthHistogram.allSatisfy { $0 == 256 })
    }

    @Test func runsAcrossBlocksUnalignedBuffersAndLongRuns() {
        var random = SplitMix64(seed: 13)
        for maxRun in [2, 15, 16, 17, 33, 300] {
            let t = runs(10_001, alphabet: 256, maxRun: maxRun, &random)
            let p = runs(10_001, alphabet: 3, maxRun: maxRun, &random)
            for offset in 0..<4 { check(t, p, from: offset, "runs up to \(maxRun), from pixel \(offset)") }
            check(t, t, "equal sides, runs up to \(maxRun)")
        }
        // One run of 2^20 + 3 pixels, then one pixel of another pair.
        let long = [UInt8](repeating: 255, count: (1 << 20) + 3) + [0]
        check(long, long, "a long run")
        var histogram = JointHistogram8()
        accumulate(&histogram, long, long)
        #expect(histogram.cells[255 << 8 | 255] == (1 << 20) + 3 && histogram.cells[0] == 1)
    }

    @Test func repeatedCallsAndResetAddLikeTheLoop() {
        var random = SplitMix64(seed: 17)
        var histogram = JointHistogram8()
        var reference = Reference()
        for round in 0..<6 {
            let n = 1 + random.index(below: 500)
            let t = runs(n, alphabet: 5, maxRun: 40, &random)
            let p = runs(n, alphabet: 5, maxRun: 40, &random)
            accumulate(&histogram, t, p)
            reference.add(t, p)
            #expect(histogram.cells == reference.cells, "round \(round)")
            #expect(histogram.truthHistogram == reference.truth && histogram.predictionHistogram == reference.prediction)
        }
        histogram.reset()
        #expect(histogram.cells.allSatisfy { $0 == 0 })
        #expect(histogram.truthHistogram.allSatisfy { $0 == 0 } && histogram.predictionHistogram.allSatisfy { $0 == 0 })
    }

    @Test func cellsNear32BitsWrapLikeTheLoop() {
        // Cells that already hold 2^32 − 10 (a previous image) take runs of 40 and single pixels:
        // the 32-bit cells wrap exactly as forty increments of one would.
        let t = [UInt8](repeating: 1, count: 40) + [2] + [UInt8](repeating: 1, count: 33)
        let p = [UInt8](repeating: 1, count: 40) + [2] + [UInt8](repeating: 3, count: 33)
        var histogram = JointHistogram8()
        var reference = Reference()
        for cell in [1 << 8 | 1, 2 << 8 | 2, 1 << 8 | 3] {
            histogram.cells[cell] = UInt32.max - 9
            reference.cells[cell] = UInt32.max - 9
        }
        accumulate(&histogram, t, p)
        reference.add(t, p)
        #expect(histogram.cells == reference.cells)
        // 2^32 − 10 + 40 wraps to 30; + 1 stays below; + 33 wraps to 23.
        #expect(histogram.cells[1 << 8 | 1] == 30 && histogram.cells[2 << 8 | 2] == UInt32.max - 8)
        #expect(histogram.cells[1 << 8 | 3] == 23)
        #expect(histogram.truthHistogram[1] == 73 && histogram.predictionHistogram[3] == 33)
    }
}
