/* Format dispatch, size checks and message handling shared by both codecs. */
#include "codecs_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cmask_set_error_v(cmask_message *message, const char *prefix, const char *format, va_list args) {
    if (message == NULL || message->buffer == NULL || message->size == 0 || message->written) return;
    size_t used = 0;
    if (prefix != NULL && prefix[0] != '\0') {
        int n = snprintf(message->buffer, message->size, "%s: ", prefix);
        used = n < 0 ? 0 : ((size_t)n < message->size ? (size_t)n : message->size - 1);
    }
    vsnprintf(message->buffer + used, message->size - used, format, args);
    /* A codec message is one line: fold any newline so callers can print it as such. */
    for (char *c = message->buffer; *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r') *c = ' ';
    }
    message->written = 1;
}

void cmask_set_error(cmask_message *message, const char *format, ...) {
    va_list args;
    va_start(args, format);
    cmask_set_error_v(message, NULL, format, args);
    va_end(args);
}

int cmask_check_size(uint64_t width, uint64_t height, uint64_t pages, uint64_t channels,
                     uint64_t max_samples, uint64_t *samples, cmask_message *message) {
    if (width == 0 || height == 0 || pages == 0 || channels == 0) {
        cmask_set_error(message, "image has a zero dimension (%llux%llu, %llu pages, %llu channels)",
                        (unsigned long long)width, (unsigned long long)height,
                        (unsigned long long)pages, (unsigned long long)channels);
        return CMASK_ERR_CORRUPT;
    }
    /* Each factor is below 2^32, so check step by step against the limit to avoid overflow. */
    uint64_t total = width;
    const uint64_t factors[3] = {height, pages, channels};
    for (int i = 0; i < 3; i++) {
        if (total > max_samples / factors[i]) {
            cmask_set_error(message,
                            "image declares %llux%llu pixels, %llu pages, %llu channels: more than the "
                            "limit of %llu samples",
                            (unsigned long long)width, (unsigned long long)height,
                            (unsigned long long)pages, (unsigned long long)channels,
                            (unsigned long long)max_samples);
            return CMASK_ERR_TOO_LARGE;
        }
        total *= factors[i];
    }
    if (total > max_samples) {
        cmask_set_error(message, "image declares %llu samples: more than the limit of %llu",
                        (unsigned long long)total, (unsigned long long)max_samples);
        return CMASK_ERR_TOO_LARGE;
    }
    *samples = total;
    return CMASK_OK;
}

cmask_format cmask_sniff(const uint8_t *bytes, size_t size) {
    static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (bytes == NULL) return CMASK_FORMAT_UNKNOWN;
    if (size >= 8 && memcmp(bytes, png_signature, 8) == 0) return CMASK_FORMAT_PNG;
    if (size >= 4) {
        /* Classic TIFF (42) and BigTIFF (43), little- and big-endian. */
        if (bytes[0] == 'I' && bytes[1] == 'I' && (bytes[2] == 42 || bytes[2] == 43) && bytes[3] == 0)
            return CMASK_FORMAT_TIFF;
        if (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && (bytes[3] == 42 || bytes[3] == 43))
            return CMASK_FORMAT_TIFF;
    }
    return CMASK_FORMAT_UNKNOWN;
}

int cmask_open(const uint8_t *bytes, size_t size, uint64_t max_samples, cmask_decoder **decoder,
               cmask_info *info, char *error, size_t error_size) {
    cmask_message message = {error, error_size, 0};
    if (error != NULL && error_size > 0) error[0] = '\0';
    if (decoder == NULL || info == NULL) {
        cmask_set_error(&message, "cmask_open: NULL argument");
        return CMASK_ERR_USAGE;
    }
    *decoder = NULL;
    memset(info, 0, sizeof *info);
    cmask_format format = cmask_sniff(bytes, size);
    if (format == CMASK_FORMAT_UNKNOWN) {
        if (size == 0)
            cmask_set_error(&message, "file is empty");
        else
            cmask_set_error(&message, "not a PNG or TIFF file (unrecognised signature)");
        return CMASK_ERR_FORMAT;
    }
    cmask_decoder *d = calloc(1, sizeof *d);
    if (d == NULL) {
        cmask_set_error(&message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    d->format = format;
    int status = format == CMASK_FORMAT_PNG ? cmask_png_open(d, bytes, size, max_samples, &message)
                                            : cmask_tiff_open(d, bytes, size, max_samples, &message);
    if (status != CMASK_OK) {
        cmask_close(d);
        return status;
    }
    d->info.format = format;
    *info = d->info;
    *decoder = d;
    return CMASK_OK;
}

int cmask_read(cmask_decoder *decoder, void *out, uint64_t out_size, char *error, size_t error_size) {
    cmask_message message = {error, error_size, 0};
    if (error != NULL && error_size > 0) error[0] = '\0';
    if (decoder == NULL || out == NULL || out_size != decoder->info.data_bytes || decoder->consumed) {
        cmask_set_error(&message, "cmask_read: NULL handle, wrong buffer size or second read");
        return CMASK_ERR_USAGE;
    }
    decoder->consumed = 1;
    return decoder->format == CMASK_FORMAT_PNG ? cmask_png_read(decoder, out, &message)
                                               : cmask_tiff_read(decoder, out, &message);
}

void cmask_close(cmask_decoder *decoder) {
    if (decoder == NULL) return;
    cmask_png_close(decoder);
    cmask_tiff_close(decoder);
    free(decoder);
}
