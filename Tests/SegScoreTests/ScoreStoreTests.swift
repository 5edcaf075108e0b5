import Foundation
import Parallel
import SegMetrics
import SegScoreTestSupport
import Testing

@testable import SegScore

/// The per-image store behind `Evaluation`: rows spilled to a temporary file read back exactly as
/// rows kept in memory, and an evaluation that spills reports the same bytes as one that does not.
@Suite struct ScoreStoreTests {
    static let fixtures = Fixtures.root.path

    /// Counts of every shape a row can hold: hard and soft, sparse 16-bit ids, counts beyond 2^32,
    /// soft sums whose bits must survive (NaN, −0, subnormal).
    static func counts(_ index: Int) -> ImageCounts {
        let ids = [0, 7, 255, 65_535].prefix(1 + index % 4)
        var hard: [Int: ClassCounts] = [:]
        for (position, id) in ids.enumerated() {
            hard[id] = ClassCounts(
                tp: index * 1_000_003 + position, fp: 5_000_000_000 + index, fn: position, tn: Int(Int32.max) + index)
        }
        var soft: [Int: OverlapTerms] = [:]
        if index % 3 == 0 {
            soft[1] = OverlapTerms(
                intersection: Double(index) / 7, truth: .nan, prediction: -0.0, truthSquared: .leastNonzeroMagnitude,
                predictionSquared: .greatestFiniteMagnitude, minimum: 1e-300, truthPower: 3, predictionPower: .infinity,
                pixels: 262_144)
        }
        return ImageCounts(
            pixels: 262_144 + index, counts: hard, terms: soft, present: Array(ids),
            truthEncoding: index % 2 == 0 ? "labels" : "palette-labels",
            predictionEncoding: index % 5 == 0 ? "probability" : "labels")
    }

    static func same(_ a: ImageCounts, _ b: ImageCounts) -> Bool {
        func bits(_ t: OverlapTerms) -> [UInt64] {
            [
                t.intersection, t.truth, t.prediction, t.truthSquared, t.predictionSquared, t.minimum, t.truthPower,
                t.predictionPower, t.pixels,
            ]
            .map(\.bitPattern)
        }
        return a.pixels == b.pixels && a.counts == b.counts && a.present == b.present && a.truthEncoding == b.truthEncoding
            && a.predictionEncoding == b.predictionEncoding && a.terms.keys.sorted() == b.terms.keys.sorted()
            && a.terms.keys.allSatisfy { bits(a.terms[$0]!) == bits(b.terms[$0]!) }
    }

    @Test(arguments: [1 << 30, 700, 1])
    func rowsReadBackExactlyInMemoryOrSpilled(memoryLimit: Int) throws {
        var writer = ScoreStore.Writer(expectedRows: 500, memoryLimit: memoryLimit)
        for index in 0..<500 { try writer.append(pairIndex: index * 3, counts: Self.counts(index)) }
        let store = try writer.finish()
        #expect(store.count == 500)
        #expect(store.spilled == (memoryLimit < 1 << 30))
        // Backwards, then strided: the read cache must not assume order.
        for index in Array((0..<500).reversed()) + Array(stride(from: 0, to: 500, by: 37)) {
            let row = store.row(index)
            #expect(row.pairIndex == index * 3)
            #expect(Self.same(row.counts, Self.counts(index)), "row \(index)")
        }
    }

    @Test func anUnwritableTemporaryFolderIsASetupErrorNamingIt() throws {
        var writer = ScoreStore.Writer(expectedRows: 2, memoryLimit: 1, folder: "/nonexistent-segscore-folder")
        let error = #expect(throws: SpillError.self) { try writer.append(pairIndex: 0, counts: Self.counts(0)) }
        // mkstemp's errno, read before anything else ran.
        #expect(error == SpillError(folder: "/nonexistent-segscore-folder", step: .create, errorNumber: ENOENT))
    }

    /// Counts progress updates from the workers.
    final class Updates: ProgressSink, Sendable {
        private let seen = Locked([Int]())
        func update(completed: Int, total: Int) {
            seen.withLock { $0.append(completed) }
        }
        var completed: [Int] { seen.withLock { $0 } }
    }

    @Test func aStoreThatCannotBeWrittenStopsTheRunNamingTheFolder() throws {
        var options = EvaluationOptions(labels: try LabelSpec.load(path: Self.fixtures + "/demo/labels.json"), jobs: 2)
        options.rowsInMemory = 1
        options.rowsFolder = "/nonexistent-segscore-folder"
        let updates = Updates()
        let error = #expect(throws: EvaluationSetupError.self) {
            try Evaluation.run(
                truth: Self.fixtures + "/demo/gt", prediction: Self.fixtures + "/demo/pred", options: options, progress: updates)
        }
        #expect(error == .spill(SpillError(folder: "/nonexistent-segscore-folder", step: .create, errorNumber: ENOENT)))
        #expect(error?.isDataProblem == false)
        // Progress still reaches the end, in order, though the pairs after the failure are skipped.
        #expect(updates.completed == Array(1...8))
    }

    @Test func anEvaluationThatSpillsReportsTheSameBytes() throws {
        let labels = try LabelSpec.load(path: Self.fixtures + "/demo/labels.json")
        var reports: [String] = []
        for (jobs, limit) in [(1, ScoreStore.defaultMemoryLimit), (1, 64), (8, 64), (8, 1)] {
            var options = EvaluationOptions(labels: labels, jobs: jobs)
            options.rowsInMemory = limit
            let result = try Evaluation.run(
                truth: Self.fixtures + "/demo/gt", prediction: Self.fixtures + "/demo/pred", options: options)
            #expect(result.images.store.spilled == (limit < ScoreStore.defaultMemoryLimit))
            #expect(result.records.count == 8)
            reports.append(EvaluationReport(result: result, bootstrap: Bootstrap(resamples: 200)).json.rendered())
        }
        #expect(Set(reports).count == 1)
        #expect(reports[0].contains("\"key\": \"slice_07\""))
    }
}
