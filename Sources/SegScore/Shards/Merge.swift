import DatasetScan
import SegMetrics

/// The partial files of every shard of one run (`segscore merge`), checked to belong together:
/// one segscore version, one N, one configuration, the same folders, each shard 1…N exactly once.
public final class PartialSet {
    private let readers: [PartialReader]

    /// The evaluate command's recorded arguments (after `evaluate`, without --shard/--partial and
    /// without the output and gate options), from shard 1.
    public var arguments: [String] { readers[0].header.arguments }
    /// The scoring configuration every part shares.
    public var configuration: ScoringConfiguration { readers[0].header.config }
    /// The path of shard 1's file.
    public var firstPath: String { readers[0].path }

    /// Opens and checks the parts.
    /// - Throws: `.configuration` (exit 2), one line naming the files: a file that is not a
    ///   partial (or is damaged), parts of other versions, N, configurations or folders, a shard
    ///   given twice, shards missing.
    public init(paths: [String]) throws(EvaluationSetupError) {
        guard !paths.isEmpty else { throw .configuration("merge: no partial files given") }
        var readers: [PartialReader] = []
        for path in paths { readers.append(try PartialReader(path: path)) }
        let first = readers[0]
        let h = first.header
        for other in readers.dropFirst() {
            let o = other.header
            if o.segscore != h.segscore {
                throw .configuration(
                    "merge: \(first.path) was written by segscore \(h.segscore) and \(other.path) by segscore \(o.segscore): merge parts of one version"
                )
            }
            if o.shards != h.shards {
                throw .configuration(
                    "merge: \(first.path) is shard \(h.shard)/\(h.shards) and \(other.path) shard \(o.shard)/\(o.shards): the parts split the run into different numbers of shards"
                )
            }
            let differences = o.config.differences(from: h.config)
            if !differences.isEmpty || o.config != h.config {
                throw .configuration(
                    "merge: \(first.path) and \(other.path) were scored with different configurations (\(differences.isEmpty ? "config" : differences.joined(separator: ", ")))"
                )
            }
            if o.gt != h.gt || o.pred != h.pred {
                throw .configuration(
                    "merge: \(first.path) scored \(h.gt) against \(h.pred) and \(other.path) scored \(o.gt) against \(o.pred): merge parts of one run"
                )
            }
        }
        var byIndex: [Int: PartialReader] = [:]
        for reader in readers {
            if let earlier = byIndex[reader.header.shard] {
                throw .configuration(
                    "merge: \(earlier.path) and \(reader.path) are both shard \(reader.header.shard)/\(h.shards)")
            }
            byIndex[reader.header.shard] = reader
        }
        let missing = (1...h.shards).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            let given = byIndex.keys.sorted().map(String.init).joined(separator: ", ")
            throw .configuration(
                "merge: shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(h.shards) "
                    + "\(missing.count == 1 ? "is" : "are") missing (given: \(given))")
        }
        self.readers = (1...h.shards).compactMap { byIndex[$0] }
    }

    /// The whole run rebuilt from its shards, in key order: the pairs, the rows (re-appended to a
    /// new store, one at a time), the unmatched lists, problems and run notes.
    /// - Parameter options: the options the recorded arguments give (their configuration must
    ///   equal the parts').
    /// - Throws: `.configuration` for a damaged or inconsistent part (exit 2), `.dataLimit` when
    ///   the merged run passes a class limit (exit 3, as the unsharded run), `.spill`.
    public func collect(options: EvaluationOptions) throws(EvaluationSetupError) -> CollectedRun {
        func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
        // Every pair of every part, in key order: (part, position in the part).
        var order: [(part: Int, local: Int)] = []
        for (part, reader) in readers.enumerated() {
            let shard = Shard(index: reader.header.shard, count: reader.header.shards) ?? .whole
            for (local, pair) in reader.header.pairs.enumerated() {
                guard shard.contains(key: pair.key) else {
                    throw .configuration("\(reader.path): key '\(pair.key)' does not belong to shard \(shard)")
                }
                order.append((part, local))
            }
        }
        func key(_ entry: (part: Int, local: Int)) -> String { readers[entry.part].header.pairs[entry.local].key }
        order.sort { precedes(key($0), key($1)) }
        var truthPaths: [String] = []
        var predictionPaths: [String] = []
        var roiPaths: [String] = []
        truthPaths.reserveCapacity(order.count)
        for entry in order {
            let pair = readers[entry.part].header.pairs[entry.local]
            truthPaths.append(pair.gt)
            if let pred = pair.pred { predictionPaths.append(pred) }
            if let roi = pair.roi { roiPaths.append(roi) }
        }
        var pairs = PairList(
            truthFiles: FileList(root: "", relativePaths: truthPaths),
            predictionFiles: FileList(root: "", relativePaths: predictionPaths),
            roiFiles: FileList(root: "", relativePaths: roiPaths))
        truthPaths = []
        predictionPaths = []
        roiPaths = []
        var predictionCount = 0
        var roiCount = 0
        for (index, entry) in order.enumerated() {
            let pair = readers[entry.part].header.pairs[entry.local]
            pairs.append(
                truth: index, keyBytes: pair.keyAt..<(pair.keyAt + pair.key.utf8.count),
                prediction: pair.pred == nil ? nil : predictionCount, roi: pair.roi == nil ? nil : roiCount)
            if pair.pred != nil { predictionCount += 1 }
            if pair.roi != nil { roiCount += 1 }
        }
        for index in pairs.indices.dropFirst() where pairs.key(at: index - 1) == pairs.key(at: index) {
            throw .configuration("merge: key '\(pairs.key(at: index))' lies in two parts")
        }

        let rows = readers.reduce(0) { $0 + $1.header.rows }
        var writer = ScoreStore.Writer(expectedRows: rows, memoryLimit: options.rowsInMemory, folder: options.rowsFolder)
        var pending: [StoredRow?] = []
        for reader in readers { pending.append(try reader.nextRow()) }
        var present: Set<Int> = []
        var scored = 0
        for (index, entry) in order.enumerated() {
            guard let row = pending[entry.part], row.pairIndex == entry.local else { continue }
            present.formUnion(row.counts.present)
            scored += 1
            // The class limits as the unsharded run checks them, pair by pair in key order.
            let classes =
                options.explicitClasses?.count
                ?? (options.ignoreLabels.isEmpty ? present.count : present.subtracting(options.ignoreLabels).count)
            if let problem = Evaluation.classLimitProblem(classes: classes, images: scored) {
                writer.discard()
                throw .dataLimit("\(pairs.truthPath(at: index)): \(problem)")
            }
            do throws(SpillError) {
                try writer.append(row: row, pairIndex: index)
            } catch {
                writer.discard()
                throw .spill(error)
            }
            pending[entry.part] = try readers[entry.part].nextRow()
        }
        for (part, row) in pending.enumerated() where row != nil {
            writer.discard()
            throw .configuration("\(readers[part].path): bad partial file: a row names pair \(row?.pairIndex ?? -1) out of order")
        }
        let store: ScoreStore
        do {
            store = try writer.finish()
        } catch {
            throw .spill(error)
        }
        var run = CollectedRun(
            options: options, shard: .whole, truthFolder: readers[0].header.gt, predictionFolder: readers[0].header.pred,
            pairs: pairs, store: store)
        run.nothingPaired = readers[0].header.nothingPaired
        run.notes = mergedNotes(pairs: pairs)
        for reader in readers {
            let stored = reader.header.confusion
            guard let totals = ConfusionTotals(complete: stored.complete, cells: stored.cells) else {
                throw .configuration("\(reader.path): bad partial file: a confusion cell is not (truth, prediction, count)")
            }
            run.confusion.merge(totals)
        }
        run.present = present.union(readers.flatMap(\.header.classesPresent))
        func problem(_ p: PartialHeader.Problem) -> DataProblem { DataProblem(key: p.key, path: p.path, message: p.message) }
        for reader in readers {
            let h = reader.header
            run.problems += h.problems.map(problem)
            run.pairProblems += h.pairProblems.map(problem)
            run.scanWarnings += h.warnings
            run.ignoredFiles += h.ignoredFiles
            run.unmatchedTruth += h.unmatchedGT.map {
                .init(key: $0.key, file: MaskFile(path: $0.path, relativePath: $0.relative))
            }
            run.unmatchedPredictions += h.unmatchedPred.map {
                .init(key: $0.key, file: MaskFile(path: $0.path, relativePath: $0.relative))
            }
        }
        run.unmatchedTruth.sort { precedes($0.key, $1.key) }
        run.unmatchedPredictions.sort { precedes($0.key, $1.key) }
        let start = readers.map(\.header.started).min() ?? 0
        run.timing = RunTiming(start: start, seconds: readers.reduce(0) { $0 + $1.header.seconds })
        return run
    }

    /// The parts' run notes summed; each first example is the one of the smallest key.
    private func mergedNotes(pairs: PairList) -> Evaluation.RunNotes {
        func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
        /// The merged position of `key` (binary search in key order).
        func position(_ key: String) -> Int? {
            var low = 0
            var high = pairs.count
            while low < high {
                let mid = (low + high) / 2
                if precedes(pairs.key(at: mid), key) { low = mid + 1 } else { high = mid }
            }
            return low < pairs.count && pairs.key(at: low) == key ? low : nil
        }
        func smallest(_ keys: [String?]) -> Int? {
            keys.compactMap { $0 }.min(by: precedes).flatMap(position)
        }
        func tally(_ tallies: [PartialHeader.Tally]) -> Evaluation.ReadingTally {
            var t = Evaluation.ReadingTally()
            t.binary = tallies.reduce(0) { $0 + $1.binary }
            t.labels = tallies.reduce(0) { $0 + $1.labels }
            t.firstBinary = smallest(tallies.map(\.firstBinary))
            t.firstLabels = smallest(tallies.map(\.firstLabels))
            return t
        }
        func many(_ examples: [PartialHeader.ManyIDs?]) -> Evaluation.ReadingTally.Example? {
            guard let first = examples.compactMap({ $0 }).min(by: { precedes($0.key, $1.key) }), let index = position(first.key)
            else { return nil }
            return .init(pairIndex: index, ids: first.ids)
        }
        let notes = readers.map(\.header.notes)
        var merged = Evaluation.RunNotes()
        merged.truthReadings = tally(notes.map(\.gtReadings))
        merged.predictionReadings = tally(notes.map(\.predReadings))
        merged.truthManyIDs = many(notes.map(\.gtManyIDs))
        merged.predictionManyIDs = many(notes.map(\.predManyIDs))
        merged.truthManyIDsCount = notes.reduce(0) { $0 + $1.gtManyIDsCount }
        merged.predictionManyIDsCount = notes.reduce(0) { $0 + $1.predManyIDsCount }
        merged.channelPairs = notes.reduce(0) { $0 + $1.channelPairs }
        merged.labelPairs = notes.reduce(0) { $0 + $1.labelPairs }
        merged.spacingMismatches = notes.reduce(0) { $0 + $1.spacingMismatches }
        merged.firstSpacingMismatch = smallest(notes.map(\.firstSpacingMismatch))
        // Each part's warnings are in its key order; together, in the run's.
        // Each part lists its first pairs' warnings: the run's first are among them.
        let geometry = notes.flatMap(\.geometryWarnings).sorted { precedes($0.key, $1.key) }.prefix(Evaluation.geometryListed)
        merged.geometryWarnings = geometry.map { .init(pairIndex: position($0.key) ?? -1, text: $0.text) }
        merged.geometryCount = notes.reduce(0) { $0 + ($1.geometryCount ?? $1.geometryWarnings.count) }
        for entry in notes.flatMap(\.undeclared) {
            var seen = merged.undeclared.values[entry.id] ?? Evaluation.UndeclaredTally.Seen()
            let earlier =
                seen.files == 0 || seen.firstPairIndex < 0 || precedes(entry.firstKey, pairs.key(at: seen.firstPairIndex))
            seen.files += entry.files
            if earlier {
                seen.first = entry.first
                seen.firstPairIndex = position(entry.firstKey) ?? -1
            }
            merged.undeclared.values[entry.id] = seen
        }
        return merged
    }
}
