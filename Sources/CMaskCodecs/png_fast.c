/*
 * The PNG fast path: the image data of a non-interlaced PNG whose header libpng has read (so
 * IHDR, PLTE and every chunk before the first IDAT got libpng's checks and messages), decoded
 * without libpng: our own walk of the chunks from the first IDAT to IEND with every CRC checked
 * (libdeflate_crc32), the IDAT data inflated in one libdeflate_zlib_decompress_ex call into a
 * buffer of exactly the size IHDR implies, then unfiltered row by row into the caller's buffer.
 *
 * It only ever succeeds on files libpng decodes to the same samples. On anything it does not
 * take as clean — a bad CRC, truncation, a stream that inflates to another size or leaves data
 * over, a critical chunk after the image data, an unusual zlib window, a bad filter byte, a
 * palette index beyond PLTE, a size over the byte budget — it returns FAST_FALLBACK without a
 * message and libpng decodes the file from the first IDAT as before: refusals, and their
 * messages, are libpng's own.
 */
#include "codecs_internal.h"

#include <libdeflate.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/** libpng's default user_chunk_malloc_max: a longer ancillary chunk is refused by libpng. */
enum { CHUNK_LIMIT = 8000000 };

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/** libpng's png_check_chunk_name: four ASCII letters. */
static int chunk_name_valid(const uint8_t *type) {
    for (int i = 0; i < 4; i++) {
        uint8_t c = type[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return 0;
    }
    return 1;
}

/**
 * True when the stored CRC of the chunk whose header is at `at` (its length and type already
 * read; the whole chunk lies inside the file) matches its type and data.
 */
static int chunk_crc_matches(cmask_source *source, uint64_t at, uint32_t length, const uint8_t *type) {
    uint32_t crc = libdeflate_crc32(0, type, 4);
    uint8_t stored[4];
    const uint8_t *whole = cmask_source_whole(source);
    if (whole != NULL) {
        crc = libdeflate_crc32(crc, whole + at + 8, length);
        memcpy(stored, whole + at + 8 + length, 4);
    } else {
        uint8_t piece[4096];
        uint64_t done = 0;
        while (done < length) {
            size_t want = length - done < sizeof piece ? (size_t)(length - done) : sizeof piece;
            if (cmask_source_read(source, at + 8 + done, piece, want) != want) return 0;
            crc = libdeflate_crc32(crc, piece, want);
            done += want;
        }
        if (cmask_source_read(source, at + 8 + length, stored, 4) != 4) return 0;
    }
    return crc == be32(stored);
}

/** The Paeth predictor, without branches: |p − a| = |b − c| does not depend on the pixel to the left. */
static inline uint8_t paeth(uint8_t a, uint8_t b, uint8_t c) {
    int bc = (int)b - c, ac = (int)a - c;
    int pa = bc < 0 ? -bc : bc, pb = ac < 0 ? -ac : ac, pc = bc + ac < 0 ? -(bc + ac) : bc + ac;
    uint8_t nearer = pb <= pc ? b : c;
    return pa <= pb && pa <= pc ? a : nearer;
}

#if defined(__SSE2__)
/** Each lane of `x` plus every lane `step` bytes before it, for steps bpp, 2·bpp, 4·bpp, 8·bpp < 16. */
static inline __m128i prefix_sum(__m128i x, size_t bpp) {
    if (bpp == 1) x = _mm_add_epi8(x, _mm_slli_si128(x, 1));
    if (bpp <= 2) x = _mm_add_epi8(x, _mm_slli_si128(x, 2));
    x = _mm_add_epi8(x, _mm_slli_si128(x, 4));
    return _mm_add_epi8(x, _mm_slli_si128(x, 8));
}

/** The last pixel (1 or 2 bytes) of `x` repeated over all 16 bytes. */
static inline __m128i last_pixel(__m128i x, size_t bpp) {
    __m128i pair = bpp == 1 ? _mm_unpacklo_epi8(_mm_srli_si128(x, 15), _mm_srli_si128(x, 15)) : _mm_srli_si128(x, 14);
    return _mm_shuffle_epi32(_mm_unpacklo_epi16(pair, pair), 0);
}
#endif

/**
 * Undoes one row's filter: `dst` gets the row `src` encodes given the unfiltered row above
 * (`prior`, zeros for the first row). `dst` may be `src` (in place), never `prior`. Each serial
 * filter keeps the pixel to the left in a register (a load of the byte just stored waits for the
 * store); Up, and Sub on 1- and 2-byte pixels, go 16 bytes at a time.
 */
static void unfilter_row(uint8_t *dst, const uint8_t *src, const uint8_t *prior, size_t n, size_t bpp, int type) {
    size_t i = 0;
    switch (type) {
    case 0:
        if (dst != src) memcpy(dst, src, n);
        break;
    case 1:
#if defined(__SSE2__)
        if (bpp <= 2 && n >= 16) {
            __m128i carry = _mm_setzero_si128();
            for (; i + 16 <= n; i += 16) {
                __m128i x = _mm_add_epi8(prefix_sum(_mm_loadu_si128((const __m128i *)(src + i)), bpp), carry);
                _mm_storeu_si128((__m128i *)(dst + i), x);
                carry = last_pixel(x, bpp);
            }
        }
#endif
        if (bpp == 1) {
            uint8_t a = i > 0 ? dst[i - 1] : 0;
            for (; i < n; i++) dst[i] = a = (uint8_t)(src[i] + a);
        } else {
            for (; i < bpp && i < n; i++) dst[i] = src[i];
            for (; i < n; i++) dst[i] = (uint8_t)(src[i] + dst[i - bpp]);
        }
        break;
    case 2:
#if defined(__SSE2__)
        for (; i + 16 <= n; i += 16) {
            __m128i x = _mm_add_epi8(_mm_loadu_si128((const __m128i *)(src + i)),
                                     _mm_loadu_si128((const __m128i *)(prior + i)));
            _mm_storeu_si128((__m128i *)(dst + i), x);
        }
#endif
        for (; i < n; i++) dst[i] = (uint8_t)(src[i] + prior[i]);
        break;
    case 3:
        if (bpp == 1) {
            uint8_t a = 0;
            for (; i < n; i++) dst[i] = a = (uint8_t)(src[i] + (((unsigned)a + prior[i]) >> 1));
            break;
        }
        for (; i < bpp && i < n; i++) dst[i] = (uint8_t)(src[i] + (prior[i] >> 1));
        for (; i < n; i++) dst[i] = (uint8_t)(src[i] + (((unsigned)dst[i - bpp] + prior[i]) >> 1));
        break;
    default:
        if (bpp == 1) {
            uint8_t a = 0, c = 0;
#if defined(__SSE2__)
            /* Where the row above is uniform (b = c for 16 bytes, as in most of a label map),
             * Paeth predicts the pixel to the left: Sub, 16 bytes at a time. */
            if (n > 0) {
                dst[0] = a = (uint8_t)(src[0] + prior[0]);
                c = prior[0];
                i = 1;
            }
            while (i + 16 <= n) {
                __m128i above = _mm_loadu_si128((const __m128i *)(prior + i));
                __m128i above_left = _mm_loadu_si128((const __m128i *)(prior + i - 1));
                if (_mm_movemask_epi8(_mm_cmpeq_epi8(above, above_left)) == 0xFFFF) {
                    __m128i x = _mm_add_epi8(prefix_sum(_mm_loadu_si128((const __m128i *)(src + i)), 1),
                                             _mm_set1_epi8((char)a));
                    _mm_storeu_si128((__m128i *)(dst + i), x);
                    a = dst[i + 15];
                    c = prior[i + 15];
                    i += 16;
                    continue;
                }
                for (size_t end = i + 16; i < end; i++) {
                    uint8_t b = prior[i];
                    dst[i] = a = (uint8_t)(src[i] + paeth(a, b, c));
                    c = b;
                }
            }
#endif
            for (; i < n; i++) {
                uint8_t b = prior[i];
                dst[i] = a = (uint8_t)(src[i] + paeth(a, b, c));
                c = b;
            }
            break;
        }
        for (; i < bpp && i < n; i++) dst[i] = (uint8_t)(src[i] + prior[i]);
        for (; i < n; i++) dst[i] = (uint8_t)(src[i] + paeth(dst[i - bpp], prior[i], prior[i - bpp]));
        break;
    }
}

/** Unpacks one row of 1-, 2- or 4-bit samples (most significant first) to one byte each. */
static void unpack_row(uint8_t *out, const uint8_t *packed, uint32_t width, uint32_t depth) {
    const unsigned per_byte = 8 / depth;
    const uint8_t mask = (uint8_t)((1u << depth) - 1);
    uint32_t x = 0;
    for (size_t byte = 0; x < width; byte++) {
        uint8_t value = packed[byte];
        for (unsigned k = 0; k < per_byte && x < width; k++, x++) {
            out[x] = (uint8_t)(value >> (8 - depth * (k + 1))) & mask;
        }
    }
}

int cmask_png_fast_decode(cmask_source *source, uint64_t idat_at, const cmask_info *info, uint64_t max_bytes,
                          void *out) {
    const uint64_t width = info->width, height = info->height, channels = info->channels;
    const uint32_t depth = info->bit_depth;
    if (info->interlaced || width == 0 || height == 0 || channels == 0 || channels > 4) return FAST_FALLBACK;
    if (!(depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16)) return FAST_FALLBACK;
    if (depth < 8 && channels != 1) return FAST_FALLBACK;

    const uint64_t row_bytes = (width * channels * depth + 7) / 8;
    const uint64_t bpp = depth * channels < 8 ? 1 : depth * channels / 8;
    if (row_bytes + 1 > UINT64_MAX / height || (row_bytes + 1) * height > SIZE_MAX / 2) return FAST_FALLBACK;
    const uint64_t filtered = (row_bytes + 1) * height;

    /* libpng's bound on IDAT data (png_check_chunk_length, computed in 32 bits there): a longer
     * IDAT chunk is refused by libpng; longer IDAT data in all is more than a clean stream of
     * this image can be, so libpng, which streams, decides about it. */
    const uint64_t factor = width * channels * (depth > 8 ? 2 : 1) + 1;
    if (factor > UINT32_MAX) return FAST_FALLBACK;
    uint64_t idat_limit = height > UINT32_MAX / factor ? 0x7fffffffu : height * factor;
    const uint64_t step = factor > 32566 ? 32566 : factor;
    idat_limit += 6 + 5 * (idat_limit / step + 1);
    if (idat_limit > 0x7fffffffu) idat_limit = 0x7fffffffu;

    /* The IDAT chunks: consecutive, each inside the file. */
    uint8_t header[8];
    uint64_t at = idat_at, total = 0;
    uint32_t idat_count = 0;
    for (;;) {
        if (cmask_source_read(source, at, header, 8) != 8) return FAST_FALLBACK;
        uint32_t length = be32(header);
        if (length > 0x7fffffffu) return FAST_FALLBACK;
        if (memcmp(header + 4, "IDAT", 4) != 0) break;
        if (length > idat_limit || source->size - at < 12 + (uint64_t)length) return FAST_FALLBACK;
        total += length;
        if (total > idat_limit) return FAST_FALLBACK;
        idat_count++;
        at += 12 + (uint64_t)length;
    }
    if (idat_count == 0 || total < 2) return FAST_FALLBACK;

    /* From the image data to IEND: only ancillary chunks libpng skips or warns about, CRCs good.
     * Whatever follows IEND libpng never reads, and neither do we. */
    for (;;) {
        if (cmask_source_read(source, at, header, 8) != 8) return FAST_FALLBACK;
        uint32_t length = be32(header);
        const uint8_t *type = header + 4;
        if (length > 0x7fffffffu || !chunk_name_valid(type)) return FAST_FALLBACK;
        if (source->size - at < 12 + (uint64_t)length) return FAST_FALLBACK;
        if (memcmp(type, "IEND", 4) == 0) {
            if (length != 0 || !chunk_crc_matches(source, at, 0, type)) return FAST_FALLBACK;
            break;
        }
        if ((type[0] & 0x20) == 0 || length > CHUNK_LIMIT) return FAST_FALLBACK;
        if (!chunk_crc_matches(source, at, length, type)) return FAST_FALLBACK;
        at += 12 + (uint64_t)length;
    }

    /* The compressed data: in place for one IDAT of a file held whole, else gathered. */
    const uint8_t *whole = cmask_source_whole(source);
    const int in_place = idat_count == 1 && whole != NULL;
    uint64_t extra = filtered + row_bytes + (in_place ? 0 : total);
    if (info->data_bytes > max_bytes || extra > max_bytes - info->data_bytes) return FAST_FALLBACK;

    uint8_t *gathered = NULL;
    const uint8_t *stream;
    if (in_place) {
        if (!chunk_crc_matches(source, idat_at, (uint32_t)total, (const uint8_t *)"IDAT")) return FAST_FALLBACK;
        stream = whole + idat_at + 8;
    } else {
        gathered = malloc((size_t)total);
        if (gathered == NULL) return FAST_FALLBACK;
        uint64_t filled = 0;
        at = idat_at;
        for (uint32_t i = 0; i < idat_count; i++) {
            uint8_t stored[4];
            if (cmask_source_read(source, at, header, 8) != 8) goto fallback;
            uint32_t length = be32(header);
            if (cmask_source_read(source, at + 8, gathered + filled, length) != length) goto fallback;
            if (cmask_source_read(source, at + 8 + length, stored, 4) != 4) goto fallback;
            uint32_t crc = libdeflate_crc32(libdeflate_crc32(0, "IDAT", 4), gathered + filled, length);
            if (crc != be32(stored)) goto fallback;
            filled += length;
            at += 12 + (uint64_t)length;
        }
        stream = gathered;
    }

    /* zlib reads the window size from the stream header: with less than 32 KB, a distance
     * beyond it is an error there, which libdeflate does not check; only when the whole image
     * fits the window can no distance reach beyond it. */
    const unsigned window_log = (unsigned)(stream[0] >> 4) + 8;
    if ((stream[0] & 0x0f) != 8 || window_log > 15 || (window_log < 15 && filtered > (1u << window_log))) goto fallback;

    uint8_t *scratch = malloc((size_t)(filtered + row_bytes));
    if (scratch == NULL) goto fallback;
    struct libdeflate_decompressor *inflater = libdeflate_alloc_decompressor();
    if (inflater == NULL) {
        free(scratch);
        goto fallback;
    }
    size_t consumed = 0;
    enum libdeflate_result result =
        libdeflate_zlib_decompress_ex(inflater, stream, (size_t)total, scratch, (size_t)filtered, &consumed, NULL);
    libdeflate_free_decompressor(inflater);
    free(gathered);
    gathered = NULL;
    if (result != LIBDEFLATE_SUCCESS || consumed != total) {
        free(scratch);
        return FAST_FALLBACK;
    }

    uint8_t *zero = scratch + filtered;
    memset(zero, 0, (size_t)row_bytes);
    uint8_t *samples = out;
    const uint8_t *prior = zero;
    for (uint64_t y = 0; y < height; y++) {
        uint8_t *row = scratch + y * (row_bytes + 1);
        uint8_t type = row[0];
        if (type > 4) {
            free(scratch);
            return FAST_FALLBACK;
        }
        /* 8 and 16 bits: straight into the caller's rows; fewer: in place, unpacked below. */
        uint8_t *target = depth >= 8 ? samples + y * row_bytes : row + 1;
        unfilter_row(target, row + 1, prior, (size_t)row_bytes, (size_t)bpp, type);
        prior = target;
        if (depth < 8) unpack_row(samples + y * width, target, (uint32_t)width, depth);
    }
    free(scratch);

    if (depth == 16) {
        /* PNG is big-endian; the output is in host order. */
        const uint16_t probe = 1;
        uint8_t first;
        memcpy(&first, &probe, 1);
        if (first == 1) {
            uint64_t count = info->data_bytes / 2;
            for (uint64_t i = 0; i < count; i++) {
                uint8_t t = samples[2 * i];
                samples[2 * i] = samples[2 * i + 1];
                samples[2 * i + 1] = t;
            }
        }
    }
    /* An index beyond PLTE: libpng's path refuses the file, with its message. */
    if (info->color == CMASK_COLOR_PALETTE && info->palette_count < (1u << depth)) {
        uint8_t largest = 0;
        for (uint64_t i = 0; i < info->data_bytes; i++) {
            if (samples[i] > largest) largest = samples[i];
        }
        if (largest >= info->palette_count) return FAST_FALLBACK;
    }
    return FAST_DONE;

fallback:
    free(gathered);
    return FAST_FALLBACK;
}
