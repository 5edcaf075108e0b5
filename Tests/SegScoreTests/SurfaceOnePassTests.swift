import Foundation
import SegMetrics
import SegScoreTestSupport
import Testing

@testable import SegScore

/// Boundary metrics of label maps measured in one pass per side (`SurfaceClassIndex.swift`)
/// against one binary mask per class (`SurfaceOptions.onePass` false), bit for bit, through
/// `Evaluation.run` on PNG pairs: 8- and 16-bit labels, classes touching the image edges, absent
/// classes, ignore labels, background in or out, each centre variant.
@Suite struct SurfaceOnePassTests {
    typealias Random = SplitMix64

    /// Rectangles of labels from `labels` painted over 0, one along an image edge.
    static func labelMap(width: Int, height: Int, labels: [Int], _ random: inout Random) -> [Int] {
        var map = [Int](repeating: 0, count: width * height)
        for _ in 0..<random.int(2...8) {
            let label = labels[random.int(0...(labels.count - 1))]
            let x0 = random.int(0...(width - 1))
            let y0 = random.int(0...(height - 1))
            for y in y0...min(height - 1, y0 + random.int(0...12)) {
                for x in x0...min(width - 1, x0 + random.int(0...20)) { map[y * width + x] = label }
            }
        }
        let edge = labels[random.int(0...(labels.count - 1))]
        for x in 0..<width { map[x] = edge }
        return map
    }

    static func run(_ folder: TemporaryFolder, _ options: EvaluationOptions) throws -> [String: PairSurface] {
        let result = try Evaluation.run(truth: folder.path("gt"), prediction: folder.path("pred"), options: options)
        #expect(!result.hasDataProblems)
        var surfaces: [String: PairSurface] = [:]
        for record in result.records { surfaces[record.key] = record.surface }
        return surfaces
    }

    @Test("one pass per side equals one mask per class, bit for bit", arguments: [8, 16])
    func matchesMasks(bitDepth: Int) throws {
        let folder = try TemporaryFolder("surface-one-pass", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        var random = Random(state: UInt64(bitDepth))
        let labels = bitDepth == 8 ? [1, 2, 3, 7, 255] : [1, 2, 300, 4_000, 65_535]
        for i in 0..<6 {
            let (w, h) = (random.int(5...70), random.int(5...40))
            for side in ["gt", "pred"] {
                // Pair 5's prediction lacks most labels (empty sides); the rest use all of them.
                let used = side == "pred" && i == 5 ? [labels[0]] : labels
                let map = Self.labelMap(width: w, height: h, labels: used, &random)
                try TestMasks.png(
                    width: w, height: h, bitDepth: bitDepth, samples: map, to: folder.url("\(side)/case_\(i).png"))
            }
        }
        var compared = 0
        for variant in [SurfaceVariant.segscore, .medpy, .monai] {
            for (ignore, background) in [([Int](), false), ([labels[4]], true), ([labels[1]], false)] {
                var options = EvaluationOptions(ignoreLabels: ignore, includeBackground: background, jobs: 2)
                options.surface = SurfaceOptions(
                    variant: variant, metrics: variant.definedMetrics.sorted(),
                    tolerances: variant.definedMetrics.contains(.nsd) ? [1] : [])
                let fast = try Self.run(folder, options)
                options.surface.onePass = false
                let masks = try Self.run(folder, options)
                #expect(fast.count == 6)
                #expect(Set(fast.keys) == Set(masks.keys))
                for (key, surface) in masks {
                    let other = fast[key]
                    #expect(other?.values.keys.sorted() == surface.values.keys.sorted(), "\(key) \(variant)")
                    for (id, values) in surface.values {
                        compared += 1
                        #expect(other?.values[id]?.undefined == values.undefined, "\(key) class \(id) \(variant)")
                        #expect(
                            other?.values[id]?.values.mapValues(\.bitPattern) == values.values.mapValues(\.bitPattern),
                            "\(key) class \(id) \(variant) ignore \(ignore)")
                    }
                }
            }
        }
        #expect(compared > 100)
    }
}
