#if arch(x86_64)
    import _Builtin_intrinsics.intel
#endif

/// Sixteen bytes to sixteen bits: the one step of the vector loops that portable Swift SIMD has no
/// operation for. On x86-64 it is SSE2's `pmovmskb` (the compiler's intrinsics, baseline on every
/// x86-64 CPU); elsewhere each half's nonzero bytes are gathered by one multiplication.
package enum ByteMasks {
    /// Bit i (of 16) set when byte i of `v` is not zero.
    @inline(__always)
    package static func nonzero(_ v: SIMD16<UInt8>) -> UInt64 {
        #if arch(x86_64)
            let zero = _mm_cmpeq_epi8(unsafeBitCast(v, to: __m128i.self), _mm_setzero_si128())
            return UInt64(truncatingIfNeeded: _mm_movemask_epi8(zero)) ^ 0xFFFF
        #else
            return portableNonzero(v)
        #endif
    }

    /// `nonzero` without SSE2 (every other CPU; tested on x86-64 too).
    @inline(__always)
    package static func portableNonzero(_ v: SIMD16<UInt8>) -> UInt64 {
        let halves = unsafeBitCast(v, to: SIMD2<UInt64>.self)
        return gather(halves[0]) | gather(halves[1]) &<< 8
    }

    /// Bit i (of 8) set when byte i of `v` is not zero: the high bit of each nonzero byte (no
    /// carry crosses a byte), moved to bit i by one multiplication.
    @inline(__always)
    static func gather(_ v: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let high = (((v & low) &+ low) | v) & ~low
        return ((high &>> 7) &* 0x0102_0408_1020_4080) &>> 56
    }
}
