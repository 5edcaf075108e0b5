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
 */
#include "CMaskCodecs.h"
#if defined(FUZZ_PNG_DIFF)
#include "png_diff.h"
#define FUZZ_PNG
#endif
#if defined(FUZZ_TIFF_DIFF)
#include "tiff_diff.h"
#define FUZZ_TIFF
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
#if defined(FUZZ_TIFF_DIFF)
    char why[600];
    if (tiff_diff(bytes, length, 1u << 24, NULL, why, sizeof why) != 0) {
        fprintf(stderr, "tiff_diff: %s\n", why);
        __builtin_trap();
    }
    free(bytes);
    return 0;
#endif
#if defined(FUZZ_PNG_DIFF)
    char why[600];
    if (png_diff(bytes, length, 1u << 24, NULL, why, sizeof why) != 0) {
        fprintf(stderr, "png_diff: %s\n", why);
        __builtin_trap();
    }
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
