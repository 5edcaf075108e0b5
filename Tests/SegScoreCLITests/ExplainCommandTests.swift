import Foundation
import SegScoreTestSupport
import Testing

@Suite struct ExplainCommandTests {
    /// Collapses runs of spaces so padded terminal columns compare with the README's lines.
    static func normalised(_ line: some StringProtocol) -> String {
        line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// Runs every `$ segscore …` command of the README section "Why do Dice numbers disagree?"
    /// and checks that each line printed under it there is printed by the tool.
    @Test func readmeSectionMatchesTheTool() throws {
        let commands = try #require(try ReadmeCommands.commands(inSection: "## Why do Dice numbers disagree?"))
        #expect(commands.count == 4)
        try ReadmeCommands.check(commands)
    }

    @Test func catalogueListsEveryPresetAndBase() throws {
        let output = try BinaryRunner.run(["explain", "--json"])
        #expect(output.status == 0)
        let root = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let names = (root["variants"] as! [[String: Any]]).map { $0["name"] as! String }
        for preset in [
            "medpy", "miseval", "seg-metrics", "nnunet-eval", "monai-metric", "monai-metric-keep-empty", "torchmetrics",
            "torchmetrics-global", "keras", "monai-loss", "nnunet-loss", "smp", "vnet", "evaluate-segmentation", "so-answer",
        ] {
            #expect(names.contains(preset))
        }
        #expect(names.contains("hard") && names.contains("generalized:square"))
        let text = try BinaryRunner.run(["explain"]).stdout
        #expect(text.contains("reduction") && text.contains("MONAI 1.6.1 DiceMetric"))
        let detail = try BinaryRunner.run(["explain", "--variant", "nnunet-loss"])
        #expect(detail.stdout.contains("denominator  at least 1e-08") && detail.stdout.contains("log cosh(1 − D)"))
        #expect(try BinaryRunner.run(["explain", "--variant", "nope"]).status == 2)
        #expect(try BinaryRunner.run(["explain", "--gt", "x.png"]).status == 2)
    }

    @Test func markdownOutput() throws {
        let output = try BinaryRunner.run([
            "explain", "--gt", "Fixtures/explain/seed_gt.png", "--pred", "Fixtures/explain/seed_pred.png", "--markdown", "-",
            "--json",
        ])
        #expect(output.status == 0)
        #expect(output.stdout.contains("| `monai-metric` |"))
        #expect(output.stdout.contains("## Disagreements"))
    }
}
