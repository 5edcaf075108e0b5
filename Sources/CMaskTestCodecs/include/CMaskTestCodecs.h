/*
 * CMaskTestCodecs: PNG and TIFF writers for segscore's benchmark and tests.
 *
 * The product never writes masks, so these live outside CMaskCodecs (the decoder shim) in a
 * target only the benchmark and the tests link. Same conventions: our own prefixed names, a
 * cmask_status result, a message in the caller's `error` buffer (NUL-terminated when
 * error_size > 0); nothing prints, exits or touches global state.
 */
#ifndef CMASK_TEST_CODECS_H
#define CMASK_TEST_CODECS_H

#include "CMaskCodecs.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes an 8- or 16-bit (host order) single-channel PNG; with `palette` set, an 8-bit palette
 * PNG whose indices are the samples (a fixed 256-colour table).
 * Returns CMASK_OK; CMASK_ERR_USAGE for another depth or an empty image; CMASK_ERR_FORMAT when
 * the file cannot be created or finished; CMASK_ERR_CORRUPT or CMASK_ERR_NOMEM from libpng.
 */
cmask_status cmask_png_write(const char *path, const void *samples, uint32_t width, uint32_t height,
                             uint32_t bit_depth, int palette, char *error, size_t error_size);

/**
 * Writes an 8- or 16-bit single-channel TIFF in strips of `rows_per_strip` rows with the given
 * Compression tag (1 none, 5 LZW with horizontal predictor, 8 Deflate).
 * Returns CMASK_OK; CMASK_ERR_USAGE for another depth, an empty image or no rows per strip;
 * CMASK_ERR_FORMAT when the file cannot be created; CMASK_ERR_CORRUPT or CMASK_ERR_NOMEM.
 */
cmask_status cmask_tiff_write(const char *path, const void *samples, uint32_t width, uint32_t height,
                              uint32_t bit_depth, uint32_t compression, uint32_t rows_per_strip, char *error,
                              size_t error_size);

/**
 * The generated PNG variant number `seed` for the differential tests of the two PNG decoders
 * (png_variants.c): a new buffer the caller frees with free(), its length in `*size`; NULL when
 * out of memory. The same seed gives the same bytes on every machine with the same zlib.
 */
uint8_t *cmask_png_variant(uint64_t seed, size_t *size);

/**
 * The generated TIFF variant number `seed` for the differential tests of the two TIFF decoders
 * (tiff_variants.c): a new buffer the caller frees with free(), its length in `*size`; NULL when
 * out of memory. The same seed gives the same bytes with the same libtiff and zlib.
 */
uint8_t *cmask_tiff_variant(uint64_t seed, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* CMASK_TEST_CODECS_H */
