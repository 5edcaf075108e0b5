import MaskIO
import Parallel
import SegMetrics

// Boundary metrics of a pair: for the variants at pixel centres, every class's boundary from one
// pass per side (`SurfaceClassIndex.swift`); otherwise one binary mask per scored class and side,
// built into reused buffers, then `SurfaceWorkspace.compute`. Pixels outside the region of interest, and pixels
// whose ground truth is an ignore label, are background in both masks.

/// The boundary metrics of one pair, with the grid they were measured on.
public struct PairSurface: Sendable, Equatable {
    /// The values of each class measured (class id → values).
    public var values: [Int: SurfaceValues]
    /// The spacing used along x, y, z (z is 1 for a 2-D pair unless given).
    public var spacing: [Double]
    /// Where the spacing came from.
    public var source: SpacingSource

    /// Values measured on `spacing`.
    public init(values: [Int: SurfaceValues] = [:], spacing: [Double] = [1, 1, 1], source: SpacingSource = .default) {
        self.values = values
        self.spacing = spacing
        self.source = source
    }
}

/// Mask buffers kept between pairs (at most 8 MiB together, outside the per-pair budget).
final class SurfaceBufferPool: Sendable {
    private let free = Locked<(buffers: [[UInt8]], bytes: Int)>(([], 0))
    private static let byteLimit = 8 << 20

    /// A buffer of `count` zero bytes: a kept one, or a new one.
    func take(count: Int) -> [UInt8] {
        var buffer = free.withLock { pool -> [UInt8] in
            guard let last = pool.buffers.popLast() else { return [] }
            pool.bytes -= last.capacity
            return last
        }
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: count))
        return buffer
    }

    /// Keeps `buffer` for a later pair, unless the pool is full.
    func give(back buffer: [UInt8]) {
        free.withLock { pool in
            if pool.bytes + buffer.capacity <= Self.byteLimit {
                pool.buffers.append(buffer)
                pool.bytes += buffer.capacity
            }
        }
    }
}

/// What boundary metrics hold beside the decoded masks, per pixel: the two class masks and the
/// kept-pixel flags (1 byte each), the argmax winners of channel data (2 bytes) and the distance
/// engine's working arrays (an upper estimate of 16 bytes per sample).
enum SurfaceMemory {
    static let bytesPerPixel: UInt64 = 3 + 2 + 16
}

extension PairEvaluator {
    /// The grid and spacing of a pair whose ground truth is `truth`, `depth` slices deep.
    /// - Throws: `--spacing` with two values on a 3-D pair.
    func surfaceGrid(key: String, truthPath: String, truth: DecodedMask, prediction: DecodedMask?, shape: Shape)
        throws(PairFailure) -> (grid: SurfaceGrid, source: SpacingSource, mismatch: Bool)
    {
        // A TIFF read in the 3-D shape of tifffile's description is a volume, even of one slice.
        let shaped = truth.declaration.tifffileShape == [truth.depth, truth.height, truth.width] && truth.channels == 1
        let dims = truth.declaration.nifti?.dims.count ?? (shaped ? 3 : 0)
        let dimensions = shape.depth > 1 || dims >= 3 ? 3 : 2
        var spacing: [Double] = [1, 1, 1]
        var source = SpacingSource.default
        var mismatch = false
        if let given = options.surface.spacing {
            if given.count == 2 && dimensions == 3 {
                throw PairFailure(
                    key: key, path: truthPath,
                    message: "--spacing gives 2 values (x,y) but this pair is 3-D: give X,Y,Z")
            }
            spacing = Array(given.prefix(3)) + Array(repeating: 1, count: max(0, 3 - given.count))
            source = .option
        } else if let stored = truth.declaration.spacing, stored.count >= 2, stored.allSatisfy({ $0.isFinite && $0 > 0 }) {
            spacing = Array(stored.prefix(3)) + Array(repeating: 1, count: max(0, 3 - stored.count))
            source = .file
            if let other = prediction?.declaration.spacing, other.count >= 2, Array(other.prefix(3)) != Array(stored.prefix(3)) {
                mismatch = true
            }
        }
        let grid = SurfaceGrid(
            width: shape.width, height: shape.height, depth: shape.depth, spacing: (spacing[0], spacing[1], spacing[2]),
            dimensions: dimensions)
        return (grid, source, mismatch)
    }

    /// Whether background (class 0) gets boundary metrics: only when it is in the headline.
    func surfaceIncludesBackground(channelsOnBothSides: Bool) -> Bool {
        options.includeBackground ?? channelsOnBothSides
    }

    /// The class's position in the scored class order (for per-class NSD tolerances).
    func surfacePosition(of id: Int) -> Int {
        let order = options.regions.isEmpty ? (options.explicitClasses ?? []) : options.regions.keys.sorted()
        return order.firstIndex(of: id) ?? 0
    }

    /// Measures the classes `ids` of two label maps (or RGB maps through the colour table).
    func labelSurface(
        truth: LabelBuffer, prediction: LabelBuffer, ids: [Int], roi: [UInt8]?, grid: SurfaceGrid
    ) -> [Int: SurfaceValues] {
        let n = grid.count
        var keep: [UInt8]?
        let ignored = options.ignoreLabels
        if roi != nil || !ignored.isEmpty {
            var flags = surfaceBuffers.take(count: n)
            if let roi {
                for i in 0..<n { flags[i] = roi[i] != 0 ? 1 : 0 }
            } else {
                for i in 0..<n { flags[i] = 1 }
            }
            if !ignored.isEmpty {
                let table = StoredValueTable(stored: truth.stored, missing: 1) {
                    ignored.contains(truth.aliases[$0] ?? $0) ? 0 : 1
                }
                flags.withUnsafeMutableBufferPointer { out in truth.accept(KeepVisitor(keep: table, flags: out)) }
            }
            keep = flags
        }
        if let index = surfaceClassIndex(ids: ids) {
            defer { if let keep { surfaceBuffers.give(back: keep) } }
            return labelSurfaceOnePass(truth: truth, prediction: prediction, ids: ids, index: index, keep: keep, grid: grid)
        }
        var gt = surfaceBuffers.take(count: n)
        var pred = surfaceBuffers.take(count: n)
        defer {
            surfaceBuffers.give(back: gt)
            surfaceBuffers.give(back: pred)
            if let keep { surfaceBuffers.give(back: keep) }
        }
        let regions = options.regions
        var result: [Int: SurfaceValues] = [:]
        for id in ids {
            let members = Set(regions.isEmpty ? [id] : regions[id] ?? [])
            gt.withUnsafeMutableBufferPointer { out in truth.accept(ClassMaskFill(buffer: truth, members: members, out: out)) }
            pred.withUnsafeMutableBufferPointer { out in
                prediction.accept(ClassMaskFill(buffer: prediction, members: members, out: out))
            }
            if let keep { Self.clear(&gt, &pred, keeping: keep) }
            result[id] = measure(gt, pred, grid: grid, position: surfacePosition(of: id))
        }
        return result
    }

    /// Measures one class from its two masks.
    func measure(_ gt: [UInt8], _ pred: [UInt8], grid: SurfaceGrid, position: Int) -> SurfaceValues {
        let request = options.surface.request(forClassAt: position)
        let workspace = surfaceWorkspaces.take()
        defer { surfaceWorkspaces.give(back: workspace) }
        return gt.withUnsafeBufferPointer { g in
            pred.withUnsafeBufferPointer { p in workspace.compute(gt: g, pred: p, grid: grid, request: request) }
        }
    }

    /// Sets both masks to 0 where `keep` is 0.
    static func clear(_ gt: inout [UInt8], _ pred: inout [UInt8], keeping keep: [UInt8]) {
        keep.withUnsafeBufferPointer { k in
            gt.withUnsafeMutableBufferPointer { g in
                pred.withUnsafeMutableBufferPointer { p in
                    for i in 0..<k.count where k[i] == 0 {
                        g[i] = 0
                        p[i] = 0
                    }
                }
            }
        }
    }
}

/// Writes 1 where the stored value's class id (after the aliases) is one of `members`, else 0.
struct ClassMaskFill: LabelVisitor {
    let table: StoredValueTable
    let out: UnsafeMutableBufferPointer<UInt8>

    init(buffer: LabelBuffer, members: Set<Int>, out: UnsafeMutableBufferPointer<UInt8>) {
        table = StoredValueTable(stored: buffer.stored, missing: 0) { members.contains(buffer.aliases[$0] ?? $0) ? 1 : 0 }
        self.out = out
    }

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) {
        let n = Swift.min(buffer.count, out.count)
        if T.bitWidth == 8, let source = UnsafeRawPointer(buffer.baseAddress), let target = out.baseAddress {
            Self.fill(source.assumingMemoryBound(to: UInt8.self), target, count: n, table: table)
            return
        }
        for i in 0..<n {
            out[i] = UInt8(truncatingIfNeeded: table(Int(truncatingIfNeeded: buffer[i])))
        }
    }

    /// The 8-bit case: a comparison when one stored value is in the class (vectorised), else a
    /// 256-entry lookup. The same bytes as the general loop.
    private static func fill(
        _ source: UnsafePointer<UInt8>, _ target: UnsafeMutablePointer<UInt8>, count n: Int, table: StoredValueTable
    ) {
        var lookup = [UInt8](repeating: 0, count: 256)
        var members: [UInt8] = []
        for v in 0..<256 {
            lookup[v] = UInt8(truncatingIfNeeded: table(v))
            if lookup[v] != 0 { members.append(UInt8(v)) }
        }
        if members.count == 1 && lookup[Int(members[0])] == 1 {
            let member = members[0]
            for i in 0..<n { target[i] = source[i] == member ? 1 : 0 }
            return
        }
        lookup.withUnsafeBufferPointer { l in
            guard let l = l.baseAddress else { return }
            for i in 0..<n { target[i] = l[Int(source[i])] }
        }
    }
}

extension LabelBuffer {
    /// The label buffer of an 8-bit side read by `reading` (the fast path's sides).
    init(values: [UInt8], reading: LabelReading) {
        storage = .uint8(values)
        aliases = reading.aliases
        stored = reading.stored
        present = reading.presentIDs
    }
}

extension PairEvaluator {
    /// Adds the boundary metrics of a label-map pair to `counted` (nothing unless asked for).
    func attachLabelSurface(
        _ counted: inout CountedPair, key: String, truthPath: String, truth: DecodedMask, prediction: DecodedMask?,
        truthLabels: LabelBuffer, predictionLabels: LabelBuffer, roi: [UInt8]?
    ) throws(PairFailure) {
        guard options.surface.isActive else { return }
        let shape = Shape(width: truth.width, height: truth.height, depth: truth.depth)
        let (grid, source, mismatch) = try surfaceGrid(
            key: key, truthPath: truthPath, truth: truth, prediction: prediction, shape: shape)
        let background = surfaceIncludesBackground(channelsOnBothSides: false)
        let ids = counted.counts.present.filter { $0 != 0 || background }
        let values = labelSurface(truth: truthLabels, prediction: predictionLabels, ids: ids, roi: roi, grid: grid)
        counted.counts.surface = PairSurface(
            values: values, spacing: [grid.spacing.x, grid.spacing.y, grid.spacing.z], source: source)
        counted.spacingMismatch = mismatch
    }
}
