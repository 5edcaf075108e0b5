internal import CMaskCodecs

/// Which decoder reads the image data of PNG masks.
///
/// Both give the same samples, or refuse the same files with the same message: the fast path
/// only succeeds on files libpng decodes to the same samples and hands every other file to libpng.
public enum PNGDecoderChoice: Sendable, Equatable {
    /// The environment decides: `SEGSCORE_PNG_DECODER=libpng` forces libpng; unset (or `fast`),
    /// the fast path. Read when each file is decoded.
    case automatic
    /// The fast path where it applies (non-interlaced PNGs): its own chunk walk with CRC checks,
    /// one libdeflate inflate, its own unfiltering; libpng for anything else.
    case fast
    /// libpng for every PNG: the reference.
    case libpng

    /// The decoder a value of `SEGSCORE_PNG_DECODER` chooses: `libpng` gives `.libpng`; nil
    /// (unset), `fast` or anything else, `.fast`.
    public init(setting: String?) {
        let choice = setting.map { cmask_png_decoder_for_setting($0) } ?? cmask_png_decoder_for_setting(nil)
        self = choice == CMASK_PNG_DECODER_LIBPNG ? .libpng : .fast
    }

    var shimValue: cmask_png_decoder {
        switch self {
        case .automatic: return CMASK_PNG_DECODER_DEFAULT
        case .fast: return CMASK_PNG_DECODER_FAST
        case .libpng: return CMASK_PNG_DECODER_LIBPNG
        }
    }
}
