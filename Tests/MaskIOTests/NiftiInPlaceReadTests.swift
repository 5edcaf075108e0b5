import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// A .nii.gz whose stored voxels are the output bytes is inflated straight into the caller's
/// buffer when it has room for the whole contents (header and data), then the data moved to its
/// start: the same samples, the same refusals and messages as the read through a scratch buffer.
@Suite struct NiftiInPlaceReadTests {
    static let values: [Double] = [0, 1, 2, 3, 3, 2, 1, 0, 5, 7, 11, 255]

    /// Room asked for: the whole contents for uint8 and little-endian uint16/uint32/float32 data,
    /// none where values are converted (int16, big-endian, scaled, 4-D) or the file is not gzip.
    @Test func roomIsTheWholeContentsWhereStoredBytesAreTheSamples() {
        // 348-byte header + 4 bytes to vox_offset 352 + 12 voxels.
        #expect(NiftiReadPaths.readBothWays(TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values)).roomBytes == 364)
        #expect(
            NiftiReadPaths.readBothWays(TestMasks.niftiBytes(dims: [3, 2, 2], type: .uint16, values: Self.values)).roomBytes
                == 376)
        #expect(
            NiftiReadPaths.readBothWays(TestMasks.niftiBytes(version: 2, dims: [3, 2, 2], values: Self.values, voxOffset: 600))
                .roomBytes == 612)
        let none: [[UInt8]] = [
            TestMasks.niftiBytes(dims: [3, 2, 2], type: .int16, values: Self.values),
            TestMasks.niftiBytes(dims: [3, 2, 2], type: .uint16, values: Self.values, bigEndian: true),
            TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, slope: 2),
            TestMasks.niftiBytes(dims: [3, 2, 1, 2], values: Self.values),
            TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, gzip: false),
        ]
        for bytes in none { #expect(NiftiReadPaths.readBothWays(bytes).roomBytes == 0) }
    }

    /// Every variant, good or broken, read both ways (and placed): identical samples or identical refusal.
    @Test func bothReadsAgreeOnEveryVariant() throws {
        let raw = TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, gzip: false)
        var cases: [(String, [UInt8])] = [
            ("uint8", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values)),
            ("uint16", TestMasks.niftiBytes(dims: [3, 2, 2], type: .uint16, values: Self.values)),
            ("uint32", TestMasks.niftiBytes(dims: [3, 2, 2], type: .uint32, values: Self.values)),
            ("float32", TestMasks.niftiBytes(dims: [3, 2, 2], type: .float32, values: Self.values)),
            ("int16", TestMasks.niftiBytes(dims: [3, 2, 2], type: .int16, values: Self.values)),
            ("NIfTI-2, extensions", TestMasks.niftiBytes(version: 2, dims: [3, 2, 2], values: Self.values, voxOffset: 1000)),
            ("one voxel", TestMasks.niftiBytes(dims: [1], values: [9])),
            ("longer than declared", TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values, trailing: [7])),
            ("shorter than declared", TestMasks.niftiBytes(dims: [3, 2, 3], values: Self.values)),
            ("two members", TestMasks.gzipStored(Array(raw[0..<200])) + TestMasks.gzipStored(Array(raw[200...]))),
        ]
        let good = TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values)
        var badCRC = good
        badCRC[badCRC.count - 6] ^= 0xFF
        var badSize = good
        badSize[badSize.count - 1] ^= 0x01
        cases += [
            ("bad CRC", badCRC), ("bad ISIZE", badSize), ("cut in the data", Array(good.dropLast(12))),
            ("cut in the trailer", Array(good.dropLast(3))), ("junk after the member", good + [0, 1, 2]),
        ]
        // Files compressed by other writers (real deflate blocks): the repository's NIfTI fixtures.
        for folder in ["nifti", "fuzz/nifti"] {
            let directory = Fixtures.path(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where name.hasSuffix(".gz") {
                cases.append((folder + "/" + name, Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))))
            }
        }
        for (name, bytes) in cases {
            let (exact, room, _) = NiftiReadPaths.readBothWays(bytes)
            let same = exact == room
            #expect(same, "\(name): status \(exact.status)/\(room.status), \"\(exact.message)\" / \"\(room.message)\"")
            // The third way, the samples left where they were inflated (cmask_read_placed).
            let placed = NiftiReadPaths.readPlaced(bytes).outcome
            #expect(placed == exact, "\(name), placed: \"\(exact.message)\" / \"\(placed.message)\"")
        }
        #expect(cases.count > 25)
        // The good ones decode to the stored values.
        let decoded = NiftiReadPaths.readBothWays(good).room.bytes
        #expect(decoded == Self.values.map { UInt8($0) })
        #expect(NiftiReadPaths.readBothWays(badCRC).room.status != 0)
    }

    /// Through `MaskDecoder`, reusing spare buffers smaller and larger than the volume: the samples
    /// are exactly the volume's (the room cut off again).
    @Test func decoderReusingSparesReturnsExactlyTheSamples() throws {
        let folder = try TemporaryFolder("nifti-in-place")
        defer { folder.remove() }
        let small = try folder.write(TestMasks.niftiBytes(dims: [3, 2, 2], values: Self.values), to: "small.nii.gz")
        let bigValues = (0..<600).map { Double($0 % 7) }
        let big = try folder.write(TestMasks.niftiBytes(dims: [10, 6, 10], values: bigValues), to: "big.nii.gz")
        let decoder = MaskDecoder()
        var spare: MaskSamples?
        for path in [small, big, small, small, big] {
            let mask = try decoder.decode(path: path, reusing: &spare)
            let expected = path == small ? Self.values : bigValues
            #expect(mask.samples.count == expected.count)
            #expect((0..<mask.samples.count).map { mask.samples[$0] } == expected)
            spare = mask.samples
        }
    }
}
