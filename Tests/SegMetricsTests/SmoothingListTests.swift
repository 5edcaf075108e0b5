import SegMetrics
import Testing

@Suite struct SmoothingListParsingTests {
    @Test(
        arguments: [
            ("1e-5", [0.00001]), ("0", [0.0]), ("1, 2 ,100", [1.0, 2.0, 100.0]), ("0.5,0", [0.5, 0.0]),
        ] as [(String, [Double])])
    func readsNonNegativeNumbers(text: String, values: [Double]) throws {
        #expect(try Smoothing.values(parsing: text, option: "--smooth") == values)
    }

    @Test(arguments: ["-1", "1,-0.5", "x", "", "1,,2", ",1", "1,", "inf", "-inf", "nan"])
    func refusesOtherLists(text: String) {
        let error = #expect(throws: DiceVariant.ParseError.self) {
            try Smoothing.values(parsing: text, option: "--smooth-nr")
        }
        #expect(error?.description == "--smooth-nr takes non-negative numbers: 1e-5 or 1e-5,1,100")
    }
}
