import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The TIFF fast path on hand-built files: LZW code streams assembled code by code (ClearCode,
/// literals, table codes, the KwKwK case, the 9→10-bit switch), the horizontal predictor, and
/// files libtiff's own encoders wrote; expected samples worked out by hand from the codes (TIFF
/// 6.0, section 13) and the labels written.
@Suite struct TIFFFastPathTests {
    /// MSB-first packing of (code, width) pairs, the last byte padded with zeros.
    static func lzw(_ codes: [(Int, Int)]) -> [UInt8] {
        var bytes: [UInt8] = []
        var bits: UInt64 = 0
        var count = 0
        for (code, width) in codes {
            bits = bits << UInt64(width) | UInt64(code)
            count += width
            while count >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(count - 8)))
                count -= 8
            }
        }
        if count > 0 { bytes.append(UInt8(truncatingIfNeeded: bits << UInt64(8 - count))) }
        return bytes
    }

    static func tiff(width: Int, height: Int, compression: Int, predictor: Int = 1, data: [UInt8]) -> [UInt8] {
        TestTIFF.gray8(width: width, height: height, compression: compression, predictor: predictor, data: data)
    }

    static func decode(_ bytes: [UInt8], _ choice: TIFFDecoderChoice) -> Result<DecodedMask, MaskIOError> {
        var decoder = MaskDecoder()
        decoder.tiffDecoder = choice
        return Result { () throws(MaskIOError) in try decoder.decode(bytes: bytes, path: "hand.tif") }
    }

    /// ClearCode; 5 (a literal, no entry); 5 (entry 258 = 5 5); 258 (5 5; entry 259 = 5 5);
    /// 260, the next free code (KwKwK: the previous string 5 5 plus its first byte: 5 5 5); 9; EOI.
    static let runCodes: [(Int, Int)] = [(256, 9), (5, 9), (5, 9), (258, 9), (260, 9), (9, 9), (257, 9)]

    @Test func lzwCodesDecodeToTheHandWorkedSamples() throws {
        let bytes = Self.tiff(width: 8, height: 1, compression: 5, data: Self.lzw(Self.runCodes))
        let viaFastPath = TIFFVariants.decodedByFastPath(bytes)
        #expect(viaFastPath)
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint8([5, 5, 5, 5, 5, 5, 5, 9]))
        #expect(try Self.decode(bytes, .libtiff).get() == fast)
    }

    @Test func horizontalPredictorAddsEachSampleToTheOneBefore() throws {
        let bytes = Self.tiff(width: 8, height: 1, compression: 5, predictor: 2, data: Self.lzw(Self.runCodes))
        let viaFastPath = TIFFVariants.decodedByFastPath(bytes)
        #expect(viaFastPath)
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint8([5, 10, 15, 20, 25, 30, 35, 44]))
        #expect(try Self.decode(bytes, .libtiff).get() == fast)
    }

    @Test func codesGrowToTenBitsWhenEntry510IsTaken() throws {
        // Literals 0…253 in 9 bits: the first adds nothing, the other 253 fill entries 258…510;
        // then the next code is read in 10 bits (TIFF's "early change"), EOI too.
        let codes = [(256, 9)] + (0...253).map { ($0, 9) } + [(254, 10), (257, 10)]
        let bytes = Self.tiff(width: 255, height: 1, compression: 5, data: Self.lzw(codes))
        let viaFastPath = TIFFVariants.decodedByFastPath(bytes)
        #expect(viaFastPath)
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint8((0...254).map { UInt8($0) }))
        #expect(try Self.decode(bytes, .libtiff).get() == fast)
    }

    @Test func streamsLibtiffRefusesAreRefusedAlikeWithItsMessage() throws {
        let broken: [(String, [(Int, Int)])] = [
            ("no ClearCode first", [(5, 9), (5, 9), (257, 9)]),
            ("EOI before the strip is full", [(256, 9), (5, 9), (257, 9)]),
            ("a code not yet in the table", [(256, 9), (5, 9), (300, 9), (257, 9)]),
            ("ends without EOI before the strip is full", [(256, 9), (5, 9)]),
        ]
        for (name, codes) in broken {
            let bytes = Self.tiff(width: 8, height: 1, compression: 5, data: Self.lzw(codes))
            let reference = Self.decode(bytes, .libtiff)
            guard case .failure(let error) = reference else {
                Issue.record("\(name): libtiff decoded it")
                continue
            }
            #expect("\(error)".contains("libtiff"), "\(name)")
            #expect(Self.decode(bytes, .fast) == reference, "\(name)")
            let viaFastPath = TIFFVariants.decodedByFastPath(bytes)
            #expect(!viaFastPath, "\(name)")
        }
    }

    @Test(arguments: [8, 16])
    func filesLibtiffWroteDecodeToTheirLabels(bits: Int) throws {
        let folder = try TemporaryFolder("tifffast")
        defer { folder.remove() }
        let width = 67
        let height = 45
        let labels = (0..<(width * height)).map { i -> UInt16 in
            let x = i % width
            let y = i / width
            return UInt16((x / 9 + y / 7) % 4) * (bits == 16 ? 1000 : 1)
        }
        for (name, container) in [
            ("lzw", MaskEncoder.Container.tiffLZW(bits: bits, rowsPerStrip: 4)),
            ("deflate", .tiffDeflate(bits: bits, rowsPerStrip: 7)),
        ] {
            let path = folder.path(name + ".tif")
            try MaskEncoder.write(labels: labels, width: width, height: height, as: container, to: path)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let viaFastPath = TIFFVariants.decodedByFastPath(bytes)
            #expect(viaFastPath, "\(name)")
            let fast = try Self.decode(bytes, .fast).get()
            #expect(fast.samples == (bits == 8 ? .uint8(labels.map { UInt8($0) }) : .uint16(labels)), "\(name)")
            #expect(try Self.decode(bytes, .libtiff).get() == fast, "\(name)")
        }
    }

    @Test func literalOnlyLZWStreamsCrossEveryCodeWidthAndClearCode() throws {
        // 5,000 bytes: codes widen at entries 510, 1022 and 2046, and a ClearCode comes before 4094.
        let samples = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 13) }
        let bytes = Self.tiff(width: 100, height: 50, compression: 5, data: TestTIFF.lzwLiterals(samples))
        let viaFastPath = TIFFVariants.decodedByFastPath(bytes)
        #expect(viaFastPath)
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint8(samples))
        #expect(try Self.decode(bytes, .libtiff).get() == fast)
    }

    @Test func packBitsRunsAndLiteralsDecodeAsLibtiffReadsThem() throws {
        // 2: the next 3 bytes as they are; −3 (0xFD): the next byte 4 times; −128 (0x80): nothing;
        // 0: one byte as it is.
        let bytes = Self.tiff(width: 8, height: 1, compression: 32773, data: [2, 7, 8, 9, 0xFD, 4, 0x80, 0, 5])
        let viaFastPath = TIFFVariants.decodedByFastPath(bytes)
        #expect(viaFastPath)
        let fast = try Self.decode(bytes, .fast).get()
        #expect(fast.samples == .uint8([7, 8, 9, 4, 4, 4, 4, 5]))
        #expect(try Self.decode(bytes, .libtiff).get() == fast)
        // A run of 6 where 4 bytes are left: libtiff cuts it with a warning and decodes the strip.
        let cut = Self.tiff(width: 4, height: 1, compression: 32773, data: [0xFB, 6])
        let cutViaFastPath = TIFFVariants.decodedByFastPath(cut)
        #expect(cutViaFastPath)
        #expect(try Self.decode(cut, .fast).get().samples == .uint8([6, 6, 6, 6]))
        #expect(try Self.decode(cut, .libtiff).get() == (try Self.decode(cut, .fast).get()))
    }

    /// Files over the 64 KB read window are read strip by strip from the file, not mapped.
    @Test(arguments: [8, 16])
    func filesReadThroughTheWindowDecodeAlike(bits: Int) throws {
        let folder = try TemporaryFolder("tiffwindow")
        defer { folder.remove() }
        var random = SystemRandomNumberGenerator()
        let side = 300
        let labels = (0..<(side * side)).map { _ in UInt16.random(in: 0...(bits == 8 ? 255 : 60000), using: &random) }
        for (name, container) in [
            ("lzw", MaskEncoder.Container.tiffLZW(bits: bits, rowsPerStrip: 7)),
            ("deflate", .tiffDeflate(bits: bits, rowsPerStrip: 16)),
        ] {
            let path = folder.path(name + ".tif")
            try MaskEncoder.write(labels: labels, width: side, height: side, as: container, to: path)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(bytes.count > 65536, "\(name)")
            var fast = MaskDecoder()
            fast.tiffDecoder = .fast
            var reference = MaskDecoder()
            reference.tiffDecoder = .libtiff
            let decoded = try fast.decode(path: path)
            #expect(decoded.samples == (bits == 8 ? .uint8(labels.map { UInt8($0) }) : .uint16(labels)), "\(name)")
            #expect(try reference.decode(path: path) == decoded, "\(name)")
            // 200 zero bytes in the middle of the strips: both refuse alike, or both decode alike.
            bytes.replaceSubrange((bytes.count / 2)..<(bytes.count / 2 + 200), with: [UInt8](repeating: 0, count: 200))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let broken = Result { () throws(MaskIOError) in try fast.decode(path: path) }
            #expect(broken == Result { () throws(MaskIOError) in try reference.decode(path: path) }, "\(name)")
        }
    }

    @Test func settingChoosesTheDecoder() {
        #expect(TIFFDecoderChoice(setting: "libtiff") == .libtiff)
        #expect(TIFFDecoderChoice(setting: "fast") == .fast)
        #expect(TIFFDecoderChoice(setting: nil) == .fast)
        #expect(TIFFDecoderChoice(setting: "LIBTIFF") == .fast)
    }
}
