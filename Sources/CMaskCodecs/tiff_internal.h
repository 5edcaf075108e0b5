/* Internal to CMaskCodecs: what the TIFF reader (tiff_decode.c) and its fast path (tiff_fast.c) share. */
#ifndef CMASK_TIFF_INTERNAL_H
#define CMASK_TIFF_INTERNAL_H

#include "codecs_internal.h"

#include <tiffio.h>

/** The facts of one directory that decide how its pixels are laid out. */
typedef struct {
    uint32_t width, height;
    uint16_t samples_per_pixel, bits_per_sample, sample_format, planar, photometric;
    uint16_t compression, predictor, extra_samples;
    int tiled;
    uint32_t tile_width, tile_height, rows_per_strip;
} tiff_layout;

/** The fast path's buffers, grown on demand and freed by tiff_fast_free. */
typedef struct {
    /** Raw strip or tile bytes of a file that is not held whole. */
    uint8_t *raw;
    size_t raw_capacity;
    /** One decoded tile. */
    uint8_t *tile;
    size_t tile_capacity;
    /** The LZW string table (position and length of each code's string in the output). */
    uint32_t *lzw;
    /** libdeflate's decompressor (struct libdeflate_decompressor *). */
    void *inflater;
} tiff_fast_scratch;

/** A TIFF open through libtiff: the handle, where its bytes come from, the current page's layout. */
struct cmask_tiff_state {
    TIFF *tif;
    cmask_source *source;
    uint64_t offset;
    cmask_message *message;
    int failed;
    tiff_layout layout;
    /** The fast path's buffers, kept from page to page (tiff_fast.c). */
    tiff_fast_scratch scratch;
};

/**
 * Reads the facts of the current directory (page `page`, 0-based, for messages) into `layout`,
 * refusing what segscore does not decode (JPEG, signed or complex samples, …) with a message.
 */
cmask_status cmask_tiff_read_layout(cmask_tiff_state *state, uint32_t page, tiff_layout *layout);

/**
 * Decodes the current directory of `tif` (its facts in `layout`) into `page` (width · height ·
 * samples of `sample_bytes` bytes, host order) without libtiff's codecs: 8- and 16-bit samples,
 * chunky (or one sample per pixel), strips or tiles, uncompressed, PackBits, LZW or Deflate, with or without
 * the horizontal predictor. Returns FAST_DONE with every sample written, or FAST_FALLBACK (no
 * message; `page` may have been written) for anything else or anything it does not take as
 * clean: libtiff then decodes the whole page and decides.
 */
int cmask_tiff_fast_page(TIFF *tif, cmask_source *source, const tiff_layout *layout, uint8_t *page,
                         uint64_t sample_bytes, tiff_fast_scratch *scratch);

/**
 * Reads the first page's resolution, ImageJ's `unit=`/`spacing=` and tifffile's `{"shape": […]}`
 * description into `info` (tiff_description.c); what is absent or unusable is left 0.
 */
void cmask_tiff_read_physical_size(TIFF *tif, cmask_info *info);

/** Frees the fast path's buffers. */
void cmask_tiff_fast_free(tiff_fast_scratch *scratch);

#endif
