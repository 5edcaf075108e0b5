import DatasetScan
import Foundation
import SegMetrics

/// The partial result of one shard (`evaluate --shard I/N --partial FILE`), the input of
/// `segscore merge`. Format version 1 (docs/partial-format.md): the line `segscore-partial 1`,
/// one line of JSON (`PartialHeader`), then the shard's scored pairs in key order, each a 4-byte
/// little-endian length followed by the row's `StoredRow` encoding, so every per-image field the
/// store keeps travels with it.
public enum PartialFile {
    /// The first word of the first line.
    public static let magic = "segscore-partial"
    /// The format version this segscore writes and reads.
    public static let version = 1

    /// Writes `run` as a partial file to `sink`.
    /// - Parameter arguments: the evaluate command's arguments after `evaluate`, without
    ///   --shard/--partial and without the output and gate options (merge's Markdown report
    ///   shows them as the command that was run).
    public static func write(_ run: CollectedRun, arguments: [String], to sink: ReportFile.Sink) {
        let pairs = run.pairs
        var encodings: [String] = []
        var numbers: [String: UInt16] = [:]
        func number(_ name: String) -> UInt16 {
            if let known = numbers[name] { return known }
            numbers[name] = UInt16(encodings.count)
            encodings.append(name)
            return UInt16(encodings.count - 1)
        }
        for index in 0..<run.store.count {
            let counts = run.store.row(index).counts
            _ = number(counts.truthEncoding)
            _ = number(counts.predictionEncoding)
        }
        func tally(_ t: Evaluation.ReadingTally) -> PartialHeader.Tally {
            PartialHeader.Tally(
                binary: t.binary, labels: t.labels, firstBinary: t.firstBinary.map(pairs.key(at:)),
                firstLabels: t.firstLabels.map(pairs.key(at:)))
        }
        func many(_ example: Evaluation.ReadingTally.Example?) -> PartialHeader.ManyIDs? {
            example.map { PartialHeader.ManyIDs(key: pairs.key(at: $0.pairIndex), ids: $0.ids) }
        }
        func problem(_ p: DataProblem) -> PartialHeader.Problem { .init(key: p.key, path: p.path, message: p.message) }
        func file(_ f: CollectedRun.KeyedFile) -> PartialHeader.File {
            .init(key: f.key, path: f.file.path, relative: f.file.relativePath)
        }
        let notes = run.notes
        let header = PartialHeader(
            segscore: segscoreVersion, shard: run.shard.index, shards: run.shard.count, arguments: arguments,
            config: ScoringConfiguration(run.options), gt: run.truthFolder, pred: run.predictionFolder,
            pairs: pairs.indices.map {
                .init(
                    key: pairs.key(at: $0), gt: pairs.truthPath(at: $0), keyAt: pairs.keyOffsetInTruthPath(at: $0),
                    pred: pairs.predictionPath(at: $0), roi: pairs[$0].roi?.path)
            },
            problems: run.problems.map(problem), pairProblems: run.pairProblems.map(problem), warnings: run.scanWarnings,
            unmatchedGT: run.unmatchedTruth.map(file), unmatchedPred: run.unmatchedPredictions.map(file),
            ignoredFiles: run.ignoredFiles, nothingPaired: run.nothingPaired, classesPresent: run.present.sorted(),
            notes: .init(
                gtReadings: tally(notes.truthReadings), predReadings: tally(notes.predictionReadings),
                gtManyIDs: many(notes.truthManyIDs), predManyIDs: many(notes.predictionManyIDs),
                gtManyIDsCount: notes.truthManyIDsCount, predManyIDsCount: notes.predictionManyIDsCount,
                channelPairs: notes.channelPairs, labelPairs: notes.labelPairs, spacingMismatches: notes.spacingMismatches,
                firstSpacingMismatch: notes.firstSpacingMismatch.map(pairs.key(at:)),
                geometryWarnings: notes.geometryWarnings.map { .init(key: pairs.key(at: $0.pairIndex), text: $0.text) },
                geometryCount: notes.geometryCount,
                undeclared: notes.undeclared.values.keys.sorted().compactMap { id in
                    notes.undeclared.values[id].map {
                        .init(id: id, files: $0.files, first: $0.first, firstKey: pairs.key(at: $0.firstPairIndex))
                    }
                }),
            confusion: .init(complete: run.confusion.plainCells.complete, cells: run.confusion.plainCells.cells),
            encodings: encodings, rows: run.store.count, started: run.timing?.start ?? 0, seconds: run.timing?.seconds ?? 0)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings, numbers and arrays cannot fail (no non-finite numbers:
        // smoothing and thresholds are checked finite when parsed).
        let json = (try? encoder.encode(header)) ?? Data("{}".utf8)
        sink.write("\(magic) \(version)\n")
        sink.write(bytes: Array(json))
        sink.write("\n")
        var buffer: [UInt8] = []
        for index in 0..<run.store.count {
            var row = run.store.row(index)
            row.truthEncoding = number(row.counts.truthEncoding)
            row.predictionEncoding = number(row.counts.predictionEncoding)
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: [0, 0, 0, 0])
            row.encode(into: &buffer)
            let length = UInt32(buffer.count - 4)
            for k in 0..<4 { buffer[k] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(k))) }
            sink.write(bytes: buffer)
        }
    }
}
