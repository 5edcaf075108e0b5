import SegMetrics

/// The nonzero cells of one pair's confusion matrix over class ids: what a worker hands to the
/// run's `ConfusionTotals` (never stored per image).
struct PairConfusion: Sendable, Equatable {
    /// (ground-truth id, predicted id, pixels); id -1 stands for stored ids that are not scored.
    var cells: [(truth: Int, prediction: Int, count: Int)]

    static func == (a: PairConfusion, b: PairConfusion) -> Bool {
        a.cells.count == b.cells.count
            && zip(a.cells, b.cells).allSatisfy { $0.truth == $1.truth && $0.prediction == $1.prediction && $0.count == $1.count }
    }

    /// The nonzero cells of a dense matrix over `ids` (its last row and column: "not scored").
    init(_ matrix: ConfusionMatrix, ids: [Int]) {
        let k = ids.count + 1
        var cells: [(Int, Int, Int)] = []
        for t in 0..<k {
            for p in 0..<k {
                let count = matrix[t, p]
                if count != 0 { cells.append((t < ids.count ? ids[t] : -1, p < ids.count ? ids[p] : -1, count)) }
            }
        }
        self.cells = cells
    }
}

/// The class × class pixel counts of a run's label maps, summed pair by pair (ignore labels and
/// region of interest applied, as in every count). Integer sums in any order give the same
/// totals, so the matrix is the same for any `--jobs`.
///
/// A run has one only when every scored pair was two label maps counted by a dense matrix (at
/// most `ClassLimits.denseClasses` ids a pair, no `regions`) and the run met at most
/// `ConfusionTotals.maximumIDs` ids: channel data has no class × class counts.
public struct ConfusionTotals: Sendable, Equatable {
    /// The most distinct ids a run's matrix may have (beyond it the run has no matrix).
    public static let maximumIDs = 256

    /// Pixels per (ground-truth id, predicted id); -1: stored ids that are not scored.
    public private(set) var counts: [Pair: Int] = [:]
    /// False once a pair had no matrix (channels, many ids, regions) or the ids passed the limit.
    public private(set) var complete = true
    private var ids: Set<Int> = []

    /// A (ground-truth id, predicted id) cell.
    public struct Pair: Hashable, Sendable {
        /// The ground-truth id (-1: not scored).
        public var truth: Int
        /// The predicted id (-1: not scored).
        public var prediction: Int
    }

    /// No pair yet.
    public init() {}

    /// Adds one pair's cells, or marks the totals incomplete when the pair has none.
    mutating func add(_ pair: PairConfusion?) {
        guard complete else { return }
        guard let pair else {
            drop()
            return
        }
        for cell in pair.cells {
            counts[Pair(truth: cell.truth, prediction: cell.prediction), default: 0] += cell.count
            ids.insert(cell.truth)
            ids.insert(cell.prediction)
        }
        if ids.count > Self.maximumIDs + 1 { drop() }
    }

    /// Adds another run's totals (a shard's): the sum of the two, incomplete when either is.
    mutating func merge(_ other: ConfusionTotals) {
        guard complete else { return }
        guard other.complete else {
            drop()
            return
        }
        for (pair, count) in other.counts {
            counts[pair, default: 0] += count
            ids.insert(pair.truth)
            ids.insert(pair.prediction)
        }
        if ids.count > Self.maximumIDs + 1 { drop() }
    }

    /// The totals as (truth, prediction, count) triples in increasing order, and whether they
    /// are complete: what a partial file stores.
    var plainCells: (complete: Bool, cells: [[Int]]) {
        let cells = counts.sorted { ($0.key.truth, $0.key.prediction) < ($1.key.truth, $1.key.prediction) }
        return (complete, cells.map { [$0.key.truth, $0.key.prediction, $0.value] })
    }

    /// Totals read back from `plainCells`; nil when a cell is not a triple.
    init?(complete: Bool, cells: [[Int]]) {
        self.init()
        guard complete else {
            drop()
            return
        }
        for cell in cells {
            guard cell.count == 3 else { return nil }
            counts[Pair(truth: cell[0], prediction: cell[1]), default: 0] += cell[2]
            ids.insert(cell[0])
            ids.insert(cell[1])
        }
    }

    private mutating func drop() {
        complete = false
        counts = [:]
        ids = []
    }

    /// The matrix over `classIDs` (report order), with a last "not scored" row and column when
    /// some pixel has an id outside them; nil when the run has no matrix.
    public func matrix(classIDs: [Int]) -> (ids: [Int?], cells: [Int])? {
        guard complete, !counts.isEmpty else { return nil }
        let position = Dictionary(uniqueKeysWithValues: classIDs.enumerated().map { ($1, $0) })
        let otherUsed = counts.keys.contains { position[$0.truth] == nil || position[$0.prediction] == nil }
        let ids: [Int?] = classIDs.map { $0 } + (otherUsed ? [nil] : [])
        let k = ids.count
        var cells = [Int](repeating: 0, count: k * k)
        for (pair, count) in counts {
            let r = position[pair.truth] ?? classIDs.count
            let c = position[pair.prediction] ?? classIDs.count
            cells[r * k + c] += count
        }
        return (ids, cells)
    }
}
