/*
 * Internal to CMaskCodecs: the AVX-512 VPCLMULQDQ folding steps of crc32_fold.c, shared with the
 * fused check-and-count of crc32_count.c. See crc32_fold.c for the method and the constants.
 */
#ifndef CMASK_CRC32_FOLD_H
#define CMASK_CRC32_FOLD_H

#include <stdint.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define CMASK_HAS_FOLD 1
#include <immintrin.h>

#define CMASK_FOLD_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,vpclmulqdq,pclmul,sse4.1")))

/** 1 when the CPU and the OS run the folding (AVX-512 F/BW/VL, VPCLMULQDQ, PCLMULQDQ); probed once. */
int cmask_crc32_fold_available(void);

/** x^(2048+32) and x^(2048−32) mod P: one 256-byte step of four 512-bit lanes. */
#define CMASK_FOLD_K2048 _mm512_set4_epi64(0x1322d1430, 0x11542778a, 0x1322d1430, 0x11542778a)

CMASK_FOLD_TARGET static inline __m512i cmask_fold512(__m512i x, __m512i k) {
    return _mm512_xor_si512(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11));
}

CMASK_FOLD_TARGET static inline __m128i cmask_fold128(__m128i x, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

/** The first lane of a fold: the first 64 bytes with the CRC so far (`crc`, 0 to start) XORed in. */
CMASK_FOLD_TARGET static inline __m512i cmask_fold_seed(__m512i first, uint32_t crc) {
    return _mm512_xor_si512(first, _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)~crc)));
}

/** The CRC-32 of the four lanes: folded to one lane, to 128 bits, then reduced to 32 (Barrett). */
CMASK_FOLD_TARGET static inline uint32_t cmask_fold_finish(__m512i x0, __m512i x1, __m512i x2, __m512i x3) {
    const __m512i k512 = _mm512_set4_epi64(0x1c6e41596, 0x154442bd4, 0x1c6e41596, 0x154442bd4);
    __m512i x = _mm512_xor_si512(cmask_fold512(x0, k512), x1);
    x = _mm512_xor_si512(cmask_fold512(x, k512), x2);
    x = _mm512_xor_si512(cmask_fold512(x, k512), x3);
    /* 512 → 128 bits: the lane's first three parts fold over 384, 256 and 128 bits onto the last. */
    __m128i a = cmask_fold128(_mm512_extracti32x4_epi32(x, 0), _mm_set_epi64x(0x174359406, 0x3db1ecdc));
    a = _mm_xor_si128(a, cmask_fold128(_mm512_extracti32x4_epi32(x, 1), _mm_set_epi64x(0x15a546366, 0xf1da05aa)));
    a = _mm_xor_si128(a, cmask_fold128(_mm512_extracti32x4_epi32(x, 2), _mm_set_epi64x(0x0ccaa009e, 0x1751997d0)));
    a = _mm_xor_si128(a, _mm512_extracti32x4_epi32(x, 3));
    /* 128 → 64 → 32 bits. */
    const __m128i mask = _mm_setr_epi32(~0, 0, ~0, 0);
    __m128i t = _mm_clmulepi64_si128(a, _mm_set_epi64x(0x0ccaa009e, 0x1751997d0), 0x10);
    a = _mm_xor_si128(_mm_srli_si128(a, 8), t);
    t = _mm_srli_si128(a, 4);
    a = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(a, mask), _mm_set_epi64x(0, 0x163cd6124), 0x00), t);
    const __m128i poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);
    t = _mm_clmulepi64_si128(_mm_and_si128(a, mask), poly, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, mask), poly, 0x00);
    return ~(uint32_t)_mm_extract_epi32(_mm_xor_si128(a, t), 1);
}

#endif
#endif
