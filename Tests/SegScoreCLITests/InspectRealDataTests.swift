import Foundation
import SegScoreTestSupport
import Testing

/// `segscore inspect --json` on every mask of Fixtures/real (ISBI 2012 labels, MIT; StarDist,
/// BSD-3) and, when it is beside the project, of ../shared/data/real (DRIVE, CamVid, VOC: data
/// that may not be redistributed; those tests are skipped without it).
@Suite struct InspectRealDataTests {
    /// The facts each data set's SOURCE.md states about its encoding.
    struct Expectation: Sendable {
        var folder: String
        var files: Int
        var format = "png"
        var width: Int
        var height: Int
        var pages = 1
        var channels = 1
        var bitDepth = 8
        var sample = "uint8"
        var color = "gray"
        var values: [Int]? = nil
        var maxAtMost: Int? = nil
    }

    /// Folders of Fixtures/real.
    static let fixtures: [Expectation] = [
        Expectation(folder: "isbi2012-membrane-unet/gt", files: 30, width: 512, height: 512, values: [0, 255]),
        Expectation(
            folder: "isbi2012-membrane-unet/pred_unpaired_testset", files: 30, width: 256, height: 256,
            bitDepth: 16, sample: "uint16"),
    ]

    static let camvid = Expectation(folder: "camvid-segnet/gt", files: 233, width: 480, height: 360, maxAtMost: 11)

    static let drive: [Expectation] = [
        Expectation(folder: "drive-retina-unet/observers/gt", files: 20, width: 565, height: 584, values: [0, 255]),
        Expectation(
            folder: "drive-retina-unet/observers/pred", files: 20, width: 565, height: 584, color: "palette",
            values: [0, 1]),
        Expectation(folder: "drive-retina-unet/observers/fov", files: 20, width: 565, height: 584, values: [0, 255]),
        Expectation(folder: "drive-retina-unet/mosaic/gt", files: 1, width: 2825, height: 2336, values: [0, 255]),
        Expectation(folder: "drive-retina-unet/mosaic/pred", files: 1, width: 2825, height: 2336, maxAtMost: 254),
    ]

    static let voc: [Expectation] = [
        Expectation(folder: "voc-deeplabv3-rgb/gt", files: 14, width: 513, height: 513, channels: 3, color: "rgb"),
        Expectation(folder: "voc-deeplabv3-rgb/pred", files: 14, width: 513, height: 513, channels: 3, color: "rgb"),
    ]

    @Test(arguments: fixtures.map(\.folder))
    func everyFixtureFileMatchesItsSourceDescription(_ folder: String) throws {
        let expected = try #require(Self.fixtures.first { $0.folder == folder })
        try Self.check(Fixtures.path("real/" + folder), expected)
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("camvid-segnet"),
            "CamVid may not be redistributed: needs ../shared/data/real/camvid-segnet beside the repository"))
    func everyCamVidFileMatchesItsSourceDescription() throws {
        try Self.check(Fixtures.shared(Self.camvid.folder), Self.camvid)
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("drive-retina-unet"),
            "DRIVE may not be redistributed: needs ../shared/data/real/drive-retina-unet beside the repository"),
        arguments: drive.map(\.folder))
    func everyDRIVEFileMatchesItsSourceDescription(_ folder: String) throws {
        let expected = try #require(Self.drive.first { $0.folder == folder })
        try Self.check(Fixtures.shared(folder), expected)
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("voc-deeplabv3-rgb"),
            "PASCAL VOC may not be redistributed: needs ../shared/data/real/voc-deeplabv3-rgb beside the repository"),
        arguments: voc.map(\.folder))
    func everyVOCFileMatchesItsSourceDescription(_ folder: String) throws {
        let expected = try #require(Self.voc.first { $0.folder == folder })
        try Self.check(Fixtures.shared(folder), expected)
    }

    /// Inspects every file of `directory` and compares each with `expected`.
    static func check(_ directory: String, _ expected: Expectation) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names.count == expected.files)
        let output = try BinaryRunner.run(["inspect", "--json"] + names.map { directory + "/" + $0 })
        #expect(output.status == 0)
        let objects = try output.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == expected.files)
        for object in objects {
            #expect(object["format"] as? String == expected.format)
            #expect(object["width"] as? Int == expected.width)
            #expect(object["height"] as? Int == expected.height)
            #expect(object["pages"] as? Int == expected.pages)
            #expect(object["channels"] as? Int == expected.channels)
            #expect(object["bit_depth"] as? Int == expected.bitDepth)
            #expect(object["sample"] as? String == expected.sample)
            #expect(object["color"] as? String == expected.color)
            let path = object["path"] as? String ?? "?"
            if let values = expected.values {
                let histogram = object["values"] as? [String: Int] ?? [:]
                #expect(histogram.keys.compactMap { Int($0) }.sorted() == values, "\(path)")
            }
            if let limit = expected.maxAtMost {
                #expect((object["max"] as? Int ?? Int.max) <= limit, "\(path)")
            }
        }
    }

    @Test func stardistTIFFs() throws {
        let folder = Fixtures.path("real/nuclei-stardist-tiff/gt")
        let output = try BinaryRunner.run([
            "inspect", "--json", folder + "/dsb2018_mask2d_512.tif", folder + "/tests_mask2d_256.tif",
            folder + "/synthetic_mask3d.tif",
        ])
        #expect(output.status == 0)
        let objects = try output.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        // SOURCE.md: 125, 65 and 51 instance ids (plus 0); max ids 183, 65, 162; the volume has 31 pages.
        #expect(objects.map { $0["distinct"] as? Int } == [126, 66, 52])
        #expect(objects.map { $0["max"] as? Int } == [183, 65, 162])
        #expect(objects.map { $0["pages"] as? Int } == [1, 1, 31])
        #expect(objects.map { $0["width"] as? Int } == [512, 256, 57])
        #expect(objects.allSatisfy { $0["sample"] as? String == "uint16" && $0["format"] as? String == "tiff" })
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("drive-retina-unet"),
            "DRIVE may not be redistributed: needs ../shared/data/real/drive-retina-unet beside the repository"))
    func theOriginalGIFsAreRefusedCleanly() throws {
        let gif = Fixtures.shared("drive-retina-unet/observers/orig_gif/1st_manual/01_manual1.gif")
        let output = try BinaryRunner.run(["inspect", gif])
        #expect(output.status == 3)
        #expect(output.stderr == "segscore: error: \(gif): not a mask: not a PNG, TIFF or NIfTI file (unrecognised signature)\n")
    }
}
