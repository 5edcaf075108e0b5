import DatasetScan
import SegMetrics

/// One scored pair: its files and how each side was read (its scores are in `images`).
public struct PairRecord: Sendable {
    /// The pairing key.
    public var key: String
    /// The ground-truth file's path.
    public var truthPath: String
    /// Nil when scored against an empty prediction (`--missing empty`).
    public var predictionPath: String?
    /// How the ground truth was read: `labels`, `binary`, `palette-labels`, `rgb`, `channels`, `probability`.
    public var truthEncoding: String
    /// How the prediction was read, in the same words.
    public var predictionEncoding: String
    /// The pair's boundary metrics, when asked for.
    public var surface: PairSurface? = nil
}

/// The scored pairs of a run in key order, read back one at a time from the run's store.
public struct ScoredPairs: RandomAccessCollection, Sendable {
    let store: ScoreStore
    let pairs: PairList

    /// The first position: 0.
    public var startIndex: Int { 0 }
    /// The number of scored pairs.
    public var endIndex: Int { store.count }

    /// The files and encodings of scored pair `position`, read back from the store.
    public subscript(position: Int) -> PairRecord {
        let row = store.row(position)
        return PairRecord(
            key: pairs.key(at: row.pairIndex), truthPath: pairs.truthPath(at: row.pairIndex),
            predictionPath: pairs.predictionPath(at: row.pairIndex), truthEncoding: row.counts.truthEncoding,
            predictionEncoding: row.counts.predictionEncoding, surface: row.counts.surface)
    }
}

/// Per-image scores of a run in key order, computed on access from the stored counts (so a
/// dataset of any size costs no memory per image).
public struct ScoredImages: RandomAccessCollection, Sendable {
    let store: ScoreStore
    let pairs: PairList
    let classIDs: [Int]
    let variant: DiceVariant
    /// The headline classes: what a `generalized` formula sums into each image's value.
    let headlineIDs: [Int]

    /// The first position: 0.
    public var startIndex: Int { 0 }
    /// The number of scored images.
    public var endIndex: Int { store.count }

    /// The scores of image `position`, computed from its stored counts with the run's variant.
    public subscript(position: Int) -> ImageScore {
        let row = store.row(position)
        let counted = row.counts
        let terms = classIDs.map { counted.terms(of: $0) }
        let counts = counted.terms.isEmpty ? classIDs.map { counted.counts(of: $0) } : nil
        return variant.score(
            key: pairs.key(at: row.pairIndex), ids: classIDs, terms: terms, counts: counts, summedIDs: headlineIDs)
    }
}
