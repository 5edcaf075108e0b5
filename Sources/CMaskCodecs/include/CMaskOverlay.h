/*
 * CMaskOverlay: the one PNG writer of the product (overlay pictures of the HTML and Markdown
 * reports), through libpng. Same conventions as CMaskCodecs.h: a status code and a message in
 * the caller's buffer; nothing printed, no global state, safe on any thread.
 */
#ifndef CMASK_OVERLAY_H
#define CMASK_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Encodes an 8-bit palette image as a PNG file held in memory.
 *
 * - indices: width × height palette indices, row by row, each below palette_size.
 * - palette: palette_size RGB triples (3 bytes each); 1 ≤ palette_size ≤ 256.
 * - out, out_size: on success, *out is a buffer of *out_size bytes allocated here and owned by
 *   the caller, who frees it with cmask_overlay_free; on failure *out is NULL and *out_size 0.
 *
 * Returns 0 (CMASK_OK) on success; 6 (CMASK_ERR_USAGE) for a NULL pointer, a zero or too large
 * size (over 2^24 pixels a side), a palette size out of range or an index past the palette;
 * 5 (CMASK_ERR_NOMEM) when memory runs out; 2 (CMASK_ERR_CORRUPT) for an error libpng reports.
 * `error` receives one line (always NUL-terminated when error_size > 0).
 */
int cmask_overlay_png_encode(
    const uint8_t *indices, uint32_t width, uint32_t height, const uint8_t *palette, uint32_t palette_size, uint8_t **out,
    size_t *out_size, char *error, size_t error_size);

/** Frees a buffer returned by cmask_overlay_png_encode (NULL is allowed). */
void cmask_overlay_free(uint8_t *buffer);

#ifdef __cplusplus
}
#endif

#endif
