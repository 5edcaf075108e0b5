// Shards (`evaluate --shard`, `merge`): a subset of the pairs, and where a key lies in its path.
extension PairList {
    /// The pairs whose positions `isIncluded` accepts, in the same order, drawn from the same listings.
    public func filter(positions isIncluded: (Int) -> Bool) -> PairList {
        var subset = PairList(truthFiles: truthFiles, predictionFiles: predictionFiles, roiFiles: roiFiles)
        subset.entries = indices.filter(isIncluded).map { entries[$0] }
        return subset
    }

    /// The UTF-8 byte offset of pair `position`'s key in its ground-truth path (`truthPath(at:)`).
    public func keyOffsetInTruthPath(at position: Int) -> Int {
        let entry = entries[position]
        let relative = truthFiles.relativePathBytes(at: Int(entry.truth)) { $0.count }
        return truthPath(at: position).utf8.count - relative + Int(entry.keyStart)
    }
}
