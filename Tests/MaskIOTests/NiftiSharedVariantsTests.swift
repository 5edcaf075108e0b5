import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

/// Every file of ../shared/data/real/nifti-isbi3d/nifti_readers by its manifest: each valid
/// variant decodes to base_zyx_uint8.npy (2-D ones to its first slice), each invalid one is refused
/// in one line. Fixtures/nifti holds most of them (NiftiDecodingTests); this covers the rest
/// (uncompressed .nii, the oblique qform/sform files) and any file added to the shared set later.
@Suite struct NiftiSharedVariantsTests {
    static let folder = Fixtures.shared("nifti-isbi3d/nifti_readers")

    @Test(
        .enabled(
            if: Fixtures.hasShared("nifti-isbi3d"),
            "needs ../shared/data/real/nifti-isbi3d (the reader variants and their manifest) beside the repository"))
    func everyVariantOfTheManifest() throws {
        let manifestData = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: [String: Any]])
        let npy = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/base_zyx_uint8.npy")))
        let expected = Array(npy.suffix(96 * 64 * 8))
        #expect(npy.count == 128 + 96 * 64 * 8)
        var counts: [String: Int] = [:]
        for name in manifest.keys.sorted() {
            let expect = manifest[name]?["expect"] as? String ?? ""
            counts[expect, default: 0] += 1
            let path = Self.folder + "/files/" + name
            switch expect {
            case "valid", "valid_2d":
                let mask = try MaskDecoder().decode(path: path)
                let voxels = (0..<mask.samples.count).map { UInt8(mask.samples[$0]) }
                #expect(mask.sampleType.isInteger, "\(name)")
                #expect(voxels == Array(expected.prefix(voxels.count)), "\(name)")
                #expect(voxels.count == (expect == "valid" ? 96 * 64 * 8 : 96 * 64), "\(name)")
            default:
                // invalid and invalid_or_resource_limit (the 2^31-voxel bomb, refused by the limit).
                var decoder = MaskDecoder()
                decoder.maxBytes = 1 << 30
                do {
                    _ = try decoder.decode(path: path)
                    Issue.record("\(name) was read; it must be refused")
                } catch {
                    #expect(!"\(error)".contains("\n"), "\(name): \(error)")
                    #expect("\(error)".contains(name), "\(name): \(error)")
                }
            }
        }
        #expect(counts["valid"] == 21 && counts["valid_2d"] == 2, "\(counts)")
        #expect((counts["invalid"] ?? 0) + (counts["invalid_or_resource_limit"] ?? 0) == 5, "\(counts)")
    }
}
