/// `SurfaceClassBoundaries.extract` row by row through bit masks, when every measured class has
/// one label and rows are at least 16 samples wide.
///
/// For each row a mask of its candidate samples is built without branching on the data: in an
/// interior row, bit x is set when the XOR of sample x with one of its face neighbours is not zero
/// (16 samples per vector, the nonzero bytes gathered into 16 bits; a last vector overlapping the
/// one before it when the width is not a multiple of 16, which sets the same bits again), and
/// the first and last samples of the row (on the image edge) are always set; in a row on the
/// image edge (first or last row, first or last plane), the bits of the samples in a measured
/// class are set. With one label per class, a candidate is on its class's boundary exactly when
/// its class is measured, so each set bit is written, in C order, to its class's buffer or to a
/// discarded one, at the buffer's next position (no branch on the class).
final class SurfaceClassRowBuffers {
    /// One buffer per measured class and a last one for the samples of no measured class.
    private var starts: [UnsafeMutablePointer<LatticePoint>] = []
    private var capacities: [Int] = []
    private var mask: [UInt64] = []

    deinit { for start in starts { start.deallocate() } }

    /// Bytes held between calls.
    var retainedBytes: Int { capacities.reduce(0, +) * MemoryLayout<LatticePoint>.stride + mask.capacity * 8 }

    /// Grows the buffers (`slots` of them) so that each has room for `count` points more than `used`.
    private static func reserve(
        _ starts: inout [UnsafeMutablePointer<LatticePoint>], _ capacities: inout [Int], slots: Int,
        used: UnsafeMutablePointer<Int>, count: Int
    ) {
        while starts.count < slots {
            starts.append(.allocate(capacity: 64))
            capacities.append(64)
        }
        for s in 0..<slots where used[s] + count > capacities[s] {
            let capacity = max(2 * capacities[s], used[s] + count)
            let grown = UnsafeMutablePointer<LatticePoint>.allocate(capacity: capacity)
            grown.update(from: starts[s], count: used[s])
            starts[s].deallocate()
            starts[s] = grown
            capacities[s] = capacity
        }
    }

    /// The boundaries of classes 0..<`classes` of the 8-bit labels `m` (`w` × `h` × `d`, `w` ≥ 16)
    /// whose class index is `lookup[label]` (one label per measured class), into `points`.
    func extract(
        _ m: UnsafePointer<UInt8>, lookup: UnsafePointer<UInt8>, w: Int, h: Int, d: Int, threeD: Bool, classes: Int,
        into points: inout [[LatticePoint]]
    ) {
        // The slot of each label: its class index, or `classes` (discarded).
        var slot = [UInt8](repeating: UInt8(classes), count: 256)
        for v in 0..<256 where Int(lookup[v]) < classes && lookup[v] != SurfaceClassBoundaries.none {
            slot[v] = lookup[v]
        }
        let words = (w + 63) >> 6
        if mask.count < words + 1 { mask = [UInt64](repeating: 0, count: words + 1) }
        let plane = w * h
        var used = [Int](repeating: 0, count: classes + 1)
        // Local copies: no exclusivity checks on the class's properties in the loop.
        var starts = self.starts
        var capacities = self.capacities
        defer {
            self.starts = starts
            self.capacities = capacities
        }
        slot.withUnsafeBufferPointer { slotBuffer in
            mask.withUnsafeMutableBufferPointer { maskBuffer in
                used.withUnsafeMutableBufferPointer { usedBuffer in
                    guard let slot = slotBuffer.baseAddress, let bits = maskBuffer.baseAddress,
                        let used = usedBuffer.baseAddress
                    else { return }
                    for z in 0..<d {
                        for y in 0..<h {
                            let row = m + (z * h + y) * w
                            bits.update(repeating: 0, count: words + 1)
                            if y == 0 || y == h - 1 || (threeD && (z == 0 || z == d - 1)) {
                                for x in 0..<w {
                                    let measured = UInt64(slot[Int(row[x])] < classes ? 1 : 0)
                                    bits[x >> 6] |= measured &<< UInt64(x & 63)
                                }
                            } else {
                                if threeD {
                                    Self.interior(row, w: w, plane: plane, bits)
                                } else {
                                    Self.interior(row, w: w, plane: 0, bits)
                                }
                                bits[0] |= 1
                                bits[(w - 1) >> 6] |= 1 &<< UInt64((w - 1) & 63)
                            }
                            // The discarded buffer is rewritten from its start on every row.
                            used[classes] = 0
                            Self.reserve(&starts, &capacities, slots: classes + 1, used: used, count: w)
                            starts.withUnsafeBufferPointer { out in
                                guard let out = out.baseAddress else { return }
                                for word in 0..<words {
                                    var b = bits[word]
                                    while b != 0 {
                                        let x = word << 6 + b.trailingZeroBitCount
                                        b &= b &- 1
                                        let s = Int(slot[Int(row[x])])
                                        out[s][used[s]] = LatticePoint(x: Int32(x), y: Int32(y), z: Int32(z))
                                        used[s] += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<classes {
            points[c].append(contentsOf: UnsafeBufferPointer(start: starts[c], count: used[c]))
        }
    }

    /// Sets the bits of the samples of an interior `row` that differ from a face neighbour
    /// (`plane` 0 in 2-D): whole words from four vectors of 16, then vectors of 16, then a last
    /// vector ending at the row's end. Reads one sample before and after the row (in the rows
    /// before and after, at the row's ends, whose samples are set anyway).
    @inline(__always)
    private static func interior(_ row: UnsafePointer<UInt8>, w: Int, plane: Int, _ bits: UnsafeMutablePointer<UInt64>) {
        let up = row - w
        let down = row + w
        var x = 0
        while x + 64 <= w {
            let word =
                found(row, up, down, x, plane: plane) | found(row, up, down, x + 16, plane: plane) &<< 16
                | found(row, up, down, x + 32, plane: plane) &<< 32 | found(row, up, down, x + 48, plane: plane) &<< 48
            bits[x >> 6] = word
            x += 64
        }
        while x < w {
            // The last vector ends at the row's end, over samples already set: the same bits.
            let start = min(x, w - 16)
            let shift = UInt64(start & 63)
            let chunk = found(row, up, down, start, plane: plane)
            bits[start >> 6] |= chunk &<< shift
            bits[start >> 6 + 1] |= (chunk &>> 1) &>> (63 &- shift)
            x = start + 16
        }
    }

    /// Bit i (of 16) set when sample `x + i` of `row` differs from a face neighbour.
    @inline(__always)
    private static func found(
        _ row: UnsafePointer<UInt8>, _ up: UnsafePointer<UInt8>, _ down: UnsafePointer<UInt8>, _ x: Int, plane: Int
    ) -> UInt64 {
        let v = load16(row + x)
        var differs = (v ^ load16(row + x - 1)) | (v ^ load16(row + x + 1))
        differs |= (v ^ load16(up + x)) | (v ^ load16(down + x))
        if plane > 0 { differs |= (v ^ load16(row + x - plane)) | (v ^ load16(row + x + plane)) }
        let halves = unsafeBitCast(differs, to: SIMD2<UInt64>.self)
        return gather(halves[0]) | gather(halves[1]) &<< 8
    }

    /// Bit i (of 8) set when byte i of `v` is not zero: the high bit of each nonzero byte (no
    /// carry crosses a byte), moved to bit i by one multiplication.
    @inline(__always)
    private static func gather(_ v: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let high = (((v & low) &+ low) | v) & ~low
        return ((high &>> 7) &* 0x0102_0408_1020_4080) &>> 56
    }

    @inline(__always)
    private static func load16(_ p: UnsafePointer<UInt8>) -> SIMD16<UInt8> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
    }
}
