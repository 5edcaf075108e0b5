/*
 * make_fixtures.c - writes the synthetic decoder fixtures of Fixtures/png, Fixtures/tiff and
 * Fixtures/bad. Run by `make fixtures`; the product never needs it.
 *
 * Every good fixture holds the same deterministic pattern, so tests can recompute each sample:
 *     base(x, y, page, channel) = 7x + 13y + 31·page + 5·channel
 *     1..8-bit:  base mod 2^bits
 *     16-bit:    (base·257 + 1) mod 65536        (high and low bytes differ: catches byte order)
 *     32-bit:    (base·16777259 + 0x01020304) mod 2^32
 *     float32:   base·0.125 − 1                  (exact in binary)
 *
 * Build: cc -O2 -o make_fixtures make_fixtures.c $(pkg-config --cflags --libs libpng libtiff-4) -lz
 */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <zlib.h>

static const char *root = "Fixtures";

static uint32_t base_value(uint32_t x, uint32_t y, uint32_t page, uint32_t channel) {
    return 7 * x + 13 * y + 31 * page + 5 * channel;
}

static uint32_t pattern(uint32_t bits, uint32_t x, uint32_t y, uint32_t page, uint32_t channel) {
    uint32_t b = base_value(x, y, page, channel);
    if (bits < 16) return b % (1u << bits);
    if (bits == 16) return (b * 257 + 1) % 65536;
    return (uint32_t)((uint64_t)b * 16777259u + 0x01020304u);
}

static float pattern_float(uint32_t x, uint32_t y, uint32_t page, uint32_t channel) {
    return (float)base_value(x, y, page, channel) * 0.125f - 1.0f;
}

static void fail(const char *what) {
    fprintf(stderr, "make_fixtures: %s\n", what);
    exit(1);
}

static char *path_of(const char *folder, const char *name) {
    static char buffer[512];
    snprintf(buffer, sizeof buffer, "%s/%s/%s", root, folder, name);
    return buffer;
}

/* ---- PNG ------------------------------------------------------------------------------------ */

static int png_channels(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
    }
}

/* Writes a w×h PNG holding the pattern; sub-byte depths are packed by libpng (png_set_packing). */
static void write_png(const char *name, uint32_t w, uint32_t h, int bits, int color_type, int interlace) {
    FILE *file = fopen(path_of("png", name), "wb");
    if (!file) fail("cannot create a PNG");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) fail("libpng write error");
    png_init_io(png, file);
    png_set_IHDR(png, info, w, h, bits, color_type, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color palette[256];
        int entries = 1 << bits;
        for (int i = 0; i < entries; i++) {
            palette[i].red = (png_byte)(i * 40 + 4);
            palette[i].green = (png_byte)(255 - i * 30);
            palette[i].blue = (png_byte)(i * 7);
        }
        png_set_PLTE(png, info, palette, entries);
    }
    png_write_info(png, info);
    if (bits < 8) png_set_packing(png);
    if (bits == 16) png_set_swap(png);
    int channels = png_channels(color_type);
    int sample_bytes = bits == 16 ? 2 : 1;
    size_t row_bytes = (size_t)w * channels * sample_bytes;
    png_bytep image = malloc(row_bytes * h);
    png_bytep *rows = malloc(sizeof(png_bytep) * h);
    for (uint32_t y = 0; y < h; y++) {
        rows[y] = image + y * row_bytes;
        for (uint32_t x = 0; x < w; x++) {
            for (int c = 0; c < channels; c++) {
                uint32_t v = pattern((uint32_t)bits, x, y, 0, (uint32_t)c);
                size_t at = ((size_t)x * channels + c) * sample_bytes;
                if (sample_bytes == 2) {
                    uint16_t s = (uint16_t)v;
                    memcpy(rows[y] + at, &s, 2);
                } else {
                    rows[y][at] = (png_byte)v;
                }
            }
        }
    }
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(file);
    free(rows);
    free(image);
}

/* ---- TIFF ----------------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    uint32_t width, height, pages, samples, bits;
    uint16_t format; /* SAMPLEFORMAT_UINT or SAMPLEFORMAT_IEEEFP */
    uint16_t compression, predictor, planar, photometric;
    uint32_t rows_per_strip; /* 0 = tiled */
    uint32_t tile;           /* tile edge when tiled */
} tiff_spec;

/* Packs one row of `count` samples at `bits` bits (MSB first) or copies whole samples. */
static void put_sample(uint8_t *row, uint32_t index, uint32_t bits, uint32_t value, float fvalue, int is_float) {
    if (is_float) {
        memcpy(row + (size_t)index * 4, &fvalue, 4);
    } else if (bits < 8) {
        uint32_t bit = index * bits;
        row[bit >> 3] |= (uint8_t)(value << (8 - bits - (bit & 7)));
    } else if (bits == 8) {
        row[index] = (uint8_t)value;
    } else if (bits == 16) {
        uint16_t s = (uint16_t)value;
        memcpy(row + (size_t)index * 2, &s, 2);
    } else {
        memcpy(row + (size_t)index * 4, &value, 4);
    }
}

/* Fills a block (strip or tile) of `columns`×`rows` pixels starting at (x0, y0). */
static void fill_block(const tiff_spec *s, uint8_t *block, size_t row_bytes, uint32_t x0, uint32_t y0,
                       uint32_t columns, uint32_t rows, uint32_t page, uint32_t plane) {
    int separate = s->planar == PLANARCONFIG_SEPARATE;
    uint32_t per_pixel = separate ? 1 : s->samples;
    memset(block, 0, row_bytes * rows);
    for (uint32_t r = 0; r < rows; r++) {
        for (uint32_t c = 0; c < columns; c++) {
            uint32_t x = x0 + c, y = y0 + r;
            if (x >= s->width || y >= s->height) continue;
            for (uint32_t k = 0; k < per_pixel; k++) {
                uint32_t channel = separate ? plane : k;
                put_sample(block + r * row_bytes, c * per_pixel + k, s->bits, pattern(s->bits, x, y, page, channel),
                           pattern_float(x, y, page, channel), s->format == SAMPLEFORMAT_IEEEFP);
            }
        }
    }
}

static void write_tiff(const tiff_spec *s) {
    if (!TIFFIsCODECConfigured(s->compression)) {
        fprintf(stderr, "make_fixtures: skipping %s: compression %u not built into this libtiff\n", s->name,
                s->compression);
        return;
    }
    TIFF *tif = TIFFOpen(path_of("tiff", s->name), "w");
    if (!tif) fail("cannot create a TIFF");
    int separate = s->planar == PLANARCONFIG_SEPARATE;
    uint32_t per_pixel = separate ? 1 : s->samples;
    uint32_t planes = separate ? s->samples : 1;
    for (uint32_t page = 0; page < s->pages; page++) {
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, s->width);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, s->height);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)s->samples);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)s->bits);
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, s->format);
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG, s->planar);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, s->photometric);
        TIFFSetField(tif, TIFFTAG_COMPRESSION, s->compression);
        if (s->predictor != PREDICTOR_NONE) TIFFSetField(tif, TIFFTAG_PREDICTOR, s->predictor);
        if (s->photometric == PHOTOMETRIC_MINISBLACK && s->samples > 1) {
            uint16_t extra[16];
            for (int i = 0; i < 16; i++) extra[i] = EXTRASAMPLE_UNSPECIFIED;
            TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, (uint16_t)(s->samples - 1), extra);
        }
        if (s->photometric == PHOTOMETRIC_PALETTE) {
            uint32_t entries = 1u << s->bits;
            uint16_t *r = calloc(entries, 2), *g = calloc(entries, 2), *b = calloc(entries, 2);
            for (uint32_t i = 0; i < entries; i++) {
                r[i] = (uint16_t)((i * 40 + 4) % 256 * 257);
                g[i] = (uint16_t)((255 - i * 30 % 256) * 257);
                b[i] = (uint16_t)((i * 7) % 256 * 257);
            }
            TIFFSetField(tif, TIFFTAG_COLORMAP, r, g, b);
            free(r);
            free(g);
            free(b);
        }
        if (s->pages > 1) {
            TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
            TIFFSetField(tif, TIFFTAG_PAGENUMBER, (uint16_t)page, (uint16_t)s->pages);
        }
        uint32_t bits_total = (s->format == SAMPLEFORMAT_IEEEFP) ? 32 : s->bits;
        if (s->rows_per_strip > 0) {
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, s->rows_per_strip);
            size_t row_bytes = ((size_t)s->width * per_pixel * bits_total + 7) / 8;
            uint8_t *block = malloc(row_bytes * s->rows_per_strip);
            uint32_t per_plane = (s->height + s->rows_per_strip - 1) / s->rows_per_strip;
            for (uint32_t plane = 0; plane < planes; plane++) {
                for (uint32_t k = 0; k < per_plane; k++) {
                    uint32_t y0 = k * s->rows_per_strip;
                    uint32_t rows = s->height - y0 < s->rows_per_strip ? s->height - y0 : s->rows_per_strip;
                    fill_block(s, block, row_bytes, 0, y0, s->width, rows, page, plane);
                    if (TIFFWriteEncodedStrip(tif, plane * per_plane + k, block, (tmsize_t)(row_bytes * rows)) < 0)
                        fail("strip write failed");
                }
            }
            free(block);
        } else {
            TIFFSetField(tif, TIFFTAG_TILEWIDTH, s->tile);
            TIFFSetField(tif, TIFFTAG_TILELENGTH, s->tile);
            size_t row_bytes = ((size_t)s->tile * per_pixel * bits_total + 7) / 8;
            uint8_t *block = malloc(row_bytes * s->tile);
            for (uint32_t plane = 0; plane < planes; plane++) {
                for (uint32_t y0 = 0; y0 < s->height; y0 += s->tile) {
                    for (uint32_t x0 = 0; x0 < s->width; x0 += s->tile) {
                        fill_block(s, block, row_bytes, x0, y0, s->tile, s->tile, page, plane);
                        uint32_t tile = TIFFComputeTile(tif, x0, y0, 0, (uint16_t)plane);
                        if (TIFFWriteEncodedTile(tif, tile, block, (tmsize_t)(row_bytes * s->tile)) < 0)
                            fail("tile write failed");
                    }
                }
            }
            free(block);
        }
        if (!TIFFWriteDirectory(tif)) fail("directory write failed");
    }
    TIFFClose(tif);
}

/* ---- bad inputs ----------------------------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (!file) fail("cannot read back a fixture");
    fseek(file, 0, SEEK_END);
    long n = ftell(file);
    fseek(file, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)n);
    if (fread(bytes, 1, (size_t)n, file) != (size_t)n) fail("short read");
    fclose(file);
    *size = (size_t)n;
    return bytes;
}

static void spill(const char *name, const unsigned char *bytes, size_t size) {
    FILE *file = fopen(path_of("bad", name), "wb");
    if (!file) fail("cannot create a bad fixture");
    if (size > 0 && fwrite(bytes, 1, size, file) != size) fail("short write");
    fclose(file);
}

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Writes a 13x11 palette PNG of the pattern at `bits`, then cuts its PLTE to `keep` entries
 * (CRC recomputed) so that pixels use indices beyond the palette. */
static void palette_overflow(const char *name, int bits, int interlace, int keep) {
    size_t size;
    write_png(name, 13, 11, bits, PNG_COLOR_TYPE_PALETTE, interlace);
    unsigned char *good = slurp(path_of("png", name), &size);
    remove(path_of("png", name));
    /* PLTE follows IHDR at byte 33: length 3·2^bits → 3·keep, CRC recomputed, the rest moved. */
    size_t full = 3u << bits, kept = 3u * (size_t)keep;
    unsigned char *cut = malloc(size);
    memcpy(cut, good, 33);
    put_be32(cut + 33, (uint32_t)kept);
    memcpy(cut + 37, good + 37, 4 + kept);
    put_be32(cut + 41 + kept, (uint32_t)crc32(0, cut + 37, 4 + (uInt)kept));
    size_t rest = 33 + 12 + full;
    memcpy(cut + 45 + kept, good + rest, size - rest);
    spill(name, cut, 45 + kept + size - rest);
    free(cut);
    free(good);
}

/* Writes a 16x16 8-bit TIFF mask of labels 0..3 in 4x4 blocks, JPEG-compressed (quality 50). */
static void jpeg_tiff(const char *name, uint16_t photometric, uint16_t samples) {
    TIFF *tif = TIFFOpen(path_of("bad", name), "w");
    if (!tif) fail("cannot create a JPEG TIFF");
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 16);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 16);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, samples);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photometric);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
    TIFFSetField(tif, TIFFTAG_JPEGQUALITY, 50);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 16);
    uint8_t pixels[16 * 16 * 3];
    for (uint32_t y = 0; y < 16; y++)
        for (uint32_t x = 0; x < 16; x++)
            for (uint32_t c = 0; c < samples; c++) pixels[(y * 16 + x) * samples + c] = (uint8_t)((x / 4 + y / 4) % 4);
    if (TIFFWriteEncodedStrip(tif, 0, pixels, (tmsize_t)(16 * 16 * samples)) < 0) fail("JPEG strip write failed");
    TIFFClose(tif);
}

static void write_bad_inputs(void) {
    size_t size;
    unsigned char *good = slurp(path_of("png", "gray8.png"), &size);
    /* Truncated: inside the IHDR, right after IHDR, halfway through IDAT, and just before IEND. */
    spill("truncated_in_header.png", good, 20);
    spill("truncated_after_header.png", good, 33);
    spill("truncated_in_data.png", good, size / 2);
    spill("truncated_before_end.png", good, size - 12);
    /* The first IDAT chunk starts at byte 33: length (4), type (4), data, CRC (4). */
    uint32_t idat_length = ((uint32_t)good[33] << 24) | ((uint32_t)good[34] << 16) | ((uint32_t)good[35] << 8) | good[36];
    unsigned char *copy = malloc(size);
    /* Bad CRC: the IDAT data is intact, its CRC is not. */
    memcpy(copy, good, size);
    copy[33 + 8 + idat_length] ^= 0x01;
    spill("bad_crc.png", copy, size);
    /* Broken zlib stream: one bit of the compressed data flipped, the CRC recomputed to match. */
    memcpy(copy, good, size);
    copy[33 + 8 + 2] ^= 0x01;
    put_be32(copy + 33 + 8 + idat_length, (uint32_t)crc32(0, copy + 33 + 4, 4 + idat_length));
    spill("broken_zlib.png", copy, size);
    free(copy);
    /* A header declaring 100000 × 100000 8-bit gray pixels (valid CRC), an empty IDAT and IEND. */
    unsigned char huge[8 + 25 + 12 + 12];
    memcpy(huge, good, 8 + 25);
    put_be32(huge + 16, 100000);
    put_be32(huge + 20, 100000);
    put_be32(huge + 29, (uint32_t)crc32(0, huge + 12, 17));
    memcpy(huge + 33, "\0\0\0\0IDAT", 8);
    put_be32(huge + 41, (uint32_t)crc32(0, huge + 37, 4));
    memcpy(huge + 45, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    spill("huge_100000x100000.png", huge, sizeof huge);
    free(good);
    /* Random bytes named like masks; an empty file. */
    unsigned char noise[1024];
    uint32_t state = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        state = state * 1664525u + 1013904223u;
        noise[i] = (unsigned char)(state >> 24);
    }
    spill("random.png", noise, sizeof noise);
    spill("random.tif", noise + 7, sizeof noise - 7);
    spill("empty.png", noise, 0);
    /* A TIFF signature followed by garbage: the codec, not the sniffer, must refuse it. */
    unsigned char fake_tiff[64] = {'I', 'I', 42, 0, 0xff, 0xff, 0xff, 0x7f};
    memcpy(fake_tiff + 8, noise, sizeof fake_tiff - 8);
    spill("bad_ifd_offset.tif", fake_tiff, sizeof fake_tiff);

    /* A text file named like a PNG. */
    const char *text = "segscore: this is text, not a mask\n";
    spill("text_named.png", (const unsigned char *)text, strlen(text));

    /* Zero width: the IHDR of gray8.png with width 0 and a valid CRC. */
    good = slurp(path_of("png", "gray8.png"), &size);
    put_be32(good + 16, 0);
    put_be32(good + 29, (uint32_t)crc32(0, good + 12, 17));
    spill("zero_width.png", good, size);
    free(good);

    /* Palettes cut to fewer entries than the pixels use: 4-bit (indices up to 15), 8-bit (up to
     * 214), each plain and Adam7-interlaced, and 2-bit and 1-bit interlaced; every one is invalid. */
    palette_overflow("palette_index_overflow.png", 4, PNG_INTERLACE_NONE, 2);
    palette_overflow("palette_index_overflow_8bit.png", 8, PNG_INTERLACE_NONE, 2);
    palette_overflow("palette_index_overflow_8bit_interlaced.png", 8, PNG_INTERLACE_ADAM7, 2);
    palette_overflow("palette_index_overflow_4bit_interlaced.png", 4, PNG_INTERLACE_ADAM7, 2);
    palette_overflow("palette_index_overflow_2bit_interlaced.png", 2, PNG_INTERLACE_ADAM7, 2);
    palette_overflow("palette_index_overflow_1bit_interlaced.png", 1, PNG_INTERLACE_ADAM7, 1);

    /* JPEG-compressed TIFF masks (lossy: the stored labels come back changed), gray and RGB, and
     * the gray one relabelled as old-style JPEG (Compression 6). */
    jpeg_tiff("jpeg_gray.tif", PHOTOMETRIC_MINISBLACK, 1);
    jpeg_tiff("jpeg_rgb.tif", PHOTOMETRIC_RGB, 3);
    good = slurp(path_of("bad", "jpeg_gray.tif"), &size);
    uint32_t first_ifd = (uint32_t)good[4] | (uint32_t)good[5] << 8 | (uint32_t)good[6] << 16 | (uint32_t)good[7] << 24;
    uint16_t entries = (uint16_t)(good[first_ifd] | good[first_ifd + 1] << 8);
    for (uint16_t i = 0; i < entries; i++) {
        unsigned char *entry = good + first_ifd + 2 + 12 * i;
        if ((entry[0] | entry[1] << 8) == TIFFTAG_COMPRESSION) entry[8] = COMPRESSION_OJPEG;
    }
    spill("ojpeg_tag.tif", good, size);
    free(good);

    /* TIFF: a 65536x65536 tile on a 16x16 image (absurd tile size). */
    TIFF *tif = TIFFOpen(path_of("bad", "absurd_tile.tif"), "w");
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 16);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 16);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, 65536);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, 65536);
    uint8_t byte = 0;
    TIFFWriteRawTile(tif, 0, &byte, 1);
    TIFFClose(tif);

    /* TIFF: complex floating-point samples (valid, unsupported). */
    tif = TIFFOpen(path_of("bad", "complex_unsupported.tif"), "w");
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 2);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 2);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 64);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_COMPLEXIEEEFP);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 2);
    uint8_t complex_data[32] = {0};
    TIFFWriteEncodedStrip(tif, 0, complex_data, sizeof complex_data);
    TIFFClose(tif);

    /* TIFF with no StripOffsets: a hand-made little-endian IFD with the other required tags. */
    unsigned char raw[8 + 2 + 7 * 12 + 4] = {'I', 'I', 42, 0, 8, 0, 0, 0};
    unsigned char *ifd = raw + 8;
    const uint16_t tags[7][2] = {{256, 4}, {257, 4}, {258, 8}, {259, 1}, {262, 1}, {277, 1}, {279, 16}};
    ifd[0] = 7;
    ifd[1] = 0;
    for (int i = 0; i < 7; i++) {
        unsigned char *entry = ifd + 2 + 12 * i;
        entry[0] = (unsigned char)(tags[i][0] & 255);
        entry[1] = (unsigned char)(tags[i][0] >> 8);
        entry[2] = 3; /* SHORT */
        entry[3] = 0;
        entry[4] = 1;
        entry[5] = entry[6] = entry[7] = 0;
        entry[8] = (unsigned char)(tags[i][1] & 255);
        entry[9] = (unsigned char)(tags[i][1] >> 8);
        entry[10] = entry[11] = 0;
    }
    spill("missing_strip_offsets.tif", raw, sizeof raw);
}

/* ---- tiny dataset: 4x2 label maps whose scores are worked out by hand in the tests ----------- */

static void write_labels(const char *relative, const uint16_t *values, int bits, int palette) {
    char path[512];
    snprintf(path, sizeof path, "%s/datasets/tiny/%s", root, relative);
    FILE *file = fopen(path, "wb");
    if (!file) fail("cannot create a tiny-dataset PNG");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) fail("libpng write error");
    png_init_io(png, file);
    png_set_IHDR(png, info, 4, 2, bits, palette ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette) {
        png_color colors[3] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}};
        png_set_PLTE(png, info, colors, 3);
    }
    png_write_info(png, info);
    if (bits == 16) png_set_swap(png);
    for (int y = 0; y < 2; y++) {
        uint8_t row[8];
        for (int x = 0; x < 4; x++) {
            uint16_t v = values[y * 4 + x];
            if (bits == 16) memcpy(row + 2 * x, &v, 2); else row[x] = (uint8_t)v;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(file);
}

static void write_tiny_dataset(void) {
    char path[512];
    const char *folders[] = {"datasets", "datasets/tiny", "datasets/tiny/gt", "datasets/tiny/gt/sub", "datasets/tiny/pred",
                             "datasets/tiny/pred/sub"};
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "%s/%s", root, folders[i]);
        mkdir(path, 0755);
    }
    const uint16_t gt_a[8] = {0, 1, 1, 2, 0, 1, 1, 2}, pred_a[8] = {0, 1, 0, 2, 0, 1, 1, 1};
    const uint16_t zeros[8] = {0};
    const uint16_t gt_c[8] = {2, 2, 2, 2, 0, 0, 0, 0}, pred_c[8] = {2, 2, 0, 0, 0, 0, 1, 0};
    const uint16_t gt_d[8] = {1, 1, 0, 0, 0, 0, 0, 0};
    write_labels("gt/a.png", gt_a, 8, 0);
    write_labels("pred/a.png", pred_a, 8, 0);
    write_labels("gt/b.png", zeros, 8, 0);
    write_labels("pred/b.png", zeros, 16, 0);
    write_labels("gt/sub/c.png", gt_c, 8, 1);
    write_labels("pred/sub/c.png", pred_c, 16, 0);
    write_labels("gt/d.png", gt_d, 8, 0);
    write_labels("pred/e.png", gt_d, 8, 0);
    snprintf(path, sizeof path, "%s/datasets/tiny/gt/README.txt", root);
    FILE *readme = fopen(path, "w");
    if (!readme) fail("cannot create the tiny README");
    fputs("Not a mask: segscore counts this file as ignored.\n", readme);
    fclose(readme);
}

/* ---- channel and probability datasets (4x2), worked out by hand in the tests ------------------ */

static void write_small_tiff(const char *relative, uint32_t pages, uint32_t samples, int is_float, const void *data) {
    char path[512];
    snprintf(path, sizeof path, "%s/datasets/%s", root, relative);
    TIFF *tif = TIFFOpen(path, "w");
    if (!tif) fail("cannot create a dataset TIFF");
    size_t sample_bytes = is_float ? 4 : 1;
    size_t page_bytes = 8 * samples * sample_bytes;
    for (uint32_t page = 0; page < pages; page++) {
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 4);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 2);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)samples);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)(is_float ? 32 : 8));
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, is_float ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT);
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        if (samples > 1) {
            uint16_t extra[8] = {0};
            TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, (uint16_t)(samples - 1), extra);
        }
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 2);
        if (TIFFWriteEncodedStrip(tif, 0, (uint8_t *)data + page * page_bytes, (tmsize_t)page_bytes) < 0)
            fail("dataset strip write failed");
        if (pages > 1 && !TIFFWriteDirectory(tif)) fail("dataset directory write failed");
    }
    TIFFClose(tif);
}

static void write_gray8(const char *relative, const uint8_t *values) {
    uint16_t wide[8];
    for (int i = 0; i < 8; i++) wide[i] = values[i];
    char path[512];
    snprintf(path, sizeof path, "../%s", relative);
    write_labels(path, wide, 8, 0);
}

static void write_channel_datasets(void) {
    char path[512];
    const char *folders[] = {"datasets/channels", "datasets/channels/gt", "datasets/channels/pred", "datasets/probability",
                             "datasets/probability/gt", "datasets/probability/pred", "datasets/probability/pred8"};
    for (int i = 0; i < 7; i++) {
        snprintf(path, sizeof path, "%s/%s", root, folders[i]);
        mkdir(path, 0755);
    }
    /* Ground truth: one 3-sample uint8 TIFF, channels interleaved per pixel. */
    const uint8_t c0[8] = {1, 1, 0, 0, 0, 0, 0, 0}, c1[8] = {0, 1, 1, 0, 0, 1, 1, 0};
    uint8_t truth[24];
    for (int i = 0; i < 8; i++) {
        truth[3 * i] = c0[i];
        truth[3 * i + 1] = c1[i];
        truth[3 * i + 2] = 0;
    }
    write_small_tiff("channels/gt/m.tif", 1, 3, 0, truth);
    /* Prediction: three float32 pages, one per channel (read with --pages channels). */
    const float prediction[24] = {0.875f, 0.375f, 0.625f, 0, 0, 0, 0, 0,
                                  0.25f, 0.75f, 0.625f, 0.125f, 0, 0.5f, 0.875f, 0.375f,
                                  0, 0, 0, 0, 0, 0, 0.75f, 0};
    write_small_tiff("channels/pred/m.tif", 3, 1, 1, prediction);

    const uint8_t binary[8] = {255, 255, 0, 0, 0, 255, 0, 0};
    write_gray8("probability/gt/p.png", binary);
    const float probability[8] = {0.875f, 0.25f, 0.625f, 0, 0, 1, 0, 0.5f};
    write_small_tiff("probability/pred/p.tif", 1, 1, 1, probability);
    const uint8_t scaled[8] = {255, 64, 160, 0, 0, 255, 0, 128};
    write_gray8("probability/pred8/p.png", scaled);
}

/* ---- the seed question: an all-zero 128x128 ground truth, a prediction with one pixel set ------ */

static void write_seed_example(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/explain", root);
    mkdir(path, 0755);
    static uint8_t pixels[128 * 128];
    for (int which = 0; which < 2; which++) {
        memset(pixels, 0, sizeof pixels);
        if (which == 1) pixels[64 * 128 + 64] = 255;
        snprintf(path, sizeof path, "%s/explain/%s.png", root, which == 0 ? "seed_gt" : "seed_pred");
        FILE *file = fopen(path, "wb");
        if (!file) fail("cannot create a seed PNG");
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
        png_infop info = png_create_info_struct(png);
        if (setjmp(png_jmpbuf(png))) fail("libpng write error");
        png_init_io(png, file);
        png_set_IHDR(png, info, 128, 128, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                     PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        for (int y = 0; y < 128; y++) png_write_row(png, pixels + y * 128);
        png_write_end(png, NULL);
        png_destroy_write_struct(&png, &info);
        fclose(file);
    }
}

int main(int argc, char **argv) {
    if (argc > 1) root = argv[1];
    char folder[512];
    const char *folders[] = {"png", "tiff", "bad"};
    for (int i = 0; i < 3; i++) {
        snprintf(folder, sizeof folder, "%s/%s", root, folders[i]);
        mkdir(folder, 0755);
    }

    write_png("gray1.png", 13, 11, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
    write_png("gray2.png", 13, 11, 2, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
    write_png("gray4.png", 13, 11, 4, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
    write_png("gray8.png", 13, 11, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
    write_png("gray16.png", 13, 11, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE);
    write_png("palette1.png", 13, 11, 1, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE);
    write_png("palette2.png", 13, 11, 2, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE);
    write_png("palette4.png", 13, 11, 4, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE);
    write_png("palette8.png", 13, 11, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE);
    write_png("gray_alpha8.png", 13, 11, 8, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_INTERLACE_NONE);
    write_png("gray_alpha16.png", 13, 11, 16, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_INTERLACE_NONE);
    write_png("rgb8.png", 13, 11, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE);
    write_png("rgb16.png", 13, 11, 16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE);
    write_png("rgba8.png", 13, 11, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE);
    write_png("rgba16.png", 13, 11, 16, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE);
    write_png("interlaced_gray1.png", 13, 11, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_ADAM7);
    write_png("interlaced_gray8.png", 13, 11, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_ADAM7);
    write_png("interlaced_gray16.png", 13, 11, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_ADAM7);
    write_png("interlaced_palette4.png", 13, 11, 4, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_ADAM7);
    write_png("interlaced_rgb8.png", 13, 11, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7);

    const uint16_t U = SAMPLEFORMAT_UINT, F = SAMPLEFORMAT_IEEEFP;
    const uint16_t C = PLANARCONFIG_CONTIG, S = PLANARCONFIG_SEPARATE;
    const uint16_t BLACK = PHOTOMETRIC_MINISBLACK, RGB = PHOTOMETRIC_RGB, PAL = PHOTOMETRIC_PALETTE;
    const tiff_spec specs[] = {
        {"u8_none.tif", 13, 11, 1, 1, 8, U, COMPRESSION_NONE, 1, C, BLACK, 4, 0},
        {"u8_lzw.tif", 13, 11, 1, 1, 8, U, COMPRESSION_LZW, 1, C, BLACK, 4, 0},
        {"u8_lzw_predictor.tif", 13, 11, 1, 1, 8, U, COMPRESSION_LZW, 2, C, BLACK, 4, 0},
        {"u8_deflate.tif", 13, 11, 1, 1, 8, U, COMPRESSION_ADOBE_DEFLATE, 1, C, BLACK, 4, 0},
        {"u8_packbits.tif", 13, 11, 1, 1, 8, U, COMPRESSION_PACKBITS, 1, C, BLACK, 4, 0},
        {"u8_zstd.tif", 13, 11, 1, 1, 8, U, COMPRESSION_ZSTD, 1, C, BLACK, 4, 0},
        {"u1_none.tif", 13, 11, 1, 1, 1, U, COMPRESSION_NONE, 1, C, BLACK, 4, 0},
        {"u1_packbits.tif", 13, 11, 1, 1, 1, U, COMPRESSION_PACKBITS, 1, C, BLACK, 11, 0},
        {"u4_palette.tif", 13, 11, 1, 1, 4, U, COMPRESSION_NONE, 1, C, PAL, 4, 0},
        {"u8_palette.tif", 13, 11, 1, 1, 8, U, COMPRESSION_LZW, 1, C, PAL, 4, 0},
        {"u16_none.tif", 13, 11, 1, 1, 16, U, COMPRESSION_NONE, 1, C, BLACK, 4, 0},
        {"u16_lzw_predictor.tif", 13, 11, 1, 1, 16, U, COMPRESSION_LZW, 2, C, BLACK, 4, 0},
        {"u16_deflate_predictor.tif", 13, 11, 1, 1, 16, U, COMPRESSION_ADOBE_DEFLATE, 2, C, BLACK, 4, 0},
        {"u32_none.tif", 13, 11, 1, 1, 32, U, COMPRESSION_NONE, 1, C, BLACK, 4, 0},
        {"u32_lzw.tif", 13, 11, 1, 1, 32, U, COMPRESSION_LZW, 1, C, BLACK, 4, 0},
        {"f32_none.tif", 13, 11, 1, 1, 32, F, COMPRESSION_NONE, 1, C, BLACK, 4, 0},
        {"f32_deflate_predictor3.tif", 13, 11, 1, 1, 32, F, COMPRESSION_ADOBE_DEFLATE, 3, C, BLACK, 4, 0},
        {"u8_tiled.tif", 37, 21, 1, 1, 8, U, COMPRESSION_NONE, 1, C, BLACK, 0, 16},
        {"u16_tiled_lzw.tif", 37, 21, 1, 1, 16, U, COMPRESSION_LZW, 2, C, BLACK, 0, 16},
        {"u8_rgb.tif", 13, 11, 1, 3, 8, U, COMPRESSION_LZW, 1, C, RGB, 4, 0},
        {"u8_3ch_contig.tif", 13, 11, 1, 3, 8, U, COMPRESSION_DEFLATE, 1, C, BLACK, 4, 0},
        {"u8_3ch_separate.tif", 13, 11, 1, 3, 8, U, COMPRESSION_DEFLATE, 1, S, BLACK, 4, 0},
        {"u16_4ch_separate_tiled.tif", 37, 21, 1, 4, 16, U, COMPRESSION_LZW, 1, S, BLACK, 0, 16},
        {"f32_2ch_contig.tif", 13, 11, 1, 2, 32, F, COMPRESSION_NONE, 1, C, BLACK, 4, 0},
        {"u8_3pages.tif", 13, 11, 3, 1, 8, U, COMPRESSION_LZW, 1, C, BLACK, 4, 0},
        {"u16_5pages_deflate.tif", 13, 11, 5, 1, 16, U, COMPRESSION_ADOBE_DEFLATE, 2, C, BLACK, 11, 0},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) write_tiff(&specs[i]);

    /* Pages of different sizes: page 2 is 7×5. Written as two specs into one file. */
    TIFF *tif = TIFFOpen(path_of("bad", "pages_mismatch.tif"), "w");
    uint32_t sizes[2][2] = {{13, 11}, {7, 5}};
    for (int page = 0; page < 2; page++) {
        uint32_t w = sizes[page][0], h = sizes[page][1];
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, h);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, h);
        uint8_t *strip = calloc((size_t)w * h, 1);
        TIFFWriteEncodedStrip(tif, 0, strip, (tmsize_t)w * h);
        free(strip);
        TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);

    /* 64-bit float samples: valid TIFF, unsupported by segscore. */
    tif = TIFFOpen(path_of("bad", "f64_unsupported.tif"), "w");
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 4);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 2);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 64);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 2);
    double doubles[8] = {0};
    TIFFWriteEncodedStrip(tif, 0, doubles, sizeof doubles);
    TIFFClose(tif);

    write_bad_inputs();
    write_tiny_dataset();
    write_channel_datasets();
    write_seed_example();
    return 0;
}
