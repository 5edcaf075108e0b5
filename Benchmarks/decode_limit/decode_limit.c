/*
 * decode_limit — the C baseline of `segscore-bench`: how fast can plain libpng and libtiff turn
 * every mask of some folders into samples? Nothing else happens: no pairing, no counting, no
 * report. `segscore-bench --c-baseline` runs it on its generated dataset and compares segscore's
 * decode-only loop (a) and its whole `evaluate` (b) with this time (c).
 *
 *     decode_limit [-t THREADS] FOLDER...
 *
 * Lists the regular files of each FOLDER (not recursively; hidden files skipped), then, with the
 * clock running, decodes them on THREADS threads (default: the online cores) that take files from
 * one shared cursor. Each file is read into memory and decoded into a buffer of stored sample
 * values the thread reuses, as segscore's decoders do: PNG (any bit depth, colour type, Adam7;
 * sub-byte samples unpacked, palettes not expanded, 16-bit in host order) and TIFF (strips or
 * tiles, every page, whatever codec libtiff has; samples of under 8 bits stay packed, as the
 * file stores them). Prints one line on standard output:
 *
 *     time_s=0.812345 files=4000 bytes=123456789 samples=1048576000 checksum=…
 *
 * time_s (first, read by segscore-bench) covers the reading and decoding only, not the listing.
 * The checksum adds, per file, its sample count and two of its samples (the middle and the last):
 * enough that the compiler keeps the work, and that reruns on the same files agree.
 *
 * Exit status: 0 when every file decoded; 1 when some did not (each named on standard error with
 * the reason); 2 for a usage error or a folder that cannot be listed.
 *
 * Needs libpng and libtiff only (the libraries segscore links): see `make bench`.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <png.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------- */
/* A growable byte buffer, one of each kind per thread, reused from file to file. */

typedef struct {
    unsigned char *bytes;
    size_t capacity;
} buffer;

static int buffer_reserve(buffer *b, size_t size) {
    if (size <= b->capacity) return 0;
    size_t capacity = b->capacity ? b->capacity : 1 << 16;
    while (capacity < size) {
        if (capacity > SIZE_MAX / 2) return -1;
        capacity *= 2;
    }
    unsigned char *bytes = realloc(b->bytes, capacity);
    if (bytes == NULL) return -1;
    b->bytes = bytes;
    b->capacity = capacity;
    return 0;
}

/* What a thread decoded: the samples, and the checksum described at the top. */
typedef struct {
    uint64_t samples;
    uint64_t checksum;
} decoded;

/* Adds to `result` the sample count and the middle and last samples of `data`. */
static void summarise(const unsigned char *data, uint64_t samples, unsigned sample_bytes, decoded *result) {
    uint64_t sum = samples;
    if (samples > 0) {
        uint64_t picks[2] = {samples / 2, samples - 1};
        for (int i = 0; i < 2; i++) {
            uint64_t value = 0;
            memcpy(&value, data + picks[i] * sample_bytes, sample_bytes); /* little-endian hosts */
            sum += value;
        }
    }
    result->samples += samples;
    result->checksum += sum;
}

/* ---------------------------------------------------------------------------------------------- */
/* PNG, from memory. */

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t position;
    char *message; /* 256 bytes */
} png_source;

static void png_from_memory(png_structp png, png_bytep out, size_t count) {
    png_source *source = png_get_io_ptr(png);
    if (count > source->size - source->position) png_error(png, "file ends early");
    memcpy(out, source->data + source->position, count);
    source->position += count;
}

static void png_failed(png_structp png, png_const_charp text) {
    png_source *source = png_get_error_ptr(png);
    snprintf(source->message, 256, "%s", text);
    png_longjmp(png, 1);
}

static void png_warned(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static int decode_png(const unsigned char *data, size_t size, buffer *out, decoded *result, char *message) {
    png_source source = {data, size, 0, message};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, png_failed, png_warned);
    if (png == NULL) {
        snprintf(message, 256, "libpng: cannot create a read structure");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        snprintf(message, 256, "libpng: cannot create an info structure");
        png_destroy_read_struct(&png, NULL, NULL);
        return -1;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_set_read_fn(png, &source, png_from_memory);
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    png_read_info(png, info);
    uint32_t height = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info);
    if (depth < 8) png_set_packing(png);
    if (depth == 16) png_set_swap(png); /* PNG is big-endian; host order on little-endian hosts */
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (height > 0 && row_bytes > SIZE_MAX / height) png_error(png, "image too large");
    if (buffer_reserve(out, row_bytes * height) != 0) png_error(png, "out of memory for the samples");
    rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (rows == NULL) png_error(png, "out of memory for the row pointers");
    for (uint32_t y = 0; y < height; y++) rows[y] = out->bytes + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    rows = NULL;
    unsigned sample_bytes = depth == 16 ? 2 : 1;
    summarise(out->bytes, (uint64_t)row_bytes * height / sample_bytes, sample_bytes, result);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* TIFF, from memory through libtiff's client procedures. */

typedef struct {
    const unsigned char *data;
    toff_t size;
    toff_t position;
} tiff_source;

static tmsize_t tiff_read(thandle_t handle, void *out, tmsize_t count) {
    tiff_source *source = (tiff_source *)handle;
    if (count < 0) return -1;
    toff_t left = source->position < source->size ? source->size - source->position : 0;
    toff_t n = (toff_t)count < left ? (toff_t)count : left;
    memcpy(out, source->data + source->position, (size_t)n);
    source->position += n;
    return (tmsize_t)n;
}

static tmsize_t tiff_write(thandle_t handle, void *data, tmsize_t count) {
    (void)handle;
    (void)data;
    (void)count;
    return -1;
}

static toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
    tiff_source *source = (tiff_source *)handle;
    toff_t base = whence == SEEK_CUR ? source->position : whence == SEEK_END ? source->size : 0;
    source->position = base + offset;
    return source->position;
}

static int tiff_close(thandle_t handle) {
    (void)handle;
    return 0;
}

static toff_t tiff_size(thandle_t handle) { return ((tiff_source *)handle)->size; }

/* Hands libtiff the whole file as its "memory map": strips are then decoded in place. */
static int tiff_map(thandle_t handle, void **base, toff_t *size) {
    tiff_source *source = (tiff_source *)handle;
    *base = (void *)source->data;
    *size = source->size;
    return 1;
}

static void tiff_unmap(thandle_t handle, void *base, toff_t size) {
    (void)handle;
    (void)base;
    (void)size;
}

/* One page: every strip or tile decoded into `out` (tiles one after another, not re-tiled: the
 * floor is the decoding, not the layout). Returns the sample count, or -1. */
static int64_t decode_tiff_page(TIFF *tif, buffer *out, unsigned *sample_bytes, char *message) {
    uint16_t bits = 8;
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    *sample_bytes = bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
    int tiled = TIFFIsTiled(tif);
    uint32_t blocks = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    tmsize_t block_size = tiled ? TIFFTileSize(tif) : TIFFStripSize(tif);
    if (blocks == 0 || block_size <= 0) {
        snprintf(message, 256, "libtiff: no strips or tiles");
        return -1;
    }
    if ((uint64_t)block_size > SIZE_MAX / blocks || buffer_reserve(out, (size_t)block_size * blocks) != 0) {
        snprintf(message, 256, "out of memory for the samples");
        return -1;
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < blocks; i++) {
        unsigned char *target = out->bytes + total;
        tmsize_t got = tiled ? TIFFReadEncodedTile(tif, i, target, block_size)
                             : TIFFReadEncodedStrip(tif, i, target, block_size);
        if (got < 0) {
            snprintf(message, 256, "libtiff: cannot decode %s %u", tiled ? "tile" : "strip", i);
            return -1;
        }
        total += (uint64_t)got;
    }
    return (int64_t)(total / *sample_bytes);
}

static int decode_tiff(const unsigned char *data, size_t size, buffer *out, decoded *result, char *message) {
    tiff_source source = {data, size, 0};
    TIFF *tif = TIFFClientOpen("mask", "r", (thandle_t)&source, tiff_read, tiff_write, tiff_seek, tiff_close,
                               tiff_size, tiff_map, tiff_unmap);
    if (tif == NULL) {
        snprintf(message, 256, "libtiff: not a readable TIFF");
        return -1;
    }
    do {
        unsigned sample_bytes = 1;
        int64_t samples = decode_tiff_page(tif, out, &sample_bytes, message);
        if (samples < 0) {
            TIFFClose(tif);
            return -1;
        }
        summarise(out->bytes, (uint64_t)samples, sample_bytes, result);
    } while (TIFFReadDirectory(tif));
    TIFFClose(tif);
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Files, threads, timing. */

typedef struct {
    char **paths;
    size_t count;
    atomic_size_t next;
    atomic_size_t failures;
    atomic_uint_fast64_t bytes;
    atomic_uint_fast64_t samples;
    atomic_uint_fast64_t checksum;
} job;

/* Reads `path` whole into `into`; returns its size, or -1 with errno set. */
static int64_t read_file(const char *path, buffer *into) {
    errno = 0;
    FILE *file = fopen(path, "rb");
    if (file == NULL) return -1;
    struct stat status;
    if (fstat(fileno(file), &status) != 0 || buffer_reserve(into, (size_t)status.st_size + 1) != 0) {
        int saved = errno ? errno : ENOMEM;
        fclose(file);
        errno = saved;
        return -1;
    }
    size_t got = fread(into->bytes, 1, (size_t)status.st_size, file);
    int failed = ferror(file);
    fclose(file);
    if (failed) {
        errno = EIO;
        return -1;
    }
    return (int64_t)got;
}

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static void *work(void *argument) {
    job *shared = argument;
    buffer file = {NULL, 0};
    buffer samples = {NULL, 0};
    uint64_t bytes = 0;
    decoded result = {0, 0};
    for (;;) {
        size_t index = atomic_fetch_add(&shared->next, 1);
        if (index >= shared->count) break;
        const char *path = shared->paths[index];
        char message[256] = "";
        int64_t size = read_file(path, &file);
        int status;
        if (size < 0) {
            snprintf(message, sizeof message, "cannot read: %s", strerror(errno));
            status = -1;
        } else if (size >= 8 && memcmp(file.bytes, png_signature, 8) == 0) {
            status = decode_png(file.bytes, (size_t)size, &samples, &result, message);
        } else if (size >= 4 && (memcmp(file.bytes, "II*\0", 4) == 0 || memcmp(file.bytes, "MM\0*", 4) == 0 ||
                                 memcmp(file.bytes, "II+\0", 4) == 0 || memcmp(file.bytes, "MM\0+", 4) == 0)) {
            status = decode_tiff(file.bytes, (size_t)size, &samples, &result, message);
        } else {
            snprintf(message, sizeof message, "not a PNG or TIFF file");
            status = -1;
        }
        if (status != 0) {
            fprintf(stderr, "decode_limit: %s: %s\n", path, message);
            atomic_fetch_add(&shared->failures, 1);
        } else {
            bytes += (uint64_t)size;
        }
    }
    atomic_fetch_add(&shared->bytes, bytes);
    atomic_fetch_add(&shared->samples, result.samples);
    atomic_fetch_add(&shared->checksum, result.checksum);
    free(file.bytes);
    free(samples.bytes);
    return NULL;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Appends the regular files of `folder` to `list`; returns -1 (with a message) if it cannot. */
static int list_folder(const char *folder, char ***list, size_t *count, size_t *capacity) {
    DIR *directory = opendir(folder);
    if (directory == NULL) {
        fprintf(stderr, "decode_limit: %s: cannot list: %s\n", folder, strerror(errno));
        return -1;
    }
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        size_t length = strlen(folder) + 1 + strlen(entry->d_name) + 1;
        char *path = malloc(length);
        if (path == NULL) break;
        snprintf(path, length, "%s/%s", folder, entry->d_name);
        struct stat status;
        if (stat(path, &status) != 0 || !S_ISREG(status.st_mode)) {
            free(path);
            continue;
        }
        if (*count == *capacity) {
            size_t grown = *capacity ? *capacity * 2 : 1024;
            char **paths = realloc(*list, grown * sizeof *paths);
            if (paths == NULL) {
                free(path);
                break;
            }
            *list = paths;
            *capacity = grown;
        }
        (*list)[(*count)++] = path;
    }
    closedir(directory);
    return 0;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int usage(void) {
    fprintf(stderr, "usage: decode_limit [-t THREADS] FOLDER...\n");
    return 2;
}

int main(int argc, char **argv) {
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        if (strcmp(argv[first], "-t") == 0 && first + 1 < argc) {
            char *end = NULL;
            threads = strtol(argv[first + 1], &end, 10);
            if (end == argv[first + 1] || *end != '\0' || threads < 1 || threads > 1024) return usage();
            first += 2;
        } else {
            return usage();
        }
    }
    if (first >= argc) return usage();
    if (threads < 1) threads = 1;

    char **paths = NULL;
    size_t count = 0, capacity = 0;
    for (int i = first; i < argc; i++) {
        if (list_folder(argv[i], &paths, &count, &capacity) != 0) return 2;
    }
    if (count > 1) qsort(paths, count, sizeof *paths, by_name);
    /* libtiff's messages go to standard error by default; failures are reported by us, once. */
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);

    job shared = {.paths = paths, .count = count};
    atomic_init(&shared.next, 0);
    atomic_init(&shared.failures, 0);
    atomic_init(&shared.bytes, 0);
    atomic_init(&shared.samples, 0);
    atomic_init(&shared.checksum, 0);
    pthread_t *workers = calloc((size_t)threads, sizeof *workers);
    if (workers == NULL) return 2;

    double start = now();
    long started = 0;
    for (; started < threads; started++) {
        if (pthread_create(&workers[started], NULL, work, &shared) != 0) break;
    }
    if (started == 0) work(&shared);
    for (long i = 0; i < started; i++) pthread_join(workers[i], NULL);
    double seconds = now() - start;

    printf("time_s=%.6f files=%zu bytes=%llu samples=%llu checksum=%llu\n", seconds, count,
           (unsigned long long)atomic_load(&shared.bytes), (unsigned long long)atomic_load(&shared.samples),
           (unsigned long long)atomic_load(&shared.checksum));
    for (size_t i = 0; i < count; i++) free(paths[i]);
    free(paths);
    free(workers);
    return atomic_load(&shared.failures) == 0 ? 0 : 1;
}
