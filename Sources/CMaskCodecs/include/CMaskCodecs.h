/*
 * CMaskCodecs: a thin, crash-free C layer over libpng, libtiff, zlib (NIfTI) and libdeflate (the
 * PNG fast path) for segscore.
 *
 * Only our own prefixed types cross this header: no png_structp or TIFF * reaches Swift.
 * Every function that can fail returns a cmask_status plus a message written into the caller's
 * `error` buffer (always NUL-terminated when error_size > 0). The decoder keeps no pointer to
 * that buffer once the call returns: a codec message during a later call (cmask_close
 * included) never writes into the buffer of an earlier one. Nothing here prints, exits or
 * touches global state (cmask_read only reads SEGSCORE_PNG_DECODER and SEGSCORE_TIFF_DECODER, see
 * cmask_png_decoder and cmask_tiff_decoder), so
 * different files may be decoded on different threads at once.
 *
 * Usage (two phases, so the caller learns the decoded size first, then owns and may reuse the
 * pixel buffer):
 *
 *     cmask_info info;
 *     cmask_decoder *d = NULL;
 *     cmask_status status = cmask_open_file(fd, max_samples, max_bytes, &d, &info, err, sizeof err);
 *     if (status == CMASK_OK) status = cmask_read(d, buffer, info.data_bytes, err, sizeof err);
 *     cmask_close(d);
 *     close(fd);
 */
#ifndef CMASK_CODECS_H
#define CMASK_CODECS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "CMaskOverlay.h" /* the overlay PNG writer */

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by every function of this header. */
typedef enum {
    CMASK_OK = 0,
    /** The bytes are not a PNG, TIFF or NIfTI file this shim recognises. */
    CMASK_ERR_FORMAT = 1,
    /** The codec reported an error (truncated data, bad CRC, broken stream, …). */
    CMASK_ERR_CORRUPT = 2,
    /** A valid file whose layout segscore does not read (64-bit float, signed, YCbCr, …). */
    CMASK_ERR_UNSUPPORTED = 3,
    /** The header declares more samples than the caller's limit; nothing was allocated. */
    CMASK_ERR_TOO_LARGE = 4,
    /** An allocation failed. */
    CMASK_ERR_NOMEM = 5,
    /** The caller passed a buffer of the wrong size or a NULL handle. */
    CMASK_ERR_USAGE = 6,
    /** The decoded samples would take more than the caller's byte budget; nothing was allocated. */
    CMASK_ERR_OVER_BUDGET = 7,
} cmask_status;

/** Container formats. */
typedef enum { CMASK_FORMAT_UNKNOWN = 0, CMASK_FORMAT_PNG = 1, CMASK_FORMAT_TIFF = 2, CMASK_FORMAT_NIFTI = 3 } cmask_format;

/** The type of one decoded sample in the output buffer. */
typedef enum {
    CMASK_SAMPLE_U8 = 1,
    CMASK_SAMPLE_U16 = 2,
    CMASK_SAMPLE_U32 = 3,
    CMASK_SAMPLE_F32 = 4,
} cmask_sample;

/** What the file declared its pixels to be. */
typedef enum {
    CMASK_COLOR_GRAY = 0,
    CMASK_COLOR_GRAY_ALPHA = 1,
    CMASK_COLOR_PALETTE = 2,
    CMASK_COLOR_RGB = 3,
    CMASK_COLOR_RGBA = 4,
    CMASK_COLOR_MULTI = 5,
} cmask_color;

/** Header facts, filled by cmask_open. Output layout: page, row, column, channel (interleaved). */
typedef struct {
    cmask_format format;
    uint32_t width;
    uint32_t height;
    /** Number of pages (TIFF directories); 1 for PNG. */
    uint32_t pages;
    /** Samples per pixel in the output (alpha is a channel). */
    uint32_t channels;
    /** Bits per sample as stored in the file (1, 2, 4, 8, 16 or 32). */
    uint32_t bit_depth;
    cmask_sample sample;
    cmask_color color;
    /** PNG: 0. TIFF: the Compression tag (1 none, 5 LZW, 8 Deflate, 32773 PackBits, 50000 ZSTD, …). */
    uint32_t compression;
    /** TIFF Predictor tag (1 none, 2 horizontal, 3 floating point); PNG: 1. */
    uint32_t predictor;
    /** TIFF PlanarConfiguration (1 contiguous, 2 separate); PNG: 1. */
    uint32_t planar;
    /** 1 when the TIFF is tiled. */
    uint32_t tiled;
    /** 1 when the PNG is Adam7 interlaced. */
    uint32_t interlaced;
    /** TIFF Photometric tag; PNG: its colour type. */
    uint32_t photometric;
    /** Number of palette entries kept in `palette` (0 when there is none, at most 256). */
    uint32_t palette_count;
    /** Palette colours as R, G, B bytes (TIFF colour maps are scaled from 16 to 8 bits). */
    uint8_t palette[256 * 3];
    /** Bytes the caller must provide to cmask_read: width·height·pages·channels·sample size. */
    uint64_t data_bytes;
    /** NIfTI: 1 or 2; 0 for PNG and TIFF. The NIfTI fields below are 0 for PNG and TIFF. */
    uint32_t nifti_version;
    /** NIfTI datatype code as stored (2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 256 int8, …). */
    uint32_t nifti_datatype;
    /** NIfTI: 1 when the file is gzip-compressed (.nii.gz). */
    uint32_t gzip;
    /** NIfTI: 1 when the header and data are big-endian. */
    uint32_t big_endian;
    /** NIfTI dim[0]: the number of dimensions declared (trailing singletons included). */
    uint32_t dims;
    /** NIfTI xyzt_units (bits 0-2 space: 1 m, 2 mm, 3 µm; bits 3-5 time). */
    uint32_t xyzt_units;
    /** NIfTI qform_code and sform_code. */
    int32_t qform_code;
    int32_t sform_code;
    /** NIfTI pixdim[1..3] as stored, in the units of xyzt_units. */
    double pixdim[3];
    /** NIfTI scl_slope and scl_inter as stored. */
    double scl_slope;
    double scl_inter;
    /** NIfTI: 1 when value · scl_slope + scl_inter was applied (the output is then 32-bit float). */
    uint32_t scaled;
    /** NIfTI vox_offset: where the voxel data starts in the (decompressed) file. */
    uint64_t vox_offset;
    /** TIFF XResolution and YResolution of the first page (pixels per resolution unit); 0 when absent. */
    double resolution[2];
    /** TIFF ResolutionUnit (1 none, 2 inch, 3 centimetre; 2 when absent); 0 without a resolution. */
    uint32_t resolution_unit;
    /** TIFF: 1 when the first page's ImageDescription is ImageJ's (starts with "ImageJ="). */
    uint32_t imagej;
    /** ImageJ `spacing=` (the distance between slices, in `imagej_unit`); 0 when absent. */
    double imagej_spacing;
    /** ImageJ `unit=` as written (e.g. "micron", "\\u00B5m", "mm"), NUL-terminated; empty when absent. */
    char imagej_unit[32];
    /**
     * TIFF: the array shape of tifffile's description on the first page (`{"shape": [2, 8, 9]}`), in C
     * order, `shaped_dims` values (each 1 to 2^32 - 1); 0 when the description is not of that form.
     */
    uint32_t shaped_dims;
    uint64_t shaped[5];
    /** NIfTI pixdim[0] as stored: qfac, where -1 flips the qform's third axis (any other value is 1). */
    double qfac;
    /** NIfTI quatern_b, quatern_c, quatern_d as stored. */
    double quatern[3];
    /** NIfTI qoffset_x, qoffset_y, qoffset_z as stored, in the units of xyzt_units. */
    double qoffset[3];
    /** NIfTI srow_x, srow_y, srow_z as stored (a 3×4 matrix row by row), in the units of xyzt_units. */
    double srow[12];
    /**
     * Bytes cmask_read may allocate beside the caller's buffer: a .nii.gz of at most 256 MiB is
     * inflated whole (the compressed file and its contents held at once); 0 otherwise.
     */
    uint64_t scratch_bytes;
    /**
     * Bytes of room cmask_read_into can put to use in the caller's buffer: a .nii.gz inflated whole
     * whose stored voxels are the output bytes is inflated straight into a buffer of this many
     * bytes (header and data), and the data then moved to its start (or left after the header by
     * cmask_read_placed), instead of through a scratch buffer and a copy. 0 when room beyond
     * `data_bytes` does not help.
     */
    uint64_t read_room_bytes;
} cmask_info;

/** An open decoder. Opaque; create with cmask_open, release with cmask_close. */
typedef struct cmask_decoder cmask_decoder;

/**
 * Recognises a PNG, TIFF or NIfTI file from its first bytes: a NIfTI file by its sizeof_hdr
 * (348 or 540, either byte order), a .nii.gz by the gzip signature (its header is checked when
 * opened). Returns CMASK_FORMAT_UNKNOWN when no signature matches.
 */
cmask_format cmask_sniff(const uint8_t *bytes, size_t size);

/**
 * Parses the header of the PNG, TIFF or NIfTI file held in `bytes` (chosen by its signature) and fills
 * `info`. The decoder keeps a pointer to `bytes`: they must stay valid until cmask_close.
 * `max_samples` bounds width·height·pages·channels; a larger declaration is refused with
 * CMASK_ERR_TOO_LARGE before any pixel memory is allocated.
 * On success `*decoder` is a new handle owned by the caller (cmask_close it). On failure
 * `*decoder` is NULL and `error` holds the reason.
 */
cmask_status cmask_open(const uint8_t *bytes, size_t size, uint64_t max_samples, cmask_decoder **decoder,
               cmask_info *info, char *error, size_t error_size);

/**
 * Like cmask_open, for the open file `fd` (a regular file; the caller keeps ownership and closes
 * it after cmask_close). Only the first bytes are read before the signature is checked, and the
 * file is never held whole: the codecs read it on demand through a 64 KB window.
 * `max_bytes` bounds `info.data_bytes`: a larger declaration is refused with CMASK_ERR_OVER_BUDGET
 * before any pixel memory is allocated (a TIFF's page walk stops as soon as it is exceeded).
 */
cmask_status cmask_open_file(int fd, uint64_t max_samples, uint64_t max_bytes, cmask_decoder **decoder, cmask_info *info,
                    char *error, size_t error_size);

/**
 * Decodes every page into `out`, which the caller owns and which must hold exactly
 * `info.data_bytes` bytes. Samples are the stored values: no gamma, palette expansion,
 * or rescaling; sub-byte samples become one byte each; 16- and 32-bit samples are in host
 * byte order. May be called once per handle.
 */
cmask_status cmask_read(cmask_decoder *decoder, void *out, uint64_t out_size, char *error, size_t error_size);

/**
 * cmask_read into a buffer of `capacity` ≥ `out_size` writable bytes: the decoder may use the
 * bytes past `out_size` as room (see `info.read_room_bytes`); their contents are unspecified on
 * return. The samples, the refusals and their messages are those of cmask_read.
 */
cmask_status cmask_read_into(cmask_decoder *decoder, void *out, uint64_t out_size, uint64_t capacity, char *error,
                             size_t error_size);

/**
 * cmask_read_into that may leave the samples where the decoder wrote them instead of moving them
 * to the buffer's start: on success `*offset` is where they start, in bytes (`out_size` bytes from
 * there). 0, or for a .nii.gz inflated straight into the buffer (see `info.read_room_bytes`) its
 * vox_offset, the header and extensions before the samples, when it is a multiple of the sample
 * size; the bytes before `*offset` are then unspecified. The refusals and their messages are
 * those of cmask_read.
 */
cmask_status cmask_read_placed(cmask_decoder *decoder, void *out, uint64_t out_size, uint64_t capacity,
                               uint64_t *offset, char *error, size_t error_size);

/** A gzip trailer's CRC-32 that cmask_read_placed_unchecked left for its caller to check. */
typedef struct {
    /**
     * 1 when the check was left: the buffer's first `length` bytes are the whole inflated gzip
     * member (header, extensions and samples), and the samples may be used only once the CRC-32
     * of those bytes equals `expected`. 0 when the read checked everything itself.
     */
    int pending;
    /** The trailer's CRC-32. */
    uint32_t expected;
    /** Bytes the CRC covers, from the buffer's start. */
    uint64_t length;
} cmask_crc_check;

/**
 * cmask_read_placed that, for a .nii.gz inflated whole straight into the buffer with its samples
 * left after the header, skips the one check that must read every byte again — the trailer's
 * CRC-32 — and leaves it in `*check` (`pending` 1), so a caller that reads the samples anyway
 * can check it in the same pass (cmask_crc32_count_pair). Every other check (the gzip header,
 * the deflate data, ISIZE, nothing after the trailer) is made as before. A caller whose check
 * fails must not use the samples: read the file again with cmask_read, which names what is wrong.
 */
cmask_status cmask_read_placed_unchecked(cmask_decoder *decoder, void *out, uint64_t out_size, uint64_t capacity,
                                         uint64_t *offset, cmask_crc_check *check, char *error, size_t error_size);

/** Which decoder reads a PNG's image data. */
typedef enum {
    /** The environment decides: SEGSCORE_PNG_DECODER=libpng forces libpng; anything else, FAST. */
    CMASK_PNG_DECODER_DEFAULT = 0,
    /**
     * The fast path where it applies (non-interlaced, every colour type and bit depth): its own
     * chunk walk with CRC checks, one libdeflate inflate, its own unfiltering. It only succeeds
     * on files libpng decodes to the same samples; any other file goes to libpng, whose
     * refusals and messages it gets.
     */
    CMASK_PNG_DECODER_FAST = 1,
    /** libpng for every PNG (the reference). */
    CMASK_PNG_DECODER_LIBPNG = 2,
} cmask_png_decoder;

/**
 * The decoder a value of SEGSCORE_PNG_DECODER chooses: "libpng" gives CMASK_PNG_DECODER_LIBPNG;
 * NULL (unset), "fast" or anything else, CMASK_PNG_DECODER_FAST.
 */
cmask_png_decoder cmask_png_decoder_for_setting(const char *setting);

/** Chooses the PNG decoder of an open decoder, before cmask_read. NULL is allowed (no effect). */
void cmask_set_png_decoder(cmask_decoder *decoder, cmask_png_decoder choice);

/** True when cmask_read decoded this PNG through the fast path (for tests and benchmarks). */
bool cmask_png_fast_path_used(const cmask_decoder *decoder);

/** Which decoder reads a TIFF's strips and tiles. */
typedef enum {
    /** The environment decides: SEGSCORE_TIFF_DECODER=libtiff forces libtiff; anything else, FAST. */
    CMASK_TIFF_DECODER_DEFAULT = 0,
    /**
     * The fast path where it applies (8- and 16-bit chunky samples in strips or tiles,
     * uncompressed, PackBits, LZW or Deflate, with or without the horizontal predictor): strips decoded
     * straight into the sample buffer by its own LZW decoder or one libdeflate call. It only
     * succeeds on pages libtiff decodes to the same samples; any other page goes to libtiff,
     * whose refusals and messages it gets.
     */
    CMASK_TIFF_DECODER_FAST = 1,
    /** libtiff for every TIFF (the reference). */
    CMASK_TIFF_DECODER_LIBTIFF = 2,
} cmask_tiff_decoder;

/**
 * The decoder a value of SEGSCORE_TIFF_DECODER chooses: "libtiff" gives CMASK_TIFF_DECODER_LIBTIFF;
 * NULL (unset), "fast" or anything else, CMASK_TIFF_DECODER_FAST.
 */
cmask_tiff_decoder cmask_tiff_decoder_for_setting(const char *setting);

/** Chooses the TIFF decoder of an open decoder, before cmask_read. NULL is allowed (no effect). */
void cmask_set_tiff_decoder(cmask_decoder *decoder, cmask_tiff_decoder choice);

/** True when cmask_read decoded every page of this TIFF through the fast path (for tests and benchmarks). */
bool cmask_tiff_fast_path_used(const cmask_decoder *decoder);

/** Releases a decoder and everything it allocated. NULL is allowed. */
void cmask_close(cmask_decoder *decoder);

/**
 * The CRC-32 of gzip and PNG (reflected polynomial 0xEDB88320) of `count` bytes, continuing `crc`
 * (0 to start): libdeflate_crc32's value, computed with AVX-512 VPCLMULQDQ folding where the CPU
 * has it (about 3× faster on 8 MB). The NIfTI reader checks gzip trailers with it.
 */
uint32_t cmask_crc32(uint32_t crc, const void *bytes, size_t count);

/**
 * The CRC-32s of two runs of `count` samples and their joint histogram, in one pass over both:
 * continues `crcs[0]` over `truth` and `crcs[1]` over `prediction` (as cmask_crc32), and counts
 * every pair (truth[i], prediction[i]) in `cells[truth[i] << 8 | prediction[i]]` (65,536 cells),
 * `truth_counts[truth[i]]` and `prediction_counts[prediction[i]]` (256 each), which must all be 0
 * on entry, as SegMetrics' JointHistogram8.accumulate counts them. Returns false, touching
 * nothing, when the CPU lacks AVX-512 VPCLMULQDQ (cmask_crc32_count_available), `count` < 256 or
 * `count` > 2^32 − 1 (a cell could wrap): do both apart then.
 */
bool cmask_crc32_count_pair(const uint8_t *truth, const uint8_t *prediction, uint64_t count, uint32_t crcs[2],
                            uint32_t *cells, ptrdiff_t *truth_counts, ptrdiff_t *prediction_counts);

/** True when cmask_crc32_count_pair runs on this CPU (for `count` ≥ 256). */
bool cmask_crc32_count_available(void);

/** True when this libtiff was built with the codec for the TIFF Compression tag value. */
bool cmask_tiff_codec_available(uint32_t compression);

#ifdef __cplusplus
}
#endif

#endif /* CMASK_CODECS_H */
