internal import CMaskCodecs

/// Which decoder reads the strips and tiles of TIFF masks.
///
/// Both give the same samples, or refuse the same files with the same message: the fast path
/// only succeeds on pages libtiff decodes to the same samples and hands every other page to libtiff.
public enum TIFFDecoderChoice: Sendable, Equatable {
    /// The environment decides: `SEGSCORE_TIFF_DECODER=libtiff` forces libtiff; unset (or `fast`),
    /// the fast path. Read when each file is decoded.
    case automatic
    /// The fast path where it applies (8- and 16-bit chunky samples, uncompressed, PackBits, LZW or Deflate,
    /// with or without the horizontal predictor): strips decoded straight into the samples by its
    /// own LZW decoder or one libdeflate call; libtiff for anything else.
    case fast
    /// libtiff for every TIFF: the reference.
    case libtiff

    /// The decoder a value of `SEGSCORE_TIFF_DECODER` chooses: `libtiff` gives `.libtiff`; nil
    /// (unset), `fast` or anything else, `.fast`.
    public init(setting: String?) {
        let choice = setting.map { cmask_tiff_decoder_for_setting($0) } ?? cmask_tiff_decoder_for_setting(nil)
        self = choice == CMASK_TIFF_DECODER_LIBTIFF ? .libtiff : .fast
    }

    var shimValue: cmask_tiff_decoder {
        switch self {
        case .automatic: return CMASK_TIFF_DECODER_DEFAULT
        case .fast: return CMASK_TIFF_DECODER_FAST
        case .libtiff: return CMASK_TIFF_DECODER_LIBTIFF
        }
    }
}
