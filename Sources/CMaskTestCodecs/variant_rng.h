/*
 * The seeded generator of the variant generators (png_variants.c, tiff_variants.c): SplitMix64,
 * the same sequence on every machine for a seed.
 */
#ifndef VARIANT_RNG_H
#define VARIANT_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} rng;

static inline uint64_t next(rng *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/** A number in 0..<n (0 when n is 0). */
static inline uint32_t below(rng *r, uint32_t n) { return n == 0 ? 0 : (uint32_t)(next(r) % n); }

#endif
