/*
 * Generated TIFF variants for the differential tests of the two TIFF decoders (fast path and
 * libtiff): 8- and 16-bit (some 1-bit and 32-bit), one to three samples, chunky and planar,
 * both byte orders, uncompressed, LZW, Deflate (Adobe and old tag), PackBits, predictor on and
 * off, odd widths, 1-pixel images, strips of odd rows per strip, tiles with partial edge tiles,
 * two pages; hand-made LZW code streams (no ClearCode, table overflow, codes not yet in the
 * table, early EOI) and Deflate streams of the wrong length; and broken files (truncation,
 * flipped bytes in strip data, bad strip offsets and byte counts). Deterministic per seed.
 */
#include "CMaskTestCodecs.h"

#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <zlib.h>

#include "variant_rng.h"

/* ---- a TIFF written into memory -------------------------------------------------------------- */

typedef struct {
    uint8_t *bytes;
    uint64_t size, capacity, at;
} memfile;

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n) {
    memfile *m = h;
    if (n <= 0 || m->at >= m->size) return 0;
    uint64_t k = m->size - m->at < (uint64_t)n ? m->size - m->at : (uint64_t)n;
    memcpy(buf, m->bytes + m->at, (size_t)k);
    m->at += k;
    return (tmsize_t)k;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n) {
    memfile *m = h;
    if (n <= 0) return 0;
    if (m->at + (uint64_t)n > m->capacity) {
        uint64_t cap = (m->at + (uint64_t)n) * 2 + 4096;
        uint8_t *grown = realloc(m->bytes, (size_t)cap);
        if (grown == NULL) return 0;
        memset(grown + m->capacity, 0, (size_t)(cap - m->capacity));
        m->bytes = grown;
        m->capacity = cap;
    }
    memcpy(m->bytes + m->at, buf, (size_t)n);
    m->at += (uint64_t)n;
    if (m->at > m->size) m->size = m->at;
    return n;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence) {
    memfile *m = h;
    uint64_t base = whence == SEEK_CUR ? m->at : whence == SEEK_END ? m->size : 0;
    m->at = base + off;
    return m->at;
}

static int mem_close(thandle_t h) {
    (void)h;
    return 0;
}

static toff_t mem_size(thandle_t h) { return ((memfile *)h)->size; }

static int mem_map(thandle_t h, void **base, toff_t *size) {
    (void)h;
    (void)base;
    (void)size;
    return 0;
}

static void mem_unmap(thandle_t h, void *base, toff_t size) {
    (void)h;
    (void)base;
    (void)size;
}

static int quiet(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif;
    (void)user;
    (void)module;
    (void)format;
    (void)args;
    return 1;
}

/* ---- hand-made streams ----------------------------------------------------------------------- */

typedef struct {
    uint8_t *bytes;
    size_t size, capacity;
    uint64_t bits;
    unsigned count;
} bitwriter;

static void put_code(bitwriter *w, unsigned code, unsigned width) {
    w->bits = (w->bits << width) | code;
    w->count += width;
    while (w->count >= 8) {
        if (w->size == w->capacity) {
            w->capacity = w->capacity * 2 + 64;
            w->bytes = realloc(w->bytes, w->capacity);
            if (w->bytes == NULL) return;
        }
        w->bytes[w->size++] = (uint8_t)(w->bits >> (w->count - 8));
        w->count -= 8;
    }
}

/** A random LZW code stream that tracks the decoder's table as libtiff 4.5 does. */
static uint8_t *random_lzw(rng *r, size_t *size) {
    bitwriter w = {0};
    long free_entry = -1, limit = 510;
    unsigned width = 9;
    int fresh = 0;
    int clears = below(r, 8) != 0;
    unsigned codes = 10 + below(r, 6000);
    if (below(r, 10) != 0) {
        put_code(&w, 256, width);
        free_entry = 258;
        fresh = 1;
    }
    for (unsigned i = 0; i < codes; i++) {
        unsigned roll = below(r, 1000), code;
        if (roll < 4 && clears) {
            code = 256;
        } else if (roll < 6) {
            code = 257;
        } else if (roll < 9) {
            code = free_entry > 0 ? (unsigned)free_entry + 1 + below(r, 50) : 300; /* not yet in the table */
        } else if (fresh || roll < 500 || free_entry <= 258) {
            code = below(r, roll < 300 ? 4 : 256);
        } else {
            code = 258 + below(r, (uint32_t)(free_entry - 258 + 1)); /* up to the KwKwK code */
        }
        if (code > (1u << width) - 1) code &= (1u << width) - 1;
        put_code(&w, code, width);
        if (code == 256) {
            free_entry = 258;
            width = 9;
            limit = 510;
            fresh = 1;
            continue;
        }
        if (code == 257) break;
        if (fresh) {
            fresh = 0;
            continue;
        }
        if (free_entry < 0) continue;
        if (++free_entry > limit) {
            if (width < 12) width++;
            limit = (1L << width) - 2;
            if (free_entry >= 4095 + 1024) free_entry = -1;
        }
    }
    if (below(r, 2) == 0) put_code(&w, 257, width);
    put_code(&w, 0, 7); /* flush */
    *size = w.size;
    return w.bytes;
}

/* ---- the variants ----------------------------------------------------------------------------- */

static void fill_samples(rng *r, uint8_t *data, size_t bytes, int kind) {
    uint8_t value = (uint8_t)below(r, 4);
    for (size_t i = 0; i < bytes; i++) {
        if (kind == 0) {
            data[i] = (uint8_t)next(r);
        } else if (kind == 1) {
            if (below(r, 40) == 0) value = (uint8_t)below(r, 5);
            data[i] = value;
        } else {
            data[i] = (uint8_t)(i * 7 + (i >> 8));
        }
    }
}

/** Classic TIFF's first IFD: patch one element of StripOffsets/TileOffsets or their byte counts. */
static void patch_offsets(rng *r, uint8_t *b, size_t size) {
    if (size < 8) return;
    int le = b[0] == 'I';
#define U16(p) (le ? (uint32_t)(p)[0] | (uint32_t)(p)[1] << 8 : (uint32_t)(p)[1] | (uint32_t)(p)[0] << 8)
#define U32(p) (le ? U16(p) | U16((p) + 2) << 16 : U16((p) + 2) | U16(p) << 16)
    uint32_t ifd = U32(b + 4);
    if ((uint64_t)ifd + 2 > size) return;
    uint32_t entries = U16(b + ifd);
    uint32_t want = below(r, 2) ? (below(r, 2) ? 273 : 324) : (below(r, 2) ? 279 : 325);
    for (uint32_t e = 0; e < entries && (uint64_t)ifd + 2 + 12 * (e + 1) <= size; e++) {
        uint8_t *entry = b + ifd + 2 + 12 * e;
        if (U16(entry) != want) continue;
        uint32_t type = U16(entry + 2), count = U32(entry + 4);
        uint32_t width = type == 3 ? 2 : 4;
        if (count == 0 || (type != 3 && type != 4)) return;
        uint8_t *values = (uint64_t)count * width <= 4 ? entry + 8 : b + U32(entry + 8);
        uint32_t k = below(r, count);
        if (values + (uint64_t)(k + 1) * width > b + size || values < b) return;
        uint32_t choices[6] = {0, 1, (uint32_t)size, (uint32_t)size - 1, 0xffffffffu, (uint32_t)next(r)};
        uint32_t v = choices[below(r, 6)];
        uint8_t *p = values + (size_t)k * width;
        if (width == 2) {
            if (le) {
                p[0] = (uint8_t)v;
                p[1] = (uint8_t)(v >> 8);
            } else {
                p[1] = (uint8_t)v;
                p[0] = (uint8_t)(v >> 8);
            }
        } else {
            for (int i = 0; i < 4; i++) p[le ? i : 3 - i] = (uint8_t)(v >> (8 * i));
        }
        return;
    }
#undef U32
#undef U16
}

uint8_t *cmask_tiff_variant(uint64_t seed, size_t *size) {
    rng r = {seed * 0x2545F4914F6CDD1Dull + 7};
    static const uint32_t sides[] = {1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 64, 100, 127, 200};
    uint32_t width = below(&r, 4) ? sides[below(&r, 15)] : 1 + below(&r, 300);
    uint32_t height = below(&r, 4) ? sides[below(&r, 15)] : 1 + below(&r, 200);
    uint16_t bits = below(&r, 10) < 5 ? 8 : below(&r, 5) ? 16 : below(&r, 2) ? 1 : 32;
    uint16_t spp = below(&r, 6) ? 1 : (uint16_t)(2 + below(&r, 2));
    uint16_t planar = spp > 1 && below(&r, 3) == 0 ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG;
    static const uint16_t codecs[] = {COMPRESSION_NONE, COMPRESSION_LZW, COMPRESSION_LZW, COMPRESSION_LZW,
                                      COMPRESSION_ADOBE_DEFLATE, COMPRESSION_ADOBE_DEFLATE, COMPRESSION_DEFLATE,
                                      COMPRESSION_PACKBITS};
    uint16_t compression = codecs[below(&r, 8)];
    int predictor = (compression == COMPRESSION_LZW || compression == COMPRESSION_ADOBE_DEFLATE ||
                     compression == COMPRESSION_DEFLATE) &&
                    bits >= 8 && below(&r, 3) != 0;
    int tiled = below(&r, 4) == 0;
    uint32_t tile_w = 16 * (1 + below(&r, 3)), tile_h = 16 * (1 + below(&r, 3));
    uint32_t rows = below(&r, 3) ? 1 + below(&r, height + 4) : (below(&r, 2) ? 1 : height);
    int pages = below(&r, 8) == 0 ? 2 : 1;
    int kind = (int)below(&r, 3);
    int raw = below(&r, 6) == 0; /* hand-made LZW or Deflate strips */
    memfile m = {0};
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(options, quiet, NULL);
    TIFFOpenOptionsSetWarningHandlerExtR(options, quiet, NULL);
    TIFF *tif = TIFFClientOpenExt("variant", below(&r, 3) ? "wl" : "wb", &m, mem_read, mem_write, mem_seek,
                                  mem_close, mem_size, mem_map, mem_unmap, options);
    TIFFOpenOptionsFree(options);
    if (tif == NULL) return NULL;
    for (int page = 0; page < pages; page++) {
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spp);
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
        TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, spp == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
        if (spp == 2) {
            uint16_t extra = EXTRASAMPLE_UNASSALPHA;
            TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
        }
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG, planar);
        TIFFSetField(tif, TIFFTAG_COMPRESSION, compression);
        if (predictor) TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
        if (tiled) {
            TIFFSetField(tif, TIFFTAG_TILEWIDTH, tile_w);
            TIFFSetField(tif, TIFFTAG_TILELENGTH, tile_h);
        } else {
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows);
        }
        uint32_t blocks = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
        tmsize_t block = tiled ? TIFFTileSize(tif) : TIFFStripSize(tif);
        uint8_t *data = malloc(block > 0 ? (size_t)block : 1);
        if (data == NULL) break;
        for (uint32_t i = 0; i < blocks; i++) {
            fill_samples(&r, data, (size_t)block, kind);
            if (raw && compression == COMPRESSION_LZW) {
                size_t n = 0;
                uint8_t *stream = random_lzw(&r, &n);
                if (stream != NULL && tiled)
                    TIFFWriteRawTile(tif, i, stream, (tmsize_t)n);
                else if (stream != NULL)
                    TIFFWriteRawStrip(tif, i, stream, (tmsize_t)n);
                free(stream);
            } else if (raw && compression != COMPRESSION_NONE && compression != COMPRESSION_PACKBITS) {
                /* A zlib stream of another length than the block (or broken in its checksum). */
                long signed_length = (long)block + (long)below(&r, 40) - 20;
                uLong length = signed_length > 0 ? (uLong)signed_length : 1;
                uint8_t *plain = malloc(length + 1);
                uLongf bound = compressBound(length);
                uint8_t *packed = malloc(bound);
                if (plain != NULL && packed != NULL) {
                    fill_samples(&r, plain, length, kind);
                    if (compress2(packed, &bound, plain, length, (int)below(&r, 10)) == Z_OK) {
                        if (below(&r, 4) == 0 && bound > 4) packed[bound - 1 - below(&r, 4)] ^= 0x40;
                        if (tiled)
                            TIFFWriteRawTile(tif, i, packed, (tmsize_t)bound);
                        else
                            TIFFWriteRawStrip(tif, i, packed, (tmsize_t)bound);
                    }
                }
                free(plain);
                free(packed);
            } else if (tiled) {
                TIFFWriteEncodedTile(tif, i, data, block);
            } else {
                TIFFWriteEncodedStrip(tif, i, data, block);
            }
        }
        free(data);
        if (pages > 1) TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
    if (m.bytes == NULL) return NULL;
    /* Breakage after writing. */
    switch (below(&r, 12)) {
    case 0: /* truncated */
        if (m.size > 8) m.size = 8 + below(&r, (uint32_t)(m.size - 8));
        break;
    case 1:
    case 2: { /* bytes flipped past the header (strip data, mostly: the IFD comes last) */
        int flips = 1 + (int)below(&r, 4);
        for (int i = 0; i < flips && m.size > 8; i++) m.bytes[8 + below(&r, (uint32_t)(m.size - 8))] ^= (uint8_t)(1 + below(&r, 255));
        break;
    }
    case 3: patch_offsets(&r, m.bytes, (size_t)m.size); break;
    case 4: /* an old-style LZW signature at the start of the first strip */
        if (m.size > 10) {
            m.bytes[8] = 0;
            m.bytes[9] = 1;
        }
        break;
    default: break;
    }
    *size = (size_t)m.size;
    return m.bytes;
}
