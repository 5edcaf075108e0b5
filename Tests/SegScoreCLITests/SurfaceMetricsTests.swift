import Foundation
import SegScoreTestSupport
import Testing

/// Boundary metrics through the binary, on masks small enough to work out by hand.
///
/// The standard pair (6×6): ground truth class 1 is the 2×2 square x 1…2, y 1…2; the prediction
/// is the same square shifted one column right (x 2…3). Every pixel of a 2×2 square is boundary.
/// A = d(pred → gt) = [0, 1, 0, 1], B = d(gt → pred) = [1, 0, 1, 0]: hd = 1, hd95 = max of the
/// directed 95th percentiles of [0, 0, 1, 1] (rank 2.85 between 1 and 1) = 1, assd = 4/8 = 0.5,
/// masd = 0.5, nsd at τ = 0.5: 4 of 8 within = 0.5.
@Suite struct SurfaceMetricsTests {
    static func square(x: Int, y: Int = 1, size: Int = 6, extra: [(Int, Int, UInt8)] = []) -> [UInt8] {
        var values = [UInt8](repeating: 0, count: size * size)
        for dy in 0..<2 { for dx in 0..<2 { values[(y + dy) * size + x + dx] = 1 } }
        for (px, py, v) in extra { values[py * size + px] = v }
        return values
    }

    /// A folder with gt/ and pred/ holding the given pairs (6×6 8-bit PNGs).
    static func dataset(_ pairs: [(String, [UInt8], [UInt8])], roi: [(String, [UInt8])] = []) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("surface", subfolders: ["gt", "pred", "roi"])
        for (name, gt, pred) in pairs {
            try TestMasks.png(width: 6, height: 6, values: gt, to: folder.url("gt/\(name).png"))
            try TestMasks.png(width: 6, height: 6, values: pred, to: folder.url("pred/\(name).png"))
        }
        for (name, mask) in roi { try TestMasks.png(width: 6, height: 6, values: mask, to: folder.url("roi/\(name).png")) }
        return folder
    }

    static func json(_ output: BinaryRunner.Output) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
        return try #require(object as? [String: Any], "\(output.stderr)")
    }

    /// images[0].classes where id == `id`.
    static func imageClass(_ report: [String: Any], image: Int = 0, id: Int) throws -> [String: Any] {
        let images = try #require(report["images"] as? [[String: Any]])
        let classes = try #require(images[image]["classes"] as? [[String: Any]])
        return try #require(classes.first { ($0["id"] as? Int) == id })
    }

    func run(_ folder: TemporaryFolder, _ arguments: [String]) throws -> BinaryRunner.Output {
        try BinaryRunner.run(
            ["evaluate", folder.path("gt"), folder.path("pred"), "--json", "-", "--bootstrap", "0", "--quiet"] + arguments)
    }

    @Test func oneColumnShiftGivesHandWorkedValues() throws {
        let folder = try Self.dataset([("a", Self.square(x: 1), Self.square(x: 2))])
        defer { folder.remove() }
        let output = try run(folder, ["--surface-metrics", "all", "--nsd-tolerance", "0.5"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try Self.json(output)
        let c = try Self.imageClass(report, id: 1)
        #expect(c["hd"] as? Double == 1)
        #expect(c["hd95"] as? Double == 1)
        #expect(c["assd"] as? Double == 0.5)
        #expect(c["masd"] as? Double == 0.5)
        #expect(c["asd_pred_to_gt"] as? Double == 0.5)
        #expect(c["nsd"] as? Double == 0.5)
        #expect(c["median_sd"] as? Double == 0.5)  // median of [0,0,0,0,1,1,1,1]
        #expect(c["std_sd"] as? Double == 0.5)
        #expect(c["surface_undefined"] == nil)
        // Background has no boundary metrics (it is not in the headline).
        #expect(try Self.imageClass(report, id: 0)["hd"] == nil)
        let config = try #require((report["config"] as? [String: Any])?["surface"] as? [String: Any])
        #expect(config["variant"] as? String == "segscore")
        #expect(config["spacing_source"] as? String == "default")
        #expect(config["spacing"] as? [Double] == [1, 1, 1])
        let aggregate = try #require((report["aggregate"] as? [String: Any])?["surface"] as? [String: Any])
        #expect(aggregate["hd"] as? Double == 1)
        let classes = try #require(report["classes"] as? [[String: Any]])
        let hd = try #require(
            ((classes.first { ($0["id"] as? Int) == 1 })?["surface"] as? [String: Any])?["hd"] as? [String: Any])
        #expect(hd["mean"] as? Double == 1 && hd["n"] as? Int == 1 && hd["n_nan"] as? Int == 0)
    }

    @Test(arguments: [
        (["--spacing", "2,1"], 2.0, 1.0), (["--spacing", "1,2"], 1.0, 0.5), (["--spacing", "2.0,3.0"], 2.0, 1.0),
    ])
    func spacingIsInImageAxisOrder(_ spacing: [String], hd: Double, assd: Double) throws {
        // The shift is along x (columns): only the x spacing scales it.
        let folder = try Self.dataset([("a", Self.square(x: 1), Self.square(x: 2))])
        defer { folder.remove() }
        let output = try run(folder, ["--surface-metrics", "hd,assd"] + spacing)
        let c = try Self.imageClass(try Self.json(output), id: 1)
        #expect(c["hd"] as? Double == hd)
        #expect(c["assd"] as? Double == assd)
        let config = try #require((try Self.json(output)["config"] as? [String: Any])?["surface"] as? [String: Any])
        #expect(config["spacing_source"] as? String == "option")
    }

    @Test func emptyPredictionIsUndefinedOrTheDiagonal() throws {
        let folder = try Self.dataset([("a", Self.square(x: 1), [UInt8](repeating: 0, count: 36))])
        defer { folder.remove() }
        let undefined = try run(folder, ["--classes", "1", "--surface-metrics", "hd,nsd", "--nsd-tolerance", "1"])
        let c = try Self.imageClass(try Self.json(undefined), id: 1)
        #expect(c["hd"] is NSNull)
        #expect(c["nsd"] as? Double == 0)
        #expect(c["surface_undefined"] as? String == "pred_empty")
        // A NaN headline fails a distance gate.
        let gated = try run(folder, ["--classes", "1", "--surface-metrics", "hd", "--fail-over", "hd:100"])
        #expect(gated.status == 1)
        let diagonal = try run(folder, ["--classes", "1", "--surface-metrics", "hd", "--surface-empty", "diagonal"])
        // 6×6 pixels of spacing 1: √(36 + 36).
        #expect(try Self.imageClass(try Self.json(diagonal), id: 1)["hd"] as? Double == (72.0).squareRoot())
    }

    @Test func pixelsOutsideTheRegionOfInterestAreBackgroundForBothMasks() throws {
        // The prediction adds a stray pixel at (5,5): √(3² + 3²) from the square's corner (2,2).
        var roi = [UInt8](repeating: 1, count: 36)
        roi[35] = 0
        let folder = try Self.dataset(
            [("a", Self.square(x: 1), Self.square(x: 1, extra: [(5, 5, 1)]))], roi: [("a", roi)])
        defer { folder.remove() }
        let plain = try run(folder, ["--surface-metrics", "hd"])
        #expect(try Self.imageClass(try Self.json(plain), id: 1)["hd"] as? Double == (18.0).squareRoot())
        let masked = try run(folder, ["--surface-metrics", "hd", "--roi-dir", folder.path("roi")])
        #expect(try Self.imageClass(try Self.json(masked), id: 1)["hd"] as? Double == 0)
    }

    @Test func ignoredGroundTruthPixelsAreBackgroundForBothMasks() throws {
        let folder = try Self.dataset(
            [("a", Self.square(x: 1, extra: [(5, 5, 255)]), Self.square(x: 1, extra: [(5, 5, 1)]))])
        defer { folder.remove() }
        let output = try run(folder, ["--surface-metrics", "hd", "--ignore-label", "255", "--encoding", "labels"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try Self.imageClass(try Self.json(output), id: 1)["hd"] as? Double == 0)
    }

    @Test func labelMapsGiveOneMaskPerClassWithPerClassTolerances() throws {
        // Class 2 is a 2×2 square at x 1…2, y 3…4 in both: every distance 0. Class 1 as the standard pair.
        let gt =
            Self.square(x: 1).enumerated().map {
                $0.element == 1 ? 1 : ($0.offset / 6 >= 3 && $0.offset / 6 <= 4 && (1...2).contains($0.offset % 6) ? 2 : 0)
            } as [UInt8]
        let pred =
            Self.square(x: 2).enumerated().map {
                $0.element == 1 ? 1 : ($0.offset / 6 >= 3 && $0.offset / 6 <= 4 && (1...2).contains($0.offset % 6) ? 2 : 0)
            } as [UInt8]
        let folder = try Self.dataset([("a", gt, pred)])
        defer { folder.remove() }
        let output = try run(
            folder, ["--classes", "1,2", "--surface-metrics", "hd,nsd", "--nsd-tolerance", "1,0.5", "--encoding", "labels"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try Self.json(output)
        #expect(try Self.imageClass(report, id: 1)["nsd"] as? Double == 1)  // τ = 1: all 8 within
        #expect(try Self.imageClass(report, id: 2)["hd"] as? Double == 0)
        #expect(try Self.imageClass(report, id: 2)["nsd"] as? Double == 1)
        let aggregate = try #require((report["aggregate"] as? [String: Any])?["surface"] as? [String: Any])
        #expect(aggregate["hd"] as? Double == 0.5)  // mean of the class means 1 and 0
    }

    @Test func volumesTakeTheirSpacingFromTheNiftiHeader() throws {
        // 4×4×3, spacing (1, 1, 2.5): the ground truth's 2×2 block lies in slice 0, the prediction's in slice 1.
        let folder = try TemporaryFolder("surface3d", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        func block(z: Int) -> [Double] {
            (0..<48).map { i in
                let (x, y, s) = (i % 4, (i / 4) % 4, i / 16)
                return s == z && (1...2).contains(x) && (1...2).contains(y) ? 1 : 0
            }
        }
        try Data(TestMasks.niftiBytes(dims: [4, 4, 3], values: block(z: 0), pixdim: [1, 1, 2.5]))
            .write(to: folder.url("gt/v.nii.gz"))
        try Data(TestMasks.niftiBytes(dims: [4, 4, 3], values: block(z: 1), pixdim: [1, 1, 2.5]))
            .write(to: folder.url("pred/v.nii.gz"))
        let output = try run(folder, ["--surface-metrics", "hd,assd"])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try Self.json(output)
        #expect(try Self.imageClass(report, id: 1)["hd"] as? Double == 2.5)
        #expect(try Self.imageClass(report, id: 1)["assd"] as? Double == 2.5)
        let config = try #require((report["config"] as? [String: Any])?["surface"] as? [String: Any])
        #expect(config["spacing_source"] as? String == "file")
        #expect(config["spacing"] as? [Double] == [1, 1, 2.5])
        let image = try #require((report["images"] as? [[String: Any]])?.first)
        #expect(image["spacing"] as? [Double] == [1, 1, 2.5])  // per image when read from its file
        // Two values on a 3-D pair: a data problem naming the file.
        let flat = try run(folder, ["--surface-metrics", "hd", "--spacing", "1,1"])
        #expect(flat.status == 3)
        #expect(flat.stderr.contains("--spacing gives 2 values"))
    }

    @Test func predictionSpacingThatDiffersIsWarnedOnceAndTheGroundTruthsIsUsed() throws {
        let folder = try TemporaryFolder("surfacemismatch", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let block: (Int) -> [Double] = { z in
            (0..<48).map { i in i / 16 == z && (1...2).contains(i % 4) && (1...2).contains((i / 4) % 4) ? 1 : 0 }
        }
        for name in ["v1", "v2"] {
            try Data(TestMasks.niftiBytes(dims: [4, 4, 3], values: block(0), pixdim: [1, 1, 2.5]))
                .write(to: folder.url("gt/\(name).nii.gz"))
            try Data(TestMasks.niftiBytes(dims: [4, 4, 3], values: block(1), pixdim: [1, 1, 3]))
                .write(to: folder.url("pred/\(name).nii.gz"))
        }
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--json", "-", "--bootstrap", "0", "--quiet",
            "--surface-metrics", "hd",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try Self.imageClass(try Self.json(output), id: 1)["hd"] as? Double == 2.5)
        let warnings = output.stderr.split(separator: "\n").filter { $0.contains("another spacing") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("v1.nii.gz") == true && warnings.first?.contains("and 1 more pair") == true)
    }

    @Test func boundaryBuffersCountAgainstTheMemoryBudget() throws {
        // 1000×1000 masks: 1 MB each decoded; boundary metrics add 21 bytes per pixel (two class
        // masks and the kept flags, argmax winners, the engine's working arrays): 20.0 MiB.
        let folder = try TemporaryFolder("surfacememory", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        let empty = [UInt8](repeating: 0, count: 1_000_000)
        try TestMasks.png(width: 1000, height: 1000, values: empty, to: folder.url("gt/a.png"))
        try TestMasks.png(width: 1000, height: 1000, values: empty, to: folder.url("pred/a.png"))
        let base = ["evaluate", folder.path("gt"), folder.path("pred"), "--max-memory", "8M", "--quiet", "--classes", "1"]
        #expect(try BinaryRunner.run(base).status == 0)
        let output = try BinaryRunner.run(base + ["--surface-metrics", "hd"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("boundary metrics 20.0 MiB), more than --max-memory 8M"), "\(output.stderr)")
    }

    @Test func argmaxChannelsGiveOneMaskPerChannel() throws {
        // Two float channels: channel 1 wins (0.8 > 0.2) on the shifted square, channel 0 elsewhere.
        let folder = try TemporaryFolder("surfaceargmax", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try TestMasks.png(width: 6, height: 6, values: Self.square(x: 1), to: folder.url("gt/a.png"))
        let shifted = Self.square(x: 2)
        let values = shifted.flatMap { $0 == 1 ? [Float(0.2), 0.8] : [Float(0.9), 0.1] }
        try TestMasks.floatTIFF(width: 6, height: 6, channels: 2, values: values, to: folder.url("pred/a.tif"))
        let output = try run(folder, ["--surface-metrics", "hd,assd", "--variant", "torchmetrics"])
        #expect(output.status == 0, "\(output.stderr)")
        let c = try Self.imageClass(try Self.json(output), id: 1)
        #expect(c["hd"] as? Double == 1)
        #expect(c["assd"] as? Double == 0.5)
    }

    @Test func probabilityMapsAreBinarisedPerChannel() throws {
        // Ground truth 0/1 PNG, prediction a float map: 0.9 on the shifted square, 0.4 elsewhere (below 0.5).
        let folder = try TemporaryFolder("surfacefloat", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try TestMasks.png(width: 6, height: 6, values: Self.square(x: 1), to: folder.url("gt/a.png"))
        try TestMasks.floatTIFF(
            width: 6, height: 6, values: Self.square(x: 2).map { $0 == 1 ? 0.9 : 0.4 }, to: folder.url("pred/a.tif"))
        let output = try run(folder, ["--surface-metrics", "hd,assd"])
        #expect(output.status == 0, "\(output.stderr)")
        let c = try Self.imageClass(try Self.json(output), id: 1)
        #expect(c["hd"] as? Double == 1)
        #expect(c["assd"] as? Double == 0.5)
    }

    static let gates: [([String], Int32)] = [
        (["--fail-over", "hd:1"], 0), (["--fail-over", "hd:0.9"], 1), (["--fail-over-class", "1=hd95:0.9"], 1),
        (["--fail-over-class", "1=assd:0.5"], 0), (["--fail-under", "nsd:0.5"], 0), (["--fail-under", "nsd:0.6"], 1),
        (["--fail-under-class", "1=nsd:0.6"], 1), (["--fail-over", "nsd:0.5"], 2), (["--fail-under", "hd:3"], 2),
        (["--fail-over", "masd:1"], 2), (["--fail-over", "hd"], 2),
    ]

    @Test(arguments: gates)
    func distanceGatesFailAboveAndNSDBelow(_ gate: [String], _ status: Int32) throws {
        let folder = try Self.dataset([("a", Self.square(x: 1), Self.square(x: 2))])
        defer { folder.remove() }
        let output = try run(folder, ["--surface-metrics", "hd,hd95,assd,nsd", "--nsd-tolerance", "0.5"] + gate)
        #expect(output.status == status, "\(output.stderr)")
    }

    /// τ = 0 is a tolerance like any other (MONAI and DeepMind accept it): the share of boundary
    /// lying on the other boundary. The standard pair: 4 of the 8 distances are 0 → 0.5, for the
    /// base definition and MONAI's (float32 counts, 0.5 exactly).
    @Test func zeroToleranceCountsTheSharedBoundary() throws {
        let folder = try Self.dataset([("a", Self.square(x: 1), Self.square(x: 2))])
        defer { folder.remove() }
        for variant in ["segscore", "monai"] {
            let output = try run(
                folder, ["--surface-metrics", "nsd", "--nsd-tolerance", "0", "--surface-variant", variant])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(try Self.imageClass(Self.json(output), id: 1)["nsd"] as? Double == 0.5, "\(variant)")
        }
    }

    static let usage: [([String], String)] = [
        (["--surface-metrics", "nsd", "--nsd-tolerance=-1"], "--nsd-tolerance takes non-negative numbers"),
        (["--surface-metrics", "nsd"], "nsd needs --nsd-tolerance"),
        (
            ["--surface-variant", "medpy", "--surface-metrics", "nsd"],
            "not defined by --surface-variant medpy, which defines hd, hd95, assd, asd_pred_to_gt, asd_gt_to_pred"
        ),
        (["--surface-metrics", "hd", "--spacing", "1"], "--spacing takes 2 or 3 values"),
        (["--surface-metrics", "hd", "--spacing", "1,-1"], "--spacing takes positive numbers"),
        (["--surface-metrics", "bogus"], "unknown metric 'bogus'"),
        (["--surface-metrics", "hd", "--surface-variant", "itk"], "--surface-variant: unknown 'itk'"),
        (["--surface-metrics", "hd", "--hd-percentile", "101"], "--hd-percentile takes a value in [0, 100]"),
        (["--surface-metrics", "hd", "--surface-empty", "zero"], "--surface-empty takes undefined or diagonal"),
        (["--spacing", "1,1"], "--spacing needs --surface-metrics"),
        (["--surface-metrics", "nsd", "--nsd-tolerance", "1,2"], "per-class --nsd-tolerance lists need --classes or --labels"),
        (
            ["--surface-metrics", "nsd", "--nsd-tolerance", "1,2", "--classes", "1"],
            "--nsd-tolerance lists 2 values but 1 classes"
        ),
    ]

    @Test(arguments: usage)
    func badBoundaryOptionsAreOneLineUsageErrors(_ arguments: [String], _ message: String) throws {
        let folder = try Self.dataset([("a", Self.square(x: 1), Self.square(x: 2))])
        defer { folder.remove() }
        let output = try run(folder, arguments)
        #expect(output.status == 2)
        #expect(output.stderr.contains(message), "\(output.stderr)")
        #expect(output.stderr.split(separator: "\n").count == 1)
    }

    @Test func percentileNamesTheMetric() throws {
        let folder = try Self.dataset([("a", Self.square(x: 1), Self.square(x: 2))])
        defer { folder.remove() }
        let output = try run(folder, ["--surface-metrics", "hd99", "--hd-percentile", "99", "--fail-over", "hd99:1"])
        #expect(output.status == 0, "\(output.stderr)")
        let c = try Self.imageClass(try Self.json(output), id: 1)
        #expect(c["hd99"] as? Double == 1)
        #expect(c["hd95"] == nil)
    }

    @Test func reportsAreTheSameBytesForAnyJobs() throws {
        var pairs: [(String, [UInt8], [UInt8])] = []
        for i in 0..<6 { pairs.append(("p\(i)", Self.square(x: i % 4), Self.square(x: (i + 1) % 5, y: i % 3))) }
        pairs.append(("empty", Self.square(x: 1), [UInt8](repeating: 0, count: 36)))
        let folder = try Self.dataset(pairs)
        defer { folder.remove() }
        var outputs: [String] = []
        for jobs in ["1", "2"] {
            let csv = folder.path("j\(jobs).csv")
            let output = try run(
                folder, ["--surface-metrics", "all", "--nsd-tolerance", "1", "--jobs", jobs, "--csv", csv])
            #expect(output.status == 0, "\(output.stderr)")
            outputs.append(output.stdout + (try String(contentsOfFile: csv, encoding: .utf8)))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].contains("pred_empty"))
    }
}
