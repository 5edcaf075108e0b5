import Foundation
import SegScoreTestSupport
import Testing

/// One case of `Fixtures/golden/monai-activation-cases.json`: MONAI's own test inputs and expected
/// values, written as files and run through `segscore evaluate`.
struct MonaiCase: Sendable, CustomTestStringConvertible {
    var name: String
    var width: Int
    var height: Int
    /// [image][channel][pixel], row by row.
    var input: [[[Float]]]
    var target: [[[Float]]]
    var kind: String
    var options: [String]
    var read: String
    var expected: [Double]
    var rtol: Double
    var atol: Double

    var testDescription: String { name }

    static func flatten(_ value: Any) -> [Double] {
        if let number = value as? Double { return [number] }
        return (value as! [Any]).flatMap(flatten)
    }

    /// A (spatial) plane: [[row]] or [row] (one pixel high).
    static func plane(_ value: Any) -> (width: Int, height: Int, values: [Float]) {
        if let rows = value as? [[Double]] { return (rows[0].count, rows.count, rows.flatMap { $0.map(Float.init) }) }
        let row = value as! [Double]
        return (row.count, 1, row.map(Float.init))
    }

    static let all: [MonaiCase] = {
        let url = Fixtures.url("golden/monai-activation-cases.json")
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { entry in
            let input = (entry["input"] as! [[Any]]).map { $0.map(plane) }
            let target = (entry["target"] as! [[Any]]).map { $0.map(plane) }
            return MonaiCase(
                name: entry["name"] as! String, width: input[0][0].width, height: input[0][0].height,
                input: input.map { $0.map(\.values) }, target: target.map { $0.map(\.values) },
                kind: entry["target_kind"] as! String, options: entry["options"] as! [String], read: entry["read"] as! String,
                expected: flatten(entry["expected"]!), rtol: entry["rtol"] as? Double ?? 0, atol: entry["atol"] as? Double ?? 0)
        }
    }()
}

@Suite struct MonaiActivationGoldenTests {
    @Test func theFileHoldsTheSeventeenMappedCases() {
        #expect(MonaiCase.all.count == 17)
    }

    @Test(arguments: MonaiCase.all)
    func reproducesMonai(_ golden: MonaiCase) throws {
        let folder = try TemporaryFolder("monai", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let root = folder.url
        let (w, h) = (golden.width, golden.height)
        func interleaved(_ channels: [[Float]]) -> [Float] {
            (0..<(w * h)).flatMap { i in channels.map { $0[i] } }
        }
        for (b, channels) in golden.input.enumerated() {
            try TestMasks.floatTIFF(
                width: w, height: h, channels: channels.count, values: interleaved(channels),
                to: root.appendingPathComponent("pred/b\(b).tif"))
            let target = golden.target[b]
            if golden.kind == "channels" {
                try TestMasks.floatTIFF(
                    width: w, height: h, channels: target.count, values: interleaved(target),
                    to: root.appendingPathComponent("gt/b\(b).tif"))
            } else {
                try TestMasks.png(
                    width: w, height: h, values: target[0].map { UInt8($0) }, to: root.appendingPathComponent("gt/b\(b).png"))
            }
        }
        let output = try BinaryRunner.run(
            [
                "evaluate", root.appendingPathComponent("gt").path, root.appendingPathComponent("pred").path, "--json", "-",
                "--quiet", "--bootstrap", "0",
            ] + golden.options)
        #expect(output.status == 0, "\(output.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let aggregate = report["aggregate"] as! [String: Any]
        let headline = aggregate["classes"] as! [Int]
        let images = report["images"] as! [[String: Any]]
        func losses(_ image: [String: Any]) -> [Double] {
            let classes = image["classes"] as! [[String: Any]]
            return headline.map { id in 1 - (classes.first { $0["id"] as! Int == id }!["dice"] as! Double) }
        }
        let values: [Double]
        switch golden.read {
        case "loss_mean": values = [1 - (aggregate["mean"] as! Double)]
        case "loss_sum": values = [images.flatMap(losses).reduce(0, +)]
        case "loss_none": values = images.flatMap(losses)
        case "loss_batch": values = [1 - (aggregate["pooled"] as! Double)]
        case "generalized_mean": values = [aggregate["generalized"] as! Double]
        case "generalized_sum": values = [images.map { $0["generalized"] as! Double }.reduce(0, +)]
        case "generalized_per_image": values = images.map { $0["generalized"] as! Double }
        default:
            Issue.record("unknown read \(golden.read)")
            return
        }
        #expect(values.count == golden.expected.count)
        for (value, expected) in zip(values, golden.expected) {
            #expect(
                abs(value - expected) <= golden.atol + golden.rtol * abs(expected),
                "\(golden.name): \(value), MONAI \(expected)")
        }
    }
}
