import MaskIO
import SegScoreTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A chunk before the image data that declares far more bytes than the file holds: libpng only
/// warns past its chunk limit, then allocated and zeroed the declared length (2 GB for 2^31 − 1)
/// before finding the file truncated. Found by the png-diff fuzzer
/// (Fixtures/fuzz/regression/png/oom-text-chunk-claims-2GB).
@Suite struct PNGChunkAllocationTests {
    /// Peak resident set of this process, in bytes.
    static func peakResident() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    @Test(arguments: ["tEXt", "zTXt", "iTXt", "iCCP", "sPLT", "eXIf"])
    func aChunkLongerThanTheFileIsTheTruncationRefusalWithoutItsAllocation(_ type: String) {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += TestMasks.chunk("IHDR", TestMasks.bigEndian(4) + TestMasks.bigEndian(4) + [8, 0, 0, 0, 0])
        // Length 2^31 − 1, then 16 bytes of data and nothing else.
        bytes += TestMasks.bigEndian(0x7FFF_FFFF) + Array(type.utf8) + Array("Comment\u{0}01234567".utf8)
        let before = Self.peakResident()
        for choice in [PNGDecoderChoice.fast, .libpng] {
            var decoder = MaskDecoder()
            decoder.pngDecoder = choice
            #expect(throws: MaskIOError.corrupt(path: "claims.png", codecMessage: "libpng: unexpected end of file (truncated)")) {
                try decoder.decode(bytes: bytes, path: "claims.png")
            }
        }
        // Other tests run alongside and take memory too, but not a gigabyte.
        #expect(Self.peakResident() - before < 1 << 30)
    }
}
