import Foundation
import SegScoreTestSupport
import Testing

/// `explain --surface-metrics`: the boundary catalogue and every definition on data.
@Suite struct SurfaceExplainTests {
    static let readmeSection = "## Why do boundary numbers disagree?"

    /// Runs every `$ segscore …` command of the README's boundary section and checks that each
    /// line printed under it there is printed by the tool (as the Dice section's test does).
    @Test func readmeBoundarySectionMatchesTheTool() throws {
        let commands = try #require(try ReadmeCommands.commands(inSection: Self.readmeSection))
        #expect(commands.count == 2)
        try ReadmeCommands.check(commands)
    }

    @Test func catalogueListsEveryDefinitionWithItsRules() throws {
        let output = try BinaryRunner.run(["explain", "--surface-metrics", "all", "--json"])
        #expect(output.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let definitions = try #require(root["definitions"] as? [[String: Any]])
        #expect(
            definitions.map { $0["name"] as? String ?? "" }
                == ["segscore", "medpy", "monai", "monai-subvoxels", "deepmind", "seg-metrics", "seg-metrics-face"])
        for d in definitions {
            for rule in ["boundary", "percentile", "mean", "nsd", "empty", "arithmetic"] { #expect(d[rule] is String) }
        }
        let medpy = try #require(definitions.first { $0["name"] as? String == "medpy" })
        #expect((medpy["percentile"] as? String)?.contains("pooled") == true)
        let text = try BinaryRunner.run(["explain", "--surface-metrics", "all"]).stdout
        #expect(text.contains("seg-metrics — seg-metrics 1.2.8 (fully_connected=True)"))
        #expect(text.contains("image edge is not boundary"))
    }

    @Test func everyDefinitionOnAPairWithTheCauseOfADisagreement() throws {
        // 3×3 ground truth square at x 2…4, y 2…4; prediction 3×4 at x 3…5, y 2…5 (8×8).
        let folder = try TemporaryFolder("surfaceexplain")
        defer { folder.remove() }
        var gt = [UInt8](repeating: 0, count: 64)
        var pred = gt
        for y in 2...4 { for x in 2...4 { gt[y * 8 + x] = 1 } }
        for y in 2...5 { for x in 3...5 { pred[y * 8 + x] = 1 } }
        try TestMasks.png(width: 8, height: 8, values: gt, to: folder.url("gt.png"))
        try TestMasks.png(width: 8, height: 8, values: pred, to: folder.url("pred.png"))
        let output = try BinaryRunner.run([
            "explain", "--gt", folder.path("gt.png"), "--pred", folder.path("pred.png"), "--surface-metrics", "all",
            "--nsd-tolerance", "1", "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let classes = try #require(root["classes"] as? [[String: Any]])
        let values = try #require(classes.first?["values"] as? [String: [String: Double]])
        // Base definition, by hand: the boundaries are 8 and 10 pixels; hd = √2 (corner (2,2) to (3,3)).
        #expect(values["segscore"]?["hd"] == (2.0).squareRoot())
        #expect(values["medpy"]?["nsd"] == nil)  // medpy has no NSD
        #expect(values["monai-subvoxels"]?["hd"] == nil)
        #expect(values.count == 7)
        // DeepMind has no assd: its mean distance is masd, the mean of the two directed means.
        let lines = try #require(root["disagreements"] as? [String])
        #expect(lines.contains { $0.hasPrefix("class 1 mean distance:") && $0.contains("concatenated vs averaged mean") })
    }
}
