import MaskIO
import SegScoreTestSupport
import Testing

/// A file that must be refused, the error kind, and a fragment of the reason.
struct BadCase: CustomTestStringConvertible, Sendable {
    enum Kind: Sendable { case unreadable, notAMask, unsupported, corrupt, tooLarge }
    var file: String
    var kind: Kind
    var reason: String
    var testDescription: String { file }
}

@Suite struct BadInputTests {
    static let cases: [BadCase] = [
        BadCase(file: "truncated_in_header.png", kind: .corrupt, reason: "truncated"),
        BadCase(file: "truncated_after_header.png", kind: .corrupt, reason: "truncated"),
        BadCase(file: "truncated_in_data.png", kind: .corrupt, reason: "truncated"),
        BadCase(file: "truncated_before_end.png", kind: .corrupt, reason: "truncated"),
        BadCase(file: "bad_crc.png", kind: .corrupt, reason: "CRC error"),
        BadCase(file: "broken_zlib.png", kind: .corrupt, reason: "invalid stored block lengths"),
        BadCase(file: "huge_100000x100000.png", kind: .tooLarge, reason: "100000x100000"),
        BadCase(file: "random.png", kind: .notAMask, reason: "unrecognised signature"),
        BadCase(file: "random.tif", kind: .notAMask, reason: "unrecognised signature"),
        BadCase(file: "empty.png", kind: .notAMask, reason: "file is empty"),
        BadCase(file: "folder.png", kind: .unreadable, reason: "is a directory"),
        BadCase(file: "bad_ifd_offset.tif", kind: .corrupt, reason: "libtiff"),
        BadCase(file: "pages_mismatch.tif", kind: .unsupported, reason: "page 2 is 7x5"),
        BadCase(file: "f64_unsupported.tif", kind: .unsupported, reason: "64-bit floating-point"),
        BadCase(file: "does_not_exist.png", kind: .unreadable, reason: "no such file"),
        BadCase(file: "text_named.png", kind: .notAMask, reason: "unrecognised signature"),
        BadCase(file: "zero_width.png", kind: .corrupt, reason: "Invalid IHDR data"),
        BadCase(file: "palette_index_overflow.png", kind: .corrupt, reason: "palette index 15 beyond the 2-entry palette"),
        // 13×11 pattern 7x + 13y: at 8 bits the largest index is 7·12 + 13·10 = 214; at 4 bits 15; at 2 bits 3; at 1 bit 1.
        BadCase(file: "palette_index_overflow_8bit.png", kind: .corrupt, reason: "palette index 214 beyond the 2-entry palette"),
        BadCase(
            file: "palette_index_overflow_8bit_interlaced.png", kind: .corrupt,
            reason: "palette index 214 beyond the 2-entry palette"),
        BadCase(
            file: "palette_index_overflow_4bit_interlaced.png", kind: .corrupt,
            reason: "palette index 15 beyond the 2-entry palette"),
        BadCase(
            file: "palette_index_overflow_2bit_interlaced.png", kind: .corrupt,
            reason: "palette index 3 beyond the 2-entry palette"),
        BadCase(
            file: "palette_index_overflow_1bit_interlaced.png", kind: .corrupt,
            reason: "palette index 1 beyond the 1-entry palette"),
        // JPEG in TIFF is lossy whatever the colour space: labels 0…3 come back as 6 values.
        BadCase(file: "jpeg_gray.tif", kind: .unsupported, reason: "JPEG compression (lossy) is not supported for masks"),
        BadCase(file: "jpeg_rgb.tif", kind: .unsupported, reason: "JPEG compression (lossy) is not supported for masks"),
        BadCase(
            file: "ojpeg_tag.tif", kind: .unsupported, reason: "old-style JPEG compression (lossy) is not supported for masks"),
        BadCase(file: "absurd_tile.tif", kind: .corrupt, reason: "implausible"),
        BadCase(file: "complex_unsupported.tif", kind: .unsupported, reason: "complex samples"),
        BadCase(file: "missing_strip_offsets.tif", kind: .corrupt, reason: "StripOffsets"),
    ]

    @Test(arguments: cases)
    func refusesWithOneLineReasonNamingTheFile(_ bad: BadCase) {
        let path = Fixtures.path("bad/" + bad.file)
        #expect {
            _ = try MaskDecoder().decode(path: path)
        } throws: { error in
            guard let error = error as? MaskIOError else { return false }
            let kind: BadCase.Kind
            switch error {
            case .unreadable: kind = .unreadable
            case .notAMask: kind = .notAMask
            case .unsupportedLayout: kind = .unsupported
            case .corrupt: kind = .corrupt
            case .tooLarge: kind = .tooLarge
            }
            return kind == bad.kind && error.path == path && error.description.hasPrefix(path + ": ")
                && error.description.contains(bad.reason) && !error.description.contains("\n")
        }
    }

    @Test func sizeLimitIsConfigurable() throws {
        // gray8.png holds 13 × 11 = 143 samples.
        #expect(throws: MaskIOError.self) {
            try MaskDecoder(maxSamples: 142).decode(path: Fixtures.path("png/gray8.png"))
        }
        #expect(try MaskDecoder(maxSamples: 143).decode(path: Fixtures.path("png/gray8.png")).pixelCount == 143)
    }
}
