internal import CMaskCodecs
internal import CMaskTestCodecs

/// Generated TIFF files for the differential tests of the two TIFF decoders (`cmask_tiff_variant`):
/// every compression the fast path takes and some it does not, predictor on and off, both byte
/// orders, odd widths, 1-pixel images, odd rows per strip, partial edge tiles, two pages,
/// hand-made LZW and Deflate streams, and broken files (truncation, flipped strip bytes, bad
/// strip offsets and byte counts).
package enum TIFFVariants {
    /// The bytes of variant `seed` (the same on every machine with the same libtiff and zlib).
    package static func variant(seed: UInt64) -> [UInt8] {
        FastPathProbe.copy { cmask_tiff_variant(seed, $0) }
    }

    /// Whether the shim's fast path (not libtiff) decodes every page of `bytes`.
    package static func decodedByFastPath(_ bytes: [UInt8]) -> Bool {
        FastPathProbe.decoded(
            bytes, choose: { cmask_set_tiff_decoder($0, CMASK_TIFF_DECODER_FAST) }, used: { cmask_tiff_fast_path_used($0) })
    }
}
