/* Internal to CMaskCodecs: the decoder struct and helpers shared by the PNG and TIFF halves. */
#ifndef CMASK_CODECS_INTERNAL_H
#define CMASK_CODECS_INTERNAL_H

#include "CMaskCodecs.h"

#include <stdarg.h>

/** Where a codec's messages go for the current call. */
typedef struct {
    char *buffer;
    size_t size;
    int written;
} cmask_message;

/** Writes the first message of a call into the caller's buffer; later ones are dropped. */
void cmask_set_error(cmask_message *message, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void cmask_set_error_v(cmask_message *message, const char *prefix, const char *format, va_list args);

/**
 * Where a decoder's bytes come from: a whole file held in memory (`bytes`), or an open file read
 * on demand through a small window (`fd`), so a file is never held whole and a file that is not
 * a mask costs one read of its first bytes.
 */
typedef struct {
    /** The whole file, or NULL when reading `fd`. Not owned. */
    const uint8_t *bytes;
    /** The file read with pread when `bytes` is NULL. Not owned. */
    int fd;
    /** The file's size in bytes. */
    uint64_t size;
    /** The bytes [window_start, window_start + window_fill) of the file; owned. */
    uint8_t *window;
    size_t window_capacity;
    uint64_t window_start;
    size_t window_fill;
} cmask_source;

/**
 * Copies up to `count` bytes at `offset` of the source into `out`. Returns the number copied:
 * fewer at the end of the file or when the file cannot be read (a truncated file, for callers).
 */
size_t cmask_source_read(cmask_source *source, uint64_t offset, void *out, size_t count);

/** The whole file as one block when it is held in memory (or sits whole in the window); else NULL. */
const uint8_t *cmask_source_whole(const cmask_source *source);

typedef struct cmask_png_state cmask_png_state;
typedef struct cmask_tiff_state cmask_tiff_state;
typedef struct cmask_nifti_state cmask_nifti_state;

struct cmask_decoder {
    cmask_format format;
    cmask_info info;
    int consumed;
    cmask_source source;
    /** Bytes the decoded samples may take (cmask_open_file's max_bytes; UINT64_MAX otherwise). */
    uint64_t max_bytes;
    cmask_png_state *png;
    /** Which PNG decoder cmask_read uses (cmask_set_png_decoder; DEFAULT: the environment). */
    cmask_png_decoder png_decoder;
    /** 1 once cmask_read decoded a PNG through the fast path (png_fast.c). */
    int png_fast_used;
    cmask_tiff_state *tiff;
    /** Which TIFF decoder cmask_read uses (cmask_set_tiff_decoder; DEFAULT: the environment). */
    cmask_tiff_decoder tiff_decoder;
    /** 1 once cmask_read decoded every page of a TIFF through the fast path (tiff_fast.c). */
    int tiff_fast_used;
    cmask_nifti_state *nifti;
    /** 1 during cmask_read_placed_unchecked: the NIfTI reader may leave the CRC in `crc_check`. */
    int defer_crc;
    /** The CRC check the NIfTI reader left (cmask_read_placed_unchecked). */
    cmask_crc_check crc_check;
};

cmask_status cmask_png_open(cmask_decoder *decoder, uint64_t max_samples, cmask_message *message);
cmask_status cmask_png_read(cmask_decoder *decoder, void *out, cmask_message *message);
void cmask_png_close(cmask_decoder *decoder);
/** Forgets the message sink of the call that is ending (it lives in that call's frame). */
void cmask_png_end_call(cmask_decoder *decoder);

/** cmask_png_fast_decode's results. */
enum { FAST_FALLBACK = 0, FAST_DONE = 1 };

/**
 * The PNG fast path (png_fast.c): decodes the image data of the PNG in `source`, whose header
 * libpng has read (`info`), from the first IDAT chunk header at `idat_at` into `out`
 * (`info->data_bytes` bytes), using at most `max_bytes` for `out` and its own buffers together.
 * Returns FAST_DONE with every sample written, or FAST_FALLBACK (no message; `out` may have been
 * written) for anything it does not take as clean: libpng then decodes the file and decides.
 */
int cmask_png_fast_decode(cmask_source *source, uint64_t idat_at, const cmask_info *info, uint64_t max_bytes,
                          void *out);

cmask_status cmask_tiff_open(cmask_decoder *decoder, uint64_t max_samples, cmask_message *message);
cmask_status cmask_tiff_read(cmask_decoder *decoder, void *out, cmask_message *message);
void cmask_tiff_close(cmask_decoder *decoder);
/** Forgets the message sink of the call that is ending (it lives in that call's frame). */
void cmask_tiff_end_call(cmask_decoder *decoder);

cmask_status cmask_nifti_open(cmask_decoder *decoder, uint64_t max_samples, cmask_message *message);
/** Reads the voxels into `out`, which holds `capacity` ≥ `info.data_bytes` writable bytes. */
cmask_status cmask_nifti_read(cmask_decoder *decoder, void *out, uint64_t capacity, uint64_t *offset,
                              cmask_message *message);
void cmask_nifti_close(cmask_decoder *decoder);

/** Bytes of one output sample. */
static inline uint64_t cmask_sample_bytes(cmask_sample sample) {
    switch (sample) {
    case CMASK_SAMPLE_U8: return 1;
    case CMASK_SAMPLE_U16: return 2;
    default: return 4;
    }
}

/**
 * Multiplies the four dimensions and checks them against the caller's limit, without overflow.
 * Returns CMASK_OK and stores the sample count, or CMASK_ERR_TOO_LARGE with a message.
 */
cmask_status cmask_check_size(uint64_t width, uint64_t height, uint64_t pages, uint64_t channels,
                     uint64_t max_samples, uint64_t *samples, cmask_message *message);

/**
 * Checks the decoded size `bytes` of a `width`×`height` image of `pages` pages (`at_least`: the
 * walk stopped early) and `channels` samples of `sample_bytes` bytes against `max_bytes`.
 * Returns CMASK_OK, or CMASK_ERR_OVER_BUDGET with a message giving the declaration and the need.
 */
cmask_status cmask_check_budget(uint64_t width, uint64_t height, uint64_t pages, int at_least, uint64_t channels,
                       uint64_t sample_bytes, uint64_t max_bytes, cmask_message *message);

#endif
