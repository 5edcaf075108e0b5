/*
 * libFuzzer harness for the C shim: cmask_open then cmask_read on arbitrary bytes, as segscore
 * does for every file. Built twice by `make fuzz`: with -DFUZZ_PNG every input is given a PNG
 * signature, with -DFUZZ_TIFF a little-endian TIFF header, with -DFUZZ_NIFTI a NIfTI-1 sizeof_hdr
 * (348, little-endian) unless the input is gzip (a .nii.gz), so the fuzzer's work reaches libpng,
 * libtiff or the NIfTI reader instead of the signature check. Any crash, leak, undefined behaviour or hang is a bug.
 * With -DFUZZ_PNG_DIFF (as FUZZ_PNG) every input is decoded through both PNG decoders, the fast
 * path and libpng, and any difference in status, message, header facts or samples traps.
 * With -DFUZZ_TIFF_DIFF (as FUZZ_TIFF; big-endian inputs are kept as they are) the same with
 * the two TIFF decoders, the fast path and libtiff.
 * With -DFUZZ_NIFTI every input is read three ways, into a buffer of exactly the samples, into one
 * with the decoder's room (a .nii.gz inflated in place) and into one with room through
 * cmask_read_placed (the samples left after the header): any difference traps; and the reader's
 * own gzip member read (cmask_crc32 for the CRC) must take exactly the files libdeflate's
 * libdeflate_gzip_decompress_ex takes whole. A fourth read, cmask_read_placed_unchecked, leaves
 * the CRC to the harness, which checks it with cmask_crc32 and, for 8-bit samples, with
 * cmask_crc32_count_pair against the samples turned by one place (whose counts must be a plain
 * loop's): a file whose check passes must
 * read as the exact read does, and a file whose check fails must be one the exact read refuses.
 */
#include "CMaskCodecs.h"
#if defined(FUZZ_PNG_DIFF)
#include "decoder_diff.h"
#define FUZZ_PNG
#define DIFF_FORMAT decoder_diff_png
#endif
#if defined(FUZZ_TIFF_DIFF)
#include "decoder_diff.h"
#define FUZZ_TIFF
#define DIFF_FORMAT decoder_diff_tiff
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(FUZZ_PNG)
static const uint8_t prefix[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
#elif defined(FUZZ_TIFF)
static const uint8_t prefix[4] = {'I', 'I', 42, 0};
#elif defined(FUZZ_NIFTI)
static const uint8_t prefix[4] = {0x5c, 0x01, 0, 0};
#else
#error "define FUZZ_PNG, FUZZ_TIFF or FUZZ_NIFTI"
#endif

#if defined(FUZZ_NIFTI)
#include <libdeflate.h>
#include <stdio.h>

/**
 * cmask_crc32_count_pair over the samples (`count` of them after `offset` header bytes whose CRC is
 * `crc` in all) as the truth, and the same samples turned by one place (sample i + 1 at i) after the
 * same header as the prediction: the CRCs must be `crc` and cmask_crc32's of the turned bytes, and
 * the cells and each side's counts a plain loop's. Traps on any difference.
 */
static void nifti_check_counts(const uint8_t *buffer, uint64_t offset, uint64_t count, uint32_t crc) {
    static uint32_t cells[65536], plain[65536];
    static ptrdiff_t truth[256], prediction[256];
    uint8_t *turned = malloc((size_t)(offset + count));
    if (turned == NULL) return;
    memcpy(turned, buffer, (size_t)offset);
    for (uint64_t i = 0; i < count; i++) turned[offset + i] = buffer[offset + (i + 1) % count];
    memset(cells, 0, sizeof cells);
    memset(truth, 0, sizeof truth);
    memset(prediction, 0, sizeof prediction);
    uint32_t header = cmask_crc32(0, buffer, (size_t)offset);
    uint32_t crcs[2] = {header, header};
    if (cmask_crc32_count_pair(buffer + offset, turned + offset, count, crcs, cells, truth, prediction)) {
        if (crcs[0] != crc || crcs[1] != cmask_crc32(0, turned, (size_t)(offset + count))) __builtin_trap();
        uint64_t truth_plain[256] = {0}, prediction_plain[256] = {0};
        for (uint64_t i = 0; i < count; i++) {
            unsigned t = buffer[offset + i], q = turned[offset + i];
            plain[t << 8 | q]++;
            truth_plain[t]++;
            prediction_plain[q]++;
        }
        uint64_t total = 0;
        for (unsigned v = 0; v < 65536; v++) total += cells[v];
        if (total != count) __builtin_trap();
        for (uint64_t i = 0; i < count; i++) {
            unsigned cell = (unsigned)buffer[offset + i] << 8 | turned[offset + i];
            if (plain[cell] != 0 && plain[cell] != cells[cell]) __builtin_trap();
        }
        for (uint64_t i = 0; i < count; i++) plain[(unsigned)buffer[offset + i] << 8 | turned[offset + i]] = 0;
        for (unsigned v = 0; v < 256; v++)
            if ((uint64_t)truth[v] != truth_plain[v] || (uint64_t)prediction[v] != prediction_plain[v]) __builtin_trap();
    }
    free(turned);
}

/**
 * One read: the status, the message and the samples (caller frees; they start at `*at`). `room`:
 * 0 an exact buffer, 1 read_room_bytes through cmask_read_into, 2 the same through cmask_read_placed,
 * 3 through cmask_read_placed_unchecked with the CRC checked here.
 */
static cmask_status nifti_read(const uint8_t *bytes, size_t length, int room, char *error, size_t error_size,
                               uint8_t **samples, uint64_t *size, uint64_t *at) {
    cmask_info info;
    cmask_decoder *decoder = NULL;
    *samples = NULL;
    *size = 0;
    *at = 0;
    cmask_status status = cmask_open(bytes, length, 1u << 24, &decoder, &info, error, error_size);
    if (status == CMASK_OK) {
        uint64_t capacity = room && info.read_room_bytes > info.data_bytes ? info.read_room_bytes : info.data_bytes;
        *samples = malloc((size_t)capacity + 1);
        if (*samples == NULL) {
            cmask_close(decoder);
            return CMASK_ERR_NOMEM;
        }
        memset(*samples, room ? 0xA5 : 0x5A, (size_t)capacity + 1);
        if (room == 3) {
            uint64_t offset = 1;
            cmask_crc_check check = {7, 7, 7};
            status = cmask_read_placed_unchecked(decoder, *samples, info.data_bytes, capacity, &offset, &check, error,
                                                 error_size);
            if (status != CMASK_OK && (offset != 0 || check.pending != 0)) __builtin_trap();
            if (status == CMASK_OK && check.pending != 0) {
                if (check.length != offset + info.data_bytes || check.length > capacity) __builtin_trap();
                uint32_t crc = cmask_crc32(0, *samples, (size_t)check.length);
                if (info.sample == CMASK_SAMPLE_U8) nifti_check_counts(*samples, offset, info.data_bytes, crc);
                if (crc != check.expected) status = CMASK_ERR_CORRUPT; /* the caller's refusal */
            }
            *at = offset;
        } else if (room == 2) {
            uint64_t offset = 1;
            status = cmask_read_placed(decoder, *samples, info.data_bytes, capacity, &offset, error, error_size);
            /* The samples lie inside the buffer, aligned for their type; 0 on failure. */
            uint64_t item = info.sample == CMASK_SAMPLE_U8 ? 1 : info.sample == CMASK_SAMPLE_U16 ? 2 : 4;
            if (offset > capacity - info.data_bytes || offset % item != 0 || (status != CMASK_OK && offset != 0)) {
                fprintf(stderr, "nifti_diff: placed offset %llu, capacity %llu, data %llu\n", (unsigned long long)offset,
                        (unsigned long long)capacity, (unsigned long long)info.data_bytes);
                __builtin_trap();
            }
            *at = offset;
            /* The reader's own gzip member read takes exactly the files libdeflate's gzip call takes
             * whole (one member, exactly the contents, good CRC and ISIZE): those leave the samples
             * at vox_offset. */
            if (info.gzip && info.read_room_bytes > 0 && info.vox_offset % item == 0) {
                uint8_t *whole = malloc((size_t)info.read_room_bytes);
                struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
                size_t used = 0, made = 0;
                int taken = whole != NULL && d != NULL &&
                            libdeflate_gzip_decompress_ex(d, bytes, length, whole, (size_t)info.read_room_bytes, &used,
                                                          &made) == LIBDEFLATE_SUCCESS &&
                            used == length && made == info.read_room_bytes;
                libdeflate_free_decompressor(d);
                free(whole);
                if (whole != NULL && d != NULL && taken != (offset == info.vox_offset && offset != 0)) {
                    fprintf(stderr, "nifti_diff: libdeflate %s the member, the reader %s\n", taken ? "took" : "refused",
                            offset != 0 ? "took it" : "did not");
                    __builtin_trap();
                }
            }
        } else {
            status = cmask_read_into(decoder, *samples, info.data_bytes, capacity, error, error_size);
        }
        *size = info.data_bytes;
    }
    cmask_close(decoder);
    return status;
}

/** Reads the file into an exact buffer and the two ways with the decoder's room: any difference traps. */
static void nifti_both_ways(const uint8_t *bytes, size_t length) {
    char exact_error[256];
    uint8_t *exact = NULL;
    uint64_t exact_size = 0, exact_at = 0;
    cmask_status a = nifti_read(bytes, length, 0, exact_error, sizeof exact_error, &exact, &exact_size, &exact_at);
    for (int way = 1; way <= 3; way++) {
        char room_error[256];
        uint8_t *room = NULL;
        uint64_t room_size = 0, room_at = 0;
        cmask_status b = nifti_read(bytes, length, way, room_error, sizeof room_error, &room, &room_size, &room_at);
        /* A CRC the harness refused (way 3) has no message: the exact read must refuse the file. */
        int refused_here = way == 3 && b == CMASK_ERR_CORRUPT && room_error[0] == '\0';
        int same = refused_here ? a != CMASK_OK
                                : a == b && strcmp(exact_error, room_error) == 0 && exact_size == room_size &&
                                      (a != CMASK_OK || memcmp(exact, room + room_at, (size_t)exact_size) == 0);
        if (!same) {
            fprintf(stderr, "nifti_diff: way %d, status %d/%d, messages \"%s\" / \"%s\"\n", way, (int)a, (int)b,
                    exact_error, room_error);
            __builtin_trap();
        }
        free(room);
    }
    free(exact);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *bytes = malloc(size + sizeof prefix);
    if (bytes == NULL) return 0;
    size_t length = size;
    int as_is = size >= sizeof prefix && memcmp(data, prefix, sizeof prefix) == 0;
#if defined(FUZZ_NIFTI)
    /* A gzip file (and a NIfTI-2 or big-endian header) is kept as it is. */
    if (size >= 4 && ((data[0] == 0x1f && data[1] == 0x8b) || data[0] == 0x1c || data[3] == 0x5c || data[3] == 0x1c))
        as_is = 1;
#endif
#if defined(FUZZ_TIFF_DIFF)
    if (size >= 4 && data[0] == 'M' && data[1] == 'M' && data[2] == 0 && data[3] == 42) as_is = 1;
#endif
    if (as_is) {
        memcpy(bytes, data, size);
    } else {
        memcpy(bytes, prefix, sizeof prefix);
        memcpy(bytes + sizeof prefix, data, size);
        length = size + sizeof prefix;
    }
#if defined(DIFF_FORMAT)
    char why[600];
    if (decoder_diff(&DIFF_FORMAT, bytes, length, 1u << 24, NULL, why, sizeof why) != 0) {
        fprintf(stderr, "%s_diff: %s\n", DIFF_FORMAT.name, why);
        __builtin_trap();
    }
    free(bytes);
    return 0;
#endif
#if defined(FUZZ_NIFTI)
    nifti_both_ways(bytes, length);
    free(bytes);
    return 0;
#endif
    char error[256];
    cmask_info info;
    cmask_decoder *decoder = NULL;
    /* A 16-million-sample limit keeps every accepted image small enough to decode quickly. */
    if (cmask_open(bytes, length, 1u << 24, &decoder, &info, error, sizeof error) == CMASK_OK) {
        void *pixels = malloc((size_t)info.data_bytes);
        if (pixels != NULL) {
            (void)cmask_read(decoder, pixels, info.data_bytes, error, sizeof error);
            free(pixels);
        }
    }
    cmask_close(decoder);
    free(bytes);
    return 0;
}
