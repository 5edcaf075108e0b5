/*
 * gunzip_limit: the floor of evaluating .nii.gz volumes. Inflates every .gz file of some folders
 * on a number of threads, and prints the time it took. Nothing is parsed or counted: a NIfTI
 * evaluation cannot be faster than this.
 *
 *     gunzip_limit [-z | -f] [-t THREADS] FOLDER...
 *     gunzip_limit -p [-t THREADS] TRUTH_FOLDER PREDICTION_FOLDER
 *     time_s=1.234567 files=400 bytes=... inflated=... checksum=...
 *
 * By default each file is inflated in one call by libdeflate (libdeflate_gzip_decompress, which
 * checks the CRC with libdeflate_crc32); -f inflates it as segscore's NIfTI reader inflates a
 * .nii.gz of at most 256 MiB: the gzip header read as libdeflate reads it, the deflate data by
 * libdeflate_deflate_decompress, the CRC by segscore's cmask_crc32 (AVX-512 folding where the CPU
 * has it; Sources/CMaskCodecs/crc32_fold.c, linked in); -z inflates with zlib's streaming inflate
 * (segscore's path for larger files, multi-member files and errors, and what most readers use).
 *
 * -p is not a gunzip-only loop but the floor of counting pairs: the files of the two folders are
 * paired by position (the same names, sorted), and each thread takes a pair, inflates both as -f
 * does but leaves the CRCs unchecked, then checks both CRCs and counts the joint histogram of
 * the uint8 samples after vox_offset in one pass (cmask_crc32_count_pair, crc32_count.c, as
 * segscore's NIfTI pair path does). No parsing beyond vox_offset, no classes, no report: what
 * segscore costs beyond this is its own overhead; what this costs beyond -f is the counting.
 *
 * Fair to segscore: the file list is made before the clock starts; each thread takes files from a
 * shared cursor, reads the whole file into a buffer it reuses, and inflates it into an output
 * buffer it reuses, sized from the gzip trailer's ISIZE (CRC checked either way). Exit status 0
 * when every file inflated, 1 when one did not (named on stderr), 2 for a usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

uint32_t cmask_crc32(uint32_t crc, const void *bytes, size_t count);
bool cmask_crc32_count_pair(const uint8_t *truth, const uint8_t *prediction, uint64_t count, uint32_t crcs[2],
                            uint32_t *cells, ptrdiff_t *truth_counts, ptrdiff_t *prediction_counts);

static char **files;
static size_t file_count, file_capacity;
static size_t next_file;
static pthread_mutex_t cursor = PTHREAD_MUTEX_INITIALIZER;
static int failed;
static int use_zlib;
static int use_fold;
static int use_pairs;

/* libdeflate_gzip_decompress with cmask_crc32 for the CRC: one member, nothing after it. */
static int gunzip_fold(struct libdeflate_decompressor *d, const uint8_t *in, size_t size, uint8_t *out,
                       size_t capacity, size_t *made, uint32_t *deferred_crc) {
    if (size < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8 || (in[3] & 0xe0)) return 0;
    const uint8_t *next = in + 10, *end = in + size;
    if (in[3] & 0x04) {
        size_t extra = (size_t)next[0] | (size_t)next[1] << 8;
        next += 2;
        if ((size_t)(end - next) < extra + 8) return 0;
        next += extra;
    }
    for (int field = 0; field < 2; field++) {
        if (!(in[3] & (field == 0 ? 0x08 : 0x10))) continue;
        while (*next++ != 0 && next != end) {
        }
        if (end - next < 8) return 0;
    }
    if (in[3] & 0x02) {
        next += 2;
        if (end - next < 8) return 0;
    }
    size_t used = 0;
    if (libdeflate_deflate_decompress_ex(d, next, (size_t)(end - 8 - next), out, capacity, &used, made) !=
        LIBDEFLATE_SUCCESS)
        return 0;
    next += used;
    uint32_t crc = (uint32_t)next[0] | (uint32_t)next[1] << 8 | (uint32_t)next[2] << 16 | (uint32_t)next[3] << 24;
    uint32_t isize = (uint32_t)next[4] | (uint32_t)next[5] << 8 | (uint32_t)next[6] << 16 | (uint32_t)next[7] << 24;
    if (next + 8 != end || isize != (uint32_t)*made) return 0;
    if (deferred_crc != NULL) {
        *deferred_crc = crc;
        return 1;
    }
    return cmask_crc32(0, out, *made) == crc;
}

typedef struct {
    uint64_t bytes, inflated, checksum;
} totals;

static void add_file(const char *path) {
    if (file_count == file_capacity) {
        file_capacity = file_capacity ? 2 * file_capacity : 1024;
        files = realloc(files, file_capacity * sizeof *files);
        if (files == NULL) exit(2);
    }
    files[file_count++] = strdup(path);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *folder) {
    DIR *dir = opendir(folder);
    if (dir == NULL) {
        fprintf(stderr, "gunzip_limit: %s: %s\n", folder, strerror(errno));
        exit(2);
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (n < 3 || strcmp(entry->d_name + n - 3, ".gz") != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        add_file(path);
    }
    closedir(dir);
}

/* Inflates `in` (a gzip file, members one after another) into `*out`; returns the bytes out or -1. */
static long long gunzip(const uint8_t *in, size_t size, uint8_t **out, size_t *capacity,
                        struct libdeflate_decompressor *d) {
    size_t want = size >= 4 ? (size_t)in[size - 4] | (size_t)in[size - 3] << 8 | (size_t)in[size - 2] << 16 |
                                  (size_t)in[size - 1] << 24
                            : 0;
    if (want + 1 > *capacity) {
        *capacity = want + 1;
        free(*out);
        *out = malloc(*capacity);
        if (*out == NULL) return -1;
    }
    if (use_fold) {
        size_t made = 0;
        return gunzip_fold(d, in, size, *out, *capacity, &made, NULL) ? (long long)made : -1;
    }
    if (!use_zlib) {
        size_t made = 0;
        if (libdeflate_gzip_decompress(d, in, size, *out, *capacity, &made) == LIBDEFLATE_SUCCESS) return (long long)made;
        return -1;
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return -1;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)size;
    size_t done = 0;
    for (;;) {
        if (done == *capacity) {
            size_t bigger = *capacity * 2;
            uint8_t *grown = realloc(*out, bigger);
            if (grown == NULL) break;
            *out = grown;
            *capacity = bigger;
        }
        zs.next_out = *out + done;
        zs.avail_out = (uInt)(*capacity - done);
        int z = inflate(&zs, Z_NO_FLUSH);
        done = *capacity - zs.avail_out;
        if (z == Z_STREAM_END) {
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            inflateEnd(&zs);
            return (long long)done;
        }
        if (z != Z_OK && !(z == Z_BUF_ERROR && zs.avail_out == 0)) break;
    }
    inflateEnd(&zs);
    return -1;
}

/* Reads a whole file into `*buffer` (grown as needed); its size, or -1. */
static long long read_whole(const char *path, uint8_t **buffer, size_t *capacity) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    if (size > *capacity) {
        free(*buffer);
        *capacity = size;
        *buffer = malloc(size);
        if (*buffer == NULL) exit(2);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, *buffer + got, size - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    return got == size ? (long long)size : -1;
}

static void *worker(void *arg) {
    totals *t = arg;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (d == NULL) exit(2);
    uint8_t *in = NULL, *out = NULL;
    size_t in_capacity = 0, out_capacity = 0;
    for (;;) {
        pthread_mutex_lock(&cursor);
        size_t index = next_file++;
        pthread_mutex_unlock(&cursor);
        if (index >= file_count) break;
        long long size = read_whole(files[index], &in, &in_capacity);
        if (size < 0) {
            fprintf(stderr, "gunzip_limit: %s: cannot read\n", files[index]);
            failed = 1;
            continue;
        }
        long long n = gunzip(in, (size_t)size, &out, &out_capacity, d);
        if (n < 0) {
            fprintf(stderr, "gunzip_limit: %s: not a whole gzip file\n", files[index]);
            failed = 1;
            continue;
        }
        t->bytes += (uint64_t)size;
        t->inflated += (uint64_t)n;
        if (n > 0) t->checksum += out[n / 2] + out[n - 1];
    }
    free(in);
    free(out);
    libdeflate_free_decompressor(d);
    return NULL;
}

/* One side of a pair inflated with its CRC left unchecked: the bytes, the trailer's CRC, vox_offset. */
typedef struct {
    uint8_t *in, *out;
    size_t in_capacity, out_capacity, size, made, vox_offset;
    uint32_t crc;
} side;

static int inflate_side(const char *path, side *s, struct libdeflate_decompressor *d) {
    long long size = read_whole(path, &s->in, &s->in_capacity);
    if (size < 18) return 0;
    s->size = (size_t)size;
    size_t want = (size_t)s->in[size - 4] | (size_t)s->in[size - 3] << 8 | (size_t)s->in[size - 2] << 16 |
                  (size_t)s->in[size - 1] << 24;
    if (want + 1 > s->out_capacity) {
        free(s->out);
        s->out_capacity = want + 1;
        s->out = malloc(s->out_capacity);
        if (s->out == NULL) exit(2);
    }
    if (!gunzip_fold(d, s->in, (size_t)size, s->out, s->out_capacity, &s->made, &s->crc) || s->made < 352) return 0;
    float offset;
    memcpy(&offset, s->out + 108, sizeof offset);
    s->vox_offset = offset >= 352 && offset < (float)s->made ? (size_t)offset : 352;
    return 1;
}

static size_t pair_count;

static void *pair_worker(void *arg) {
    totals *t = arg;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    uint32_t *cells = calloc(65536, sizeof *cells);
    ptrdiff_t *truth_counts = calloc(256, sizeof *truth_counts), *prediction_counts = calloc(256, sizeof *prediction_counts);
    side a = {0}, b = {0};
    if (d == NULL || cells == NULL || truth_counts == NULL || prediction_counts == NULL) exit(2);
    for (;;) {
        pthread_mutex_lock(&cursor);
        size_t index = next_file++;
        pthread_mutex_unlock(&cursor);
        if (index >= pair_count) break;
        const char *truth = files[index], *prediction = files[pair_count + index];
        if (!inflate_side(truth, &a, d) || !inflate_side(prediction, &b, d) ||
            a.made - a.vox_offset != b.made - b.vox_offset) {
            fprintf(stderr, "gunzip_limit: %s, %s: not a pair of whole gzip files of equal size\n", truth, prediction);
            failed = 1;
            continue;
        }
        size_t count = a.made - a.vox_offset;
        memset(cells, 0, 65536 * sizeof *cells);
        memset(truth_counts, 0, 256 * sizeof *truth_counts);
        memset(prediction_counts, 0, 256 * sizeof *prediction_counts);
        uint32_t crcs[2] = {cmask_crc32(0, a.out, a.vox_offset), cmask_crc32(0, b.out, b.vox_offset)};
        if (!cmask_crc32_count_pair(a.out + a.vox_offset, b.out + b.vox_offset, count, crcs, cells, truth_counts,
                                    prediction_counts)) {
            fprintf(stderr, "gunzip_limit: -p needs AVX-512 VPCLMULQDQ and at least 256 voxels\n");
            exit(2);
        }
        if (crcs[0] != a.crc || crcs[1] != b.crc) {
            fprintf(stderr, "gunzip_limit: %s or %s: CRC mismatch\n", truth, prediction);
            failed = 1;
            continue;
        }
        t->bytes += a.size + b.size;
        t->inflated += a.made + b.made;
        for (int v = 0; v < 256; v++) t->checksum += (uint64_t)truth_counts[v] * (uint64_t)(v + 1);
    }
    free(a.in), free(a.out), free(b.in), free(b.out), free(cells), free(truth_counts), free(prediction_counts);
    libdeflate_free_decompressor(d);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = 1;
    int first = 1;
    if (argc > first && strcmp(argv[first], "-z") == 0) {
        use_zlib = 1;
        first++;
    } else if (argc > first && strcmp(argv[first], "-f") == 0) {
        use_fold = 1;
        first++;
    } else if (argc > first && strcmp(argv[first], "-p") == 0) {
        use_pairs = 1;
        first++;
    }
    if (argc > first + 1 && strcmp(argv[first], "-t") == 0) {
        threads = atoi(argv[first + 1]);
        first += 2;
    }
    if (threads < 1 || threads > 256 || first >= argc || (use_pairs && argc - first != 2)) {
        fprintf(stderr, "usage: gunzip_limit [-z | -f] [-t THREADS] FOLDER...\n"
                        "       gunzip_limit -p [-t THREADS] TRUTH_FOLDER PREDICTION_FOLDER\n");
        return 2;
    }
    for (int i = first; i < argc; i++) {
        size_t before = file_count;
        list(argv[i]);
        qsort(files + before, file_count - before, sizeof *files, by_name);
    }
    if (use_pairs) {
        pair_count = file_count / 2;
        size_t truth_files = 0;
        for (size_t i = 0; i < file_count; i++) truth_files += strncmp(files[i], argv[first], strlen(argv[first])) == 0;
        for (size_t i = 0; i < pair_count && truth_files == pair_count && file_count % 2 == 0; i++) {
            const char *x = strrchr(files[i], '/'), *y = strrchr(files[pair_count + i], '/');
            if (strcmp(x, y) != 0) truth_files = 0;
        }
        if (truth_files != pair_count || file_count % 2 != 0) {
            fprintf(stderr, "gunzip_limit: -p: the two folders must hold the same names\n");
            return 2;
        }
    } else {
        qsort(files, file_count, sizeof *files, by_name);
    }
    pthread_t ids[256];
    totals sums[256];
    memset(sums, 0, sizeof sums);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, use_pairs ? pair_worker : worker, &sums[i]);
    totals all = {0, 0, 0};
    for (int i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
        all.bytes += sums[i].bytes;
        all.inflated += sums[i].inflated;
        all.checksum += sums[i].checksum;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("time_s=%.6f files=%zu bytes=%llu inflated=%llu checksum=%llu\n", seconds, file_count,
           (unsigned long long)all.bytes, (unsigned long long)all.inflated, (unsigned long long)all.checksum);
    return failed ? 1 : 0;
}
