/*
 * The gzip CRC-32 of two inflated NIfTI volumes and the joint runs of their 8-bit samples, in one
 * pass over both (cmask_crc32_count_pair).
 *
 * Why: a pair of .nii.gz label volumes that is only counted was read three times after inflating
 * (the truth's CRC, the prediction's CRC, then both to count), 16 MB per 128×256×256 pair each
 * time, from memory rather than cache. Here each 64-byte block is loaded once and feeds both the
 * CRC folds (crc32_fold.h) and the run counting, so the checks cost about what counting alone
 * did. The counting is JointHistogram8.accumulate's (SegMetrics): a run of equal (truth,
 * prediction) pairs is added once, with its length; blocks without a change add nothing; the
 * per-side counts are summed from the cells at the end.
 */
#include "codecs_internal.h"

#include <libdeflate.h>

#include "crc32_fold.h"

/** The run being counted: its first sample and its cell. */
typedef struct {
    size_t start;
    unsigned truth, prediction;
} run;

static inline void close_run(run *r, size_t end, uint32_t *cells) {
    cells[r->truth << 8 | r->prediction] += (uint32_t)(end - r->start);
}

static inline void split(run *r, const uint8_t *t, const uint8_t *p, size_t j, uint32_t *cells) {
    close_run(r, j, cells);
    r->start = j;
    r->truth = t[j];
    r->prediction = p[j];
}

/** Splits at every j in [from, to) where either side changes. 1 ≤ from. */
static inline void count_scalar(run *r, const uint8_t *t, const uint8_t *p, size_t from, size_t to, uint32_t *cells) {
    for (size_t j = from; j < to; j++)
        if (t[j] != t[j - 1] || p[j] != p[j - 1]) split(r, t, p, j, cells);
}

#ifdef CMASK_HAS_FOLD

/* No BMI: the probe (crc32_fold.c) does not ask for it, so the bit scans are the plain ones. */
#define CMASK_COUNT_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,vpclmulqdq,pclmul,sse4.1")))

/** Splits at the changes of the 64 samples at `at` (≥ 1), `a` and `b` holding them. */
CMASK_COUNT_TARGET static inline void count_block(run *r, const uint8_t *t, const uint8_t *p, size_t at, __m512i a,
                                                  __m512i b, uint32_t *cells) {
    uint64_t changed = _mm512_cmpneq_epi8_mask(a, _mm512_loadu_si512((const void *)(t + at - 1))) |
                       _mm512_cmpneq_epi8_mask(b, _mm512_loadu_si512((const void *)(p + at - 1)));
    while (changed != 0) {
        split(r, t, p, at + (size_t)__builtin_ctzll(changed), cells);
        changed &= changed - 1;
    }
}

CMASK_COUNT_TARGET static void crc32_count_fold(const uint8_t *t, const uint8_t *p, size_t n, uint32_t crcs[2],
                                                uint32_t *cells) {
    const __m512i k = CMASK_FOLD_K2048;
    size_t bulk = n & ~(size_t)255;
    run r = {0, t[0], p[0]};
    count_scalar(&r, t, p, 1, 64, cells);
    __m512i t0 = cmask_fold_seed(_mm512_loadu_si512((const void *)t), crcs[0]);
    __m512i p0 = cmask_fold_seed(_mm512_loadu_si512((const void *)p), crcs[1]);
    __m512i t1 = _mm512_loadu_si512((const void *)(t + 64)), p1 = _mm512_loadu_si512((const void *)(p + 64));
    __m512i t2 = _mm512_loadu_si512((const void *)(t + 128)), p2 = _mm512_loadu_si512((const void *)(p + 128));
    __m512i t3 = _mm512_loadu_si512((const void *)(t + 192)), p3 = _mm512_loadu_si512((const void *)(p + 192));
    count_block(&r, t, p, 64, t1, p1, cells);
    count_block(&r, t, p, 128, t2, p2, cells);
    count_block(&r, t, p, 192, t3, p3, cells);
    for (size_t at = 256; at < bulk; at += 256) {
        __m512i a0 = _mm512_loadu_si512((const void *)(t + at)), b0 = _mm512_loadu_si512((const void *)(p + at));
        __m512i a1 = _mm512_loadu_si512((const void *)(t + at + 64));
        __m512i b1 = _mm512_loadu_si512((const void *)(p + at + 64));
        __m512i a2 = _mm512_loadu_si512((const void *)(t + at + 128));
        __m512i b2 = _mm512_loadu_si512((const void *)(p + at + 128));
        __m512i a3 = _mm512_loadu_si512((const void *)(t + at + 192));
        __m512i b3 = _mm512_loadu_si512((const void *)(p + at + 192));
        t0 = _mm512_xor_si512(cmask_fold512(t0, k), a0);
        t1 = _mm512_xor_si512(cmask_fold512(t1, k), a1);
        t2 = _mm512_xor_si512(cmask_fold512(t2, k), a2);
        t3 = _mm512_xor_si512(cmask_fold512(t3, k), a3);
        p0 = _mm512_xor_si512(cmask_fold512(p0, k), b0);
        p1 = _mm512_xor_si512(cmask_fold512(p1, k), b1);
        p2 = _mm512_xor_si512(cmask_fold512(p2, k), b2);
        p3 = _mm512_xor_si512(cmask_fold512(p3, k), b3);
        count_block(&r, t, p, at, a0, b0, cells);
        count_block(&r, t, p, at + 64, a1, b1, cells);
        count_block(&r, t, p, at + 128, a2, b2, cells);
        count_block(&r, t, p, at + 192, a3, b3, cells);
    }
    crcs[0] = libdeflate_crc32(cmask_fold_finish(t0, t1, t2, t3), t + bulk, n - bulk);
    crcs[1] = libdeflate_crc32(cmask_fold_finish(p0, p1, p2, p3), p + bulk, n - bulk);
    count_scalar(&r, t, p, bulk, n, cells);
    close_run(&r, n, cells);
}

/**
 * The samples per value of each side, from the cells: a row's sum for the truth, a column's for the
 * prediction. Cheaper than two more increments at every change (78,000 of them in a
 * 128×256×256 pair of the bench set, against 65,536 cells read once from cache).
 */
static void side_counts(const uint32_t *cells, ptrdiff_t *truth_counts, ptrdiff_t *prediction_counts) {
    for (unsigned a = 0; a < 256; a++) {
        const uint32_t *row = cells + (a << 8);
        ptrdiff_t sum = 0;
        for (unsigned b = 0; b < 256; b++) {
            sum += row[b];
            prediction_counts[b] += row[b];
        }
        truth_counts[a] += sum;
    }
}

bool cmask_crc32_count_pair(const uint8_t *truth, const uint8_t *prediction, uint64_t count, uint32_t crcs[2],
                            uint32_t *cells, ptrdiff_t *truth_counts, ptrdiff_t *prediction_counts) {
    if (count < 256 || count > UINT32_MAX || !cmask_crc32_fold_available()) return false;
    crc32_count_fold(truth, prediction, (size_t)count, crcs, cells);
    side_counts(cells, truth_counts, prediction_counts);
    return true;
}

bool cmask_crc32_count_available(void) { return cmask_crc32_fold_available() != 0; }

#else

bool cmask_crc32_count_pair(const uint8_t *truth, const uint8_t *prediction, uint64_t count, uint32_t crcs[2],
                            uint32_t *cells, ptrdiff_t *truth_counts, ptrdiff_t *prediction_counts) {
    (void)truth, (void)prediction, (void)count, (void)crcs, (void)cells, (void)truth_counts, (void)prediction_counts;
    return false;
}

bool cmask_crc32_count_available(void) { return false; }

#endif
