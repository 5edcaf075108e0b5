import Foundation
import SegMetrics
import Testing

/// Small label maps worked out by hand.
@Suite struct HandWorkedLabelMapTests {
    /// Counts a pair of 8-bit label maps over `ids`.
    func counts(_ truth: [UInt8], _ prediction: [UInt8], ids: [Int], ignored: [Int] = [], roi: [UInt8]? = nil)
        -> [ClassCounts]
    {
        let table = ClassTable(ids: ids, ignored: ignored)
        var matrix = ConfusionMatrix(classCount: ids.count)
        truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { p in
                if let roi {
                    roi.withUnsafeBufferPointer { r in accumulate(truth: t, prediction: p, roi: r, table: table, into: &matrix) }
                } else {
                    accumulate(truth: t, prediction: p, table: table, into: &matrix)
                }
            }
        }
        return matrix.classCounts
    }

    let hard = DiceVariant(formula: .hard)

    @Test func bothMasksEmptyFollowsTheEmptyRule() {
        // Class 1 appears nowhere: TP = FP = FN = 0, TN = 4.
        let c = counts([0, 0, 0, 0], [0, 0, 0, 0], ids: [1])[0]
        #expect(c == ClassCounts(tp: 0, fp: 0, fn: 0, tn: 4))
        #expect(hard.value(of: c.terms).isNaN)
        #expect(DiceVariant(formula: .hard, empty: .one).value(of: c.terms) == 1)
        #expect(DiceVariant(formula: .hard, empty: .zero).value(of: c.terms) == 0)
        #expect(DiceVariant(formula: .hard, empty: .gtEmptyNaN).value(of: c.terms).isNaN)
    }

    @Test func emptyTruthWithFalsePositivesIsZeroUnlessMONAIRule() {
        // GT has no class 1; the prediction marks 2 pixels: 2·0/(0 + 2 + 0) = 0.
        let c = counts([0, 0, 0, 0], [1, 1, 0, 0], ids: [1])[0]
        #expect(c == ClassCounts(tp: 0, fp: 2, fn: 0, tn: 2))
        #expect(hard.value(of: c.terms) == 0)
        #expect(DiceVariant(formula: .hard, empty: .gtEmptyNaN).value(of: c.terms).isNaN)
        // Smoothing 1 in both terms: (0 + 1)/(2 + 1) = 1/3.
        #expect(DiceVariant(formula: .soft, smoothing: Smoothing(1)).value(of: c.terms) == 1.0 / 3.0)
    }

    @Test func emptyPredictionIsZero() {
        let c = counts([1, 1, 1, 0], [0, 0, 0, 0], ids: [1])[0]
        #expect(c == ClassCounts(tp: 0, fp: 0, fn: 3, tn: 1))
        #expect(hard.value(of: c.terms) == 0)
    }

    @Test func threeClassesOnSixPixels() {
        // truth 0 0 1 1 2 2, prediction 0 1 1 1 2 0:
        // class 0: TP 1, FP 1 (pixel 5), FN 1 (pixel 1) → 2/4 = 0.5
        // class 1: TP 2, FP 1, FN 0 → 4/5 = 0.8; class 2: TP 1, FP 0, FN 1 → 2/3.
        let all = counts([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], ids: [0, 1, 2])
        #expect(
            all == [
                ClassCounts(tp: 1, fp: 1, fn: 1, tn: 3), ClassCounts(tp: 2, fp: 1, fn: 0, tn: 3),
                ClassCounts(tp: 1, fp: 0, fn: 1, tn: 4),
            ])
        let score = hard.score(key: "a", ids: [0, 1, 2], terms: all.map(\.terms), counts: all)
        #expect(score.classes.map(\.dice) == [0.5, 0.8, 2.0 / 3.0])
        // Headline without background: (0.8 + 2/3)/2.
        #expect(score.mean(over: [1, 2]) == (0.8 + 2.0 / 3.0) / 2)
    }

    @Test func classAbsentFromBothIsNaNAndSkipped() {
        let all = counts([0, 1, 1, 0], [0, 1, 0, 0], ids: [1, 2])
        let score = hard.score(key: "a", ids: [1, 2], terms: all.map(\.terms), counts: all)
        // Class 1: 2·1/(2 + 1 + 0)... TP 1, FN 1 → 2/3; class 2 absent from both → NaN.
        #expect(score.classes[0].dice == 2.0 / 3.0)
        #expect(score.classes[1].dice.isNaN)
        #expect(score.mean(over: [1, 2]) == 2.0 / 3.0)
    }

    @Test func ignoreLabelDropsTruthPixelsFromEveryCount() {
        // Pixels whose truth is 255 are left out, whatever was predicted there.
        let all = counts([255, 255, 1, 1, 0], [1, 0, 1, 0, 0], ids: [0, 1], ignored: [255])
        #expect(all[1] == ClassCounts(tp: 1, fp: 0, fn: 1, tn: 1))
        #expect(all[0] == ClassCounts(tp: 1, fp: 1, fn: 0, tn: 1))
        // Without the ignore label, 255 is "other" and the first pixel is a false positive for 1.
        let counted = counts([255, 255, 1, 1, 0], [1, 0, 1, 0, 0], ids: [0, 1])
        #expect(counted[1] == ClassCounts(tp: 1, fp: 1, fn: 1, tn: 2))
    }

    @Test func regionOfInterestKeepsOnlyItsPixels() {
        // Only pixels 1, 2 and 3 are inside: truth 1 1 0, prediction 1 0 1.
        let all = counts([1, 1, 1, 0, 1], [0, 1, 0, 1, 1], ids: [1], roi: [0, 255, 1, 1, 0])
        #expect(all[0] == ClassCounts(tp: 1, fp: 1, fn: 1, tn: 0))
    }

    @Test func sixteenBitIds300And44() {
        let truth: [UInt16] = [300, 300, 44, 44, 0, 0]
        let prediction: [UInt16] = [300, 44, 44, 44, 0, 300]
        let table = ClassTable(ids: [44, 300])
        var matrix = ConfusionMatrix(classCount: 2)
        truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { p in accumulate(truth: t, prediction: p, table: table, into: &matrix) }
        }
        // 44: TP 2, FP 1 → 4/5. 300: TP 1, FP 1, FN 1 → 2/4.
        #expect(matrix.classCounts == [ClassCounts(tp: 2, fp: 1, fn: 0, tn: 3), ClassCounts(tp: 1, fp: 1, fn: 1, tn: 3)])
        #expect(matrix.classCounts.map { hard.value(of: $0.terms) } == [0.8, 0.5])
        #expect(throws: UnknownLabelError.self) { try table.checkKnown([0, 44, 300]) }
        #expect(throws: Never.self) { try ClassTable(ids: [44, 300], ignored: [0]).checkKnown([0, 44, 300]) }
    }

    @Test func thirtyTwoBitIdsGoThroughTheWidePath() {
        let truth: [UInt32] = [70_000, 70_000, 5]
        let prediction: [UInt32] = [70_000, 5, 5]
        let table = ClassTable(ids: [5, 70_000])
        var matrix = ConfusionMatrix(classCount: 2)
        truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { p in accumulate(truth: t, prediction: p, table: table, into: &matrix) }
        }
        #expect(matrix.classCounts == [ClassCounts(tp: 1, fp: 1, fn: 0, tn: 1), ClassCounts(tp: 1, fp: 0, fn: 1, tn: 1)])
    }
}

@Suite struct FormulaTests {
    // I = 3, St = 4, Sp = 5, Σt² = 4, Σp² = 3, Σmin = 2.5, n = 10.
    let terms = OverlapTerms(
        intersection: 3, truth: 4, prediction: 5, truthSquared: 4, predictionSquared: 3, minimum: 2.5, truthPower: 4,
        predictionPower: 5, pixels: 10)

    static let expectations: [(String, Double)] = [
        ("hard", 6.0 / 9.0), ("soft", 6.0 / 9.0), ("soft-squared", 6.0 / 7.0), ("fuzzy", 5.0 / 9.0),
        ("tversky:0.5,0.5", 3.0 / 4.5), ("tversky:0.3,0.7", 3.0 / 4.3), ("jaccard", 6.0 / 12.0),
    ]

    @Test(arguments: expectations)
    func formulaOnKnownTerms(_ name: String, _ expected: Double) throws {
        let variant = try DiceVariant.named(name)
        #expect(variant.value(of: terms) == expected)
    }

    @Test func perClassSmoothingListsApplyInOrder() {
        // Two empty classes: (0 + s)/(0 + s) = 1 for s > 0; class 0 has s = 0 → NaN.
        let variant = DiceVariant(formula: .soft, smoothing: Smoothing(numerator: [0, 1], denominator: [0, 1]))
        let empty = OverlapTerms()
        #expect(variant.value(of: empty, classIndex: 0).isNaN)
        #expect(variant.value(of: empty, classIndex: 1) == 1)
    }

    @Test func denominatorFloorAppliesAfterSmoothing() {
        let variant = DiceVariant(
            formula: .soft, smoothing: Smoothing(numerator: [1e-5], denominator: [0]), denominatorFloor: 1e-8)
        // (0 + 1e-5)/max(0, 1e-8) = 1000.
        #expect(variant.value(of: OverlapTerms()) == 1e-5 / 1e-8)
    }

    @Test func overlapMetricsFromCounts() {
        // TP 2, FP 1, FN 1, TN 6: IoU 2/4, precision 2/3, recall 2/3, specificity 6/7, VS 1 − 0/6.
        let metrics = OverlapMetrics(ClassCounts(tp: 2, fp: 1, fn: 1, tn: 6).terms)
        #expect(metrics.iou == 0.5)
        #expect(metrics.precision == 2.0 / 3.0)
        #expect(metrics.recall == 2.0 / 3.0)
        #expect(metrics.specificity == 6.0 / 7.0)
        #expect(metrics.volumetricSimilarity == 1)
    }

    static let losses: [(LossTransform, Double)] = [(.oneMinus, 0.25), (.negative, -0.75), (.negativeLog, 0.2876820724517809)]

    @Test(arguments: losses)
    func lossTransforms(_ transform: LossTransform, _ expected: Double) {
        #expect(abs(transform.apply(0.75) - expected) < 1e-15)
    }

    @Test func everyPresetAndBaseNameParses() throws {
        for preset in Preset.allCases {
            #expect(try DiceVariant.named(preset.rawValue).name == preset.rawValue)
        }
        #expect(try DiceVariant.named("soft-pow:1.5").formula == .softPow(1.5))
        #expect(try DiceVariant.named("generalized:simple").formula == .generalized(.simple))
        #expect(throws: DiceVariant.ParseError.self) { try DiceVariant.named("dice-ish") }
        #expect(throws: DiceVariant.ParseError.self) { try DiceVariant.named("tversky:0.5") }
    }
}

@Suite struct AggregationTests {
    /// Images with values that make summation order matter in floating point.
    func images(count: Int) -> [ImageScore] {
        let variant = DiceVariant(formula: .soft, smoothing: Smoothing(1e-5))
        return (0..<count).map { i in
            let t = Double(i % 7) * 0.1 + 1e-3 * Double(i)
            let terms = [
                OverlapTerms(intersection: t, truth: 1 + t, prediction: 0.5 + t * t, pixels: 100),
                OverlapTerms(intersection: 0, truth: Double(i % 3), prediction: 0, pixels: 100),
            ]
            return variant.score(key: String(format: "img%04d", i), ids: [1, 2], terms: terms)
        }
    }

    @Test func shuffledArrivalGivesBitwiseIdenticalSummaries() {
        let variant = DiceVariant(formula: .soft, smoothing: Smoothing(1e-5))
        let all = images(count: 257)
        var reference = DatasetAggregator(variant: variant, classIDs: [1, 2])
        for image in all { reference.add(image) }
        let expected = reference.summary()
        var generator = SplitMix64(seed: 42)
        for _ in 0..<5 {
            var shuffled = all
            shuffled.shuffle(using: &generator)
            // Two shards built from the shuffled order, merged.
            var first = DatasetAggregator(variant: variant, classIDs: [1, 2])
            var second = DatasetAggregator(variant: variant, classIDs: [1, 2])
            for (i, image) in shuffled.enumerated() {
                if i % 2 == 0 { first.add(image) } else { second.add(image) }
            }
            second.merge(first)
            #expect(second.summary() == expected)
        }
    }

    @Test func statisticsOfAHandWorkedDataset() {
        // ds_binary_4img of the golden file: per-image Dice 0.5625, NaN, 0, 2/3.
        let variant = DiceVariant(formula: .hard)
        let counts = [
            ClassCounts(tp: 36, fp: 28, fn: 28, tn: 0), ClassCounts(tn: 64), ClassCounts(fp: 4, tn: 60),
            ClassCounts(tp: 4, fp: 0, fn: 4, tn: 56),
        ]
        var aggregator = DatasetAggregator(variant: variant, classIDs: [1])
        for (i, c) in counts.enumerated() {
            aggregator.add(variant.score(key: "\(i)", ids: [1], terms: [c.terms], counts: [c]))
        }
        let summary = aggregator.summary()
        let c = summary.classes[0]
        #expect(c.n == 3 && c.nNaN == 1)
        #expect(abs(c.mean - (0.5625 + 0 + 2.0 / 3.0) / 3) < 1e-15)
        #expect(c.median == 0.5625)
        #expect(c.min == 0 && c.max == 2.0 / 3.0)
        // Pooled: TP 40, FP 32, FN 32 → 80/144.
        #expect(c.pooledCounts == ClassCounts(tp: 40, fp: 32, fn: 32, tn: 180))
        #expect(c.pooled == 80.0 / 144.0)
        #expect(summary.mean == c.mean && summary.pooled == c.pooled)
        // Population standard deviation of {0.5625, 0, 2/3}.
        let m = c.mean
        let expectedStd = (((0.5625 - m) * (0.5625 - m) + m * m + (2.0 / 3.0 - m) * (2.0 / 3.0 - m)) / 3).squareRoot()
        #expect(abs(c.std - expectedStd) < 1e-15)
    }

    @Test func monaiHeadlineIsZeroWhenEverythingIsNaN() {
        var variant = Preset.monaiMetric.variant
        variant.libraryIncludesBackground = false
        var aggregator = DatasetAggregator(variant: variant, classIDs: [0, 1])
        let empty = ClassCounts(tn: 16)
        aggregator.add(
            variant.score(
                key: "a", ids: [0, 1], terms: [ClassCounts(tp: 16).terms, empty.terms], counts: [ClassCounts(tp: 16), empty]))
        #expect(aggregator.summary().library?.value == 0)
        #expect(aggregator.summary().mean.isNaN)
    }
}
