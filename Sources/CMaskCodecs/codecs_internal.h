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

typedef struct cmask_png_state cmask_png_state;
typedef struct cmask_tiff_state cmask_tiff_state;

struct cmask_decoder {
    cmask_format format;
    cmask_info info;
    int consumed;
    cmask_png_state *png;
    cmask_tiff_state *tiff;
};

int cmask_png_open(cmask_decoder *decoder, const uint8_t *bytes, size_t size, uint64_t max_samples,
                   cmask_message *message);
int cmask_png_read(cmask_decoder *decoder, void *out, cmask_message *message);
void cmask_png_close(cmask_decoder *decoder);

int cmask_tiff_open(cmask_decoder *decoder, const uint8_t *bytes, size_t size, uint64_t max_samples,
                    cmask_message *message);
int cmask_tiff_read(cmask_decoder *decoder, void *out, cmask_message *message);
void cmask_tiff_close(cmask_decoder *decoder);

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
int cmask_check_size(uint64_t width, uint64_t height, uint64_t pages, uint64_t channels,
                     uint64_t max_samples, uint64_t *samples, cmask_message *message);

#endif
