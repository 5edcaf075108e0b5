import Testing

@testable import SegMetrics

/// The resampled statistics are held a bounded number at a time: classes beyond `storageLimit /
/// resamples` are done in further passes that replay the same seeded draws.
@Suite struct BootstrapMemoryTests {
    /// Two classes that are constant per class and one with a NaN image: every pass size gives the
    /// hand-worked intervals (constant classes: zero width at their value; the headline of
    /// classes 0 and 1 is (0.25 + 0.75)/2 = 0.5 exactly in every resample).
    @Test(arguments: [1, 2, 3, 1 << 22])
    func onePassOrManyGiveTheSameIntervals(limit: Int) {
        let rows: [Double] = [0.25, 0.75, .nan, 0.25, 0.75, 0.5, 0.25, 0.75, 0.5]
        var bootstrap = Bootstrap(resamples: 2)
        bootstrap.storageLimit = limit
        let (classes, headline) = bootstrap.intervals(rows: rows, classCount: 3, headline: [0, 1])
        #expect(
            classes == [
                BootstrapInterval(lower: 0.25, upper: 0.25), BootstrapInterval(lower: 0.75, upper: 0.75),
                BootstrapInterval(lower: 0.5, upper: 0.5),
            ])
        #expect(headline == BootstrapInterval(lower: 0.5, upper: 0.5))
        // A baseline 0.125 lower on every value (exact in binary): every change is +0.125.
        let before = rows.map { $0 - 0.125 }
        let change = bootstrap.differenceIntervals(current: rows, baseline: before, classCount: 3, headline: [0, 1])
        for interval in change.classes + [change.headline] {
            #expect(interval == BootstrapInterval(lower: 0.125, upper: 0.125))
        }
    }

    /// With one class per pass, many classes and NaNs, the intervals are the same bits as with
    /// every class in one pass (the draws are replayed, the headline summed in class order).
    @Test func passSizeDoesNotChangeABit() {
        var generator = SplitMix64(seed: 11)
        let rows = (0..<(23 * 7)).map { _ in generator.next() % 9 == 0 ? Double.nan : Double(generator.next() % 997) / 997 }
        let base = rows.map { $0.isNaN ? 0.5 : $0 * 0.9 }
        var small = Bootstrap(resamples: 301)
        small.storageLimit = 301
        let large = Bootstrap(resamples: 301)
        let a = small.intervals(rows: rows, classCount: 7, headline: [1, 3, 6])
        let b = large.intervals(rows: rows, classCount: 7, headline: [1, 3, 6])
        #expect(a.classes == b.classes && a.headline == b.headline)
        let c = small.differenceIntervals(current: rows, baseline: base, classCount: 7, headline: [0, 6])
        let d = large.differenceIntervals(current: rows, baseline: base, classCount: 7, headline: [0, 6])
        #expect(c.classes == d.classes && c.headline == d.headline)
    }
}
