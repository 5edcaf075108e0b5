/* Writers for benchmark and test data. The product never writes masks. */
#include "CMaskTestCodecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

/** Where a writer's messages go: the caller's buffer; only the first message of a call is kept. */
typedef struct {
    char *buffer;
    size_t size;
    int written;
} cmask_message;

static void set_error_v(cmask_message *message, const char *prefix, const char *format, va_list args) {
    if (message == NULL || message->buffer == NULL || message->size == 0 || message->written) return;
    size_t used = 0;
    if (prefix != NULL && prefix[0] != '\0') {
        int n = snprintf(message->buffer, message->size, "%s: ", prefix);
        used = n < 0 ? 0 : ((size_t)n < message->size ? (size_t)n : message->size - 1);
    }
    vsnprintf(message->buffer + used, message->size - used, format, args);
    message->written = 1;
}

static void set_error(cmask_message *message, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void set_error(cmask_message *message, const char *format, ...) {
    va_list args;
    va_start(args, format);
    set_error_v(message, NULL, format, args);
    va_end(args);
}

static void on_write_error(png_structp png, png_const_charp text) {
    cmask_message *message = png_get_error_ptr(png);
    set_error(message, "libpng: %s", text);
    png_longjmp(png, 1);
}

static cmask_status write_png_file(FILE *file, const void *samples, uint32_t width, uint32_t height, uint32_t bit_depth, int palette,
                          cmask_message *message) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, on_write_error, NULL);
    if (png == NULL) return CMASK_ERR_NOMEM;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return CMASK_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return CMASK_ERR_CORRUPT;
    }
    png_init_io(png, file);
    png_set_IHDR(png, info, width, height, (int)bit_depth, palette ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette) {
        png_color colors[256];
        for (int i = 0; i < 256; i++) {
            colors[i].red = (png_byte)(i * 67);
            colors[i].green = (png_byte)(i * 151);
            colors[i].blue = (png_byte)(i * 29);
        }
        png_set_PLTE(png, info, colors, 256);
    }
    png_write_info(png, info);
    if (bit_depth == 16) {
        const uint16_t probe = 1;
        uint8_t first;
        memcpy(&first, &probe, 1);
        if (first == 1) png_set_swap(png);
    }
    size_t row_bytes = (size_t)width * (bit_depth == 16 ? 2 : 1);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)samples + (size_t)y * row_bytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return CMASK_OK;
}

cmask_status cmask_png_write(const char *path, const void *samples, uint32_t width, uint32_t height,
                             uint32_t bit_depth, int palette, char *error, size_t error_size) {
    cmask_message message = {error, error_size, 0};
    if ((bit_depth != 8 && bit_depth != 16) || (palette && bit_depth != 8) || width == 0 || height == 0) {
        set_error(&message, "cmask_png_write: 8- or 16-bit gray, or 8-bit palette");
        return CMASK_ERR_USAGE;
    }
    FILE *file = fopen(path, "wb");
    if (file == NULL) {
        set_error(&message, "cannot create %s", path);
        return CMASK_ERR_FORMAT;
    }
    cmask_status status = write_png_file(file, samples, width, height, bit_depth, palette, &message);
    if (fclose(file) != 0 && status == CMASK_OK) {
        set_error(&message, "cannot finish %s", path);
        status = CMASK_ERR_FORMAT;
    }
    return status;
}

static int on_tiff_write_error(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif;
    set_error_v(user, module, format, args);
    return 1;
}

cmask_status cmask_tiff_write(const char *path, const void *samples, uint32_t width, uint32_t height,
                              uint32_t bit_depth, uint32_t compression, uint32_t rows_per_strip, char *error,
                              size_t error_size) {
    cmask_message message = {error, error_size, 0};
    if ((bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0 || rows_per_strip == 0) {
        set_error(&message, "cmask_tiff_write: 8- or 16-bit, non-empty, rows_per_strip > 0");
        return CMASK_ERR_USAGE;
    }
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) return CMASK_ERR_NOMEM;
    TIFFOpenOptionsSetErrorHandlerExtR(options, on_tiff_write_error, &message);
    TIFFOpenOptionsSetWarningHandlerExtR(options, on_tiff_write_error, &message);
    TIFF *tif = TIFFOpenExt(path, "w", options);
    TIFFOpenOptionsFree(options);
    if (tif == NULL) {
        set_error(&message, "cannot create %s", path);
        return CMASK_ERR_FORMAT;
    }
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)bit_depth);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, (uint16_t)compression);
    if (compression == COMPRESSION_LZW || compression == COMPRESSION_ADOBE_DEFLATE)
        TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
    size_t row_bytes = (size_t)width * (bit_depth / 8);
    cmask_status status = CMASK_OK;
    for (uint32_t y = 0, strip = 0; y < height; y += rows_per_strip, strip++) {
        uint32_t rows = height - y < rows_per_strip ? height - y : rows_per_strip;
        /* libtiff's predictor works in place on the buffer it is given: hand it a copy. */
        tmsize_t size = (tmsize_t)(rows * row_bytes);
        uint8_t *copy = _TIFFmalloc(size);
        if (copy == NULL) {
            status = CMASK_ERR_NOMEM;
            break;
        }
        memcpy(copy, (const uint8_t *)samples + (size_t)y * row_bytes, (size_t)size);
        tmsize_t written = TIFFWriteEncodedStrip(tif, strip, copy, size);
        _TIFFfree(copy);
        if (written < 0) {
            status = CMASK_ERR_CORRUPT;
            break;
        }
    }
    TIFFClose(tif);
    return status;
}
