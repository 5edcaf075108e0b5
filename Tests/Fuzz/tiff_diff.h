/*
 * Decodes one TIFF held in memory through both TIFF decoders of the shim (the fast path and
 * libtiff) and compares what they give: the status, the message, the header facts and every
 * sample. Shared by the libFuzzer harness (decode_fuzz.c, FUZZ_TIFF_DIFF) and `make
 * diff-decoders` (diff_tiff_decoders.c).
 */
#ifndef TIFF_DIFF_H
#define TIFF_DIFF_H

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
} tiff_diff_side;

static void tiff_diff_decode(const uint8_t *bytes, size_t size, uint64_t max_samples, cmask_tiff_decoder choice,
                             tiff_diff_side *side) {
    memset(side, 0, sizeof *side);
    cmask_decoder *decoder = NULL;
    side->open_status = cmask_open(bytes, size, max_samples, &decoder, &side->info, side->message, sizeof side->message);
    side->read_status = side->open_status;
    if (side->open_status == CMASK_OK) {
        cmask_set_tiff_decoder(decoder, choice);
        side->samples = malloc(side->info.data_bytes ? (size_t)side->info.data_bytes : 1);
        if (side->samples == NULL) {
            side->read_status = CMASK_ERR_NOMEM;
        } else {
            /* Not zeroed: a sample either decoder leaves unwritten shows up as a difference (and to MSan). */
            memset(side->samples, choice == CMASK_TIFF_DECODER_FAST ? 0xa5 : 0x5a, (size_t)side->info.data_bytes);
            side->read_status = cmask_read(decoder, side->samples, side->info.data_bytes, side->message,
                                           sizeof side->message);
            side->fast = cmask_tiff_fast_path_used(decoder);
        }
    }
    cmask_close(decoder);
}

/**
 * 0 when both decoders agree; else 1 with what differs in `why`. `*fast` is 1 when the fast
 * path decoded every page of the file.
 */
static int tiff_diff(const uint8_t *bytes, size_t size, uint64_t max_samples, int *fast, char *why, size_t why_size) {
    tiff_diff_side a, b;
    tiff_diff_decode(bytes, size, max_samples, CMASK_TIFF_DECODER_FAST, &a);
    tiff_diff_decode(bytes, size, max_samples, CMASK_TIFF_DECODER_LIBTIFF, &b);
    int differs = 0;
    if (a.open_status != b.open_status || a.read_status != b.read_status) {
        snprintf(why, why_size, "status fast %d/%d \"%s\", libtiff %d/%d \"%s\"", a.open_status, a.read_status,
                 a.message, b.open_status, b.read_status, b.message);
        differs = 1;
    } else if (strcmp(a.message, b.message) != 0) {
        snprintf(why, why_size, "message fast \"%s\", libtiff \"%s\"", a.message, b.message);
        differs = 1;
    } else if (a.open_status == CMASK_OK && memcmp(&a.info, &b.info, sizeof a.info) != 0) {
        snprintf(why, why_size, "header facts differ");
        differs = 1;
    } else if (a.read_status == CMASK_OK && memcmp(a.samples, b.samples, (size_t)a.info.data_bytes) != 0) {
        size_t i = 0;
        while (a.samples[i] == b.samples[i]) i++;
        snprintf(why, why_size, "samples differ at byte %zu of %llu (fast %u, libtiff %u)", i,
                 (unsigned long long)a.info.data_bytes, a.samples[i], b.samples[i]);
        differs = 1;
    }
    if (fast != NULL) *fast = a.fast;
    free(a.samples);
    free(b.samples);
    return differs;
}

#endif
