import Parallel
import SegMetrics

// Boundary metrics of a label-map pair in one pass per side: each sample's class index (or none)
// in one byte, the face boundaries of every class found at once (`SurfaceClassBoundaries`), then
// the distances per class. For the variants measured at pixel centres with face neighbours and
// classes with disjoint labels; the same values as one binary mask per class.

/// Boundary-metric workspaces kept between pairs: one in use per worker, the spare ones kept
/// unless their buffers are large (a big volume's distance transform).
final class SurfaceWorkspacePool: Sendable {
    /// A workspace, owned by one thread at a time (taken from and given back to the pool).
    private struct Owned: @unchecked Sendable {
        let workspace: SurfaceWorkspace
    }

    private let free = Locked<[Owned]>([])
    private static let byteLimit = 16 << 20

    /// A kept workspace, or a new one.
    func take() -> SurfaceWorkspace {
        free.withLock { $0.popLast() }?.workspace ?? SurfaceWorkspace()
    }

    /// Keeps `workspace` for a later pair unless its buffers exceed the limit.
    func give(back workspace: SurfaceWorkspace) {
        guard workspace.retainedBytes <= Self.byteLimit else { return }
        free.withLock { $0.append(Owned(workspace: workspace)) }
    }
}

/// Writes each sample's class index (the position of its class in the measured classes, after
/// the aliases), or `SurfaceClassBoundaries.none`.
struct ClassIndexFill: LabelVisitor {
    let table: StoredValueTable
    let out: UnsafeMutableBufferPointer<UInt8>

    init(buffer: LabelBuffer, index: [Int: Int], out: UnsafeMutableBufferPointer<UInt8>) {
        let none = Int(SurfaceClassBoundaries.none)
        table = StoredValueTable(stored: buffer.stored, missing: none) { index[buffer.aliases[$0] ?? $0] ?? none }
        self.out = out
    }

    /// The class index of each 8-bit stored value.
    func lookup() -> [UInt8] { (0..<256).map { UInt8(truncatingIfNeeded: table($0)) } }

    /// The class index of each 8-bit stored value of `buffer`.
    static func lookup(buffer: LabelBuffer, index: [Int: Int]) -> [UInt8] {
        ClassIndexFill(buffer: buffer, index: index, out: UnsafeMutableBufferPointer(start: nil, count: 0)).lookup()
    }

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) {
        let n = Swift.min(buffer.count, out.count)
        if T.bitWidth == 8, let source = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: UInt8.self),
            let target = out.baseAddress
        {
            lookup().withUnsafeBufferPointer { l in
                guard let l = l.baseAddress else { return }
                for i in 0..<n { target[i] = l[Int(source[i])] }
            }
            for i in n..<out.count { out[i] = SurfaceClassBoundaries.none }
            return
        }
        for i in 0..<n {
            out[i] = UInt8(truncatingIfNeeded: table(Int(truncatingIfNeeded: buffer[i])))
        }
        for i in n..<out.count { out[i] = SurfaceClassBoundaries.none }
    }
}

extension PairEvaluator {
    /// The class index of each label of the measured classes `ids`: nil when one pass cannot
    /// measure them (a variant not at pixel centres, more than 255 classes, or regions sharing a
    /// label).
    func surfaceClassIndex(ids: [Int]) -> [Int: Int]? {
        guard options.surface.onePass, SurfaceWorkspace.measuresFaceBoundaries(options.surface.variant),
            ids.count < Int(SurfaceClassBoundaries.none)
        else { return nil }
        let regions = options.regions
        var index: [Int: Int] = [:]
        for (position, id) in ids.enumerated() {
            for label in regions.isEmpty ? [id] : regions[id] ?? [] {
                if index[label] != nil { return nil }
                index[label] = position
            }
        }
        return index
    }

    /// Measures the classes `ids` (their labels' class indices `index`) from two label maps in
    /// one pass per side; samples where `keep` is 0 are in no class.
    func labelSurfaceOnePass(
        truth: LabelBuffer, prediction: LabelBuffer, ids: [Int], index: [Int: Int], keep: [UInt8]?, grid: SurfaceGrid
    ) -> [Int: SurfaceValues] {
        let workspace = surfaceWorkspaces.take()
        defer { surfaceWorkspaces.give(back: workspace) }
        extractBoundaries(truth, index: index, keep: keep, grid: grid, classes: ids.count, into: &workspace.truthBoundaries)
        extractBoundaries(
            prediction, index: index, keep: keep, grid: grid, classes: ids.count, into: &workspace.predictionBoundaries)
        var result: [Int: SurfaceValues] = [:]
        for (position, id) in ids.enumerated() {
            result[id] = workspace.compute(
                gtBoundary: workspace.truthBoundaries.points[position],
                predBoundary: workspace.predictionBoundaries.points[position], grid: grid,
                request: options.surface.request(forClassAt: surfacePosition(of: id)))
        }
        return result
    }

    /// The face boundaries of every class of one side: straight from 8-bit labels through a
    /// lookup when every sample is kept, else from a class-index map built first.
    func extractBoundaries(
        _ labels: LabelBuffer, index: [Int: Int], keep: [UInt8]?, grid: SurfaceGrid, classes: Int,
        into boundaries: inout SurfaceClassBoundaries
    ) {
        let n = grid.count
        if keep == nil, case .uint8(let values) = labels.storage, values.count >= n {
            let lookup = ClassIndexFill.lookup(buffer: labels, index: index)
            values.withUnsafeBufferPointer { v in
                lookup.withUnsafeBufferPointer { boundaries.extract(v, classOf: $0, grid: grid, classes: classes) }
            }
            return
        }
        var map = surfaceBuffers.take(count: n)
        defer { surfaceBuffers.give(back: map) }
        map.withUnsafeMutableBufferPointer { out in labels.accept(ClassIndexFill(buffer: labels, index: index, out: out)) }
        if let keep {
            for i in 0..<min(n, keep.count) where keep[i] == 0 { map[i] = SurfaceClassBoundaries.none }
        }
        map.withUnsafeBufferPointer { boundaries.extract($0, grid: grid, classes: classes) }
    }
}
