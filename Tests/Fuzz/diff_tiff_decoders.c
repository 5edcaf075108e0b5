/*
 * `make diff-decoders` (its TIFF half): the TIFF fast path against libtiff on generated variants
 * (cmask_tiff_variant, seeds 0..COUNT-1) and on every file named on the command line.
 *
 *     diff_tiff_decoders [-n COUNT] [-o FOLDER] [-w FOLDER] [FILE...]
 *
 * Prints one line per difference (the seed or the file, and what differs) and a summary: files,
 * decoded by the fast path, decoded by libtiff after a fallback, refused by both. With -o, each
 * differing variant is written to FOLDER; with -w, every variant (seeds for `make
 * fuzz-tiff-diff`). Exit status 0 when the decoders agree on everything, 1 otherwise, 2 for a
 * usage error.
 */
#include "CMaskTestCodecs.h"
#include "tiff_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    unsigned long files, fast, fallback, refused, differ;
} tally;

static void check(const uint8_t *bytes, size_t size, const char *name, tally *t, const char *keep) {
    char why[600] = "";
    int fast = 0;
    int differs = tiff_diff(bytes, size, 1u << 26, &fast, why, sizeof why);
    t->files++;
    if (differs) {
        t->differ++;
        printf("DIFFERENT %s: %s\n", name, why);
        if (keep != NULL) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.tif", keep, name);
            FILE *out = fopen(path, "wb");
            if (out != NULL) {
                fwrite(bytes, 1, size, out);
                fclose(out);
            }
        }
        return;
    }
    tiff_diff_side side;
    tiff_diff_decode(bytes, size, 1u << 26, CMASK_TIFF_DECODER_LIBTIFF, &side);
    free(side.samples);
    if (fast)
        t->fast++;
    else if (side.read_status == CMASK_OK)
        t->fallback++;
    else
        t->refused++;
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
        else {
            fprintf(stderr, "usage: diff_tiff_decoders [-n COUNT] [-o FOLDER] [-w FOLDER] [FILE...]\n");
            return 2;
        }
    }
    tally generated = {0}, named = {0};
    for (unsigned long seed = 0; seed < count; seed++) {
        size_t size = 0;
        uint8_t *bytes = cmask_tiff_variant(seed, &size);
        if (bytes == NULL) return 2;
        char name[32];
        snprintf(name, sizeof name, "variant-%lu", seed);
        check(bytes, size, name, &generated, keep);
        if (seeds != NULL) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.tif", seeds, name);
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
        /* As the fuzzer feeds them: a little-endian TIFF header unless the input starts with one. */
        static const uint8_t header[4] = {'I', 'I', 42, 0};
        int tiff = got >= 4 && ((bytes[0] == 'I' && bytes[1] == 'I' && bytes[2] == 42 && bytes[3] == 0) ||
                                (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && bytes[3] == 42));
        if (bytes != NULL && !tiff) {
            uint8_t *prefixed = malloc(got + 4);
            if (prefixed != NULL) {
                memcpy(prefixed, header, 4);
                memcpy(prefixed + 4, bytes, got);
                got += 4;
            }
            free(bytes);
            bytes = prefixed;
        }
        if (bytes != NULL) check(bytes, got, argv[i], &named, NULL);
        free(bytes);
    }
    printf("generated: %lu files, %lu through the fast path, %lu through libtiff after a fallback, %lu refused by both, "
           "%lu different\n",
           generated.files, generated.fast, generated.fallback, generated.refused, generated.differ);
    printf("named:     %lu files, %lu through the fast path, %lu through libtiff after a fallback, %lu refused by both, "
           "%lu different\n",
           named.files, named.fast, named.fallback, named.refused, named.differ);
    return generated.differ + named.differ == 0 ? 0 : 1;
}
