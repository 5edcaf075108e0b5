import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

/// Where a NIfTI volume lies: qform and sform read as ITK (SimpleITK) reads them, hand-made
/// headers with values worked out by hand, and every reference variant against SimpleITK's own
/// reading (reader_reference.json, gated on ../shared).
@Suite struct VolumeGeometryTests {
    static func geometry(_ transform: TestMasks.NiftiTransform, pixdim: [Double] = [2, 3, 4], units: UInt8 = 2) throws
        -> VolumeGeometry?
    {
        let bytes = TestMasks.niftiBytes(
            dims: [2, 2, 2], values: [0, 1, 0, 1, 0, 1, 0, 1], pixdim: pixdim, units: units, transform: transform)
        return try MaskDecoder().decode(bytes: bytes, path: "v.nii.gz").declaration.geometry
    }

    static func near(_ a: [Double]?, _ b: [Double], _ tolerance: Double = 1e-6) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// 90° about z: quaternion (b, c, d) = (0, 0, sin 45°), so a = cos 45° and the rotation is
    /// [[0, -1, 0], [1, 0, 0], [0, 0, 1]]; origin = qoffset, spacing = pixdim.
    @Test func qformQuaternionGivesRotationOriginAndSpacing() throws {
        let half = 0.5.squareRoot()
        let g = try Self.geometry(.init(qformCode: 1, quatern: [0, 0, half], qoffset: [10, -20, 30]))
        #expect(g?.source == "qform")
        #expect(g?.spacing == [2, 3, 4])
        #expect(g?.origin == [10, -20, 30])
        #expect(Self.near(g?.direction, [0, -1, 0, 1, 0, 0, 0, 0, 1]))
    }

    /// qfac = pixdim[0] = −1 flips the third column.
    @Test func qfacMinusOneFlipsTheThirdAxis() throws {
        let g = try Self.geometry(.init(qformCode: 1, qfac: -1))
        #expect(Self.near(g?.direction, [1, 0, 0, 0, 1, 0, 0, 0, -1]))
    }

    /// Origins are converted to mm with xyzt_units, as spacing is: 1500 µm = 1.5 mm.
    @Test func originIsInMillimetres() throws {
        let g = try Self.geometry(.init(qformCode: 1, qoffset: [1500, 0, -250]), pixdim: [4, 4, 50], units: 3)
        #expect(g?.origin == [1.5, 0, -0.25])
        #expect(g?.spacing == [0.004, 0.004, 0.05])
    }

    /// sform code 2 (aligned) that disagrees with a qform of code 1: ITK (SimpleITK) keeps the
    /// qform, as reader_reference.json records for qform_sform_disagree.nii.gz (nibabel would
    /// take the sform).
    @Test func alignedSformDisagreeingWithQformLosesToTheQform() throws {
        let srow: [Double] = [0, -2, 0, 5, 3, 0, 0, 6, 0, 0, 4, 7]
        let g = try Self.geometry(.init(qformCode: 1, sformCode: 2, qoffset: [1, 2, 3], srow: srow))
        #expect(g?.source == "qform")
        #expect(g?.origin == [1, 2, 3])
        #expect(g?.direction == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    /// sform code 1 (scanner) with orthogonal columns wins over the qform.
    @Test func scannerSformWinsOverTheQform() throws {
        // Columns (0, 2, 0), (−3, 0, 0), (0, 0, 4): the x axis along +y, the y axis along −x.
        let srow: [Double] = [0, -3, 0, 5, 2, 0, 0, 6, 0, 0, 4, 7]
        let g = try Self.geometry(.init(qformCode: 1, sformCode: 1, qoffset: [1, 2, 3], srow: srow))
        #expect(g?.source == "sform")
        #expect(g?.origin == [5, 6, 7])
        #expect(g?.direction == [0, -1, 0, 1, 0, 0, 0, 0, 1])
    }

    /// qform code 0 and an sform of any code: the sform.
    @Test func sformAloneIsUsed() throws {
        let srow: [Double] = [-2, 0, 0, 5, 0, 3, 0, 6, 0, 0, 4, 7]
        let g = try Self.geometry(.init(qformCode: 0, sformCode: 2, srow: srow))
        #expect(g?.source == "sform")
        #expect(g?.origin == [5, 6, 7])
        #expect(g?.direction == [-1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    /// A skewed sform (columns not orthogonal) is not used while a qform exists.
    @Test func skewedSformFallsBackToTheQform() throws {
        let srow: [Double] = [2, 1, 0, 5, 0, 3, 0, 6, 0, 0, 4, 7]
        let g = try Self.geometry(.init(qformCode: 1, sformCode: 1, qoffset: [1, 2, 3], srow: srow))
        #expect(g?.source == "qform")
        #expect(g?.origin == [1, 2, 3])
    }

    /// Both codes 0: origin 0 and identity directions (ITK), spacing still from pixdim.
    @Test func noTransformGivesOriginZeroAndIdentity() throws {
        let g = try Self.geometry(.init(qformCode: 0, sformCode: 0, qoffset: [9, 9, 9]))
        #expect(g?.source == "none")
        #expect(g?.origin == [0, 0, 0])
        #expect(g?.direction == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(g?.spacing == [2, 3, 4])
    }

    /// NIfTI-2 stores the same fields as doubles at other offsets.
    @Test func niftiTwoReadsTheSameGeometry() throws {
        let bytes = TestMasks.niftiBytes(
            version: 2, dims: [2, 2, 2], values: [Double](repeating: 1, count: 8), pixdim: [2, 3, 4],
            transform: .init(qformCode: 0, sformCode: 1, srow: [0, -3, 0, 5, 2, 0, 0, 6, 0, 0, 4, 7]))
        let g = try MaskDecoder().decode(bytes: bytes, path: "v.nii.gz").declaration.geometry
        #expect(g?.origin == [5, 6, 7])
        #expect(g?.direction == [0, -1, 0, 1, 0, 0, 0, 0, 1])
    }

    @Test func pngAndTiffHaveNoGeometry() throws {
        let png = try MaskDecoder().decode(path: Fixtures.path("png/gray8.png"))
        #expect(png.declaration.geometry == nil)
    }

    /// Every reference variant SimpleITK 2.5.7 read: our spacing, origin and direction equal
    /// SimpleITK's (which reports x and y negated: LPS), oblique qform/sform files included.
    @Test(
        .enabled(
            if: Fixtures.hasShared("nifti-isbi3d"),
            "needs ../shared/data/real/nifti-isbi3d (SimpleITK's readings in reader_reference.json) beside the repository"))
    func geometryEqualsSimpleITKOnEveryReferenceFile() throws {
        let folder = Fixtures.shared("nifti-isbi3d/nifti_readers")
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/reader_reference.json"))
        let files = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["files"] as? [String: Any] ?? [:]
        var compared = 0
        for name in files.keys.sorted() {
            guard let entry = files[name] as? [String: Any], let sitk = entry["simpleitk"] as? [String: Any],
                let spacing = sitk["spacing"] as? [Double], spacing.count == 3, let origin = sitk["origin"] as? [Double],
                let direction = sitk["direction"] as? [Double], name != "bomb_2p31_voxels.nii.gz",
                let mask = try? MaskDecoder().decode(path: folder + "/files/" + name)
            else { continue }
            let g = mask.declaration.geometry
            let lps: [Double] = [-1, -1, 1]
            #expect(zip(g?.spacing ?? [], spacing).allSatisfy { abs($0 - $1) <= 1e-6 * $1 }, "\(name)")
            #expect(Self.near(g?.origin, (0..<3).map { lps[$0] * origin[$0] }, 1e-9), "\(name)")
            #expect(Self.near(g?.direction, (0..<9).map { lps[$0 / 3] * direction[$0] }, 1e-6), "\(name)")
            compared += 1
        }
        // 21 valid 3-D files SimpleITK reads (not NIfTI-2, not the 2-D slice), plus the invalid
        // ones it reads anyway and we refuse (skipped above).
        #expect(compared >= 19)
    }
}
