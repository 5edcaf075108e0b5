import SegMetrics
import Testing

@Suite struct BootstrapTests {
    @Test func identicalScoresGiveZeroWidth() {
        let values = [[Double]](repeating: [0.8, 0.6], count: 25)
        let (classes, headline) = Bootstrap(resamples: 500).intervals(values, headline: [0, 1])
        // Every resample has the same mean: zero width (the mean itself carries summation rounding).
        #expect(classes.map { $0!.width } == [0, 0])
        #expect(abs(classes[0]!.lower - 0.8) < 1e-12 && abs(classes[1]!.lower - 0.6) < 1e-12)
        #expect(headline!.width == 0 && abs(headline!.lower - 0.7) < 1e-12)
    }

    @Test func twoImagesZeroAndOne() {
        // Resampled means are 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4: the 2.5th and 97.5th
        // percentiles of 1000 resamples are 0 and 1.
        let (classes, _) = Bootstrap(resamples: 1000).intervals([[0], [1]], headline: [0])
        #expect(classes[0] == BootstrapInterval(lower: 0, upper: 1))
    }

    @Test func sameSeedSameInterval() {
        let values = (0..<40).map { [Double($0 % 7) / 7, $0 % 5 == 0 ? .nan : 0.5] }
        let first = Bootstrap(resamples: 300).intervals(values, headline: [0, 1])
        let second = Bootstrap(resamples: 300).intervals(values, headline: [0, 1])
        #expect(first.classes == second.classes && first.headline == second.headline)
        #expect(first.classes[0]!.lower < first.classes[0]!.upper)
        #expect(first.classes[1] == BootstrapInterval(lower: 0.5, upper: 0.5))  // NaN images skipped
        #expect(Bootstrap(resamples: 0).intervals(values, headline: [0]).headline == nil)
    }

    @Test func pairedDifferenceOfAConstantShiftHasZeroWidth() {
        let before = (0..<30).map { [Double($0) / 30] }
        let after = before.map { [$0[0] - 0.1] }
        let (classes, headline) = Bootstrap(resamples: 200).differenceIntervals(current: after, baseline: before, headline: [0])
        #expect(abs(classes[0]!.lower + 0.1) < 1e-12 && abs(classes[0]!.upper + 0.1) < 1e-12)
        #expect(abs(headline!.width) < 1e-12)
    }
}
