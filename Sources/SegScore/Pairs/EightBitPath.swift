import DatasetScan
import MaskIO
import SegMetrics

extension PairEvaluator {
    /// Whether both sides' encodings are ones the 8-bit joint histogram reads (auto, labels,
    /// binary): the condition on the options shared by `countEightBitLabels` and `countPlacedEightBit`.
    var encodingsReadByHistogram: Bool {
        let readable: Set<MaskEncoding> = [.auto, .labels, .binary]
        return readable.contains(options.truthEncoding) && readable.contains(options.predictionEncoding)
    }

    /// The common case in one pass: two 8-bit single-channel label (or binary) maps, no ROI. A
    /// joint histogram replaces the binary-detection scans, the id scans, the lookup-table build
    /// and the counting loop. Nil when the pair is not of that kind (the general path handles it).
    func countEightBitLabels(
        key: String, truthPath: String, truth: DecodedMask, prediction: DecodedMask, predictionPath: String
    ) throws(PairFailure) -> CountedPair? {
        guard encodingsReadByHistogram, case .uint8(let truthValues) = truth.samples,
            case .uint8(let predictionValues) = prediction.samples,
            truth.channels == 1, prediction.channels == 1, truth.width == prediction.width, truth.height == prediction.height,
            truth.depth == prediction.depth, truth.pixelCount <= JointHistogram8.maximumPixels,
            !(options.pages == .channels && truth.depth > 1)
        else { return nil }
        var histogram = histograms.take()
        defer { histograms.give(back: &histogram) }
        truthValues.withUnsafeBufferPointer { t in
            predictionValues.withUnsafeBufferPointer { p in histogram.accumulate(truth: t, prediction: p) }
        }
        let truthRead = Self.eightBitReading(
            truth, counts: histogram.truthHistogram, encoding: options.truthEncoding, ignored: options.ignoreLabels,
            autoBinary: options.autoBinary)
        let predictionRead = Self.eightBitReading(
            prediction, counts: histogram.predictionHistogram, encoding: options.predictionEncoding, ignored: [],
            autoBinary: options.autoBinary)
        var counted = try eightBitCounts(
            histogram, key: key, truthPath: truthPath, predictionPath: predictionPath, truthRead: truthRead,
            predictionRead: predictionRead)
        try attachLabelSurface(
            &counted, key: key, truthPath: truthPath, truth: truth, prediction: prediction,
            truthLabels: LabelBuffer(values: truthValues, reading: truthRead),
            predictionLabels: LabelBuffer(values: predictionValues, reading: predictionRead), roi: nil)
        return counted
    }

    /// The pair's counts from its joint histogram and the readings of its two sides.
    func eightBitCounts(
        _ histogram: JointHistogram8, key: String, truthPath: String, predictionPath: String, truthRead: LabelReading,
        predictionRead: LabelReading
    ) throws(PairFailure) -> CountedPair {
        let truthCounts = histogram.truthHistogram
        let ignored = options.ignoreLabels
        let ids = try resolveIDs(
            key: key, truthIDs: truthRead.presentIDs, predictionIDs: predictionRead.presentIDs,
            truthPath: truthPath, predictionPath: predictionPath)
        let undeclared = undeclaredIDs(truth: truthRead.presentIDs, prediction: predictionRead.presentIDs)
        var scored = ids
        let all: [ClassCounts]
        var confusion: PairConfusion?
        if ids.count > ClassLimits.denseClasses && options.regions.isEmpty {
            // Many classes (a long --classes or --labels list): the histogram's nonzero cells as pairs.
            var keys: [UInt64] = []
            var cellCounts: [Int] = []
            for t in 0..<256 where truthCounts[t] > 0 {
                for q in 0..<256 where histogram.cells[t << 8 | q] != 0 {
                    keys.append(UInt64(t) << 32 | UInt64(q))
                    cellCounts.append(Int(histogram.cells[t << 8 | q]))
                }
            }
            all =
                PairCounts(keys: keys, counts: cellCounts).classCounts(
                    ids: ids, ignored: ignored, truthAliases: truthRead.aliases, predictionAliases: predictionRead.aliases
                ).counts
        } else {
            let table = ClassTable(
                ids: ids, ignored: ignored, truthAliases: truthRead.aliases, predictionAliases: predictionRead.aliases,
                valueLimit: 256)
            let matrix = histogram.confusion(table: table, truthRows: (0..<256).filter { truthCounts[$0] > 0 })
            (scored, all) = scoredCounts(matrix, ids: ids)
            if options.regions.isEmpty { confusion = PairConfusion(matrix, ids: ids) }
        }
        var counts: [Int: ClassCounts] = [:]
        for (index, id) in scored.enumerated() { counts[id] = all[index] }
        let imageCounts = ImageCounts(
            pixels: all.first?.total ?? 0, counts: counts, terms: [:], present: scored, truthEncoding: truthRead.kind,
            predictionEncoding: predictionRead.kind)
        return CountedPair(
            counts: imageCounts, truth: truthRead.notes, prediction: predictionRead.notes, confusion: confusion,
            undeclared: undeclared)
    }

    /// The `LabelReading` rule applied to an 8-bit side, its stored values read off `counts`.
    static func eightBitReading(
        _ mask: DecodedMask, counts: [Int], encoding: MaskEncoding, ignored: [Int], autoBinary: AutoBinaryRule = .always
    ) -> LabelReading {
        eightBitReading(mask.declaration, counts: counts, encoding: encoding, ignored: ignored, autoBinary: autoBinary)
    }

    /// The same for an 8-bit side known by its declaration (`DecodedMask.binaryMaximum` of 8-bit samples).
    static func eightBitReading(
        _ declaration: MaskDeclaration, counts: [Int], encoding: MaskEncoding, ignored: [Int],
        autoBinary: AutoBinaryRule = .always
    ) -> LabelReading {
        let binaryMaximum = declaration.color == .gray && declaration.bitDepth == 8 ? 255 : nil
        return LabelReading(
            encoding: encoding, stored: (0..<256).filter { counts[$0] > 0 },
            binaryMaximum: autoBinary.binaryMaximum(binaryMaximum),
            palette: declaration.color == .palette, ignored: ignored)
    }
}
