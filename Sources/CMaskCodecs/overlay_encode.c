/* The overlay PNG writer: palette indices in, a PNG file in memory out (see CMaskOverlay.h). */
#include "CMaskOverlay.h"
#include "codecs_internal.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

/** The growing output buffer and the call's message sink; heap-allocated so that nothing the
 *  callbacks change lives in a local of the function that calls setjmp. */
typedef struct {
    uint8_t *bytes;
    size_t size;
    size_t capacity;
    int out_of_memory;
    cmask_message message;
} overlay_writer;

static void on_overlay_error(png_structp png, png_const_charp text) {
    overlay_writer *writer = png_get_error_ptr(png);
    if (writer != NULL) cmask_set_error(&writer->message, "libpng: %s", text);
    png_longjmp(png, 1);
}

static void on_overlay_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void on_overlay_write(png_structp png, png_bytep data, size_t count) {
    overlay_writer *writer = png_get_io_ptr(png);
    if (writer->size + count > writer->capacity) {
        size_t capacity = writer->capacity < 4096 ? 4096 : writer->capacity;
        while (capacity < writer->size + count) capacity *= 2;
        uint8_t *grown = realloc(writer->bytes, capacity);
        if (grown == NULL) {
            writer->out_of_memory = 1;
            png_error(png, "out of memory");
        }
        writer->bytes = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->bytes + writer->size, data, count);
    writer->size += count;
}

static void on_overlay_flush(png_structp png) { (void)png; }

int cmask_overlay_png_encode(
    const uint8_t *indices, uint32_t width, uint32_t height, const uint8_t *palette, uint32_t palette_size, uint8_t **out,
    size_t *out_size, char *error, size_t error_size) {
    if (error != NULL && error_size > 0) error[0] = '\0';
    cmask_message usage = {error, error_size, 0};
    if (out == NULL || out_size == NULL) return CMASK_ERR_USAGE;
    *out = NULL;
    *out_size = 0;
    if (indices == NULL || palette == NULL) {
        cmask_set_error(&usage, "overlay: no pixels or no palette");
        return CMASK_ERR_USAGE;
    }
    if (width == 0 || height == 0 || width > (1u << 24) || height > (1u << 24)) {
        cmask_set_error(&usage, "overlay: size %ux%u is out of range", width, height);
        return CMASK_ERR_USAGE;
    }
    if (palette_size == 0 || palette_size > 256) {
        cmask_set_error(&usage, "overlay: palette of %u colours (1 to 256)", palette_size);
        return CMASK_ERR_USAGE;
    }
    size_t pixels = (size_t)width * height;
    for (size_t i = 0; i < pixels; i++) {
        if (indices[i] >= palette_size) {
            cmask_set_error(&usage, "overlay: index %u past the palette of %u colours", indices[i], palette_size);
            return CMASK_ERR_USAGE;
        }
    }
    overlay_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) {
        cmask_set_error(&usage, "overlay: out of memory");
        return CMASK_ERR_NOMEM;
    }
    writer->message = usage;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer, on_overlay_error, on_overlay_warning);
    png_infop info = png == NULL ? NULL : png_create_info_struct(png);
    if (png == NULL || info == NULL) {
        png_destroy_write_struct(&png, NULL);
        free(writer);
        cmask_set_error(&usage, "overlay: out of memory");
        return CMASK_ERR_NOMEM;
    }
    /* png, info and writer are not changed after setjmp; the writer's fields live on the heap. */
    if (setjmp(png_jmpbuf(png))) {
        int status = writer->out_of_memory ? CMASK_ERR_NOMEM : CMASK_ERR_CORRUPT;
        png_destroy_write_struct(&png, &info);
        free(writer->bytes);
        free(writer);
        return status;
    }
    png_set_write_fn(png, writer, on_overlay_write, on_overlay_flush);
    png_set_compression_level(png, 9);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
        PNG_FILTER_TYPE_DEFAULT);
    png_color colors[256];
    for (uint32_t i = 0; i < palette_size; i++) {
        colors[i].red = palette[3 * i];
        colors[i].green = palette[3 * i + 1];
        colors[i].blue = palette[3 * i + 2];
    }
    png_set_PLTE(png, info, colors, (int)palette_size);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(indices + (size_t)y * width));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = writer->bytes;
    *out_size = writer->size;
    free(writer);
    return CMASK_OK;
}

void cmask_overlay_free(uint8_t *buffer) { free(buffer); }
