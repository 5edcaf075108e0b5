/// The first bytes of the files segscore decodes: PNG, TIFF (classic and BigTIFF, either byte
/// order) and uncompressed NIfTI (sizeof_hdr 348 or 540, either byte order). A `.nii.gz` starts
/// with the gzip signature 1f 8b, which any gzip file has: the walk knows it by its name. The same rule as the decoder's (`cmask_sniff` in CMaskCodecs), kept here so the walk
/// can tell masks by content without linking the codecs.
package enum MaskSignature {
    /// `\x89PNG\r\n\x1a\n`.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// True when `head` starts with a PNG signature (8 bytes) or a TIFF header: `II` 42|43 0
    /// (little-endian) or `MM` 0 42|43 (big-endian), 43 being BigTIFF; or a NIfTI sizeof_hdr.
    package static func isMask(_ head: some Collection<UInt8>) -> Bool {
        let bytes = Array(head.prefix(8))
        if bytes.count >= 8 && bytes == png { return true }
        guard bytes.count >= 4 else { return false }
        let (a, b, c, d) = (bytes[0], bytes[1], bytes[2], bytes[3])
        let little = UInt32(a) | UInt32(b) << 8 | UInt32(c) << 16 | UInt32(d) << 24
        let big = UInt32(d) | UInt32(c) << 8 | UInt32(b) << 16 | UInt32(a) << 24
        if [348, 540].contains(little) || [348, 540].contains(big) { return true }
        if a == UInt8(ascii: "I") && b == UInt8(ascii: "I") && (c == 42 || c == 43) && d == 0 { return true }
        if a == UInt8(ascii: "M") && b == UInt8(ascii: "M") && c == 0 && (d == 42 || d == 43) { return true }
        return false
    }
}
