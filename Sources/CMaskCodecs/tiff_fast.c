/*
 * The TIFF fast path: the strips or tiles of a page whose directory libtiff has read, decoded
 * without libtiff's codecs and, for strips, straight into the caller's sample buffer (no
 * intermediate block and copy). It takes 8- and 16-bit samples, chunky (or one sample per
 * pixel), uncompressed, PackBits, LZW (our own decoder of libtiff 4.5's exact rules: MSB-first 9–12-bit
 * codes, early change, ClearCode 256, EOI 257, its 5,119-entry table) or Deflate (Adobe and the
 * old tag: one libdeflate zlib call into the exact strip size, as libtiff itself does), with or
 * without the horizontal predictor, in either byte order.
 *
 * It only ever succeeds on pages libtiff decodes to the same samples. On anything it does not
 * take as clean — a strip or tile outside the file, a zero or implausible byte count, old-style
 * LZW, a code not in the table, a stream that ends (or ends with EOI) before the strip is full,
 * a Deflate stream that does not inflate to exactly the strip, another codec, fill order,
 * predictor or layout — it returns FAST_FALLBACK without a message and libtiff decodes the whole
 * page, in order, as if the fast path had never run: refusals, and their messages, are libtiff's.
 */
#include "tiff_internal.h"

#include <libdeflate.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/* libtiff's LZW: codes, widths and its table size (CSIZE, "+1024 for compatibility with old files"). */
enum { LZW_CLEAR = 256, LZW_EOI = 257, LZW_FIRST = 258, LZW_BITS_MIN = 9, LZW_BITS_MAX = 12, LZW_TABLE = 4095 + 1024 };

static int grow(uint8_t **buffer, size_t *capacity, uint64_t need) {
    if (need <= *capacity) return 1;
    if (need > SIZE_MAX) return 0;
    uint8_t *grown = realloc(*buffer, (size_t)need);
    if (grown == NULL) return 0;
    *buffer = grown;
    *capacity = (size_t)need;
    return 1;
}

/**
 * The stored bytes of strip or tile `strile` (`count` of them): a pointer into the file when it is
 * held whole, else a copy in scratch->raw. NULL where libtiff would refuse or doubt them (zero
 * bytes, beyond the end of the file, a count libtiff's TIFFFillStrip/TIFFFillTile would clip).
 */
static const uint8_t *stored_bytes(TIFF *tif, cmask_source *source, uint32_t strile, tiff_fast_scratch *scratch,
                                   uint64_t *count) {
    uint64_t offset = TIFFGetStrileOffset(tif, strile);
    uint64_t bytes = TIFFGetStrileByteCount(tif, strile);
    if (bytes == 0 || bytes > source->size || offset > source->size - bytes) return NULL;
    /* libtiff limits (with an error) a count over 1 MiB that is more than ten times the block. */
    if (bytes > 1024 * 1024) {
        uint64_t block = (uint64_t)(TIFFIsTiled(tif) ? TIFFTileSize64(tif) : TIFFStripSize64(tif));
        if (block == 0 || (bytes - 4096) / 10 > block) return NULL;
    }
    *count = bytes;
    const uint8_t *whole = cmask_source_whole(source);
    if (whole != NULL) return whole + offset;
    if (!grow(&scratch->raw, &scratch->raw_capacity, bytes)) return NULL;
    if (cmask_source_read(source, offset, scratch->raw, (size_t)bytes) != bytes) return NULL;
    return scratch->raw;
}

static inline uint64_t load_be64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

/**
 * LZW as libtiff 4.5's LZWDecode reads it, into exactly `want` bytes of `out`. Each code's string
 * is kept as its position and length in the output (every new string is an earlier one plus the
 * byte after it), so a code costs one copy. Returns 1 when `out` is full — a last string longer
 * than the room left is cut, and whatever follows is not read, as libtiff does — and 0 where
 * libtiff fails or takes another road: old-style codes, a code not yet in the table (before the
 * first ClearCode, past the table's end, above the next free entry), EOI or the end of the data
 * before `out` is full.
 */
static int lzw_decode(const uint8_t *in, size_t in_size, uint8_t *out, size_t want, uint32_t *table) {
    if (in_size >= 2 && in[0] == 0 && (in[1] & 1)) return 0; /* old-style (bit-reversed) LZW */
    if (want > UINT32_MAX) return 0;
    uint32_t *position = table, *length = table + LZW_TABLE;
    const uint8_t *ip = in, *end = in + in_size;
    uint64_t bits = 0;
    unsigned count = 0, width = LZW_BITS_MIN;
    long next = -1;   /* libtiff's free entry: none before the first ClearCode */
    long limit = 510; /* when `next` passes it, codes grow a bit */
    int fresh = 0;    /* the code after a ClearCode: a literal, no new entry */
    size_t op = 0;
    size_t old_at = 0; /* the previous code's string: where it was written, and its length */
    uint32_t old_length = 0;
    for (;;) {
        if (count < width) {
            if (end - ip >= 8) {
                bits |= load_be64(ip) >> count;
                ip += (63 - count) >> 3;
                count |= 56;
            } else {
                while (count <= 56 && ip < end) {
                    bits |= (uint64_t)*ip++ << (56 - count);
                    count += 8;
                }
                if (count < width) return 0; /* libtiff: "not terminated with EOI code" */
            }
        }
        unsigned code = (unsigned)(bits >> (64 - width));
        bits <<= width;
        count -= width;
        if (code == LZW_CLEAR) {
            next = LZW_FIRST;
            width = LZW_BITS_MIN;
            limit = 510;
            fresh = 1;
            continue;
        }
        if (code == LZW_EOI) return 0; /* before `out` is full: libtiff's "Not enough data" */
        size_t at = op;
        if (fresh) {
            if (code > LZW_EOI) return 0; /* libtiff: "Using code not yet in table" */
            out[op++] = (uint8_t)code;
            fresh = 0;
            if (op >= want) return 1;
            old_at = at;
            old_length = 1;
            continue;
        }
        if (next < 0) return 0; /* before the first ClearCode, or past the end of libtiff's table */
        uint32_t n;
        if (code < 256) {
            out[op++] = (uint8_t)code;
            n = 1;
        } else if ((long)code <= next) {
            /* code == next (KwKwK): the previous string plus its own first byte. */
            int kwkwk = (long)code == next;
            size_t from = kwkwk ? old_at : position[code];
            n = kwkwk ? old_length + 1 : length[code];
            size_t room = want - op;
            size_t copy = kwkwk ? n - 1 : n;
            if (copy > room) copy = room;
            uint8_t *d = out + op;
            const uint8_t *s = out + from; /* the string ends at or before d */
            if (room >= copy + 16) {
                /* 16 bytes at a time through a register: a block read may reach into d (when the
                 * string is shorter than 16 bytes and close), but only past the string's end, and
                 * what it writes there is overwritten by the strings that follow. */
                for (size_t i = 0; i < copy; i += 16) {
                    uint8_t block[16];
                    memcpy(block, s + i, 16);
                    memcpy(d + i, block, 16);
                }
            } else {
                memcpy(d, s, copy);
            }
            op += copy;
            if (kwkwk && op < want) out[op++] = out[from];
        } else {
            return 0; /* libtiff: "Using code not yet in table" */
        }
        /* The new entry: the previous string plus this string's first byte. */
        position[next] = (uint32_t)old_at;
        length[next] = old_length + 1;
        if (++next > limit) {
            if (width < LZW_BITS_MAX) width++;
            limit = (1L << width) - 2;
            if (next >= LZW_TABLE) next = -1;
        }
        if (op >= want) return 1;
        old_at = at;
        old_length = n;
    }
}

/**
 * PackBits as libtiff 4.5's PackBitsDecode reads a whole strip or tile, warnings included (a run
 * longer than the room left is cut; -128 is a no-op; data that ends inside a run stops the
 * decode): 1 when exactly `want` bytes came out, else 0 (libtiff's "Not enough data").
 */
static int packbits_decode(const uint8_t *in, size_t in_size, uint8_t *out, size_t want) {
    const uint8_t *bp = in;
    size_t cc = in_size, occ = want;
    while (cc > 0 && occ > 0) {
        long n = (long)(int8_t)*bp++;
        cc--;
        if (n < 0) {
            if (n == -128) continue;
            n = -n + 1;
            if ((long)occ < n) n = (long)occ;
            if (cc == 0) break;
            memset(out, *bp++, (size_t)n);
            cc--;
            out += n;
            occ -= (size_t)n;
        } else {
            if ((long)occ < n + 1) n = (long)occ - 1;
            if ((long)cc < n + 1) break;
            memcpy(out, bp, (size_t)(n + 1));
            out += n + 1;
            bp += n + 1;
            occ -= (size_t)(n + 1);
            cc -= (size_t)(n + 1);
        }
    }
    return occ == 0;
}

/** 16-bit samples of a file in the other byte order: swapped in place. */
static void swap16(uint8_t *data, size_t bytes) {
    for (size_t i = 0; i + 1 < bytes; i += 2) {
        uint8_t t = data[i];
        data[i] = data[i + 1];
        data[i + 1] = t;
    }
}

/** Undoes the horizontal predictor on one row of `n` 8-bit samples, `stride` samples a pixel. */
static void accumulate8(uint8_t *row, size_t n, size_t stride) {
    size_t i = stride;
#if defined(__SSE2__)
    if ((stride == 1 || stride == 2 || stride == 4) && n >= 32) {
        /* Prefix sums 16 bytes at a time, carrying the last pixel of each block into the next. */
        __m128i carry = _mm_setzero_si128();
        for (i = 0; i + 16 <= n; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(row + i));
            if (stride == 1) x = _mm_add_epi8(x, _mm_slli_si128(x, 1));
            if (stride <= 2) x = _mm_add_epi8(x, _mm_slli_si128(x, 2));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 4));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 8));
            x = _mm_add_epi8(x, carry);
            _mm_storeu_si128((__m128i *)(row + i), x);
            if (stride == 1) {
                __m128i last = _mm_srli_si128(x, 15);
                last = _mm_unpacklo_epi8(last, last);
                last = _mm_unpacklo_epi16(last, last);
                carry = _mm_shuffle_epi32(last, 0);
            } else if (stride == 2) {
                __m128i last = _mm_srli_si128(x, 14);
                carry = _mm_shuffle_epi32(_mm_unpacklo_epi16(last, last), 0);
            } else {
                carry = _mm_shuffle_epi32(x, 0xff);
            }
        }
        if (i < stride) i = stride;
    }
#endif
    for (; i < n; i++) row[i] = (uint8_t)(row[i] + row[i - stride]);
}

/** Undoes the horizontal predictor on one row of `n` 16-bit samples (host order). */
static void accumulate16(uint8_t *row, size_t n, size_t stride) {
    for (size_t i = stride; i < n; i++) {
        uint16_t a, b;
        memcpy(&a, row + 2 * i, 2);
        memcpy(&b, row + 2 * (i - stride), 2);
        a = (uint16_t)(a + b);
        memcpy(row + 2 * i, &a, 2);
    }
}

/** What libtiff does after decoding a block: byte order, then the predictor, row by row. */
static void finish_block(uint8_t *block, uint32_t rows, size_t row_bytes, const tiff_layout *layout, int swapped) {
    size_t sample_bytes = layout->bits_per_sample / 8;
    if (sample_bytes == 2 && swapped) swap16(block, rows * row_bytes);
    if (layout->predictor != PREDICTOR_HORIZONTAL) return;
    size_t samples = row_bytes / sample_bytes;
    for (uint32_t r = 0; r < rows; r++) {
        uint8_t *row = block + (size_t)r * row_bytes;
        if (sample_bytes == 1)
            accumulate8(row, samples, layout->samples_per_pixel);
        else
            accumulate16(row, samples, layout->samples_per_pixel);
    }
}

/** Decodes one strip or tile's stored bytes into exactly `want` bytes of `out`; 0 to fall back. */
static int decode_block(const tiff_layout *layout, const uint8_t *in, uint64_t in_size, uint8_t *out, size_t want,
                        tiff_fast_scratch *scratch) {
    switch (layout->compression) {
    case COMPRESSION_NONE:
        if (in_size < want) return 0;
        memcpy(out, in, want);
        return 1;
    case COMPRESSION_PACKBITS: return packbits_decode(in, (size_t)in_size, out, want);
    case COMPRESSION_LZW:
        if (scratch->lzw == NULL) {
            scratch->lzw = malloc(2 * LZW_TABLE * sizeof *scratch->lzw);
            if (scratch->lzw == NULL) return 0;
        }
        return lzw_decode(in, (size_t)in_size, out, want, scratch->lzw);
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
        if (scratch->inflater == NULL) {
            scratch->inflater = libdeflate_alloc_decompressor();
            if (scratch->inflater == NULL) return 0;
        }
        /* Exactly `want` bytes, the whole stream and its Adler-32: what libtiff's own libdeflate
         * call accepts, less its "insufficient space" case (bytes past the cut left unwritten). */
        return libdeflate_zlib_decompress(scratch->inflater, in, (size_t)in_size, out, want, NULL) ==
               LIBDEFLATE_SUCCESS;
    default:
        return 0;
    }
}

/** Whether the fast path takes pages laid out as `layout` at all. */
static int eligible(TIFF *tif, const tiff_layout *layout) {
    if (layout->bits_per_sample != 8 && layout->bits_per_sample != 16) return 0;
    if (layout->sample_format != SAMPLEFORMAT_UINT && layout->sample_format != SAMPLEFORMAT_VOID) return 0;
    if (layout->planar != PLANARCONFIG_CONTIG && layout->samples_per_pixel != 1) return 0;
    uint16_t fill = FILLORDER_MSB2LSB;
    if (TIFFGetField(tif, TIFFTAG_FILLORDER, &fill) && fill != FILLORDER_MSB2LSB) return 0;
    switch (layout->compression) {
    case COMPRESSION_NONE:
    case COMPRESSION_PACKBITS: return layout->predictor == PREDICTOR_NONE;
    case COMPRESSION_LZW:
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
        return layout->predictor == PREDICTOR_NONE || layout->predictor == PREDICTOR_HORIZONTAL;
    default: return 0;
    }
}

static int fast_strips(TIFF *tif, cmask_source *source, const tiff_layout *layout, uint8_t *page, size_t row_bytes,
                       tiff_fast_scratch *scratch) {
    uint32_t strips = (layout->height + layout->rows_per_strip - 1) / layout->rows_per_strip;
    if (TIFFNumberOfStrips(tif) < strips) return 0;
    int swapped = TIFFIsByteSwapped(tif);
    for (uint32_t s = 0; s < strips; s++) {
        uint32_t y0 = s * layout->rows_per_strip;
        uint32_t rows = layout->height - y0 < layout->rows_per_strip ? layout->height - y0 : layout->rows_per_strip;
        uint64_t count = 0;
        const uint8_t *in = stored_bytes(tif, source, s, scratch, &count);
        if (in == NULL) return 0;
        uint8_t *out = page + (size_t)y0 * row_bytes;
        if (!decode_block(layout, in, count, out, (size_t)rows * row_bytes, scratch)) return 0;
        finish_block(out, rows, row_bytes, layout, swapped);
    }
    return 1;
}

static int fast_tiles(TIFF *tif, cmask_source *source, const tiff_layout *layout, uint8_t *page, size_t row_bytes,
                      tiff_fast_scratch *scratch) {
    size_t pixel_bytes = row_bytes / layout->width;
    size_t tile_row_bytes = (size_t)layout->tile_width * pixel_bytes;
    uint64_t tile_bytes = (uint64_t)tile_row_bytes * layout->tile_height;
    if (!grow(&scratch->tile, &scratch->tile_capacity, tile_bytes)) return 0;
    uint32_t tiles = TIFFNumberOfTiles(tif);
    int swapped = TIFFIsByteSwapped(tif);
    for (uint64_t y0 = 0; y0 < layout->height; y0 += layout->tile_height) {
        for (uint64_t x0 = 0; x0 < layout->width; x0 += layout->tile_width) {
            uint32_t tile = TIFFComputeTile(tif, (uint32_t)x0, (uint32_t)y0, 0, 0);
            if (tile >= tiles) return 0;
            uint64_t count = 0;
            const uint8_t *in = stored_bytes(tif, source, tile, scratch, &count);
            if (in == NULL || !decode_block(layout, in, count, scratch->tile, (size_t)tile_bytes, scratch)) return 0;
            finish_block(scratch->tile, layout->tile_height, tile_row_bytes, layout, swapped);
            uint64_t columns = layout->width - x0 < layout->tile_width ? layout->width - x0 : layout->tile_width;
            uint64_t rows = layout->height - y0 < layout->tile_height ? layout->height - y0 : layout->tile_height;
            for (uint64_t r = 0; r < rows; r++) {
                memcpy(page + (y0 + r) * row_bytes + x0 * pixel_bytes, scratch->tile + r * tile_row_bytes,
                       (size_t)(columns * pixel_bytes));
            }
        }
    }
    return 1;
}

int cmask_tiff_fast_page(TIFF *tif, cmask_source *source, const tiff_layout *layout, uint8_t *page,
                         uint64_t sample_bytes, tiff_fast_scratch *scratch) {
    if (!eligible(tif, layout) || sample_bytes != layout->bits_per_sample / 8u) return FAST_FALLBACK;
    size_t row_bytes = (size_t)layout->width * layout->samples_per_pixel * (size_t)sample_bytes;
    int done = layout->tiled ? fast_tiles(tif, source, layout, page, row_bytes, scratch)
                             : fast_strips(tif, source, layout, page, row_bytes, scratch);
    return done ? FAST_DONE : FAST_FALLBACK;
}

void cmask_tiff_fast_free(tiff_fast_scratch *scratch) {
    free(scratch->raw);
    free(scratch->tile);
    free(scratch->lzw);
    if (scratch->inflater != NULL) libdeflate_free_decompressor(scratch->inflater);
    memset(scratch, 0, sizeof *scratch);
}
