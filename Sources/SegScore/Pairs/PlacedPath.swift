import DatasetScan
import MaskIO
import SegMetrics

extension PairEvaluator {
    /// The 8-bit fast path for a pair of NIfTI volumes that is only counted: the samples are
    /// counted where the decoder inflated them (after the header of a `.nii.gz`), without moving
    /// 8 MB per 128×256×256 volume to the buffer's start, and without a `DecodedMask`; where the
    /// CPU can, both gzip CRCs are checked in the counting pass (`PlacedSamples.countChecked`)
    /// and a file that fails is read again for the plain read's message, the truth's first. The
    /// same counts, notes and failures as `countEightBitLabels` on the decoded masks; nil, before
    /// anything is decoded, when the headers or the options say the pair needs more than
    /// counting (boundary metrics, a region of interest, `--activation`, another path), and the
    /// general path takes it.
    /// - Parameter used: receives the sample buffers, to be handed back once the samples are gone.
    func countPlacedEightBit(_ pair: MaskPair, _ readers: PairReaders, used: inout [MaskSamples]) throws(PairFailure)
        -> CountedPair?
    {
        guard options.placedReads, let predictionReader = readers.prediction, readers.roi == nil, pair.roi == nil,
            !options.surface.isActive, options.variant.activation == .none, encodingsReadByHistogram
        else { return nil }
        let truthReader = readers.truth
        let (t, p) = (truthReader.header, predictionReader.header)
        guard t.format == .nifti, p.format == .nifti, truthReader.decodesPlaced, predictionReader.decodesPlaced,
            t.width == p.width, t.height == p.height, t.pages == p.pages, t.pixelCount <= JointHistogram8.maximumPixels,
            !(options.pages == .channels && t.pages > 1)
        else { return nil }

        // Where the CPU counts and checks CRCs in one pass, each file's gzip CRC is checked there
        // instead of by a pass of its own after inflating.
        let deferring = PlacedSamples.countsChecked
        let truth = try decodePlaced(truthReader, key: pair.key, deferringCRC: deferring)
        let prediction: PlacedSamples
        do throws(PairFailure) {
            prediction = try decodePlaced(predictionReader, key: pair.key, deferringCRC: deferring)
        } catch {
            // The general path reads and checks the truth first: a truth whose CRC fails is named
            // before the prediction's own failure.
            let truthHolds = truth.pendingCRCHolds
            sampleBuffers.give(back: (consume truth).spare)
            if !truthHolds { throw failedCheck(truthReader.path, key: pair.key) }
            throw error
        }
        var histogram = histograms.take()
        defer { histograms.give(back: &histogram) }
        let check = histogram.withStorage { cells, truthCounts, predictionCounts in
            PlacedSamples.countChecked(
                truth: truth, prediction: prediction, cells: cells, truthCounts: truthCounts,
                predictionCounts: predictionCounts)
        }
        if case .corrupt(let truthSide) = check {
            // Both buffers go back before the file is read again, so the re-read fits the pair's budget.
            sampleBuffers.give(back: (consume truth).spare)
            sampleBuffers.give(back: (consume prediction).spare)
            throw failedCheck(truthSide ? truthReader.path : predictionReader.path, key: pair.key)
        }
        if check == .checked {
            truth.withSamples { truthValues in
                prediction.withSamples { predictionValues in
                    histogram.accumulate(truth: truthValues, prediction: predictionValues)
                }
            }
        }
        used.append(truth.spare)
        used.append(prediction.spare)
        let truthRead = Self.eightBitReading(
            truthReader.declaration, counts: histogram.truthHistogram, encoding: options.truthEncoding,
            ignored: options.ignoreLabels, autoBinary: options.autoBinary)
        let predictionRead = Self.eightBitReading(
            predictionReader.declaration, counts: histogram.predictionHistogram, encoding: options.predictionEncoding,
            ignored: [], autoBinary: options.autoBinary)
        return try eightBitCounts(
            histogram, key: pair.key, truthPath: pair.truth.path, predictionPath: predictionReader.path,
            truthRead: truthRead, predictionRead: predictionRead)
    }

    private func decodePlaced(_ reader: MaskReader, key: String, deferringCRC: Bool) throws(PairFailure)
        -> PlacedSamples
    {
        do {
            var spare = sampleBuffers.take()
            return try reader.decodePlaced(reusing: &spare, deferringCRC: deferringCRC)
        } catch {
            throw PairFailure(key: key, path: reader.path, message: error.reason)
        }
    }

    /// The failure of a file whose deferred gzip CRC did not match: the file read again with every
    /// check (into a spare buffer, as a pair's decode), so the message is the one a plain read
    /// gives (zlib's, naming what is wrong).
    private func failedCheck(_ path: String, key: String) -> PairFailure {
        var spare = sampleBuffers.take()
        do {
            let mask = try decoder.open(path: path).decode(reusing: &spare)
            sampleBuffers.give(back: mask.samples)
        } catch {
            return PairFailure(key: key, path: path, message: error.reason)
        }
        return PairFailure(
            key: key, path: path, message: "the gzip CRC-32 does not match the data (the file changed while it was read?)")
    }
}
