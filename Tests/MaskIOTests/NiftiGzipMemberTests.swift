import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The reader's own gzip member read (`gunzip_member`: libdeflate's header rules, the deflate data
/// by libdeflate, the trailer's CRC-32 by `cmask_crc32`): the CRC equals the bit-by-bit one for
/// every length and start, every header field libdeflate takes is taken (the samples are then
/// left at vox_offset), and a wrong CRC or ISIZE in a volume large enough for the folded CRC is
/// refused with zlib's message naming the file.
@Suite struct NiftiGzipMemberTests {
    /// Pseudo-random bytes (a 64-bit LCG's high bytes), the same on every run.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test func crcIsTheBitwiseCRCForEveryLengthAndStart() {
        // The check value of CRC-32/ISO-HDLC (the gzip and PNG CRC) for the ASCII digits 1 to 9.
        #expect(NiftiReadPaths.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(NiftiReadPaths.crc32([]) == 0)
        let bytes = Self.noise(4200, seed: 7)
        // Lengths across the 256-byte steps of the folded part and the tail after it, at
        // starts that are not 64-byte aligned.
        for start in [0, 1, 3, 63] {
            for length in [0, 1, 15, 16, 255, 256, 257, 511, 512, 513, 767, 1023, 1024, 1280, 2047, 4096] {
                let part = Array(bytes[start..<(start + length)])
                #expect(NiftiReadPaths.crc32(bytes, from: start, count: length) == NiftiReadPaths.crc32(part))
                #expect(NiftiReadPaths.crc32(part) == TestMasks.crc32(part), "start \(start) length \(length)")
            }
        }
        // Continued: the CRC of a then b is the CRC of a + b.
        for split in [0, 1, 255, 256, 300, 1024, 4000] {
            let first = NiftiReadPaths.crc32(Array(bytes[..<split]))
            #expect(NiftiReadPaths.crc32(bytes, from: split, continuing: first) == TestMasks.crc32(bytes), "split \(split)")
        }
        // Long runs of one value (what label volumes are) and a megabyte.
        let runs = (0..<70_000).map { UInt8(($0 / 777) % 3) }
        #expect(NiftiReadPaths.crc32(runs) == TestMasks.crc32(runs))
        let large = Self.noise(1 << 20 | 77, seed: 11)
        #expect(NiftiReadPaths.crc32(large) == TestMasks.crc32(large))
    }

    /// The gzip header with each optional field libdeflate reads (FTEXT, FEXTRA, FNAME, FCOMMENT,
    /// FHCRC with a right header CRC): the member is read whole, so the samples stay at vox_offset
    /// 352 (a file the member read refuses goes through zlib and reads at offset 0).
    @Test func everyHeaderFieldLibdeflateTakesIsTaken() {
        let values = (0..<(32 * 16 * 8)).map { Double(($0 / 9) % 4) }
        let plain = TestMasks.niftiBytes(dims: [32, 16, 8], values: values)
        let body = Array(plain[10...])
        func member(flags: UInt8, fields: [UInt8]) -> [UInt8] {
            var head: [UInt8] = [0x1F, 0x8B, 8, flags, 1, 2, 3, 4, 0, 3] + fields
            if flags & 0x02 != 0 {
                let crc = TestMasks.crc32(head)
                head += [UInt8(crc & 0xFF), UInt8((crc >> 8) & 0xFF)]
            }
            return head + body
        }
        let name = Array("case_0001.nii".utf8) + [0]
        let comment = Array("a comment".utf8) + [0]
        let cases: [(String, [UInt8])] = [
            ("plain", plain), ("FTEXT", member(flags: 0x01, fields: [])),
            ("FEXTRA", member(flags: 0x04, fields: [5, 0, 1, 2, 3, 4, 5])),
            ("FEXTRA, empty", member(flags: 0x04, fields: [0, 0])),
            ("FNAME", member(flags: 0x08, fields: name)), ("FCOMMENT", member(flags: 0x10, fields: comment)),
            ("FHCRC", member(flags: 0x02, fields: [])),
            ("all", member(flags: 0x1F, fields: [2, 0, 9, 9] + name + comment)),
        ]
        let expected = values.map { UInt8($0) }
        for (label, bytes) in cases {
            let placed = NiftiReadPaths.readPlaced(bytes)
            #expect(placed.outcome.status == 0, "\(label): \(placed.outcome.message)")
            #expect(placed.offset == 352, "\(label)")
            #expect(placed.outcome.bytes == expected, "\(label)")
            #expect(NiftiReadPaths.readBothWays(bytes).exact.bytes == expected, "\(label)")
        }
    }

    /// A 160 KB volume (the CRC folded over whole 256-byte steps, then a tail): every byte of the
    /// CRC and of ISIZE, and data bytes early, in the middle and in the tail, changed one at a
    /// time: refused by every read with zlib's message, and by `MaskDecoder` naming the file.
    @Test func aWrongTrailerOrDataByteIsRefusedNamingTheFile() throws {
        let values = (0..<(64 * 64 * 40)).map { Double(($0 / 300) % 5) }
        let good = TestMasks.niftiBytes(dims: [64, 64, 40], values: values)
        #expect(NiftiReadPaths.readPlaced(good).offset == 352)
        let n = good.count
        var cases: [(String, Int, String)] = (1...4).map { ("CRC byte \($0)", n - 9 + $0, "incorrect data check") }
        cases += (1...4).map { ("ISIZE byte \($0)", n - 5 + $0, "incorrect length check") }
        // Data bytes (inside stored blocks; 5 header bytes per 65,535): the first voxel, one in
        // the middle, the last one.
        cases += [("first voxel", 10 + 5 + 352, "incorrect data check"), ("middle", n / 2, "incorrect data check")]
        cases += [("last voxel", n - 9, "incorrect data check")]
        let folder = try TemporaryFolder("nifti-gzip-member")
        defer { folder.remove() }
        for (label, index, reason) in cases {
            var bad = good
            bad[index] ^= 0x10
            let placed = NiftiReadPaths.readPlaced(bad)
            let (exact, room, _) = NiftiReadPaths.readBothWays(bad)
            #expect(placed.outcome.message == "broken gzip stream (zlib: \(reason))", "\(label)")
            #expect(exact == placed.outcome && room == placed.outcome, "\(label)")
            let path = try folder.write(bad, to: "bad.nii.gz")
            #expect(throws: MaskIOError.self, "\(label)") { _ = try MaskDecoder().decode(path: path) }
            do {
                _ = try MaskDecoder().decode(path: path)
            } catch {
                #expect("\(error)".contains(path) && "\(error)".contains(reason), "\(label): \(error)")
            }
        }
    }
}
