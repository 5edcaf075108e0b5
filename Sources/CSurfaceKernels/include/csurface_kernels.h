/*
 * Vector kernels of the boundary metrics (SegMetrics), chosen at run time by what the CPU has.
 * SegMetrics keeps portable Swift code for every kernel and uses these only where
 * csk_kernel_level() says they run.
 */
#ifndef CSURFACE_KERNELS_H
#define CSURFACE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/** 2 when the CPU and OS run the AVX-512 BW kernels, 1 for AVX2, 0 for neither (x86-64 only). */
int csk_kernel_level(void);

/**
 * The samples of an interior row of 8-bit labels that differ from a face neighbour: bit x of
 * `bits` (words 0…(w + 63) / 64 − 1, each one written) is set when row[x] differs from row[x − 1],
 * row[x + 1], row[x − w] or row[x + w], and, when `plane` > 0, row[x − plane] or row[x + plane].
 * With `exclude` 0…255, the samples of that label are left out (−1: none). Reads row[−1] and
 * row[w] (the caller's samples around an interior row). `w` ≥ 32 for the AVX2 kernel, ≥ 1 for
 * AVX-512. Only to be called at the level csk_kernel_level() returns or below.
 */
void csk_differing_avx512(const uint8_t *row, ptrdiff_t w, ptrdiff_t plane, int exclude, uint64_t *bits);
void csk_differing_avx2(const uint8_t *row, ptrdiff_t w, ptrdiff_t plane, int exclude, uint64_t *bits);

#endif
