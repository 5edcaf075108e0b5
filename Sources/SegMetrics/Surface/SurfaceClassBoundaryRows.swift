import CSurfaceKernels

/// `SurfaceClassBoundaries.extract` row by row through bit masks, when every measured class has
/// one label and rows are at least 16 samples wide.
///
/// For each row a mask of its candidate samples is built without branching on the data: in an
/// interior row, bit x is set when sample x differs from one of its face neighbours (`differing`:
/// 64 or 32 samples per comparison in the C kernels where the CPU has AVX-512 BW or AVX2, which
/// also leave out one unmeasured label's samples; else 16 per vector in Swift, see `interior`), and
/// the first and last samples of the row (on the image edge) are always set; in a row on the
/// image edge (first or last row, first or last plane), the bits of the samples in a measured
/// class are set. With one label per class, a candidate is on its class's boundary exactly when
/// its class is measured, so each set bit is written, in C order, to its class's buffer or to a
/// discarded one, at the buffer's next position (no branch on the class).
package final class SurfaceClassRowBuffers {
    /// One buffer per measured class and a last one for the samples of no measured class.
    private var starts: [UnsafeMutablePointer<LatticePoint>] = []
    private var capacities: [Int] = []
    private var mask: [UInt64] = []

    /// Empty buffers.
    package init() {}

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
    /// whose class index is `lookup[label]` (one label per measured class), into `points`
    /// (appended). `kernel`: the interior rows' kernel (`differing`; at most `Self.kernel`, lower
    /// only in tests).
    package func extract(
        _ m: UnsafePointer<UInt8>, lookup: UnsafePointer<UInt8>, w: Int, h: Int, d: Int, threeD: Bool, classes: Int,
        into points: inout [[LatticePoint]], kernel: Int = SurfaceClassRowBuffers.kernel
    ) {
        // The slot of each label: its class index, or `classes` (discarded).
        var slot = [UInt8](repeating: UInt8(classes), count: 256)
        for v in 0..<256 where Int(lookup[v]) < classes && lookup[v] != SurfaceClassBoundaries.none {
            slot[v] = lookup[v]
        }
        let words = (w + 63) >> 6
        // The row's candidate words, then its horizontal differences (`interior`), each
        // `words + 1` long.
        if mask.count < 2 * (words + 1) { mask = [UInt64](repeating: 0, count: 2 * (words + 1)) }
        let plane = w * h
        let kernel = min(kernel, Self.kernel)
        // A label of no measured class (the first sample's, else 0, most often the background)
        // whose samples the C kernels leave out: they would only be discarded.
        let exclude = slot[Int(m[0])] == classes ? Int(m[0]) : slot[0] == classes ? 0 : -1
        // The points are written as x (4 bytes) and then y and z (one 8-byte word).
        precondition(
            MemoryLayout<LatticePoint>.offset(of: \LatticePoint.y) == 4
                && MemoryLayout<LatticePoint>.offset(of: \LatticePoint.z) == 8)
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
                            if y == 0 || y == h - 1 || (threeD && (z == 0 || z == d - 1)) {
                                bits.update(repeating: 0, count: words)
                                for x in 0..<w {
                                    let measured = UInt64(slot[Int(row[x])] < classes ? 1 : 0)
                                    bits[x >> 6] |= measured &<< UInt64(x & 63)
                                }
                            } else {
                                Self.differing(
                                    row, w: w, plane: threeD ? plane : 0, bits, words: words, kernel: kernel, exclude: exclude)
                                bits[0] |= 1
                                bits[(w - 1) >> 6] |= 1 &<< UInt64((w - 1) & 63)
                            }
                            // The discarded buffer is rewritten from its start on every row.
                            used[classes] = 0
                            Self.reserve(&starts, &capacities, slots: classes + 1, used: used, count: w)
                            starts.withUnsafeBufferPointer { out in
                                guard let out = out.baseAddress else { return }
                                // y and z of every point of the row, stored as one 8-byte word after x.
                                let yz = UInt64(UInt32(y)) | UInt64(UInt32(z)) &<< 32
                                for word in 0..<words {
                                    var b = bits[word]
                                    while b != 0 {
                                        let x = word << 6 | b.trailingZeroBitCount
                                        b &= b &- 1
                                        let s = Int(slot[Int(row[x])])
                                        let n = used[s]
                                        let point = UnsafeMutableRawPointer(out[s] + n)
                                        point.storeBytes(of: Int32(truncatingIfNeeded: x), as: Int32.self)
                                        point.storeBytes(of: yz, toByteOffset: 4, as: UInt64.self)
                                        used[s] = n &+ 1
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

    /// The vector kernel this CPU runs (`csk_kernel_level`: 2 AVX-512 BW, 1 AVX2, 0 none).
    package static let kernel = Int(csk_kernel_level())

    /// Sets bit x of `bits` (2 · (`words` + 1) words: the portable code keeps its horizontal
    /// differences after the first `words` + 1; bits beyond the row stay 0) for the samples of
    /// an interior `row` that differ from a face neighbour (`plane` apart in 3-D, 0 in 2-D), by
    /// the C kernel of `kernel` (at most `Self.kernel`; AVX2 only for rows of 32 or more) or by
    /// the portable `interior`: the same bits (`SurfaceRowKernelTests`), except that the C kernels
    /// leave out the samples of label `exclude` (0…255, −1 for none; a label of no measured class,
    /// whose candidates would only be discarded). The first and last samples' bits are the
    /// caller's to set.
    package static func differing(
        _ row: UnsafePointer<UInt8>, w: Int, plane: Int, _ bits: UnsafeMutablePointer<UInt64>, words: Int, kernel: Int,
        exclude: Int = -1
    ) {
        if kernel >= 2 {
            csk_differing_avx512(row, w, plane, Int32(exclude), bits)
        } else if kernel == 1 && w >= 32 {
            csk_differing_avx2(row, w, plane, Int32(exclude), bits)
        } else if plane > 0 {
            interior(row, w: w, plane: plane, bits, words: words, Volume.self)
        } else {
            interior(row, w: w, plane: 0, bits, words: words, Image.self)
        }
    }

    /// Sets the bits of the samples of an interior `row` (`words` words from `bits`) that differ
    /// from a face neighbour (`plane` apart in 3-D). Each vector of 16 samples gives two 16-bit
    /// masks: H, bit i set when sample x + i differs from sample x + i − 1, and V, when it differs
    /// from the samples above or below it (or in the planes before or after). A sample differs
    /// from its right neighbour exactly when bit i + 1 of H is set, so the candidates are
    /// V | H | H >> 1, taken word by word once the row's words are built (H kept in the
    /// `words + 1` words after the candidates'; a last vector ending at the row's end sets the
    /// same bits again). Every one of the `words + 1` words of both is set, so nothing is cleared
    /// before. Reads the sample before the row (the row before's last, whose sample the caller
    /// sets).
    private static func interior<D: Dimensions>(
        _ row: UnsafePointer<UInt8>, w: Int, plane: Int, _ bits: UnsafeMutablePointer<UInt64>, words: Int, _: D.Type
    ) {
        let up = row - w
        let down = row + w
        let horizontal = bits + (words + 1)
        var x = 0
        while x + 64 <= w {
            var v: UInt64 = 0
            var h: UInt64 = 0
            for k in 0..<4 {
                let masks = differences(row, up, down, x + 16 * k, plane: plane, D.self)
                v |= masks.v &<< UInt64(16 * k)
                h |= masks.h &<< UInt64(16 * k)
            }
            bits[x >> 6] = v
            horizontal[x >> 6] = h
            x += 64
        }
        // The words the last vectors set bits in, and the word after the last H word.
        for k in (x >> 6)...words {
            bits[k] = 0
            horizontal[k] = 0
        }
        while x < w {
            let start = min(x, w - 16)
            let shift = UInt64(start & 63)
            let masks = differences(row, up, down, start, plane: plane, D.self)
            bits[start >> 6] |= masks.v &<< shift
            bits[start >> 6 + 1] |= (masks.v &>> 1) &>> (63 &- shift)
            horizontal[start >> 6] |= masks.h &<< shift
            horizontal[start >> 6 + 1] |= (masks.h &>> 1) &>> (63 &- shift)
            x = start + 16
        }
        for k in 0..<words {
            let h = horizontal[k]
            bits[k] |= h | h &>> 1 | horizontal[k + 1] &<< 63
        }
    }

    /// The H and V masks of the 16 samples from `x` (see `interior`).
    @inline(__always)
    private static func differences<D: Dimensions>(
        _ row: UnsafePointer<UInt8>, _ up: UnsafePointer<UInt8>, _ down: UnsafePointer<UInt8>, _ x: Int, plane: Int,
        _: D.Type
    ) -> (h: UInt64, v: UInt64) {
        let v = load16(row + x)
        var vertical = (v ^ load16(up + x)) | (v ^ load16(down + x))
        if D.volume { vertical |= (v ^ load16(row + x - plane)) | (v ^ load16(row + x + plane)) }
        return (ByteMasks.nonzero(v ^ load16(row + x - 1)), ByteMasks.nonzero(vertical))
    }

    @inline(__always)
    private static func load16(_ p: UnsafePointer<UInt8>) -> SIMD16<UInt8> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
    }
}

/// Whether the class boundary rows are of a volume (six face neighbours) or an image (four).
private protocol Dimensions { static var volume: Bool { get } }
private enum Image: Dimensions { static var volume: Bool { false } }
private enum Volume: Dimensions { static var volume: Bool { true } }
