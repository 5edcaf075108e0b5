/*
 * Generated PNG variants for the differential tests of the two PNG decoders (fast path and
 * libpng): every colour type and bit depth, odd widths, 1-pixel images, every filter type, zlib
 * levels, strategies and window sizes, split and empty IDAT chunks, ancillary chunks before and
 * after the image data, and broken files (bad CRCs, truncation at chunk boundaries and inside
 * chunks, bad filter bytes, broken or overlong streams, missing IEND, junk after IEND, critical
 * chunks after IDAT, palette indices beyond PLTE). Deterministic: the same seed, the same bytes.
 */
#include "CMaskTestCodecs.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "variant_rng.h"

typedef struct {
    char type[4];
    uint8_t *data;
    uint32_t length;
    int bad_crc;
} chunk;

typedef struct {
    chunk items[64];
    int count;
} chunk_list;

static int add(chunk_list *list, const char *type, const void *data, uint32_t length) {
    if (list->count == 64) return -1;
    chunk *c = &list->items[list->count];
    memcpy(c->type, type, 4);
    c->data = malloc(length ? length : 1);
    if (c->data == NULL) return -1;
    if (length) memcpy(c->data, data, length);
    c->length = length;
    c->bad_crc = 0;
    list->count++;
    return 0;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint8_t paeth(int a, int b, int c) {
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return (uint8_t)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/** Filters one packed row with `type` (0–4) given the row above (zeros for the first). */
static void filter_row(uint8_t *dst, const uint8_t *raw, const uint8_t *prior, size_t n, size_t bpp, int type) {
    for (size_t i = 0; i < n; i++) {
        int a = i >= bpp ? raw[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
        int pred = type == 1 ? a : type == 2 ? b : type == 3 ? (a + b) / 2 : type == 4 ? paeth(a, b, c) : 0;
        dst[i] = (uint8_t)(raw[i] - pred);
    }
}

uint8_t *cmask_png_variant(uint64_t seed, size_t *size) {
    rng r = {seed * 0x2545F4914F6CDD1Dull + 99};
    static const struct {
        int color, depth;
    } kinds[] = {{0, 8}, {0, 8},  {0, 8}, {0, 16}, {3, 8}, {3, 8},  {0, 1}, {0, 2},  {0, 4}, {3, 1},
                 {3, 2}, {3, 4},  {2, 8}, {4, 8},  {6, 8}, {2, 16}, {4, 16}, {6, 16}, {0, 8}, {3, 8}};
    const int kind = (int)below(&r, sizeof kinds / sizeof kinds[0]);
    const int color = kinds[kind].color, depth = kinds[kind].depth;
    const int channels = color == 2 ? 3 : color == 4 ? 2 : color == 6 ? 4 : 1;
    const int interlace = below(&r, 20) == 0;
    uint32_t width, height;
    switch (below(&r, 10)) {
    case 0: width = height = 1; break;
    case 1: width = 1 + below(&r, 3), height = 1 + below(&r, 300); break;
    case 2: width = 150 + below(&r, 300), height = 60 + below(&r, 120); break; /* beyond a 32 KB window */
    default: width = 1 + below(&r, 67), height = 1 + below(&r, 33); break;
    }
    const uint32_t max_value = depth == 16 ? 65535u : (1u << depth) - 1;
    uint32_t palette_size = color == 3 ? 1 + below(&r, max_value + 1) : 0;
    const int overflow = color == 3 && palette_size <= max_value && below(&r, 8) == 0;

    /* Samples: runs of labels, as masks have. */
    const size_t samples_count = (size_t)width * height * channels;
    uint16_t *samples = malloc(samples_count * sizeof *samples);
    if (samples == NULL) return NULL;
    const uint32_t labels = color == 3 ? palette_size : 1 + below(&r, max_value < 9 ? max_value + 1 : 9);
    uint16_t value = 0;
    /* Runs of about 2, 6 or 60 samples: long ones leave uniform stretches in the row above. */
    static const uint32_t run_lengths[3] = {2, 6, 60};
    const uint32_t run = run_lengths[below(&r, 3)];
    for (size_t i = 0; i < samples_count; i++) {
        if (below(&r, run) == 0) {
            value = (uint16_t)below(&r, labels);
            if (color != 3 && below(&r, 4) == 0) value = (uint16_t)below(&r, max_value + 1);
        }
        samples[i] = value;
    }
    if (overflow) samples[below(&r, (uint32_t)samples_count)] = (uint16_t)(palette_size + below(&r, max_value + 1 - palette_size));

    /* Packed, filtered rows (Adam7: the passes one after another, each filtered on its own). */
    const size_t bits = (size_t)channels * depth, bpp = bits < 8 ? 1 : bits / 8;
    const size_t max_row = ((size_t)width * bits + 7) / 8;
    uint8_t *raw = calloc(2 * max_row + 2, 1), *prior = NULL;
    uint8_t *filtered = malloc(((size_t)max_row + 1) * height * (interlace ? 7 : 1) + 64);
    if (raw == NULL || filtered == NULL) {
        free(samples), free(raw), free(filtered);
        return NULL;
    }
    prior = raw + max_row + 1;
    size_t filtered_size = 0;
    const int filter_mode = (int)below(&r, 7); /* 0–4 one type, 5 random per row, 6 random with one bad */
    static const int starts[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                     {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
    const int passes = interlace ? 7 : 1;
    for (int pass = 0; pass < passes; pass++) {
        uint32_t x0 = interlace ? (uint32_t)starts[pass][0] : 0, y0 = interlace ? (uint32_t)starts[pass][1] : 0;
        uint32_t dx = interlace ? (uint32_t)starts[pass][2] : 1, dy = interlace ? (uint32_t)starts[pass][3] : 1;
        if (x0 >= width || y0 >= height) continue;
        uint32_t pass_width = (width - x0 + dx - 1) / dx;
        size_t row_bytes = ((size_t)pass_width * bits + 7) / 8;
        memset(prior, 0, max_row);
        for (uint32_t y = y0; y < height; y += dy) {
            memset(raw, 0, max_row);
            for (uint32_t k = 0; k < pass_width; k++) {
                for (int c = 0; c < channels; c++) {
                    uint32_t v = samples[((size_t)y * width + x0 + (size_t)k * dx) * channels + c];
                    size_t index = (size_t)k * channels + c;
                    if (depth == 16) {
                        raw[2 * index] = (uint8_t)(v >> 8);
                        raw[2 * index + 1] = (uint8_t)v;
                    } else if (depth == 8) {
                        raw[index] = (uint8_t)v;
                    } else {
                        size_t bit = index * depth;
                        raw[bit / 8] |= (uint8_t)(v << (8 - depth - bit % 8));
                    }
                }
            }
            int type = filter_mode < 5 ? filter_mode : (int)below(&r, 5);
            filtered[filtered_size] = (uint8_t)type;
            if (filter_mode == 6 && below(&r, height) == 0) filtered[filtered_size] = (uint8_t)(5 + below(&r, 251));
            filter_row(filtered + filtered_size + 1, raw, prior, row_bytes, bpp, type);
            filtered_size += row_bytes + 1;
            memcpy(prior, raw, row_bytes);
        }
    }
    free(raw);
    free(samples);

    /* The zlib stream: any level, strategy and window size. */
    static const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
    z_stream z;
    memset(&z, 0, sizeof z);
    int window = below(&r, 3) == 0 ? 9 + (int)below(&r, 7) : 15;
    if (deflateInit2(&z, (int)below(&r, 10), Z_DEFLATED, window, 8, strategies[below(&r, 5)]) != Z_OK) {
        free(filtered);
        return NULL;
    }
    uLong bound = deflateBound(&z, (uLong)filtered_size) + 64;
    uint8_t *stream = malloc(bound);
    if (stream == NULL) {
        deflateEnd(&z);
        free(filtered);
        return NULL;
    }
    z.next_in = filtered;
    z.avail_in = (uInt)filtered_size;
    z.next_out = stream;
    z.avail_out = (uInt)bound;
    deflate(&z, Z_FINISH);
    size_t stream_size = z.total_out;
    deflateEnd(&z);
    free(filtered);
    switch (below(&r, 24)) {
    case 0: stream_size -= 4; break;                                  /* no Adler-32 */
    case 1: stream[stream_size - 1 - below(&r, 4)] ^= 0x10; break;    /* bad Adler-32 */
    case 2: stream[stream_size++] = 0, stream[stream_size++] = 7; break; /* data after the stream */
    case 3: stream[2 + below(&r, (uint32_t)stream_size - 2)] ^= (uint8_t)(1u << below(&r, 8)); break;
    case 4: stream_size = 2 + below(&r, (uint32_t)stream_size - 2); break; /* cut short */
    default: break;
    }

    chunk_list list = {.count = 0};
    uint8_t ihdr[13];
    put32(ihdr, width);
    put32(ihdr + 4, height);
    ihdr[8] = (uint8_t)depth, ihdr[9] = (uint8_t)color, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = (uint8_t)interlace;
    add(&list, "IHDR", ihdr, 13);
    if (below(&r, 3) == 0) add(&list, "tEXt", "Comment\0before", 14);
    if (below(&r, 4) == 0) add(&list, "prVt", "private", 7);
    if (below(&r, 5) == 0) {
        uint8_t gama[4];
        put32(gama, 45455);
        add(&list, "gAMA", gama, 4);
    }
    if (color == 3) {
        uint8_t plte[768];
        for (uint32_t i = 0; i < 3 * palette_size; i++) plte[i] = (uint8_t)next(&r);
        add(&list, "PLTE", plte, 3 * palette_size);
        if (below(&r, 4) == 0) add(&list, "tRNS", plte, palette_size < 4 ? palette_size : 4);
    }
    /* The stream in 1–6 IDAT chunks, some possibly empty. */
    int pieces = 1 + (int)below(&r, 6);
    size_t done = 0;
    for (int i = 0; i < pieces; i++) {
        size_t left = stream_size - done;
        size_t take = i == pieces - 1 ? left : below(&r, (uint32_t)left + 1);
        add(&list, "IDAT", stream + done, (uint32_t)take);
        done += take;
    }
    free(stream);
    int last_idat = list.count - 1;
    if (below(&r, 3) == 0) add(&list, "tEXt", "Comment\0after", 13);
    if (below(&r, 4) == 0) {
        uint8_t time[7] = {0x07, 0xEA, 12, 1, 17, 30, 0};
        add(&list, "tIME", time, 7);
    }
    if (below(&r, 4) == 0) add(&list, "ruSt", "", 0);
    if (below(&r, 40) == 0) add(&list, "IDAT", "", 0);
    int iend_length = below(&r, 60) == 0 ? 1 : 0;
    add(&list, "IEND", "x", (uint32_t)iend_length);

    /* Broken files. */
    int cut_boundary = -1, cut_inside = -1, drop_iend = 0, junk = 0;
    switch (below(&r, 40)) {
    case 0: case 1: case 2: list.items[below(&r, (uint32_t)list.count)].bad_crc = 1; break;
    case 3: case 4: list.items[last_idat - (int)below(&r, (uint32_t)pieces)].bad_crc = 1; break;
    case 5: case 6: case 7: cut_boundary = 1 + (int)below(&r, (uint32_t)list.count); break;
    case 8: case 9: cut_inside = (int)below(&r, (uint32_t)list.count); break;
    case 10: drop_iend = 1; break;
    case 11: case 12: junk = 1 + (int)below(&r, 40); break;
    case 13: {
        chunk moved = list.items[list.count - 1]; /* a critical chunk before IEND */
        list.count--;
        add(&list, "CRIt", "c", 1);
        list.items[list.count++] = moved;
        break;
    }
    case 14:
        if (color == 3) {
            chunk moved = list.items[list.count - 1];
            list.count--;
            add(&list, "PLTE", "\1\2\3", 3);
            list.items[list.count++] = moved;
        }
        break;
    case 15: {
        chunk moved = list.items[list.count - 1];
        list.count--;
        add(&list, "tEXt", "late", 4);
        add(&list, "IDAT", "\0", below(&r, 2));
        list.items[list.count++] = moved;
        break;
    }
    case 16: {
        chunk moved = list.items[list.count - 1];
        list.count--;
        add(&list, "ab1d", "", 0); /* not a chunk name */
        list.items[list.count++] = moved;
        break;
    }
    default: break;
    }

    size_t total = 8 + (size_t)junk;
    for (int i = 0; i < list.count; i++) total += 12 + (size_t)list.items[i].length;
    uint8_t *file = malloc(total);
    if (file == NULL) {
        for (int i = 0; i < list.count; i++) free(list.items[i].data);
        return NULL;
    }
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(file, signature, 8);
    size_t at = 8;
    for (int i = 0; i < list.count; i++) {
        chunk *c = &list.items[i];
        if (i == cut_boundary) break;
        if (drop_iend && memcmp(c->type, "IEND", 4) == 0) break;
        put32(file + at, c->length);
        memcpy(file + at + 4, c->type, 4);
        memcpy(file + at + 8, c->data, c->length);
        uLong crc = crc32(crc32(0, (const Bytef *)c->type, 4), c->data, c->length);
        put32(file + at + 8 + c->length, (uint32_t)crc ^ (c->bad_crc ? 0x00400000u : 0));
        if (i == cut_inside) {
            at += below(&r, 12 + c->length);
            break;
        }
        at += 12 + (size_t)c->length;
    }
    for (int i = 0; i < junk && at < total; i++) file[at++] = (uint8_t)next(&r);
    for (int i = 0; i < list.count; i++) free(list.items[i].data);
    *size = at;
    return file;
}
