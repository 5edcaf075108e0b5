/*
 * The differing samples of a row of 8-bit labels (the candidates of SurfaceClassRowBuffers): one
 * comparison per neighbour of 64 samples (AVX-512 BW, straight into a mask register) or of 32
 * (AVX2, a byte mask moved out), against about twenty instructions per 16 samples in portable Swift
 * (SSE2). Chosen once by cpuid and xgetbv; SegMetrics' tests compare every kernel with the Swift
 * code on rows of every width and tail.
 */
#include "csurface_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>
#include <immintrin.h>
#include <pthread.h>

#define CSK_AVX512 __attribute__((target("avx512f,avx512bw")))
#define CSK_AVX2 __attribute__((target("avx2")))

CSK_AVX512 void csk_differing_avx512(const uint8_t *row, ptrdiff_t w, ptrdiff_t plane, int exclude, uint64_t *bits) {
    const ptrdiff_t words = (w + 63) >> 6;
    const __m512i excluded = _mm512_set1_epi8((char)exclude);
    for (ptrdiff_t k = 0; k < words; k++) {
        const ptrdiff_t x = k << 6;
        const ptrdiff_t n = w - x;
        const __mmask64 lanes = n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
        const uint8_t *p = row + x;
        const __m512i v = _mm512_maskz_loadu_epi8(lanes, p);
        __mmask64 m = _mm512_mask_cmpneq_epu8_mask(lanes, v, _mm512_maskz_loadu_epi8(lanes, p - 1));
        m |= _mm512_mask_cmpneq_epu8_mask(lanes, v, _mm512_maskz_loadu_epi8(lanes, p + 1));
        m |= _mm512_mask_cmpneq_epu8_mask(lanes, v, _mm512_maskz_loadu_epi8(lanes, p - w));
        m |= _mm512_mask_cmpneq_epu8_mask(lanes, v, _mm512_maskz_loadu_epi8(lanes, p + w));
        if (plane > 0) {
            m |= _mm512_mask_cmpneq_epu8_mask(lanes, v, _mm512_maskz_loadu_epi8(lanes, p - plane));
            m |= _mm512_mask_cmpneq_epu8_mask(lanes, v, _mm512_maskz_loadu_epi8(lanes, p + plane));
        }
        if (exclude >= 0) m &= _mm512_mask_cmpneq_epu8_mask(lanes, v, excluded);
        bits[k] = (uint64_t)m;
    }
}

/** Bit i (of 32) set when sample x + i differs from a face neighbour. */
CSK_AVX2 static inline uint64_t differing32(const uint8_t *p, ptrdiff_t w, ptrdiff_t plane, int exclude) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)p);
    __m256i same = _mm256_and_si256(_mm256_cmpeq_epi8(v, _mm256_loadu_si256((const __m256i *)(p - 1))),
                                    _mm256_cmpeq_epi8(v, _mm256_loadu_si256((const __m256i *)(p + 1))));
    same = _mm256_and_si256(same, _mm256_cmpeq_epi8(v, _mm256_loadu_si256((const __m256i *)(p - w))));
    same = _mm256_and_si256(same, _mm256_cmpeq_epi8(v, _mm256_loadu_si256((const __m256i *)(p + w))));
    if (plane > 0) {
        same = _mm256_and_si256(same, _mm256_cmpeq_epi8(v, _mm256_loadu_si256((const __m256i *)(p - plane))));
        same = _mm256_and_si256(same, _mm256_cmpeq_epi8(v, _mm256_loadu_si256((const __m256i *)(p + plane))));
    }
    if (exclude >= 0) same = _mm256_or_si256(same, _mm256_cmpeq_epi8(v, _mm256_set1_epi8((char)exclude)));
    return (uint64_t)(uint32_t)~_mm256_movemask_epi8(same);
}

CSK_AVX2 void csk_differing_avx2(const uint8_t *row, ptrdiff_t w, ptrdiff_t plane, int exclude, uint64_t *bits) {
    const ptrdiff_t words = (w + 63) >> 6;
    ptrdiff_t x = 0;
    for (; x + 64 <= w; x += 64) {
        bits[x >> 6] = differing32(row + x, w, plane, exclude) | differing32(row + x + 32, w, plane, exclude) << 32;
    }
    for (ptrdiff_t k = x >> 6; k < words; k++) bits[k] = 0;
    while (x < w) {
        /* The last vector ends at the row's end, over samples already set: the same bits. */
        const ptrdiff_t start = x < w - 32 ? x : w - 32;
        const uint64_t chunk = differing32(row + start, w, plane, exclude);
        const unsigned shift = (unsigned)(start & 63);
        bits[start >> 6] |= chunk << shift;
        if (shift > 32) bits[(start >> 6) + 1] |= chunk >> (64 - shift);
        x = start + 32;
    }
}

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int level;

/** AVX2 with the OS saving the 256-bit registers; AVX-512 F and BW with the 512-bit ones too. */
static void probe(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) return;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    int avx2 = (b >> 5) & 1, avx512 = ((b >> 16) & 1) && ((b >> 30) & 1);
    if (avx2 && (lo & 0x6) == 0x6) level = 1;
    if (avx512 && (lo & 0xE6) == 0xE6) level = 2;
}

int csk_kernel_level(void) {
    pthread_once(&probe_once, probe);
    return level;
}

#else

int csk_kernel_level(void) { return 0; }
void csk_differing_avx512(const uint8_t *row, ptrdiff_t w, ptrdiff_t plane, int exclude, uint64_t *bits) {
    (void)row, (void)w, (void)plane, (void)exclude, (void)bits;
}
void csk_differing_avx2(const uint8_t *row, ptrdiff_t w, ptrdiff_t plane, int exclude, uint64_t *bits) {
    (void)row, (void)w, (void)plane, (void)exclude, (void)bits;
}

#endif
