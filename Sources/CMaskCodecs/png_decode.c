/*
 * PNG through libpng, from a file held in memory or read on demand (cmask_source).
 *
 * Every libpng call happens inside a function that owns its own setjmp(png_jmpbuf(png)): a
 * longjmp never crosses a Swift frame and never targets a function that has returned. Locals
 * changed after setjmp are volatile. The error callback copies libpng's message into the
 * caller's buffer, then longjmps.
 */
#include "codecs_internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cmask_png_state {
    png_structp png;
    png_infop info;
    cmask_source *source;
    uint64_t offset;
    /** The message sink of the call in progress (cmask_png_open or cmask_png_read). */
    cmask_message *message;
    /** 1 while libpng reads the chunks around the image data (on_png_malloc's limit applies). */
    int reading_chunks;
};

/**
 * libpng's own chunk limit (user_chunk_malloc_max, 8,000,000 bytes) and some slack. Past it libpng
 * only warns ("chunk data is too large"), then allocates and zeroes whatever length the chunk
 * declares before reading it: 2 GB for a 275-byte file whose tEXt chunk claims 2^31 − 1 bytes
 * (found by the png-diff fuzzer). While libpng reads the chunks around the image data, a larger
 * allocation than the rest of the file holds is for a chunk that cannot be complete: the read
 * that follows it would fail with the truncation message, so that message comes now, before the
 * allocation. Larger chunks the file does hold, and the row buffers, are allocated as before.
 */
enum { CHUNK_ALLOCATION_LIMIT = 8000000 + 64 * 1024 };

static png_voidp on_png_malloc(png_structp png, png_alloc_size_t size) {
    const cmask_png_state *state = png_get_mem_ptr(png);
    if (state != NULL && state->reading_chunks && size > CHUNK_ALLOCATION_LIMIT &&
        (state->offset >= state->source->size || size > state->source->size - state->offset)) {
        png_error(png, "unexpected end of file (truncated)");
    }
    return malloc(size);
}

static void on_png_free(png_structp png, png_voidp pointer) {
    (void)png;
    free(pointer);
}

static void on_png_error(png_structp png, png_const_charp text) {
    cmask_png_state *state = png_get_error_ptr(png);
    if (state != NULL) cmask_set_error(state->message, "libpng: %s", text);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp text) {
    /* Warnings (an unknown ancillary chunk, a bad ancillary CRC) do not change the pixels. */
    (void)png;
    (void)text;
}

static void on_png_read(png_structp png, png_bytep out, size_t count) {
    cmask_png_state *state = png_get_io_ptr(png);
    if (cmask_source_read(state->source, state->offset, out, count) != count) {
        png_error(png, "unexpected end of file (truncated)");
    }
    state->offset += count;
}

static int host_is_little_endian(void) {
    const uint16_t probe = 1;
    uint8_t first;
    memcpy(&first, &probe, 1);
    return first == 1;
}

cmask_status cmask_png_open(cmask_decoder *decoder, uint64_t max_samples, cmask_message *message) {
    cmask_png_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        cmask_set_error(message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    decoder->png = state;
    state->source = &decoder->source;
    state->message = message;
    state->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, state, on_png_error, on_png_warning, state,
                                          on_png_malloc, on_png_free);
    if (state->png == NULL) {
        cmask_set_error(message, "libpng: could not create a read structure");
        return CMASK_ERR_NOMEM;
    }
    state->info = png_create_info_struct(state->png);
    if (state->info == NULL) {
        cmask_set_error(message, "libpng: could not create an info structure");
        return CMASK_ERR_NOMEM;
    }
    volatile cmask_status status = CMASK_ERR_CORRUPT;
    if (setjmp(png_jmpbuf(state->png))) {
        return status;
    }
    png_structp png = state->png;
    png_infop info = state->info;
    png_set_read_fn(png, state, on_png_read);
    /* libpng's own default width/height cap is 1,000,000; ours (max_samples) is checked below. */
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    state->reading_chunks = 1;
    png_read_info(png, info);
    state->reading_chunks = 0;

    uint32_t width = png_get_image_width(png, info);
    uint32_t height = png_get_image_height(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    int color_type = png_get_color_type(png, info);
    int interlace = png_get_interlace_type(png, info);
    uint32_t channels = png_get_channels(png, info);

    cmask_info *out = &decoder->info;
    out->width = width;
    out->height = height;
    out->pages = 1;
    out->channels = channels;
    out->bit_depth = (uint32_t)bit_depth;
    out->sample = bit_depth == 16 ? CMASK_SAMPLE_U16 : CMASK_SAMPLE_U8;
    out->compression = 0;
    out->predictor = 1;
    out->planar = 1;
    out->interlaced = interlace == PNG_INTERLACE_ADAM7;
    out->photometric = (uint32_t)color_type;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: out->color = CMASK_COLOR_GRAY; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: out->color = CMASK_COLOR_GRAY_ALPHA; break;
    case PNG_COLOR_TYPE_PALETTE: out->color = CMASK_COLOR_PALETTE; break;
    case PNG_COLOR_TYPE_RGB: out->color = CMASK_COLOR_RGB; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: out->color = CMASK_COLOR_RGBA; break;
    default:
        status = CMASK_ERR_UNSUPPORTED;
        png_error(png, "unknown colour type");
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_colorp palette = NULL;
        int count = 0;
        if (png_get_PLTE(png, info, &palette, &count) && palette != NULL) {
            if (count > 256) count = 256;
            out->palette_count = (uint32_t)count;
            for (int i = 0; i < count; i++) {
                out->palette[3 * i] = palette[i].red;
                out->palette[3 * i + 1] = palette[i].green;
                out->palette[3 * i + 2] = palette[i].blue;
            }
        }
    }
    uint64_t samples = 0;
    cmask_status size_status = cmask_check_size(width, height, 1, channels, max_samples, &samples, message);
    if (size_status != CMASK_OK) return size_status;
    size_status = cmask_check_budget(width, height, 1, 0, channels, cmask_sample_bytes(out->sample),
                                     decoder->max_bytes, message);
    if (size_status != CMASK_OK) return size_status;
    out->data_bytes = samples * cmask_sample_bytes(out->sample);
    return CMASK_OK;
}

cmask_png_decoder cmask_png_decoder_for_setting(const char *setting) {
    return setting != NULL && strcmp(setting, "libpng") == 0 ? CMASK_PNG_DECODER_LIBPNG : CMASK_PNG_DECODER_FAST;
}

/** Whether cmask_read tries the fast path: the decoder's choice, else SEGSCORE_PNG_DECODER. */
static int wants_fast_path(const cmask_decoder *decoder) {
    cmask_png_decoder choice = decoder->png_decoder;
    if (choice == CMASK_PNG_DECODER_DEFAULT) choice = cmask_png_decoder_for_setting(getenv("SEGSCORE_PNG_DECODER"));
    return choice == CMASK_PNG_DECODER_FAST;
}

cmask_status cmask_png_read(cmask_decoder *decoder, void *out, cmask_message *message) {
    cmask_png_state *state = decoder->png;
    state->message = message;
    png_structp png = state->png;
    png_infop info = state->info;
    const cmask_info *header = &decoder->info;
    /* libpng has read the header and the first IDAT chunk's length and type (8 bytes): the fast
     * path starts there, and on FAST_FALLBACK libpng goes on from there as if it never ran. */
    if (wants_fast_path(decoder) && state->offset >= 8 &&
        cmask_png_fast_decode(state->source, state->offset - 8, header, decoder->max_bytes, out) == FAST_DONE) {
        decoder->png_fast_used = 1;
        return CMASK_OK;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        return CMASK_ERR_CORRUPT;
    }
    /* Stored values only: unpack 1/2/4-bit samples to bytes without rescaling, never expand a
     * palette, never apply gamma, tRNS or background. 16-bit samples come out in host order. */
    if (header->bit_depth < 8) png_set_packing(png);
    if (header->bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t row_bytes = png_get_rowbytes(png, info);
    size_t expected = (size_t)header->width * header->channels * cmask_sample_bytes(header->sample);
    if (row_bytes != expected) {
        png_error(png, "unexpected row size after unpacking");
    }
    rows = malloc(sizeof(png_bytep) * header->height);
    if (rows == NULL) png_error(png, "out of memory for row pointers");
    for (uint32_t y = 0; y < header->height; y++) {
        rows[y] = (png_bytep)out + (size_t)y * row_bytes;
    }
    png_read_image(png, rows);
    /* Reading to IEND checks the CRCs of the chunks after the image data, and truncation. */
    state->reading_chunks = 1;
    png_read_end(png, NULL);
    state->reading_chunks = 0;
    /* An index beyond PLTE makes the file invalid; libpng only warns, and its own tracking
     * (png_get_palette_max) misses 8-bit and interlaced images. Every output byte is one index:
     * scan them all, whatever the bit depth and interlacing. */
    if (header->color == CMASK_COLOR_PALETTE && header->palette_count < (1u << header->bit_depth)) {
        const uint8_t *index = out;
        size_t count = (size_t)header->width * header->height;
        uint8_t largest = 0;
        for (size_t i = 0; i < count; i++) {
            if (index[i] > largest) largest = index[i];
        }
        if (largest >= header->palette_count) {
            static const char format[] = "palette index %u beyond the %u-entry palette";
            char text[96];
            snprintf(text, sizeof text, format, (unsigned)largest, header->palette_count);
            png_error(png, text);
        }
    }
    free(rows);
    rows = NULL;
    return CMASK_OK;
}

void cmask_png_end_call(cmask_decoder *decoder) {
    if (decoder->png != NULL) decoder->png->message = NULL;
}

void cmask_png_close(cmask_decoder *decoder) {
    cmask_png_state *state = decoder->png;
    if (state == NULL) return;
    if (state->png != NULL) {
        png_destroy_read_struct(&state->png, state->info != NULL ? &state->info : NULL, NULL);
    }
    free(state);
    decoder->png = NULL;
}
