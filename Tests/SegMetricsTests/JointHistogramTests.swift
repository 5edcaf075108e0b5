import SegMetrics
import Testing

/// The 8-bit joint histogram on hand-counted pixels: long runs of one pair, mixed blocks and
/// the tail past the last whole 16-pixel block.
@Suite struct JointHistogramTests {
    static func counted(_ truth: [UInt8], _ prediction: [UInt8], times: Int = 1) -> JointHistogram8 {
        var histogram = JointHistogram8()
        for _ in 0..<times {
            truth.withUnsafeBufferPointer { t in
                prediction.withUnsafeBufferPointer { p in histogram.accumulate(truth: t, prediction: p) }
            }
        }
        return histogram
    }

    @Test func runsMixedWordsAndTheTailAreCountedPixelByPixelAlike() {
        // Words 0–1: 2 on both sides (one run of 16); word 2: 0 on both; word 3 mixed; tail of 5.
        let truth: [UInt8] =
            [UInt8](repeating: 2, count: 16) + [UInt8](repeating: 0, count: 8)
            + [1, 1, 1, 1, 3, 3, 3, 3] + [2, 2, 2, 2, 2]
        let prediction: [UInt8] =
            [UInt8](repeating: 2, count: 16) + [UInt8](repeating: 0, count: 8)
            + [1, 1, 0, 0, 3, 3, 3, 2] + [2, 2, 2, 2, 1]
        let histogram = Self.counted(truth, prediction)
        let expected: [Int: UInt32] = [
            2 << 8 | 2: 20, 0: 8, 1 << 8 | 1: 2, 1 << 8 | 0: 2, 3 << 8 | 3: 3, 3 << 8 | 2: 1, 2 << 8 | 1: 1,
        ]
        for cell in 0..<65536 { #expect(histogram.cells[cell] == expected[cell, default: 0], "cell \(cell >> 8),\(cell & 255)") }
        #expect(Array(histogram.truthHistogram[0..<4]) == [8, 4, 21, 4])
        #expect(Array(histogram.predictionHistogram[0..<4]) == [10, 3, 21, 3])
        #expect(histogram.truthHistogram.reduce(0, +) == 37)
    }

    @Test func aRunThatEndsTheImageIsAddedAndPassesAccumulate() {
        // 24 pixels of 5 on both sides: one run to the end, counted twice (two accumulate calls).
        let values = [UInt8](repeating: 5, count: 24)
        let histogram = Self.counted(values, values, times: 2)
        #expect(histogram.cells[5 << 8 | 5] == 48)
        #expect(histogram.truthHistogram[5] == 48 && histogram.predictionHistogram[5] == 48)
        #expect(histogram.cells.reduce(0, +) == 48)
    }
}
