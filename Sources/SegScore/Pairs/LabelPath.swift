import DatasetScan
import MaskIO
import SegMetrics

extension PairEvaluator {
    /// The scored ids of one pair: `--classes`/`--labels` (checking that nothing else but 0 and the
    /// ignore labels appears), else every id present.
    /// - Throws: `PairFailure` for an unknown id, or for more ids than `ClassLimits.perPair`.
    func resolveIDs(key: String, truthIDs: [Int], predictionIDs: [Int], truthPath: String, predictionPath: String)
        throws(PairFailure) -> [Int]
    {
        let ignored = options.ignoreLabels
        guard let explicit = options.countedClasses else {
            let ids = Array(Set(truthIDs + predictionIDs).subtracting(ignored)).sorted()
            if ids.count > ClassLimits.perPair {
                // Name the side that is over the limit on its own, else the ground truth.
                let predictionOnly = Set(predictionIDs).subtracting(ignored).count
                let overTruth = Set(truthIDs).subtracting(ignored).count > ClassLimits.perPair
                let path = !overTruth && predictionOnly > ClassLimits.perPair ? predictionPath : truthPath
                throw PairFailure(
                    key: key, path: path,
                    message: "\(ids.count) distinct label ids in ground truth and prediction together, more than the "
                        + "\(ClassLimits.perPair) one pair may hold (pick the classes to score with --classes)")
            }
            return ids
        }
        // Background 0 may always appear, scored or not; any other unknown id is an error, except
        // under an nnU-Net labels file (`undeclaredIDs` lists them for the warning).
        let allowed = ignored + (explicit.contains(0) ? [] : [0])
        if toleratesUndeclared { return explicit }
        do throws(UnknownLabelError) {
            try ClassTable.checkKnown(truthIDs, ids: explicit, ignored: allowed)
        } catch {
            throw PairFailure(key: key, path: truthPath, message: error.description)
        }
        do throws(UnknownLabelError) {
            try ClassTable.checkKnown(predictionIDs, ids: explicit, ignored: allowed)
        } catch {
            throw PairFailure(key: key, path: predictionPath, message: error.description)
        }
        return explicit
    }

    /// Counts two label maps (or RGB maps through the colour table) of any integer type, with an
    /// optional region of interest: a dense matrix, or distinct pairs for many ids.
    func countLabels(
        key: String, truthPath: String, truth: DecodedMask, truthSide: SideInterpretation, prediction: DecodedMask,
        predictionSide: SideInterpretation, predictionPath: String, roi: [UInt8]?
    ) throws(PairFailure) -> CountedPair {
        let truthLabels = LabelBuffer(mask: truth, side: truthSide)
        let predictionLabels = LabelBuffer(mask: prediction, side: predictionSide)
        let truthIDs = truthLabels.present
        let predictionIDs = predictionLabels.present
        let ignored = options.ignoreLabels
        let ids = try resolveIDs(
            key: key, truthIDs: truthIDs, predictionIDs: predictionIDs, truthPath: truthPath, predictionPath: predictionPath)
        let undeclared = undeclaredIDs(truth: truthIDs, prediction: predictionIDs)
        var scored = ids
        let all: [ClassCounts]
        var confusion: PairConfusion?
        if ids.count > ClassLimits.denseClasses && options.regions.isEmpty {
            // Many ids (instance maps): count the distinct pairs, not a (C+1)² matrix.
            let pairs = truthLabels.accept(SparseTruthSide(prediction: predictionLabels, roi: roi))
            all =
                pairs.classCounts(
                    ids: ids, ignored: ignored, truthAliases: truthLabels.aliases, predictionAliases: predictionLabels.aliases
                ).counts
        } else {
            let table = ClassTable(
                ids: ids, ignored: ignored, truthAliases: truthLabels.aliases, predictionAliases: predictionLabels.aliases)
            let matrix = truthLabels.accept(TruthSide(prediction: predictionLabels, roi: roi, table: table))
            (scored, all) = scoredCounts(matrix, ids: ids)
            if options.regions.isEmpty { confusion = PairConfusion(matrix, ids: ids) }
        }
        var counts: [Int: ClassCounts] = [:]
        for (index, id) in scored.enumerated() { counts[id] = all[index] }
        let pixels = all.first?.total ?? 0
        let imageCounts = ImageCounts(
            pixels: pixels, counts: counts, terms: [:], present: scored, truthEncoding: truthSide.name,
            predictionEncoding: predictionSide.name)
        var counted = CountedPair(
            counts: imageCounts, truth: truthSide.notes, prediction: predictionSide.notes, confusion: confusion,
            undeclared: undeclared)
        try attachLabelSurface(
            &counted, key: key, truthPath: truthPath, truth: truth, prediction: prediction, truthLabels: truthLabels,
            predictionLabels: predictionLabels, roi: roi)
        return counted
    }
}

extension PairEvaluator {
    /// The counts of the scored classes from a confusion matrix over the stored labels `ids`: one
    /// per id, or in region mode one per region, a region being the union of its labels on both
    /// sides (TP: truth and prediction both in the region; FP: only the prediction; FN: only the truth).
    func scoredCounts(_ matrix: ConfusionMatrix, ids: [Int]) -> (ids: [Int], counts: [ClassCounts]) {
        let regions = options.regions
        if regions.isEmpty { return (ids, matrix.classCounts) }
        let size = ids.count + 1  // the last row and column: stored values outside `ids`
        var total = 0
        for t in 0..<size { for p in 0..<size { total += matrix[t, p] } }
        let regionIDs = regions.keys.sorted()
        var counts: [ClassCounts] = []
        counts.reserveCapacity(regionIDs.count)
        for region in regionIDs {
            let members = Set(regions[region] ?? [])
            let inside = (0..<size).map { $0 < ids.count && members.contains(ids[$0]) }
            var tp = 0
            var fp = 0
            var fn = 0
            for t in 0..<size {
                for p in 0..<size {
                    let cell = matrix[t, p]
                    switch (inside[t], inside[p]) {
                    case (true, true): tp += cell
                    case (false, true): fp += cell
                    case (true, false): fn += cell
                    case (false, false): break
                    }
                }
            }
            counts.append(ClassCounts(tp: tp, fp: fp, fn: fn, tn: total - tp - fp - fn))
        }
        return (regionIDs, counts)
    }
}

extension SideInterpretation {
    /// Whether the side is a label map (integer labels or RGB colours), not channel data.
    var isLabelMap: Bool {
        switch self {
        case .labels, .rgbLabels: return true
        case .channels: return false
        }
    }

    /// The `auto` notes of a label-map side; empty for RGB and channel data.
    var notes: SideNotes {
        if case .labels(let reading) = self { return reading.notes }
        return SideNotes()
    }
}

/// Integer class ids of one side of a pair, with the aliases that rename stored values.
struct LabelBuffer {
    enum Storage {
        case uint8([UInt8])
        case uint16([UInt16])
        case uint32([UInt32])
    }

    let storage: Storage
    /// Stored values renamed by the side's reading.
    let aliases: [Int: Int]
    /// The distinct stored values, sorted.
    let stored: [Int]
    /// The class ids the buffer holds, after the aliases, sorted.
    let present: [Int]

    /// The label buffer of a label-map side (`.labels` or `.rgbLabels`); empty for channel data.
    init(mask: DecodedMask, side: SideInterpretation) {
        switch side {
        case .rgbLabels(let labels):
            storage = .uint16(labels)
            aliases = [:]
            stored = labels.withUnsafeBufferPointer { distinctLabels($0) }
            present = stored
        case .labels(let reading):
            aliases = reading.aliases
            stored = reading.stored
            present = reading.presentIDs
            switch mask.samples {
            case .uint8(let v): storage = .uint8(v)
            case .uint16(let v): storage = .uint16(v)
            case .uint32(let v): storage = .uint32(v)
            case .float32: storage = .uint8([])  // not reached: floats are never label maps
            }
        case .channels:
            storage = .uint8([])
            aliases = [:]
            stored = []
            present = []
        }
    }

    /// A table of the class id (after the aliases) of each stored value.
    func classIDs() -> StoredValueTable {
        StoredValueTable(stored: stored) { aliases[$0] ?? $0 }
    }

    /// Runs `visitor` on the typed buffer.
    func accept<V: LabelVisitor>(_ visitor: V) -> V.Output {
        switch storage {
        case .uint8(let v): return v.withUnsafeBufferPointer { visitor.visit($0) }
        case .uint16(let v): return v.withUnsafeBufferPointer { visitor.visit($0) }
        case .uint32(let v): return v.withUnsafeBufferPointer { visitor.visit($0) }
        }
    }
}

protocol LabelVisitor {
    associatedtype Output
    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) -> Output
}

/// Opens the ground truth, then the prediction, then counts.
struct TruthSide: LabelVisitor {
    let prediction: LabelBuffer
    let roi: [UInt8]?
    let table: ClassTable

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ truth: UnsafeBufferPointer<T>) -> ConfusionMatrix {
        prediction.accept(PredictionSide(truth: truth, roi: roi, table: table))
    }
}

struct PredictionSide<T: FixedWidthInteger & UnsignedInteger>: LabelVisitor {
    let truth: UnsafeBufferPointer<T>
    let roi: [UInt8]?
    let table: ClassTable

    func visit<U: FixedWidthInteger & UnsignedInteger>(_ prediction: UnsafeBufferPointer<U>) -> ConfusionMatrix {
        var matrix = ConfusionMatrix(classCount: table.ids.count)
        if let roi {
            roi.withUnsafeBufferPointer { r in
                accumulate(truth: truth, prediction: prediction, roi: r, table: table, into: &matrix)
            }
        } else {
            accumulate(truth: truth, prediction: prediction, table: table, into: &matrix)
        }
        return matrix
    }
}

/// Opens the ground truth, then the prediction, then counts the distinct pairs (many classes).
struct SparseTruthSide: LabelVisitor {
    let prediction: LabelBuffer
    let roi: [UInt8]?

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ truth: UnsafeBufferPointer<T>) -> PairCounts {
        prediction.accept(SparsePredictionSide(truth: truth, roi: roi))
    }
}

struct SparsePredictionSide<T: FixedWidthInteger & UnsignedInteger>: LabelVisitor {
    let truth: UnsafeBufferPointer<T>
    let roi: [UInt8]?

    func visit<U: FixedWidthInteger & UnsignedInteger>(_ prediction: UnsafeBufferPointer<U>) -> PairCounts {
        if let roi {
            return roi.withUnsafeBufferPointer { PairCounts(truth: truth, prediction: prediction, roi: $0) }
        }
        return PairCounts(truth: truth, prediction: prediction)
    }
}
