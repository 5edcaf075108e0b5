/* Format dispatch, size checks and message handling shared by the codecs. */
#include "codecs_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/** The read window of a file source: enough for a mask's header and most small masks whole. */
enum { CMASK_WINDOW_BYTES = 64 * 1024 };

/** pread until `count` bytes, the end of the file, or an error; returns the bytes read. */
static size_t pread_full(int fd, uint8_t *out, size_t count, uint64_t offset) {
    size_t done = 0;
    while (done < count) {
        ssize_t n = pread(fd, out + done, count - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    return done;
}

size_t cmask_source_read(cmask_source *source, uint64_t offset, void *out, size_t count) {
    if (offset >= source->size) return 0;
    if ((uint64_t)count > source->size - offset) count = (size_t)(source->size - offset);
    if (source->bytes != NULL) {
        memcpy(out, source->bytes + offset, count);
        return count;
    }
    uint8_t *target = out;
    size_t done = 0;
    while (done < count) {
        uint64_t at = offset + done;
        if (at >= source->window_start && at < source->window_start + source->window_fill) {
            size_t available = (size_t)(source->window_start + source->window_fill - at);
            size_t n = count - done < available ? count - done : available;
            memcpy(target + done, source->window + (at - source->window_start), n);
            done += n;
            continue;
        }
        if (count - done >= source->window_capacity) {
            /* A large read (a whole strip): straight into the caller's buffer. */
            size_t n = pread_full(source->fd, target + done, count - done, at);
            done += n;
            break;
        }
        size_t n = pread_full(source->fd, source->window, source->window_capacity, at);
        source->window_start = at;
        source->window_fill = n;
        if (n == 0) break;
    }
    return done;
}

const uint8_t *cmask_source_whole(const cmask_source *source) {
    if (source->bytes != NULL) return source->bytes;
    if (source->window_start == 0 && source->window_fill == source->size) return source->window;
    return NULL;
}

/** a · b, or UINT64_MAX when it does not fit. */
static uint64_t multiply_saturating(uint64_t a, uint64_t b) {
    if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
    return a * b;
}

/** Writes `bytes` as "101 B", "381.5 MiB", "2.0 GiB" into `text`. */
static void format_bytes(uint64_t bytes, char *text, size_t size) {
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(text, size, "%llu B", (unsigned long long)bytes);
        return;
    }
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024 && unit < 6) {
        value /= 1024;
        unit++;
    }
    snprintf(text, size, "%.1f %s", value, units[unit]);
}

cmask_status cmask_check_budget(uint64_t width, uint64_t height, uint64_t pages, int at_least, uint64_t channels,
                       uint64_t sample_bytes, uint64_t max_bytes, cmask_message *message) {
    uint64_t need = multiply_saturating(
        multiply_saturating(multiply_saturating(multiply_saturating(width, height), pages), channels), sample_bytes);
    if (need <= max_bytes) return CMASK_OK;
    char amount[48];
    format_bytes(need, amount, sizeof amount);
    cmask_set_error(message,
                    "image declares %llux%llu pixels, %s%llu page%s, %llu channel%s of %llu-byte samples: "
                    "decoding needs %s%s%s",
                    (unsigned long long)width, (unsigned long long)height, at_least ? "at least " : "",
                    (unsigned long long)pages, pages == 1 && !at_least ? "" : "s", (unsigned long long)channels,
                    channels == 1 ? "" : "s", (unsigned long long)sample_bytes, at_least ? "at least " : "",
                    need == UINT64_MAX ? "more than " : "", amount);
    return CMASK_ERR_OVER_BUDGET;
}

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

cmask_status cmask_check_size(uint64_t width, uint64_t height, uint64_t pages, uint64_t channels,
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
    if (size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return CMASK_FORMAT_NIFTI;
    if (size >= 4) {
        /* NIfTI-1 (348) and NIfTI-2 (540) sizeof_hdr, little- and big-endian. */
        uint32_t le = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
        uint32_t be = (uint32_t)bytes[3] | (uint32_t)bytes[2] << 8 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[0] << 24;
        if (le == 348 || le == 540 || be == 348 || be == 540) return CMASK_FORMAT_NIFTI;
        /* Classic TIFF (42) and BigTIFF (43), little- and big-endian. */
        if (bytes[0] == 'I' && bytes[1] == 'I' && (bytes[2] == 42 || bytes[2] == 43) && bytes[3] == 0)
            return CMASK_FORMAT_TIFF;
        if (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && (bytes[3] == 42 || bytes[3] == 43))
            return CMASK_FORMAT_TIFF;
    }
    return CMASK_FORMAT_UNKNOWN;
}

/**
 * Ends an entry point: the codec states forget `message`, which lives in the entry point's frame
 * and points into the caller's buffer, so a codec error in a later call (libtiff during
 * cmask_close) never writes through a dead pointer.
 */
static void end_call(cmask_decoder *d) {
    cmask_png_end_call(d);
    cmask_tiff_end_call(d);
}

/** Recognises the format, then parses the header; `d` is freed on failure. */
static cmask_status open_decoder(cmask_decoder *d, const uint8_t *first, size_t first_size, uint64_t max_samples,
                        cmask_decoder **decoder, cmask_info *info, cmask_message *message) {
    cmask_format format = cmask_sniff(first, first_size);
    if (format == CMASK_FORMAT_UNKNOWN) {
        if (d->source.size == 0)
            cmask_set_error(message, "file is empty");
        else
            cmask_set_error(message, "not a PNG, TIFF or NIfTI file (unrecognised signature)");
        cmask_close(d);
        return CMASK_ERR_FORMAT;
    }
    d->format = format;
    cmask_status status = format == CMASK_FORMAT_PNG    ? cmask_png_open(d, max_samples, message)
                          : format == CMASK_FORMAT_TIFF ? cmask_tiff_open(d, max_samples, message)
                                                        : cmask_nifti_open(d, max_samples, message);
    if (status != CMASK_OK) {
        cmask_close(d);
        return status;
    }
    d->info.format = format;
    *info = d->info;
    *decoder = d;
    end_call(d);
    return CMASK_OK;
}

cmask_status cmask_open(const uint8_t *bytes, size_t size, uint64_t max_samples, cmask_decoder **decoder,
               cmask_info *info, char *error, size_t error_size) {
    cmask_message message = {error, error_size, 0};
    if (error != NULL && error_size > 0) error[0] = '\0';
    if (decoder == NULL || info == NULL) {
        cmask_set_error(&message, "cmask_open: NULL argument");
        return CMASK_ERR_USAGE;
    }
    *decoder = NULL;
    memset(info, 0, sizeof *info);
    cmask_decoder *d = calloc(1, sizeof *d);
    if (d == NULL) {
        cmask_set_error(&message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    static const uint8_t none[1] = {0};
    d->source.bytes = bytes != NULL ? bytes : none;
    d->source.size = bytes != NULL ? size : 0;
    d->source.fd = -1;
    d->max_bytes = UINT64_MAX;
    return open_decoder(d, bytes, bytes != NULL ? size : 0, max_samples, decoder, info, &message);
}

cmask_status cmask_open_file(int fd, uint64_t max_samples, uint64_t max_bytes, cmask_decoder **decoder, cmask_info *info,
                    char *error, size_t error_size) {
    cmask_message message = {error, error_size, 0};
    if (error != NULL && error_size > 0) error[0] = '\0';
    if (decoder == NULL || info == NULL || fd < 0) {
        cmask_set_error(&message, "cmask_open_file: NULL argument or bad descriptor");
        return CMASK_ERR_USAGE;
    }
    *decoder = NULL;
    memset(info, 0, sizeof *info);
    struct stat status;
    if (fstat(fd, &status) != 0 || status.st_size < 0) {
        cmask_set_error(&message, "%s", strerror(errno));
        return CMASK_ERR_CORRUPT;
    }
    cmask_decoder *d = calloc(1, sizeof *d);
    if (d == NULL) {
        cmask_set_error(&message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    d->source.fd = fd;
    d->source.size = (uint64_t)status.st_size;
    d->max_bytes = max_bytes;
    /* A small file fits the window whole: one read, and libtiff may then map it. */
    size_t capacity = d->source.size < CMASK_WINDOW_BYTES ? (size_t)d->source.size : CMASK_WINDOW_BYTES;
    d->source.window_capacity = capacity > 0 ? capacity : 1;
    d->source.window = malloc(d->source.window_capacity);
    if (d->source.window == NULL) {
        cmask_close(d);
        cmask_set_error(&message, "out of memory");
        return CMASK_ERR_NOMEM;
    }
    uint8_t first[8];
    size_t got = cmask_source_read(&d->source, 0, first, sizeof first);
    return open_decoder(d, first, got, max_samples, decoder, info, &message);
}

cmask_status cmask_read(cmask_decoder *decoder, void *out, uint64_t out_size, char *error, size_t error_size) {
    return cmask_read_into(decoder, out, out_size, out_size, error, error_size);
}

cmask_status cmask_read_into(cmask_decoder *decoder, void *out, uint64_t out_size, uint64_t capacity, char *error,
                             size_t error_size) {
    return cmask_read_placed(decoder, out, out_size, capacity, NULL, error, error_size);
}

cmask_status cmask_read_placed_unchecked(cmask_decoder *decoder, void *out, uint64_t out_size, uint64_t capacity,
                                         uint64_t *offset, cmask_crc_check *check, char *error, size_t error_size) {
    if (check != NULL) *check = (cmask_crc_check){0, 0, 0};
    if (check == NULL || decoder == NULL || offset == NULL)
        return cmask_read_placed(decoder, out, out_size, capacity, offset, error, error_size);
    decoder->defer_crc = 1;
    decoder->crc_check = *check;
    cmask_status status = cmask_read_placed(decoder, out, out_size, capacity, offset, error, error_size);
    decoder->defer_crc = 0;
    if (status == CMASK_OK) *check = decoder->crc_check;
    return status;
}

cmask_status cmask_read_placed(cmask_decoder *decoder, void *out, uint64_t out_size, uint64_t capacity,
                               uint64_t *offset, char *error, size_t error_size) {
    cmask_message message = {error, error_size, 0};
    if (offset != NULL) *offset = 0;
    if (error != NULL && error_size > 0) error[0] = '\0';
    if (decoder == NULL || out == NULL || out_size != decoder->info.data_bytes || capacity < out_size ||
        decoder->consumed) {
        cmask_set_error(&message, "cmask_read: NULL handle, wrong buffer size or second read");
        return CMASK_ERR_USAGE;
    }
    decoder->consumed = 1;
    cmask_status status = decoder->format == CMASK_FORMAT_PNG    ? cmask_png_read(decoder, out, &message)
                          : decoder->format == CMASK_FORMAT_TIFF ? cmask_tiff_read(decoder, out, &message)
                                                                 : cmask_nifti_read(decoder, out, capacity, offset, &message);
    end_call(decoder);
    return status;
}

void cmask_set_png_decoder(cmask_decoder *decoder, cmask_png_decoder choice) {
    if (decoder != NULL) decoder->png_decoder = choice;
}

bool cmask_png_fast_path_used(const cmask_decoder *decoder) { return decoder != NULL && decoder->png_fast_used; }

void cmask_set_tiff_decoder(cmask_decoder *decoder, cmask_tiff_decoder choice) {
    if (decoder != NULL) decoder->tiff_decoder = choice;
}

bool cmask_tiff_fast_path_used(const cmask_decoder *decoder) { return decoder != NULL && decoder->tiff_fast_used; }

void cmask_close(cmask_decoder *decoder) {
    if (decoder == NULL) return;
    cmask_png_close(decoder);
    cmask_tiff_close(decoder);
    cmask_nifti_close(decoder);
    free(decoder->source.window);
    free(decoder);
}
