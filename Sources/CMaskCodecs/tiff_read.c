/*
 * The pixels of a TIFF whose directories cmask_tiff_open (tiff_decode.c) has read: each page
 * through the fast path (tiff_fast.c) when it applies and takes the page as clean, else strip
 * by strip or tile by tile through libtiff into a block buffer, copied into the samples.
 */
#include "tiff_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- pixels -------------------------------------------------------------------------------- */

/** The row bytes of a block `columns` pixels wide holding `samples` samples per pixel. */
static uint64_t packed_row_bytes(uint64_t columns, uint64_t samples, uint64_t bits) {
    return (columns * samples * bits + 7) / 8;
}

/**
 * Copies a decoded strip or tile into the page buffer: `rows` rows of `columns` pixels that start
 * at (x0, y0). With separate planes the block holds the one channel `plane`.
 */
static void copy_block(const tiff_layout *layout, const uint8_t *block, uint64_t block_row_bytes, uint32_t x0,
                       uint32_t y0, uint32_t columns, uint32_t rows, uint32_t plane, uint8_t *page,
                       uint64_t sample_bytes) {
    const uint32_t channels = layout->samples_per_pixel;
    const uint32_t plane_samples = layout->planar == PLANARCONFIG_SEPARATE ? 1 : channels;
    const uint32_t bits = layout->bits_per_sample;
    for (uint32_t r = 0; r < rows; r++) {
        const uint8_t *source = block + (uint64_t)r * block_row_bytes;
        uint64_t first = ((uint64_t)(y0 + r) * layout->width + x0) * channels;
        if (bits >= 8 && plane_samples == channels) {
            memcpy(page + first * sample_bytes, source, (size_t)((uint64_t)columns * channels * sample_bytes));
            continue;
        }
        for (uint32_t c = 0; c < columns; c++) {
            for (uint32_t s = 0; s < plane_samples; s++) {
                uint64_t j = (uint64_t)c * plane_samples + s;
                uint64_t target = first + (uint64_t)c * channels + (plane_samples == 1 ? plane : s);
                if (bits < 8) {
                    uint64_t bit = j * bits;
                    unsigned shift = (unsigned)(8 - bits - (bit & 7));
                    page[target] = (uint8_t)((source[bit >> 3] >> shift) & ((1u << bits) - 1));
                } else {
                    memcpy(page + target * sample_bytes, source + j * sample_bytes, (size_t)sample_bytes);
                }
            }
        }
    }
}

static cmask_status read_strips(cmask_tiff_state *state, uint8_t *page, uint8_t *block, uint64_t sample_bytes) {
    const tiff_layout *layout = &state->layout;
    uint32_t planes = layout->planar == PLANARCONFIG_SEPARATE ? layout->samples_per_pixel : 1;
    uint32_t plane_samples = layout->planar == PLANARCONFIG_SEPARATE ? 1 : layout->samples_per_pixel;
    uint64_t row_bytes = packed_row_bytes(layout->width, plane_samples, layout->bits_per_sample);
    uint32_t per_plane = (layout->height + layout->rows_per_strip - 1) / layout->rows_per_strip;
    if ((uint64_t)TIFFNumberOfStrips(state->tif) < (uint64_t)per_plane * planes) {
        cmask_set_error(state->message, "the file lists %u strips where %u are needed (missing strip offsets)",
                        TIFFNumberOfStrips(state->tif), per_plane * planes);
        return CMASK_ERR_CORRUPT;
    }
    for (uint32_t plane = 0; plane < planes; plane++) {
        for (uint32_t s = 0; s < per_plane; s++) {
            uint32_t y0 = s * layout->rows_per_strip;
            uint32_t rows = layout->height - y0 < layout->rows_per_strip ? layout->height - y0
                                                                          : layout->rows_per_strip;
            tmsize_t want = (tmsize_t)(rows * row_bytes);
            /* libtiff may succeed without writing every byte (a Deflate strip libdeflate finds
             * too long): zeros there, never the bytes of an earlier strip or page. */
            memset(block, 0, (size_t)want);
            tmsize_t got = TIFFReadEncodedStrip(state->tif, plane * per_plane + s, block, want);
            if (got != want || state->failed) {
                cmask_set_error(state->message, "strip %u decoded to %lld of %lld bytes", plane * per_plane + s,
                                (long long)got, (long long)want);
                return CMASK_ERR_CORRUPT;
            }
            copy_block(layout, block, row_bytes, 0, y0, layout->width, rows, plane, page, sample_bytes);
        }
    }
    return CMASK_OK;
}

static cmask_status read_tiles(cmask_tiff_state *state, uint8_t *page, uint8_t *block, uint64_t sample_bytes) {
    const tiff_layout *layout = &state->layout;
    uint32_t planes = layout->planar == PLANARCONFIG_SEPARATE ? layout->samples_per_pixel : 1;
    uint32_t plane_samples = layout->planar == PLANARCONFIG_SEPARATE ? 1 : layout->samples_per_pixel;
    uint64_t row_bytes = packed_row_bytes(layout->tile_width, plane_samples, layout->bits_per_sample);
    tmsize_t want = (tmsize_t)(row_bytes * layout->tile_height);
    for (uint32_t plane = 0; plane < planes; plane++) {
        for (uint32_t y0 = 0; y0 < layout->height; y0 += layout->tile_height) {
            for (uint32_t x0 = 0; x0 < layout->width; x0 += layout->tile_width) {
                uint32_t tile = TIFFComputeTile(state->tif, x0, y0, 0, (uint16_t)plane);
                memset(block, 0, (size_t)want);
                tmsize_t got = TIFFReadEncodedTile(state->tif, tile, block, want);
                if (got != want || state->failed) {
                    cmask_set_error(state->message, "tile %u decoded to %lld of %lld bytes", tile,
                                    (long long)got, (long long)want);
                    return CMASK_ERR_CORRUPT;
                }
                uint32_t columns = layout->width - x0 < layout->tile_width ? layout->width - x0 : layout->tile_width;
                uint32_t rows = layout->height - y0 < layout->tile_height ? layout->height - y0 : layout->tile_height;
                copy_block(layout, block, row_bytes, x0, y0, columns, rows, plane, page, sample_bytes);
                if (x0 > UINT32_MAX - layout->tile_width) break;
            }
            if (y0 > UINT32_MAX - layout->tile_height) break;
        }
    }
    return CMASK_OK;
}

/** Bytes of one decoded strip or tile of `layout`. */
static uint64_t block_bytes_of(const tiff_layout *layout) {
    uint32_t plane_samples = layout->planar == PLANARCONFIG_SEPARATE ? 1 : layout->samples_per_pixel;
    return layout->tiled ? packed_row_bytes(layout->tile_width, plane_samples, layout->bits_per_sample) *
                               layout->tile_height
                         : packed_row_bytes(layout->width, plane_samples, layout->bits_per_sample) *
                               layout->rows_per_strip;
}

cmask_tiff_decoder cmask_tiff_decoder_for_setting(const char *setting) {
    return setting != NULL && strcmp(setting, "libtiff") == 0 ? CMASK_TIFF_DECODER_LIBTIFF : CMASK_TIFF_DECODER_FAST;
}

/** Whether cmask_read tries the fast path: the decoder's choice, else SEGSCORE_TIFF_DECODER. */
static int wants_fast_path(const cmask_decoder *decoder) {
    cmask_tiff_decoder choice = decoder->tiff_decoder;
    if (choice == CMASK_TIFF_DECODER_DEFAULT)
        choice = cmask_tiff_decoder_for_setting(getenv("SEGSCORE_TIFF_DECODER"));
    return choice == CMASK_TIFF_DECODER_FAST;
}

cmask_status cmask_tiff_read(cmask_decoder *decoder, void *out, cmask_message *message) {
    cmask_tiff_state *state = decoder->tiff;
    state->message = message;
    state->failed = 0;
    const cmask_info *info = &decoder->info;
    uint64_t sample_bytes = cmask_sample_bytes(info->sample);
    uint64_t page_bytes = (uint64_t)info->width * info->height * info->channels * sample_bytes;
    uint8_t *block = NULL;
    uint64_t block_capacity = 0;
    cmask_status status = CMASK_OK;
    int fast = wants_fast_path(decoder);
    uint32_t fast_pages = 0;
    for (uint32_t p = 0; p < info->pages && status == CMASK_OK; p++) {
        /* Back to the first page once, then each next directory in order: TIFFSetDirectory(p)
         * for every page walked the chain from the start each time (quadratic in pages). */
        if (p == 0 ? !TIFFSetDirectory(state->tif, 0) : !TIFFReadDirectory(state->tif)) {
            cmask_set_error(message, "could not read page %u", p + 1);
            status = CMASK_ERR_CORRUPT;
            break;
        }
        /* Pages share size and sample type (checked at open); strips, tiles and planes may differ. */
        status = cmask_tiff_read_layout(state, p, &state->layout);
        if (status != CMASK_OK) break;
        uint64_t need = block_bytes_of(&state->layout);
        /* A strip or tile never needs to be much larger than a page: refuse absurd declarations. */
        if (need > 4 * page_bytes + (1u << 20)) {
            cmask_set_error(message, "page %u declares a %s of %llu bytes for a %ux%u image: implausible", p + 1,
                            state->layout.tiled ? "tile" : "strip", (unsigned long long)need, info->width,
                            info->height);
            status = CMASK_ERR_CORRUPT;
            break;
        }
        uint8_t *page = (uint8_t *)out + (uint64_t)p * page_bytes;
        /* The fast path decodes the page or leaves it whole to libtiff (tiff_fast.c). */
        if (fast && cmask_tiff_fast_page(state->tif, state->source, &state->layout, page, sample_bytes,
                                         &state->scratch) == FAST_DONE) {
            fast_pages++;
            continue;
        }
        if (need > block_capacity) {
            uint8_t *grown = realloc(block, (size_t)need);
            if (grown == NULL) {
                cmask_set_error(message, "out of memory for a %llu-byte block", (unsigned long long)need);
                status = CMASK_ERR_NOMEM;
                break;
            }
            block = grown;
            block_capacity = need;
        }
        status = state->layout.tiled ? read_tiles(state, page, block, sample_bytes)
                                     : read_strips(state, page, block, sample_bytes);
    }
    free(block);
    decoder->tiff_fast_used = status == CMASK_OK && fast_pages == info->pages;
    return status;
}

void cmask_tiff_end_call(cmask_decoder *decoder) {
    if (decoder->tiff != NULL) decoder->tiff->message = NULL;
}
