import ReportWriters
import Testing

/// Every Double prints in every report format, however large or small (issue 12, item 16: values
/// from about 9.2e14 on used to trap in the fixed-point formatter).
@Suite struct NumberTextTests {
    static let fixedCases: [(Double, String)] = [
        (0.66666, "0.6667"), (2.0 / 3.0, "0.6667"), (0.375, "0.3750"), (1, "1.0000"), (0, "0.0000"),
        (1.99999, "2.0000"), (-1.99999, "-2.0000"), (-0.5, "-0.5000"), (123.45678, "123.4568"),
        // Sign of values that round to zero, and subnormals.
        (-0.0, "0.0000"), (-0.00004, "0.0000"), (-0.00005, "-0.0001"), (.leastNonzeroMagnitude, "0.0000"),
        (-.leastNonzeroMagnitude, "0.0000"),
        (2.2250738585072014e-308, "0.0000"),
        // Around the old limit (Int.max / 10^4 ≈ 9.22e14) and up to 2^53.
        (9.2e14, "920000000000000.0000"), (9.3e14, "930000000000000.0000"), (-9.3e14, "-930000000000000.0000"),
        (1e15 + 0.5, "1000000000000000.5000"), (9_007_199_254_740_991, "9007199254740991.0000"),
        (9_007_199_254_740_992, "9007199254740992.0000"),
        // Above 2^53: shortest round-trip form.
        (9_007_199_254_740_994, "9.007199254740994e+15"), (1e300, "1e+300"), (-1e300, "-1e+300"),
        (.greatestFiniteMagnitude, "1.7976931348623157e+308"), (-.greatestFiniteMagnitude, "-1.7976931348623157e+308"),
        (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "NaN"),
    ]

    @Test(arguments: fixedCases)
    func fixedPrintsFourDecimalsOrTheShortestForm(_ value: Double, _ text: String) {
        #expect(NumberText.fixed(value) == text)
    }

    @Test(arguments: [
        (0.012, "+0.0120"), (-0.03, "-0.0300"), (0, "+0.0000"), (-0.0, "+0.0000"), (1e300, "+1e+300"),
        (-1e300, "-1e+300"), (.infinity, "+inf"), (-.infinity, "-inf"), (.nan, "NaN"),
    ])
    func signedShowsThePlus(_ value: Double, _ text: String) {
        #expect(NumberText.signed(value) == text)
    }

    @Test(arguments: [
        (0.25, "0.25"), (3, "3"), (-0.0, "0"), (.leastNonzeroMagnitude, "5e-324"), (-.leastNonzeroMagnitude, "-5e-324"),
        (1e300, "1e+300"),
        (-1e300, "-1e+300"), (9_007_199_254_740_992, "9007199254740992"), (1.8014398509481984e16, "1.8014398509481984e+16"),
        (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "NaN"),
    ])
    func shortestNamesNonFiniteValues(_ value: Double, _ text: String) {
        #expect(NumberText.shortest(value) == text)
    }

    @Test(arguments: [
        (1e300, "1e+300"), (-1e300, "-1e+300"), (.leastNonzeroMagnitude, "5e-324"), (-0.0, "0"), (-.infinity, "null"),
        (.greatestFiniteMagnitude, "1.7976931348623157e+308"), (-9_007_199_254_740_992, "-9007199254740992"),
    ])
    func jsonWritesHugeAndTinyNumbers(_ value: Double, _ text: String) {
        #expect(NumberText.json(value) == text)
        #expect(JSONValue.array([.number(value)]).rendered(indent: 0) == "[\(text)]")
    }
}

@Suite struct NumberStylesTests {
    @Test(arguments: [
        (0.990099009901, "0.990099"), (9.9999e-06, "9.9999e-06"), (0, "0"), (123_456_789, "1.23457e+08"),
        (.nan, "NaN"), (-.infinity, "-inf"),
    ])
    func significantShowsSixDigits(_ value: Double, _ text: String) {
        #expect(NumberText.significant(value) == text)
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1_950, "1,950"), (-1_234_567, "-1,234,567")])
    func groupedSeparatesThousands(_ value: Int, _ text: String) {
        #expect(NumberText.grouped(value) == text)
    }

    @Test(arguments: [(0, "0"), (-1, "0"), (.nan, "0"), (1.5, "1.500"), (12.3454, "12.345"), (0.0005, "0.001")])
    func secondsHaveThreeDecimals(_ value: Double, _ text: String) {
        #expect(NumberText.seconds(value) == text)
    }
}
