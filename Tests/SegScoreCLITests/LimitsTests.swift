import Foundation
import Testing

/// Resource bounds a user meets at the command line: `--bootstrap` is bounded, `--labels` files
/// cannot expand, and a dataset where nothing pairs is one line that says what to pass.
@Suite struct LimitsTests {
    static func firstLine(_ text: String) -> String { String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }

    @Test(arguments: [
        (["--bootstrap", "100000000"], "segscore: error: --bootstrap takes 0 (no intervals) to 100000 resamples, not 100000000"),
        (["--bootstrap=-1"], "segscore: error: --bootstrap takes 0 (no intervals) to 100000 resamples, not -1"),
        (["--bootstrap", "100001"], "segscore: error: --bootstrap takes 0 (no intervals) to 100000 resamples, not 100001"),
    ])
    func bootstrapOutsideItsRangeIsAUsageError(_ flags: [String], _ message: String) throws {
        let scratch = try Scratch("bootstrap-range")
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0])])
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred] + flags)
        #expect(run.status == 2)
        #expect(Self.firstLine(run.stderr) == message)
        #expect(run.stdout.isEmpty)
    }

    /// 0 turns the intervals off (no ci95, bootstrap absent); 100000 is accepted.
    @Test func bootstrapZeroIsOffAndTheMaximumRuns() throws {
        let scratch = try Scratch("bootstrap-ends")
        // Two images, class 1 Dice 1 and 0: resampled means are 0, 0.5, 1 → interval [0, 1].
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0]), "b": ([1, 0], [0, 0])])
        let off = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--bootstrap", "0", "--json", "-", "--quiet"])
        #expect(off.status == 0, "\(off.stderr)")
        let aggregate = try #require(try jsonReport(off.stdout)["aggregate"] as? [String: Any])
        #expect(aggregate["ci95"] == nil && aggregate["bootstrap"] == nil)
        let most = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--bootstrap", "100000", "--json", "-", "--quiet"])
        #expect(most.status == 0, "\(most.stderr)")
        let full = try #require(try jsonReport(most.stdout)["aggregate"] as? [String: Any])
        #expect(full["ci95"] as? [Double] == [0, 1])
        #expect((full["bootstrap"] as? [String: Any])?["resamples"] as? Int == 100000)
    }

    @Test func helpStatesTheBootstrapBound() throws {
        let run = try BinaryRunner.run(["evaluate", "--help"])
        #expect(run.stdout.contains("0 (off) to 100000"))
    }

    /// The billion-laughs YAML: 59 s and 17 GB before; now refused at the first alias.
    @Test func aliasBombAsLabelsIsOneLineExitTwo() throws {
        let scratch = try Scratch("labels-bomb")
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0])])
        let bomb = (1...9).map { level -> String in
            let name = String(UnicodeScalar(UInt8(96 + level)))
            let item = level == 1 ? "\"lol\"" : "*" + String(UnicodeScalar(UInt8(95 + level)))
            return "\(name): &\(name) [" + Array(repeating: item, count: 9).joined(separator: ",") + "]"
        }.joined(separator: "\n") + "\n"
        let labels = try scratch.write(bomb, to: "bomb.yaml")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--labels", labels])
        #expect(run.status == 2)
        #expect(Self.firstLine(run.stderr) == "segscore: error: --labels \(labels): YAML aliases (*name) are not accepted in a labels file (line 2)")
    }

    /// A YAML file named .json is read as JSON and refused saying so.
    @Test func yamlNamedJSONIsRefusedNamingTheParser() throws {
        let scratch = try Scratch("labels-yaml-json")
        let data = try scratch.dataset("set", ["a": ([1, 0], [1, 0])])
        let labels = try scratch.write("background: 0\nliver: 1\n", to: "labels.json")
        let run = try BinaryRunner.run(["evaluate", data.gt, data.pred, "--labels", labels])
        #expect(run.status == 2)
        let line = Self.firstLine(run.stderr)
        #expect(line.hasPrefix("segscore: error: --labels \(labels): not valid JSON: "))
        #expect(line.hasSuffix("(a .json file is read as JSON; name a YAML file .yaml or .yml)"))
    }
}
