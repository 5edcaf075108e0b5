import Foundation
import SegScoreTestSupport
import Testing

/// tifffile writes the array's shape into the first page's description (`{"shape": [z, y, x]}`)
/// and stores a one-slice volume, or one whose x is 1, as a single page. segscore reads a
/// single-sample file in that shape, so such a volume stays 3-D.
///
/// The pair (5×5, one slice): ground truth a 3×3 block (x, y 1…3), prediction its centre voxel.
/// - 3-D, one slice: every voxel touches the image's z edge, so all 9 voxels are boundary and so
///   is the centre: A = d(pred → gt) = [0]; B = d(gt → pred) = [0, 1, 1, 1, 1, √2, √2, √2, √2];
///   assd = (4 + 4√2) / 10.
/// - 2-D: the centre is interior: the ring of 8 is the boundary; A = [1];
///   B = [1, 1, 1, 1, √2, √2, √2, √2]; assd = (5 + 4√2) / 9.
@Suite struct TifffileShapeTests {
    static let truth: [UInt8] = (0..<25).map { i in (1...3).contains(i % 5) && (1...3).contains(i / 5) ? 1 : 0 }
    static let prediction: [UInt8] = (0..<25).map { $0 == 12 ? 1 : 0 }

    static func folder(description: String?) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("tifffile-shape", subfolders: ["gt", "pred"])
        for (side, values) in [("gt", truth), ("pred", prediction)] {
            try folder.write(
                TestTIFF.gray8(width: 5, height: 5, compression: 1, data: values, description: description),
                to: "\(side)/case.tif")
        }
        return folder
    }

    static func assd(_ folder: TemporaryFolder) throws -> Double? {
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--surface-metrics", "assd", "--json", "-", "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let image = try #require((report["images"] as? [[String: Any]])?.first)
        let classes = try #require(image["classes"] as? [[String: Any]])
        return classes.first { $0["id"] as? Int == 1 }?["assd"] as? Double
    }

    @Test func oneSliceVolumeStaysThreeD() throws {
        let folder = try Self.folder(description: #"{"shape": [1, 5, 5]}"#)
        defer { folder.remove() }
        let value = try #require(try Self.assd(folder))
        #expect(abs(value - (4 + 4 * 2.0.squareRoot()) / 10) < 1e-15)
    }

    @Test func withoutTheShapeThePageIsTwoD() throws {
        for description in [nil, #"{"shape": [5, 5]}"#, #"{"shape": [1, 5, 6]}"#, #"{"shape": [1, 5, 5"#, "ImageJ=1.11a"] {
            let folder = try Self.folder(description: description)
            defer { folder.remove() }
            let value = try #require(try Self.assd(folder))
            #expect(abs(value - (5 + 4 * 2.0.squareRoot()) / 9) < 1e-15, "\(description ?? "none")")
        }
    }

    /// `[5, 5, 1]`: tifffile's single 5×5 page is 5 slices of 5 rows and one column.
    @Test func lastAxisOfOneIsAColumn() throws {
        let folder = try TemporaryFolder("tifffile-column", subfolders: [])
        defer { folder.remove() }
        let path = try folder.write(
            TestTIFF.gray8(width: 5, height: 5, compression: 1, data: Self.truth, description: #"{"shape": [5, 5, 1]}"#),
            to: "column.tif")
        let output = try BinaryRunner.run(["inspect", path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("\(path): TIFF 1x5, 5 pages, 1 channel"), "\(output.stdout)")
    }
}
