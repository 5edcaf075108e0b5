import MaskIO
import Parallel
import SegMetrics

/// Decoded sample arrays handed back after a pair is counted, for the next pair to decode into.
/// Buffers come back only after their masks are gone, so the pool holds their only references and
/// the decoder writes into them without a copy: about two buffers per worker.
final class SampleBufferPool: Sendable {
    private let free = Locked<(buffers: [MaskSamples], bytes: UInt64)>(([], 0))
    /// More than the two masks per worker in flight is never needed.
    private static let limit = 16
    /// Bytes the kept buffers may hold together (they count against the memory budget).
    let byteLimit: UInt64

    /// A pool that keeps at most `byteLimit` bytes of spare buffers.
    init(byteLimit: UInt64) {
        self.byteLimit = byteLimit
    }

    /// A spare buffer to decode into, or nil when none is kept.
    func take() -> MaskSamples? {
        free.withLock { pool in
            guard let samples = pool.buffers.popLast() else { return nil }
            pool.bytes -= Self.bytes(of: samples)
            return samples
        }
    }

    /// Keeps `samples` for a later pair, unless the pool is full.
    func give(back samples: MaskSamples) {
        let size = Self.bytes(of: samples)
        free.withLock { pool in
            if pool.buffers.count < Self.limit && pool.bytes + size <= byteLimit {
                pool.buffers.append(samples)
                pool.bytes += size
            }
        }
    }

    /// Drops every kept buffer (before a pair that needs the whole budget).
    func drain() {
        let dropped = free.withLock { pool in
            defer { pool = ([], 0) }
            return pool.buffers
        }
        _ = dropped  // released here, outside the lock
    }

    /// The bytes a buffer holds (its element count; capacity may be a little more).
    private static func bytes(of samples: MaskSamples) -> UInt64 {
        UInt64(samples.count * samples.type.byteWidth)
    }
}

/// Reusable joint histograms (256 KB each), so no pair allocates or zeroes a whole one.
final class HistogramPool: Sendable {
    private let free = Locked<[JointHistogram8]>([])

    /// A cleared histogram: a kept one, or a new one.
    func take() -> JointHistogram8 {
        free.withLock { $0.popLast() } ?? JointHistogram8()
    }

    /// Clears `histogram` and keeps it for a later pair.
    func give(back histogram: inout JointHistogram8) {
        histogram.reset()
        let cleared = histogram
        free.withLock { $0.append(cleared) }
    }
}
