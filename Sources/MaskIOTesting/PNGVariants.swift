internal import CMaskCodecs
internal import CMaskTestCodecs

/// Generated PNG files for the differential tests of the two PNG decoders (`cmask_png_variant`):
/// every colour type and bit depth, every filter type, odd widths, 1-pixel images, split IDAT
/// chunks, ancillary chunks before and after the image data, and broken files.
package enum PNGVariants {
    /// The bytes of variant `seed` (the same on every machine with the same zlib).
    package static func variant(seed: UInt64) -> [UInt8] {
        FastPathProbe.copy { cmask_png_variant(seed, $0) }
    }

    /// Whether the shim's fast path (not libpng) decodes `bytes`: a PNG it takes as clean.
    package static func decodedByFastPath(_ bytes: [UInt8]) -> Bool {
        FastPathProbe.decoded(
            bytes, choose: { cmask_set_png_decoder($0, CMASK_PNG_DECODER_FAST) }, used: { cmask_png_fast_path_used($0) })
    }
}
