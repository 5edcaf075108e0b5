/*
 * Decodes one file held in memory through both decoders the shim has for its format (the fast
 * path and the reference library: libpng for PNG, libtiff for TIFF) and compares what they give:
 * the status, the message, the header facts and every sample. Shared by the libFuzzer harness
 * (decode_fuzz.c, FUZZ_PNG_DIFF and FUZZ_TIFF_DIFF) and `make diff-decoders` (diff_decoders.c).
 */
#ifndef DECODER_DIFF_H
#define DECODER_DIFF_H

#include "CMaskCodecs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** A format with two decoders: how to choose each, and whether the fast path took a file. */
typedef struct {
    const char *name;      /* "png" */
    const char *reference; /* "libpng" */
    const char *extension; /* ".png" */
    void (*choose)(cmask_decoder *decoder, int fast);
    int (*fast_used)(const cmask_decoder *decoder);
} decoder_diff_format;

static void decoder_diff_choose_png(cmask_decoder *d, int fast) {
    cmask_set_png_decoder(d, fast ? CMASK_PNG_DECODER_FAST : CMASK_PNG_DECODER_LIBPNG);
}
static int decoder_diff_png_used(const cmask_decoder *d) { return cmask_png_fast_path_used(d); }
static void decoder_diff_choose_tiff(cmask_decoder *d, int fast) {
    cmask_set_tiff_decoder(d, fast ? CMASK_TIFF_DECODER_FAST : CMASK_TIFF_DECODER_LIBTIFF);
}
static int decoder_diff_tiff_used(const cmask_decoder *d) { return cmask_tiff_fast_path_used(d); }

static const decoder_diff_format decoder_diff_png = {"png", "libpng", ".png", decoder_diff_choose_png,
                                                     decoder_diff_png_used};
static const decoder_diff_format decoder_diff_tiff = {"tiff", "libtiff", ".tif", decoder_diff_choose_tiff,
                                                      decoder_diff_tiff_used};

typedef struct {
    cmask_status open_status;
    cmask_status read_status;
    char message[256];
    cmask_info info;
    uint8_t *samples;
    int fast;
} decoder_diff_side;

/** Decodes `bytes` with the fast path (`fast` 1) or the reference library (0) into `side`. */
static void decoder_diff_decode(const decoder_diff_format *format, const uint8_t *bytes, size_t size,
                                uint64_t max_samples, int fast, decoder_diff_side *side) {
    memset(side, 0, sizeof *side);
    cmask_decoder *decoder = NULL;
    side->open_status = cmask_open(bytes, size, max_samples, &decoder, &side->info, side->message, sizeof side->message);
    side->read_status = side->open_status;
    if (side->open_status == CMASK_OK) {
        format->choose(decoder, fast);
        side->samples = malloc(side->info.data_bytes ? (size_t)side->info.data_bytes : 1);
        if (side->samples == NULL) {
            side->read_status = CMASK_ERR_NOMEM;
        } else {
            /* Not zeroed: a sample either decoder leaves unwritten shows up as a difference (and to MSan). */
            memset(side->samples, fast ? 0xa5 : 0x5a, (size_t)side->info.data_bytes);
            side->read_status = cmask_read(decoder, side->samples, side->info.data_bytes, side->message,
                                           sizeof side->message);
            side->fast = format->fast_used(decoder);
        }
    }
    cmask_close(decoder);
}

/**
 * 0 when both decoders agree; else 1 with what differs in `why`. `*fast` is 1 when the fast
 * path decoded the file (every page of it).
 */
static int decoder_diff(const decoder_diff_format *format, const uint8_t *bytes, size_t size, uint64_t max_samples,
                        int *fast, char *why, size_t why_size) {
    decoder_diff_side a, b;
    decoder_diff_decode(format, bytes, size, max_samples, 1, &a);
    decoder_diff_decode(format, bytes, size, max_samples, 0, &b);
    const char *ref = format->reference;
    int differs = 0;
    if (a.open_status != b.open_status || a.read_status != b.read_status) {
        snprintf(why, why_size, "status fast %d/%d \"%s\", %s %d/%d \"%s\"", a.open_status, a.read_status, a.message,
                 ref, b.open_status, b.read_status, b.message);
        differs = 1;
    } else if (strcmp(a.message, b.message) != 0) {
        snprintf(why, why_size, "message fast \"%s\", %s \"%s\"", a.message, ref, b.message);
        differs = 1;
    } else if (a.open_status == CMASK_OK && memcmp(&a.info, &b.info, sizeof a.info) != 0) {
        snprintf(why, why_size, "header facts differ");
        differs = 1;
    } else if (a.read_status == CMASK_OK && memcmp(a.samples, b.samples, (size_t)a.info.data_bytes) != 0) {
        size_t i = 0;
        while (a.samples[i] == b.samples[i]) i++;
        snprintf(why, why_size, "samples differ at byte %zu of %llu (fast %u, %s %u)", i,
                 (unsigned long long)a.info.data_bytes, a.samples[i], ref, b.samples[i]);
        differs = 1;
    }
    if (fast != NULL) *fast = a.fast;
    free(a.samples);
    free(b.samples);
    return differs;
}

#endif
