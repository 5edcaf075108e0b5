import Foundation
import SegMetrics
import SegScoreTestSupport
import Testing

/// Every library result of the boundary-metric golden file, checked against the preset that
/// reproduces it: 1e-9 relative for float64 libraries (medpy, DeepMind), 1e-6 for float32 ones
/// (MONAI, seg-metrics); inf, NaN and exceptions are undefined (NaN) on both sides.
@Suite struct SurfaceGoldenTests {
    struct Tally {
        var passed: [String: Int] = [:]
        var total: [String: Int] = [:]
        var failures: [String] = []
    }

    static func run(_ cases: [SurfaceGoldenCase]) -> Tally {
        var tally = Tally()
        for c in cases {
            var cache: [SurfaceVariant: SurfacePrepared] = [:]
            for entry in c.results {
                let preset = SurfaceGoldenAdapter.preset(entry)
                let expected = SurfaceGoldenAdapter.expected(entry)
                let actual = SurfaceGoldenAdapter.actual(c, entry, cache: &cache)
                let tolerance = SurfaceGoldenAdapter.tolerance(entry)
                let same =
                    (expected.isNaN && actual.isNaN) || abs(actual - expected) <= tolerance * abs(expected) + 1e-300
                tally.total[preset, default: 0] += 1
                if same {
                    tally.passed[preset, default: 0] += 1
                } else {
                    tally.failures.append(
                        "\(c.name) \(entry["library"]!) \(entry["metric"]!): expected \(expected), got \(actual)")
                }
            }
        }
        for preset in tally.total.keys.sorted() {
            print("surface golden \(preset): \(tally.passed[preset, default: 0])/\(tally.total[preset]!)")
        }
        return tally
    }

    static let researchOnly: Set<String> = ["drive_observers_01", "camvid_pole_shift3"]

    @Test("every preset reproduces its library on the redistributable golden cases")
    func redistributableCases() throws {
        let cases = try SurfaceGoldenCase.load(from: [SurfaceGoldenCase.folder])
        #expect(cases.count == 25)
        #expect(Set(cases.map(\.name)).isDisjoint(with: Self.researchOnly))
        let tally = Self.run(cases)
        #expect(tally.failures.isEmpty, "\(tally.failures.count) failures:\n\(tally.failures.joined(separator: "\n"))")
    }

    @Test(
        "every preset reproduces its library on the research-only golden cases (DRIVE, CamVid)",
        .enabled(
            if: Fixtures.hasShared("drive-retina-unet") && Fixtures.hasShared("camvid-segnet")
                && FileManager.default.fileExists(
                    atPath: SurfaceGoldenCase.sharedFolder.appendingPathComponent("surface-masks/drive_observers_01/gt.png").path),
            "DRIVE and CamVid masks may not be redistributed: they are read from ../shared/spec/golden"))
    func researchOnlyCases() throws {
        let cases = try SurfaceGoldenCase.load(from: [SurfaceGoldenCase.sharedFolder], only: Self.researchOnly)
        #expect(cases.count == 2)
        let tally = Self.run(cases)
        #expect(tally.failures.isEmpty, "\(tally.failures.count) failures:\n\(tally.failures.joined(separator: "\n"))")
    }
}
