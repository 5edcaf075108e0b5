import Testing

@testable import SegScore

/// The differing ends of two keys, as the "nothing pairs" message proposes them for suffixes.
@Suite struct PairingDiagnosisTests {
    @Test(arguments: [
        ("01_manual1", "01_manual2", "_manual1", "_manual2"),  // widened back to the '_'
        ("img_01_mask", "img_01_pred", "_mask", "_pred"),
        ("case1_mask", "case1", "_mask", ""),  // one side only
        ("case1", "case1-seg", "", "-seg"),
    ])
    func tailsAreTheSuffixesThatPair(_ a: String, _ b: String, _ truth: String, _ prediction: String) throws {
        let tails = try #require(PairingDiagnosis.tails(a, b))
        #expect(tails.0 == truth && tails.1 == prediction)
    }

    @Test(arguments: [("01", "02"), ("gt_07", "seg_07"), ("a", "b")])
    func noSuffixWhenTheyDifferByANumberOrFromTheStart(_ a: String, _ b: String) {
        #expect(PairingDiagnosis.tails(a, b) == nil)
    }

    @Test func flagsAreReadyToPaste() {
        #expect(PairingDiagnosis.flag("--gt-suffix", "_manual1") == "--gt-suffix _manual1")
        #expect(PairingDiagnosis.flag("--pred-suffix", "-seg") == "--pred-suffix=-seg")
        #expect(PairingDiagnosis.flag("--gt-suffix", " it's") == #"--gt-suffix ' it'\''s'"#)
    }
}
