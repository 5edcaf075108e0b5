import ReportWriters
import Testing

/// The pieces of `--nnunet-summary` that make its numbers and text NumPy's and Python's: expected
/// values from NumPy 2.4.6 and Python 3.11 (`np.sum`, `np.mean`, `np.nanmean`, `json.dumps`).
@Suite struct NnUNetSummaryTests {
    typealias Value = EvaluationReportValue

    /// a[i] = 0.1·i + 1/(i+1): from 8 values on, NumPy's pairwise sum differs from a plain loop.
    static func series(_ n: Int) -> [Double] {
        var values: [Double] = []
        for i in 0..<n {
            let tenth: Double = 0.1 * Double(i)
            values.append(tenth + 1 / Double(i + 1))
        }
        return values
    }

    @Test(arguments: [
        (7, 4.692857142857143), (9, 6.428968253968255), (100, 500.1873775176397), (300, 4491.2826638803),
        (1000, 49957.485470860556),
    ])
    func sumsAsNumPyDoes(_ n: Int, _ numpy: Double) {
        #expect(Value.numpySum(Self.series(n)) == numpy)
    }

    @Test func sequentialSumWouldDiffer() {
        // The plain loop gives 4491.282663880303 and 49957.485470860585: the pairwise order matters.
        #expect(Self.series(300).reduce(0, +) == 4491.282663880303)
        #expect(Value.numpyMean(Self.series(1000)) == 49.957485470860554)
    }

    @Test func nanMeanSkipsNaN() {
        var values: [Double] = [0.3, .nan, 0.7, 0.1]
        for i in 0..<20 { values.append(0.1 * Double(i)) }
        #expect(Value.nanMean(values) == 0.8739130434782609)
        #expect(Value.nanMean([.nan, .nan]).isNaN)
        #expect(Value.numpyMean([0.5, .nan]).isNaN)
    }

    @Test func pythonTextForms() {
        #expect(Value.pythonFloat(.nan) == "NaN")
        #expect(Value.pythonFloat(436479) == "436479.0")
        #expect(Value.pythonFloat(0.00001) == "1e-05")
        #expect(Value.pythonFloat(1e16) == "1e+16")
        #expect(Value.pythonFloat(0.6538751320246794) == "0.6538751320246794")
        // json.dumps("a\"b\\c\u{7f}é😀\n") with ensure_ascii
        #expect(Value.pythonString("a\"b\\c\u{7f}é😀\n") == #""a\"b\\c\u007f\u00e9\ud83d\ude00\n""#)
    }
}
