import Foundation
import SegScoreTestSupport
import Testing

/// `evaluate` and `explain` read smoothing lists with one parser: the same values are refused,
/// with the same one-line message and exit 2.
@Suite struct SmoothingListTests {
    static let gt = "Fixtures/datasets/tiny/gt"
    static let pred = "Fixtures/datasets/tiny/pred"
    static let message = "segscore: error: --smooth takes non-negative numbers: 1e-5 or 1e-5,1,100\n"

    @Test(arguments: ["-1", "1,-1", "x", "1,,2", "1,", "inf", "nan"])
    func bothCommandsRefuseTheSameList(value: String) throws {
        let evaluate = try BinaryRunner.run(["evaluate", Self.gt, Self.pred, "--smooth=\(value)"])
        let explain = try BinaryRunner.run(["explain", "--smooth=\(value)"])
        #expect(evaluate.status == 2)
        #expect(explain.status == 2)
        #expect(evaluate.stderr == Self.message)
        #expect(explain.stderr == Self.message)
        #expect(evaluate.stdout == "" && explain.stdout == "")
    }

    @Test func explainAcceptsANonNegativeList() throws {
        let run = try BinaryRunner.run(["explain", "--variant", "soft", "--smooth", "0, 1e-5"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("smooth 0,1e-05"), "\(run.stdout)")
    }
}
