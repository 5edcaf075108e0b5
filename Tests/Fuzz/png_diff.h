/*
 * Decodes one PNG held in memory through both PNG decoders of the shim (the fast path and
 * libpng) and compares what they give: the status, the message, the header facts and every
 * sample. Shared by the libFuzzer harness (decode_fuzz.c, FUZZ_PNG_DIFF) and `make
 * diff-decoders` (diff_decoders.c).
 */
#ifndef PNG_DIFF_H
#define PNG_DIFF_H

#include "CMaskCodecs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    cmask_status open_status;
    cmask_status read_status;
    char message[256];
    cmask_info info;
    uint8_t *samples;
    int fast;
} png_diff_side;

static void png_diff_decode(const uint8_t *bytes, size_t size, uint64_t max_samples, cmask_png_decoder choice,
                            png_diff_side *side) {
    memset(side, 0, sizeof *side);
    cmask_decoder *decoder = NULL;
    side->open_status = cmask_open(bytes, size, max_samples, &decoder, &side->info, side->message, sizeof side->message);
    side->read_status = side->open_status;
    if (side->open_status == CMASK_OK) {
        cmask_set_png_decoder(decoder, choice);
        side->samples = malloc(side->info.data_bytes ? (size_t)side->info.data_bytes : 1);
        if (side->samples == NULL) {
            side->read_status = CMASK_ERR_NOMEM;
        } else {
            side->read_status = cmask_read(decoder, side->samples, side->info.data_bytes, side->message,
                                           sizeof side->message);
            side->fast = cmask_png_fast_path_used(decoder);
        }
    }
    cmask_close(decoder);
}

/**
 * 0 when both decoders agree; else 1 with what differs in `why`. `*fast` is 1 when the fast
 * path decoded the file.
 */
static int png_diff(const uint8_t *bytes, size_t size, uint64_t max_samples, int *fast, char *why, size_t why_size) {
    png_diff_side a, b;
    png_diff_decode(bytes, size, max_samples, CMASK_PNG_DECODER_FAST, &a);
    png_diff_decode(bytes, size, max_samples, CMASK_PNG_DECODER_LIBPNG, &b);
    int differs = 0;
    if (a.open_status != b.open_status || a.read_status != b.read_status) {
        snprintf(why, why_size, "status fast %d/%d \"%s\", libpng %d/%d \"%s\"", a.open_status, a.read_status, a.message,
                 b.open_status, b.read_status, b.message);
        differs = 1;
    } else if (strcmp(a.message, b.message) != 0) {
        snprintf(why, why_size, "message fast \"%s\", libpng \"%s\"", a.message, b.message);
        differs = 1;
    } else if (a.open_status == CMASK_OK && memcmp(&a.info, &b.info, sizeof a.info) != 0) {
        snprintf(why, why_size, "header facts differ");
        differs = 1;
    } else if (a.read_status == CMASK_OK && memcmp(a.samples, b.samples, (size_t)a.info.data_bytes) != 0) {
        size_t i = 0;
        while (a.samples[i] == b.samples[i]) i++;
        snprintf(why, why_size, "samples differ at byte %zu of %llu (fast %u, libpng %u)", i,
                 (unsigned long long)a.info.data_bytes, a.samples[i], b.samples[i]);
        differs = 1;
    }
    if (fast != NULL) *fast = a.fast;
    free(a.samples);
    free(b.samples);
    return differs;
}

#endif
