/*
 * TIFF through libtiff, from a file held in memory or read on demand (cmask_source).
 *
 * Each handle gets its own error and warning handlers (TIFFOpenOptions…ExtR), so messages land in
 * the buffer of the call that caused them and parallel decodes never share state. The variadic
 * TIFFGetField is only called here, through small typed helpers.
 */
#include "tiff_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- in-memory client procedures ---------------------------------------------------------- */

static tmsize_t memory_read(thandle_t handle, void *buffer, tmsize_t count) {
    cmask_tiff_state *state = (cmask_tiff_state *)handle;
    if (count <= 0) return 0;
    size_t n = cmask_source_read(state->source, state->offset, buffer, (size_t)count);
    state->offset += n;
    return (tmsize_t)n;
}

static tmsize_t memory_write(thandle_t handle, void *buffer, tmsize_t count) {
    (void)handle;
    (void)buffer;
    (void)count;
    return 0;
}

static toff_t memory_seek(thandle_t handle, toff_t offset, int whence) {
    cmask_tiff_state *state = (cmask_tiff_state *)handle;
    uint64_t base = whence == SEEK_CUR ? state->offset : whence == SEEK_END ? state->source->size : 0;
    if (offset > UINT64_MAX - base) return (toff_t)-1;
    state->offset = base + offset;
    return state->offset;
}

static int memory_close(thandle_t handle) {
    (void)handle;
    return 0;
}

static toff_t memory_size(thandle_t handle) { return ((cmask_tiff_state *)handle)->source->size; }

static int memory_map(thandle_t handle, void **base, toff_t *size) {
    cmask_tiff_state *state = (cmask_tiff_state *)handle;
    /* Only a file held whole is mapped (libtiff then reads strips in place); others are read. Files
     * opened "r" are only ever read through the map, as libtiff does with PROT_READ mmap. */
    const uint8_t *whole = cmask_source_whole(state->source);
    if (whole == NULL) return 0;
    *base = (void *)(uintptr_t)whole;
    *size = state->source->size;
    return 1;
}

static void memory_unmap(thandle_t handle, void *base, toff_t size) {
    (void)handle;
    (void)base;
    (void)size;
}

/* ---- per-handle messages ------------------------------------------------------------------- */

static int on_tiff_error(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif;
    cmask_tiff_state *state = user;
    char prefix[96];
    snprintf(prefix, sizeof prefix, "libtiff: %s", module != NULL ? module : "error");
    cmask_set_error_v(state->message, prefix, format, args);
    state->failed = 1;
    return 1; /* handled: never reaches the process-wide handler */
}

static int on_tiff_warning(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif;
    (void)user;
    (void)module;
    (void)format;
    (void)args;
    return 1;
}

/* ---- typed field access -------------------------------------------------------------------- */

static uint16_t field_u16(TIFF *tif, uint32_t tag, uint16_t fallback) {
    uint16_t value = fallback;
    if (!TIFFGetField(tif, tag, &value)) return fallback;
    return value;
}

static uint16_t field_u16_defaulted(TIFF *tif, uint32_t tag, uint16_t fallback) {
    uint16_t value = fallback;
    if (!TIFFGetFieldDefaulted(tif, tag, &value)) return fallback;
    return value;
}

static int field_u32(TIFF *tif, uint32_t tag, uint32_t *value) { return TIFFGetField(tif, tag, value); }

static uint16_t extra_sample_count(TIFF *tif) {
    uint16_t count = 0;
    uint16_t *types = NULL;
    if (!TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &count, &types)) return 0;
    return count;
}

static int colormap(TIFF *tif, uint16_t **red, uint16_t **green, uint16_t **blue) {
    return TIFFGetField(tif, TIFFTAG_COLORMAP, red, green, blue);
}

/* ---- layout -------------------------------------------------------------------------------- */

cmask_status cmask_tiff_read_layout(cmask_tiff_state *state, uint32_t page, tiff_layout *layout) {
    TIFF *tif = state->tif;
    memset(layout, 0, sizeof *layout);
    if (!field_u32(tif, TIFFTAG_IMAGEWIDTH, &layout->width) ||
        !field_u32(tif, TIFFTAG_IMAGELENGTH, &layout->height)) {
        cmask_set_error(state->message, "page %u has no ImageWidth or ImageLength", page + 1);
        return CMASK_ERR_CORRUPT;
    }
    layout->samples_per_pixel = field_u16_defaulted(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    layout->bits_per_sample = field_u16_defaulted(tif, TIFFTAG_BITSPERSAMPLE, 1);
    layout->sample_format = field_u16_defaulted(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
    layout->planar = field_u16_defaulted(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    layout->photometric = field_u16(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    layout->compression = field_u16_defaulted(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    layout->predictor = field_u16(tif, TIFFTAG_PREDICTOR, PREDICTOR_NONE);
    layout->extra_samples = extra_sample_count(tif);
    layout->tiled = TIFFIsTiled(tif);
    if (layout->tiled) {
        if (!field_u32(tif, TIFFTAG_TILEWIDTH, &layout->tile_width) ||
            !field_u32(tif, TIFFTAG_TILELENGTH, &layout->tile_height) || layout->tile_width == 0 ||
            layout->tile_height == 0) {
            cmask_set_error(state->message, "page %u is tiled but has no valid tile size", page + 1);
            return CMASK_ERR_CORRUPT;
        }
    } else {
        uint32_t rows = layout->height;
        if (!TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows) || rows == 0) rows = layout->height;
        layout->rows_per_strip = rows < layout->height ? rows : layout->height;
    }

    uint16_t bps = layout->bits_per_sample;
    switch (layout->sample_format) {
    case SAMPLEFORMAT_UINT:
    case SAMPLEFORMAT_VOID:
        if (bps != 1 && bps != 2 && bps != 4 && bps != 8 && bps != 16 && bps != 32) {
            cmask_set_error(state->message, "%u-bit unsigned samples are not supported (1, 2, 4, 8, 16, 32 are)",
                            bps);
            return CMASK_ERR_UNSUPPORTED;
        }
        break;
    case SAMPLEFORMAT_IEEEFP:
        if (bps != 32) {
            cmask_set_error(state->message, "%u-bit floating-point samples are not supported (32-bit are)", bps);
            return CMASK_ERR_UNSUPPORTED;
        }
        break;
    case SAMPLEFORMAT_INT:
        cmask_set_error(state->message, "signed %u-bit integer samples are not supported", bps);
        return CMASK_ERR_UNSUPPORTED;
    case SAMPLEFORMAT_COMPLEXINT:
    case SAMPLEFORMAT_COMPLEXIEEEFP:
        cmask_set_error(state->message, "complex samples are not supported");
        return CMASK_ERR_UNSUPPORTED;
    default:
        cmask_set_error(state->message, "SampleFormat %u is not supported", layout->sample_format);
        return CMASK_ERR_UNSUPPORTED;
    }
    if (layout->photometric == PHOTOMETRIC_YCBCR) {
        cmask_set_error(state->message, "YCbCr colour (lossy JPEG) is not supported for masks");
        return CMASK_ERR_UNSUPPORTED;
    }
    /* JPEG is lossy in every colour space (gray, RGB, YCbCr): stored labels come back changed. */
    if (layout->compression == COMPRESSION_JPEG) {
        cmask_set_error(state->message, "JPEG compression (lossy) is not supported for masks");
        return CMASK_ERR_UNSUPPORTED;
    }
    if (layout->compression == COMPRESSION_OJPEG) {
        cmask_set_error(state->message, "old-style JPEG compression (lossy) is not supported for masks");
        return CMASK_ERR_UNSUPPORTED;
    }
    if (layout->planar != PLANARCONFIG_CONTIG && layout->planar != PLANARCONFIG_SEPARATE) {
        cmask_set_error(state->message, "PlanarConfiguration %u is not valid", layout->planar);
        return CMASK_ERR_CORRUPT;
    }
    if (layout->samples_per_pixel == 0) {
        cmask_set_error(state->message, "SamplesPerPixel is 0");
        return CMASK_ERR_CORRUPT;
    }
    if (!TIFFIsCODECConfigured(layout->compression)) {
        cmask_set_error(state->message, "compression %u is not supported by this libtiff", layout->compression);
        return CMASK_ERR_UNSUPPORTED;
    }
    return CMASK_OK;
}

static int same_layout(const tiff_layout *a, const tiff_layout *b) {
    return a->width == b->width && a->height == b->height && a->samples_per_pixel == b->samples_per_pixel &&
           a->bits_per_sample == b->bits_per_sample && a->sample_format == b->sample_format;
}

static cmask_color color_of(const tiff_layout *layout) {
    uint16_t spp = layout->samples_per_pixel;
    if (layout->photometric == PHOTOMETRIC_PALETTE && spp == 1) return CMASK_COLOR_PALETTE;
    if (layout->photometric == PHOTOMETRIC_RGB && spp == 3) return CMASK_COLOR_RGB;
    if (layout->photometric == PHOTOMETRIC_RGB && spp == 4 && layout->extra_samples == 1) return CMASK_COLOR_RGBA;
    if (layout->photometric == PHOTOMETRIC_MINISBLACK || layout->photometric == PHOTOMETRIC_MINISWHITE) {
        if (spp == 1) return CMASK_COLOR_GRAY;
        if (spp == 2 && layout->extra_samples == 1) return CMASK_COLOR_GRAY_ALPHA;
    }
    return CMASK_COLOR_MULTI;
}

cmask_status cmask_tiff_open(cmask_decoder *decoder, uint64_t max_samples, cmask_message *message) {
    cmask_tiff_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        cmask_set_error(message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    decoder->tiff = state;
    state->source = &decoder->source;
    state->message = message;

    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) {
        cmask_set_error(message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(options, on_tiff_error, state);
    TIFFOpenOptionsSetWarningHandlerExtR(options, on_tiff_warning, state);
    /* No single libtiff allocation may exceed what the whole image is allowed to need. */
    uint64_t max_bytes = max_samples > (UINT64_MAX / 8) ? UINT64_MAX : max_samples * 4 + (1u << 20);
    if (max_bytes > (uint64_t)INT64_MAX) max_bytes = (uint64_t)INT64_MAX;
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t)max_bytes);
    state->tif = TIFFClientOpenExt("TIFF", "r", (thandle_t)state, memory_read, memory_write, memory_seek,
                                   memory_close, memory_size, memory_map, memory_unmap, options);
    TIFFOpenOptionsFree(options);
    if (state->tif == NULL) {
        cmask_set_error(message, "libtiff could not open the file");
        return CMASK_ERR_CORRUPT;
    }

    cmask_status status = cmask_tiff_read_layout(state, 0, &state->layout);
    if (status != CMASK_OK) return status;
    /* The size of one page first, then the page count is bounded as the walk goes: a file of
     * many tiny pages stops being walked once its pages alone exceed the limits. */
    const tiff_layout *first = &state->layout;
    uint64_t page_samples = 0;
    uint64_t sample_bytes = first->sample_format == SAMPLEFORMAT_IEEEFP ? 4 : first->bits_per_sample == 32 ? 4
                            : first->bits_per_sample == 16                ? 2
                                                                          : 1;
    status = cmask_check_size(first->width, first->height, 1, first->samples_per_pixel, max_samples, &page_samples,
                              message);
    if (status != CMASK_OK) return status;
    status = cmask_check_budget(first->width, first->height, 1, 0, first->samples_per_pixel, sample_bytes,
                                decoder->max_bytes, message);
    if (status != CMASK_OK) return status;
    uint64_t page_bytes = page_samples * sample_bytes;
    uint32_t pages = 1;
    tiff_layout next;
    /* Each directory is read once, in order: TIFFReadDirectory moves to the next one. */
    while (TIFFReadDirectory(state->tif)) {
        status = cmask_tiff_read_layout(state, pages, &next);
        if (status != CMASK_OK) return status;
        if (!same_layout(&state->layout, &next)) {
            cmask_set_error(message,
                            "page %u is %ux%u with %u %u-bit samples per pixel, page 1 is %ux%u with %u %u-bit "
                            "samples: all pages must match",
                            pages + 1, next.width, next.height, next.samples_per_pixel, next.bits_per_sample,
                            state->layout.width, state->layout.height, state->layout.samples_per_pixel,
                            state->layout.bits_per_sample);
            return CMASK_ERR_UNSUPPORTED;
        }
        if (pages == UINT32_MAX) break;
        pages++;
        if ((uint64_t)pages > max_samples / page_samples) {
            uint64_t unused = 0;
            return cmask_check_size(first->width, first->height, pages, first->samples_per_pixel, max_samples,
                                    &unused, message);
        }
        if ((uint64_t)pages > decoder->max_bytes / page_bytes) {
            return cmask_check_budget(first->width, first->height, pages, 1, first->samples_per_pixel,
                                      sample_bytes, decoder->max_bytes, message);
        }
    }
    if (state->failed) return CMASK_ERR_CORRUPT;

    const tiff_layout *layout = &state->layout;
    cmask_info *info = &decoder->info;
    info->width = layout->width;
    info->height = layout->height;
    info->pages = pages;
    info->channels = layout->samples_per_pixel;
    info->bit_depth = layout->bits_per_sample;
    info->sample = layout->sample_format == SAMPLEFORMAT_IEEEFP ? CMASK_SAMPLE_F32
                   : layout->bits_per_sample == 32              ? CMASK_SAMPLE_U32
                   : layout->bits_per_sample == 16              ? CMASK_SAMPLE_U16
                                                                : CMASK_SAMPLE_U8;
    info->color = color_of(layout);
    info->compression = layout->compression;
    info->predictor = layout->predictor;
    info->planar = layout->planar;
    info->tiled = (uint32_t)layout->tiled;
    info->interlaced = 0;
    info->photometric = layout->photometric;

    uint64_t samples = 0;
    status = cmask_check_size(layout->width, layout->height, pages, layout->samples_per_pixel, max_samples,
                              &samples, message);
    if (status != CMASK_OK) return status;
    info->data_bytes = samples * cmask_sample_bytes(info->sample);

    if (info->color == CMASK_COLOR_PALETTE && layout->bits_per_sample <= 8) {
        if (!TIFFSetDirectory(state->tif, 0)) {
            cmask_set_error(message, "could not return to the first page");
            return CMASK_ERR_CORRUPT;
        }
        uint16_t *red = NULL, *green = NULL, *blue = NULL;
        if (colormap(state->tif, &red, &green, &blue) && red != NULL && green != NULL && blue != NULL) {
            uint32_t count = 1u << layout->bits_per_sample;
            info->palette_count = count;
            for (uint32_t i = 0; i < count; i++) {
                info->palette[3 * i] = (uint8_t)(red[i] >> 8);
                info->palette[3 * i + 1] = (uint8_t)(green[i] >> 8);
                info->palette[3 * i + 2] = (uint8_t)(blue[i] >> 8);
            }
        }
    }
    cmask_tiff_read_physical_size(state->tif, info);
    return CMASK_OK;
}

void cmask_tiff_close(cmask_decoder *decoder) {
    cmask_tiff_state *state = decoder->tiff;
    if (state == NULL) return;
    if (state->tif != NULL) TIFFClose(state->tif);
    cmask_tiff_fast_free(&state->scratch);
    free(state);
    decoder->tiff = NULL;
}

bool cmask_tiff_codec_available(uint32_t compression) {
    return compression <= 0xffff && TIFFIsCODECConfigured((uint16_t)compression);
}
