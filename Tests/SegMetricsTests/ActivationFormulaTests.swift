import Foundation
import SegMetrics
import Testing

@Suite struct ActivationFormulaTests {
    @Test func elementwiseActivations() {
        var values: [Float] = [0, Float(log(3.0)), -Float(log(3.0))]
        Activation.sigmoid.apply(to: &values, channels: 1, pageMajor: false)
        #expect(values == [0.5, 0.75, 0.25])
        var tanh: [Float] = [0, Float(log(3.0))]
        Activation.tanh.apply(to: &tanh, channels: 1, pageMajor: false)
        // tanh(ln 3) = (9 − 1)/(9 + 1) = 0.8.
        #expect(tanh == [0, 0.8])
    }

    @Test func softmaxActsAcrossTheChannelsOfEachPixelInEitherLayout() {
        let l = Float(log(3.0))
        // Two pixels, two channels: pixel 0 (0, ln 3) → (1/4, 3/4); pixel 1 (ln 3, ln 3) → (1/2, 1/2).
        var interleaved: [Float] = [0, l, l, l]
        Activation.softmax.apply(to: &interleaved, channels: 2, pageMajor: false)
        #expect(interleaved == [0.25, 0.75, 0.5, 0.5])
        var pages: [Float] = [0, l, l, l]  // channel 0 of both pixels, then channel 1
        Activation.softmax.apply(to: &pages, channels: 2, pageMajor: true)
        #expect(pages == [0.25, 0.5, 0.75, 0.5])
        // Large logits do not overflow: (1000, 1000 + ln 3) → (1/4, 3/4).
        var large: [Float] = [1000, 1000 + l]
        Activation.softmax.apply(to: &large, channels: 2, pageMajor: false)
        #expect(abs(large[0] - 0.25) < 1e-4 && abs(large[1] - 0.75) < 1e-4)
    }

    @Test func summedGeneralizedDiceFollowsMonaiOnEmptyClasses() {
        let square = GeneralizedDice(weighting: .square)
        // MONAI TEST_CASE_6/7/8 per image (2 classes of 9 pixels): y 0, ŷ 1 → 0; y 1, ŷ 0 → 0; both 0 → 1.
        let predictionOnly = OverlapTerms(prediction: 9)
        #expect(square.summedValue(of: [predictionOnly, predictionOnly]) == 0)
        let truthOnly = OverlapTerms(truth: 9)
        #expect(square.summedValue(of: [truthOnly, truthOnly]) == 0)
        #expect(square.summedValue(of: [OverlapTerms(), OverlapTerms()]) == 1)
        #expect(square.summedValue(of: []).isNaN)
        // TEST_CASE_1: y [1, 0, 1, 1], ŷ [1, 0, 0, 1]: 2·2/(3 + 2) = 0.8.
        #expect(abs(square.summedValue(of: [OverlapTerms(intersection: 2, truth: 3, prediction: 2)]) - 0.8) < 1e-12)
    }
}
