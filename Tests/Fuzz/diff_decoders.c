/*
 * `make diff-decoders`: a fast path against its reference library — PNG against libpng (`-f png`,
 * the default) or TIFF against libtiff (`-f tiff`) — on generated variants (cmask_png_variant or
 * cmask_tiff_variant, seeds 0..COUNT-1) and on every file named on the command line.
 *
 *     diff_decoders [-f png|tiff] [-n COUNT] [-o FOLDER] [-w FOLDER] [FILE...]
 *
 * Prints every difference and two tallies (generated, named): files, decoded by the fast path,
 * decoded by the reference library after a fallback, refused by both. With -o, each differing
 * variant is written to FOLDER; with -w, every generated variant (seeds for the fuzzer: `make
 * fuzz-png-diff` reads out/diff/seeds when it exists). Named TIFF files that do not start with a
 * TIFF header get a little-endian one, as the fuzzer feeds them. Exit status 0 when the decoders
 * agree on everything, 1 otherwise, 2 for a usage error.
 */
#include "CMaskTestCodecs.h"
#include "decoder_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    unsigned long files, fast, fallback, refused, differ;
} tally;

static const decoder_diff_format *format = &decoder_diff_png;

static void check(const uint8_t *bytes, size_t size, const char *name, tally *t, const char *keep) {
    char why[600] = "";
    int fast = 0;
    int differs = decoder_diff(format, bytes, size, 1u << 26, &fast, why, sizeof why);
    t->files++;
    if (differs) {
        t->differ++;
        printf("DIFFERENT %s: %s\n", name, why);
        if (keep != NULL) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s%s", keep, name, format->extension);
            FILE *out = fopen(path, "wb");
            if (out != NULL) {
                fwrite(bytes, 1, size, out);
                fclose(out);
            }
        }
        return;
    }
    decoder_diff_side side;
    decoder_diff_decode(format, bytes, size, 1u << 26, 0, &side);
    free(side.samples);
    if (fast)
        t->fast++;
    else if (side.read_status == CMASK_OK)
        t->fallback++;
    else
        t->refused++;
}

/** A named TIFF input without a TIFF header gets a little-endian one, as the fuzzer gives it. */
static uint8_t *with_tiff_header(uint8_t *bytes, size_t *size) {
    static const uint8_t header[4] = {'I', 'I', 42, 0};
    size_t n = *size;
    int tiff = n >= 4 && ((bytes[0] == 'I' && bytes[1] == 'I' && bytes[2] == 42 && bytes[3] == 0) ||
                          (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && bytes[3] == 42));
    if (tiff) return bytes;
    uint8_t *prefixed = malloc(n + 4);
    if (prefixed != NULL) {
        memcpy(prefixed, header, 4);
        memcpy(prefixed + 4, bytes, n);
        *size = n + 4;
    }
    free(bytes);
    return prefixed;
}

int main(int argc, char **argv) {
    unsigned long count = 10000;
    const char *keep = NULL, *seeds = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc) return 2;
        if (strcmp(argv[i], "-n") == 0)
            count = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-o") == 0)
            keep = argv[i + 1];
        else if (strcmp(argv[i], "-w") == 0)
            seeds = argv[i + 1];
        else if (strcmp(argv[i], "-f") == 0 && strcmp(argv[i + 1], "png") == 0)
            format = &decoder_diff_png;
        else if (strcmp(argv[i], "-f") == 0 && strcmp(argv[i + 1], "tiff") == 0)
            format = &decoder_diff_tiff;
        else {
            fprintf(stderr, "usage: diff_decoders [-f png|tiff] [-n COUNT] [-o FOLDER] [-w FOLDER] [FILE...]\n");
            return 2;
        }
    }
    tally generated = {0}, named = {0};
    for (unsigned long seed = 0; seed < count; seed++) {
        size_t size = 0;
        uint8_t *bytes = format == &decoder_diff_tiff ? cmask_tiff_variant(seed, &size) : cmask_png_variant(seed, &size);
        if (bytes == NULL) return 2;
        char name[32];
        snprintf(name, sizeof name, "variant-%lu", seed);
        check(bytes, size, name, &generated, keep);
        if (seeds != NULL) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s%s", seeds, name, format->extension);
            FILE *out = fopen(path, "wb");
            if (out != NULL) {
                fwrite(bytes, 1, size, out);
                fclose(out);
            }
        }
        free(bytes);
    }
    for (; i < argc; i++) {
        struct stat status;
        if (stat(argv[i], &status) != 0 || !S_ISREG(status.st_mode)) continue;
        FILE *in = fopen(argv[i], "rb");
        if (in == NULL) continue;
        fseek(in, 0, SEEK_END);
        long size = ftell(in);
        fseek(in, 0, SEEK_SET);
        uint8_t *bytes = malloc(size > 0 ? (size_t)size : 1);
        size_t got = bytes != NULL ? fread(bytes, 1, (size_t)(size > 0 ? size : 0), in) : 0;
        fclose(in);
        if (bytes != NULL && format == &decoder_diff_tiff) bytes = with_tiff_header(bytes, &got);
        if (bytes != NULL) check(bytes, got, argv[i], &named, NULL);
        free(bytes);
    }
    printf("generated: %lu files, %lu through the fast path, %lu through %s after a fallback, %lu refused by both, "
           "%lu different\n",
           generated.files, generated.fast, generated.fallback, format->reference, generated.refused, generated.differ);
    printf("named:     %lu files, %lu through the fast path, %lu through %s after a fallback, %lu refused by both, "
           "%lu different\n",
           named.files, named.fast, named.fallback, format->reference, named.refused, named.differ);
    return generated.differ + named.differ == 0 ? 0 : 1;
}
