import Foundation
import SegScoreTestSupport
import Testing

/// Channels and probability maps, on 4×2 datasets worked out by hand (dyadic values: exact in float32).
@Suite struct EvaluateEncodingTests {
    /// key,class_id,dice,tp,fp,fn,tn of every CSV row.
    static func rows(_ arguments: [String]) throws -> [String] {
        let output = try BinaryRunner.run(arguments + ["--csv", "-", "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout.split(separator: "\r\n").dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return ([cells[0], cells[3]] + cells[5...9]).joined(separator: ",")
        }
    }

    let channels = ["evaluate", "Fixtures/datasets/channels/gt", "Fixtures/datasets/channels/pred", "--pages", "channels"]

    @Test func multiSampleTruthAgainstMultiPageFloatPrediction() throws {
        // Channel 0: truth 1 1 0 0/0 0 0 0, p 7/8 3/8 5/8 0/…: on at 0 and 2 → TP 1, FP 1, FN 1 → 1/2.
        // Channel 1: truth 0 1 1 0/0 1 1 0, p .25 .75 .625 .125/0 .5 .875 .375: 0.5 is not > 0.5 → TP 3, FN 1 → 6/7.
        // Channel 2: truth empty, p 0.75 once → FP 1 → 0.
        #expect(
            try Self.rows(channels)
                == ["m,0,0.5,1,1,1,5", "m,1,\(6.0 / 7),3,0,1,4", "m,2,0,0,1,0,7"])
    }

    @Test func softDiceOnChannelsUsesTheProbabilities() throws {
        // Channel 0: I = 7/8 + 3/8, St = 2, Sp = 15/8 → 2.5/3.875. Channel 1: I = 2.75, St 4, Sp 3.5 → 5.5/7.5.
        #expect(
            try Self.rows(channels + ["--variant", "soft"])
                == ["m,0,\(2.5 / 3.875),1.25,0.625,0.75,5.375", "m,1,\(5.5 / 7.5),2.75,0.75,1.25,3.25", "m,2,0,0,0.75,0,7.25"])
    }

    @Test func perChannelThresholds() throws {
        // Threshold 0.8 on channel 0 keeps only 7/8 → TP 1, FN 1 → 2/3. 0.4 on channel 1 adds the 0.5
        // at pixel 5 and nothing else (0.375 < 0.4): the prediction equals the truth → 1.
        let rows = try Self.rows(channels + ["--threshold", "0.8,0.4,0.5"])
        #expect(rows[0] == "m,0,\(2.0 / 3),1,0,1,6")
        #expect(rows[1] == "m,1,1,4,0,0,4")
    }

    @Test func floatProbabilityAgainstBinaryTruth() throws {
        let arguments = ["evaluate", "Fixtures/datasets/probability/gt", "Fixtures/datasets/probability/pred"]
        // Truth 1 1 0 0/0 1 0 0 (0/255), p 7/8 1/4 5/8 0/0 1 0 1/2: hard TP 2, FP 1, FN 1 → 2/3;
        // soft I = 7/8 + 1/4 + 1 = 2.125, St 3, Sp 3.25 → 4.25/6.25.
        // One probability map is the binary problem: class 0 is 1 − p, scored like a 0/1 mask's
        // class 0. Hard: TP 4, FP 1, FN 1, TN 2 → 0.8. Soft: 1 − t = 0 0 1 1/1 0 1 1, 1 − p =
        // 1/8 3/4 3/8 1/1 0 1 1/2: I = 3/8 + 1 + 1 + 1 + 1/2 = 3.875, Σ(1 − p) = 4.75, St 5 → 7.75/9.75.
        #expect(try Self.rows(arguments) == ["p,0,0.8,4,1,1,2", "p,1,\(2.0 / 3),2,1,1,4"])
        #expect(
            try Self.rows(arguments + ["--variant", "soft"])
                == ["p,0,\(7.75 / 9.75),3.875,0.875,1.125,2.125", "p,1,0.68,2.125,1.125,0.875,3.875"])
    }

    @Test func eightBitProbabilitiesAreScaledBy255() throws {
        let arguments = [
            "evaluate", "Fixtures/datasets/probability/gt", "Fixtures/datasets/probability/pred8", "--pred-encoding",
            "probability",
        ]
        // Stored 255 64 160 0/0 255 0 128 → p > 0.5 where stored ≥ 128: TP 2, FP 2 (160, 128), FN 1 (64) → 4/7.
        // Class 0 is the thresholded map's background: TP 3, FP 1, FN 2, TN 2 → 6/9.
        #expect(try Self.rows(arguments) == ["p,0,\(2.0 / 3),3,1,2,2", "p,1,\(4.0 / 7),2,2,1,3"])
        // miseval compares with 1, i.e. stored 255: TP 2, FN 1 → 4/5 (class 0: TP 5, FP 1 → 10/11).
        // medpy counts nonzero: TP 3, FP 2 → 6/8 (class 0: TP 3, FN 2 → 6/8).
        #expect(try Self.rows(arguments + ["--variant", "miseval"]) == ["p,0,\(10.0 / 11),5,1,0,2", "p,1,0.8,2,0,1,5"])
        #expect(try Self.rows(arguments + ["--variant", "medpy"]) == ["p,0,0.75,3,0,2,3", "p,1,0.75,3,2,0,3"])
        // Soft: 2·(2 + 64/255)/(3 + 862/255) = 1148/1627.
        let soft = try Self.rows(arguments + ["--variant", "soft"])[1].split(separator: ",")
        #expect(abs(Double(soft[2])! - 1148.0 / 1627.0) < 1e-15)
    }

    @Test func progressLineOnRequest() throws {
        let output = try BinaryRunner.run(channels + ["--progress", "always"])
        #expect(output.status == 0)
        #expect(output.stderr.contains("1/1 pairs"))
        #expect(output.stderr.contains("ETA"))
    }
}
