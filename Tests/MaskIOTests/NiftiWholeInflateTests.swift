import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

/// A .nii.gz up to 256 MiB is inflated whole by libdeflate (its scratch counted in the header);
/// every other gzip file (multi-member, too long, too short) goes through zlib and reads or fails
/// exactly as before.
@Suite struct NiftiWholeInflateTests {
    static let values: [Double] = [0, 1, 2, 3, 3, 2, 1, 0]

    @Test func scratchIsTheFileAndItsContents() throws {
        let folder = try TemporaryFolder("nifti-whole")
        defer { folder.remove() }
        let bytes = TestMasks.niftiBytes(dims: [2, 2, 2], values: Self.values)
        let path = try folder.write(bytes, to: "v.nii.gz")
        let header = try MaskDecoder().open(path: path).header
        // Contents: 348-byte header, 4 bytes to vox_offset 352, 8 voxels.
        #expect(header.scratchBytes == UInt64(360 + bytes.count))
        let mask = try MaskDecoder().decode(path: path)
        #expect((0..<8).map { mask.samples[$0] } == Self.values)
        let plain = try folder.write(TestMasks.niftiBytes(dims: [2, 2, 2], values: Self.values, gzip: false), to: "v.nii")
        #expect(try MaskDecoder().open(path: plain).header.scratchBytes == 0)
    }

    /// Declared contents over 256 MiB: streamed through zlib, no scratch.
    @Test func largeVolumesAreStreamed() throws {
        let folder = try TemporaryFolder("nifti-whole-large")
        defer { folder.remove() }
        let path = try folder.write(TestMasks.niftiBytes(dims: [1024, 1024, 300], values: []), to: "big.nii.gz")
        #expect(try MaskDecoder().open(path: path).header.scratchBytes == 0)
    }

    /// Two gzip members (pigz, `cat a.gz b.gz`): libdeflate reads one, so zlib reads both.
    @Test func multiMemberFileIsRead() throws {
        let folder = try TemporaryFolder("nifti-whole-members")
        defer { folder.remove() }
        let raw = TestMasks.niftiBytes(dims: [2, 2, 2], values: Self.values, gzip: false)
        let bytes = TestMasks.gzipStored(Array(raw[0..<200])) + TestMasks.gzipStored(Array(raw[200...]))
        let path = try folder.write(bytes, to: "v.nii.gz")
        let mask = try MaskDecoder().decode(path: path)
        #expect((0..<8).map { mask.samples[$0] } == Self.values)
    }

    /// Longer and shorter than declared: the zlib path's messages.
    @Test func wrongLengthsKeepTheirMessages() throws {
        let folder = try TemporaryFolder("nifti-whole-lengths")
        defer { folder.remove() }
        let long = try folder.write(
            TestMasks.niftiBytes(dims: [2, 2, 2], values: Self.values, trailing: [7]), to: "long.nii.gz")
        #expect(throws: MaskIOError.self) { try MaskDecoder().decode(path: long) }
        do {
            _ = try MaskDecoder().decode(path: long)
        } catch {
            #expect("\(error)".contains("NIfTI data longer than declared: the gzip stream goes on past 8 data bytes"))
        }
        let short = try folder.write(
            TestMasks.niftiBytes(dims: [2, 2, 3], values: Self.values), to: "short.nii.gz")
        do {
            _ = try MaskDecoder().decode(path: short)
            Issue.record("a short file was read")
        } catch {
            #expect("\(error)".contains("truncated NIfTI data: the data ends after 8 of 12 bytes"))
        }
    }
}
