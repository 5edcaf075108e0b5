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

    /// The interval is of the difference of the two sides' means over every key, not of the keys
    /// both sides have. Baseline: four images at 0.9 (mean 0.9); now the same four and a fifth at
    /// 0.3 the baseline does not have (mean 0.78): change −0.12. A resample drawing the fifth key k
    /// times changes by −0.12·k, k ~ Binomial(5, 1/5): P(k = 0) = 0.33 → upper 0;
    /// P(k ≥ 3) = 5.8% and P(k ≥ 4) = 0.67% straddle 2.5% → lower −0.36. Only the paired keys
    /// would give [0, 0], which excludes −0.12.
    @Test func differenceIntervalIsOfTheFullChangeAndContainsIt() {
        let now: [[Double]] = [[0.9], [0.9], [0.9], [0.9], [0.3]]
        let before: [[Double]] = [[0.9], [0.9], [0.9], [0.9], [.nan]]
        let (classes, headline) = Bootstrap(resamples: 1000).differenceIntervals(current: now, baseline: before, headline: [0])
        for interval in [classes[0], headline] {
            #expect(abs(interval!.lower + 0.36) < 1e-9)
            #expect(interval!.upper == 0)
        }
    }

    /// The headline change is (mean of the current class means) − (mean of the baseline's), each
    /// skipping its NaN classes: class 1 has no baseline value, so the headline is class 0 against
    /// the mean of classes 0 and 1 on the current side. Every image alike: zero width at
    /// (0.5 + 0.7)/2 − 0.5 = 0.1.
    @Test func headlineChangeIsTheDifferenceOfTheHeadlines() {
        let now = [[Double]](repeating: [0.5, 0.7], count: 6)
        let before = [[Double]](repeating: [0.5, .nan], count: 6)
        let (classes, headline) = Bootstrap(resamples: 100).differenceIntervals(current: now, baseline: before, headline: [0, 1])
        #expect(classes[0] == BootstrapInterval(lower: 0, upper: 0) && classes[1] == nil)
        #expect(abs(headline!.lower - 0.1) < 1e-12 && abs(headline!.upper - 0.1) < 1e-12)
    }
}
