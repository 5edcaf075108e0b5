import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// `cmask_read_placed` and `MaskReader.decodePlaced`: a .nii.gz inflated straight into the buffer
/// leaves its samples after the header (at vox_offset) instead of moving them; everything else
/// reads at offset 0. The samples, refusals and messages are those of the plain read.
@Suite struct NiftiPlacedReadTests {
    static let values: [Double] = [0, 1, 2, 3, 3, 2, 1, 0, 5, 7, 11, 255]

    /// Where the samples are left, worked out from the headers: vox_offset for gzip data whose
    /// stored bytes are the samples (and vox_offset a multiple of the sample size), else 0.
    @Test func samplesStayAtVoxOffsetWhereTheFileWasInflatedInPlace() {
        let raw = TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, gzip: false)
        let cases: [(String, [UInt8], UInt64)] = [
            ("uint8", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values), 352),
            ("uint8, 16 bytes of extension", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, voxOffset: 368), 368),
            ("uint8, odd vox_offset", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, voxOffset: 353), 353),
            ("uint8, big-endian", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, bigEndian: true), 352),
            ("NIfTI-2", TestMasks.niftiBytes(version: 2, dims: [3, 2, 2], values: Self.values, voxOffset: 600), 600),
            ("uint16", TestMasks.niftiBytes(dims: [3, 2, 2], type: .uint16, values: Self.values), 352),
            (
                "uint16, odd vox_offset",
                TestMasks.niftiBytes(dims: [3, 2, 2], type: .uint16, values: Self.values, voxOffset: 353), 0
            ),
            (
                "uint32, vox_offset 354",
                TestMasks.niftiBytes(dims: [3, 2, 2], type: .uint32, values: Self.values, voxOffset: 354), 0
            ),
            (
                "float32, vox_offset 356",
                TestMasks.niftiBytes(dims: [3, 2, 2], type: .float32, values: Self.values, voxOffset: 356), 356
            ),
            ("not gzip", raw, 0),
            ("two gzip members", TestMasks.gzipStored(Array(raw[0..<200])) + TestMasks.gzipStored(Array(raw[200...])), 0),
            ("scaled", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, slope: 2), 0),
            ("int16", TestMasks.niftiBytes(dims: [3, 2, 2], type: .int16, values: Self.values), 0),
        ]
        for (name, bytes, offset) in cases {
            let plain = NiftiReadPaths.readBothWays(bytes).exact
            let placed = NiftiReadPaths.readPlaced(bytes)
            #expect(placed.offset == offset, "\(name)")
            #expect(placed.outcome == plain, "\(name)")
            #expect(placed.outcome.status == 0, "\(name): \(placed.outcome.message)")
        }
        // The samples themselves, by hand: uint8 values as stored.
        let placed = NiftiReadPaths.readPlaced(TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, voxOffset: 368))
        #expect(placed.outcome.bytes == [0, 1, 2, 3, 3, 2, 1, 0, 5, 7, 11, 255])
    }

    /// Broken files are refused with the plain read's status and message, and the offset is 0.
    @Test func refusalsAreThePlainReadsWithOffsetZero() {
        let good = TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values)
        var badCRC = good
        badCRC[badCRC.count - 6] ^= 0xFF
        let cases: [(String, [UInt8])] = [
            ("bad CRC", badCRC), ("cut in the data", Array(good.dropLast(12))), ("cut in the trailer", Array(good.dropLast(3))),
            ("longer than declared", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, trailing: [7])),
            ("shorter than declared", TestMasks.niftiBytes(dims: [3, 2, 3], values: Self.values)),
        ]
        for (name, bytes) in cases {
            let plain = NiftiReadPaths.readBothWays(bytes).exact
            let placed = NiftiReadPaths.readPlaced(bytes)
            #expect(plain.status != 0, "\(name): read")
            #expect(placed.outcome == plain, "\(name): \"\(placed.outcome.message)\" / \"\(plain.message)\"")
            #expect(placed.offset == 0, "\(name)")
        }
    }

    /// Through `MaskReader.decodePlaced`, volumes of one and of several deflate blocks (over 64 KB),
    /// reusing spare buffers smaller and larger, also ones a plain decode left: exactly the samples.
    @Test func decodePlacedReusingSparesGivesTheSamples() throws {
        let folder = try TemporaryFolder("nifti-placed")
        defer { folder.remove() }
        let small = try folder.write(TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values), to: "small.nii.gz")
        let bigValues = (0..<(40 * 40 * 50)).map { Double(($0 / 37) % 5) }
        let big = try folder.write(TestMasks.niftiBytes(dims: [40, 40, 50], values: bigValues, voxOffset: 400), to: "big.nii.gz")
        let plain = try folder.write(
            TestMasks.niftiBytes(dims: [40, 40, 50], values: bigValues, gzip: false), to: "plain.nii")
        let decoder = MaskDecoder()
        var spare: MaskSamples?
        let order = [small, big, small, plain, plain, big, small, big]
        for (step, path) in order.enumerated() {
            let reader = try decoder.open(path: path)
            #expect(reader.decodesPlaced)
            let expected = (path == small ? Self.values : bigValues).map { UInt8($0) }
            if step == 4 {
                // A plain decode in between: its buffer is reused by the next placed one.
                let mask = try reader.decode(reusing: &spare)
                #expect(mask.samples == .uint8(expected))
                spare = mask.samples
                continue
            }
            let placed = try reader.decodePlaced(reusing: &spare)
            #expect(spare == nil)
            #expect(placed.count == expected.count)
            #expect(placed.offset == (path == small ? 352 : path == big ? 400 : 0))
            #expect(placed.withSamples { Array($0) } == expected, "step \(step)")
            spare = placed.spare
        }
    }

    /// A float or 16-bit volume does not take the placed read.
    @Test func onlyOneChannelOf8BitSamplesIsPlaced() throws {
        let folder = try TemporaryFolder("nifti-placed-types")
        defer { folder.remove() }
        let decoder = MaskDecoder()
        let cases: [(TestMasks.NiftiType, [Int], Bool)] = [
            (.uint8, [3, 2, 2], true), (.uint16, [3, 2, 2], false), (.float32, [3, 2, 2], false), (.uint8, [3, 2, 1, 2], false),
        ]
        for (index, (type, dims, placed)) in cases.enumerated() {
            let path = try folder.write(TestMasks.niftiBytes(dims: dims, type: type, values: Self.values), to: "v\(index).nii.gz")
            #expect(try decoder.open(path: path).decodesPlaced == placed, "\(type) \(dims)")
        }
    }
}
