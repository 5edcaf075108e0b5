import DatasetScan
import MaskIO
import SegMetrics

// What a pair holds in memory while it is decoded and counted, checked against `--max-memory`.

extension PairEvaluator {
    /// What decoding and counting the pair holds at once: the decoded masks (or the empty
    /// prediction of `--missing empty`) and the counting buffers `workingBytes` estimates.
    /// - Throws: when that is more than `options.maxMemory`: a failure naming the option.
    func bytesNeeded(_ pair: MaskPair, _ readers: PairReaders) throws(PairFailure) -> UInt64 {
        let truth = readers.truth.header
        let pixels = UInt64(truth.pixelCount)
        let colour = truth.color == .rgb || truth.color == .rgba || truth.color == .grayAlpha
        let prediction = readers.prediction?.header.decodedBytes ?? Self.product(pixels, UInt64(colour ? 1 : truth.channels))
        let roi = readers.roi?.header.decodedBytes ?? 0
        let working = workingBytes(truth: truth, prediction: readers.prediction?.header, roi: readers.roi != nil)
        // Float NIfTI data holding whole numbers become labels beside the floats.
        let conversion = Self.sum([
            truth.conversionBytes, readers.prediction?.header.conversionBytes ?? 0, readers.roi?.header.conversionBytes ?? 0,
        ])
        // A .nii.gz inflated whole holds its file and contents while it is decoded (one at a time).
        let scratch = max(
            truth.scratchBytes, readers.prediction?.header.scratchBytes ?? 0, readers.roi?.header.scratchBytes ?? 0)
        let need = Self.sum([truth.decodedBytes, prediction, roi, conversion, scratch, working])
        let limit = options.maxMemory
        guard need > limit.bytes else { return need }
        var parts = [
            "ground truth \(MemoryLimit.describe(truth.decodedBytes))", "prediction \(MemoryLimit.describe(prediction))",
        ]
        if readers.roi != nil { parts.append("region of interest \(MemoryLimit.describe(roi))") }
        let boundary = options.surface.isActive ? Self.product(pixels, SurfaceMemory.bytesPerPixel) : 0
        if conversion > 0 { parts.append("float-to-label conversion \(MemoryLimit.describe(conversion))") }
        if scratch > 0 { parts.append("gzip inflation \(MemoryLimit.describe(scratch))") }
        parts.append("counting \(MemoryLimit.describe(working - min(working, boundary)))")
        if boundary > 0 { parts.append("boundary metrics \(MemoryLimit.describe(boundary))") }
        // The truth is the first candidate and stays unless another side is strictly larger.
        var largest = (bytes: truth.decodedBytes, path: pair.truth.path)
        for side in [
            (bytes: readers.prediction?.header.decodedBytes ?? 0, path: pair.prediction?.path ?? ""),
            (bytes: roi, path: pair.roi?.path ?? ""),
        ] where largest.bytes < side.bytes {
            largest = side
        }
        throw PairFailure(
            key: pair.key, path: largest.path,
            message:
                "too large: the pair needs \(MemoryLimit.describe(need)) to decode and count (\(parts.joined(separator: ", "))), "
                + "more than \(limit.name)")
    }

    /// An upper estimate of the buffers counting allocates beside the decoded masks, from the
    /// headers alone (the counting path is only known after decoding, so every path that may
    /// apply is counted): region-of-interest and ignore flags (a byte per pixel each), RGB label
    /// planes (2 bytes per pixel and side) and the 64 MiB colour table, the distinct-id sets of
    /// 16- and 32-bit label maps, and for channel data the stored-value tables of a label-map side
    /// (at most 65,536 entries of 8 bytes per side; planes are read in place, never copied).
    func workingBytes(truth: MaskHeader, prediction: MaskHeader?, roi: Bool) -> UInt64 {
        let n = UInt64(truth.pixelCount)
        var bytes: UInt64 = 256 << 10  // the joint histogram
        if roi { bytes = Self.sum([bytes, n]) }
        if !options.ignoreLabels.isEmpty { bytes = Self.sum([bytes, n]) }
        let sides = [truth] + (prediction.map { [$0] } ?? [])
        var channelData =
            options.truthEncoding == .channels || options.truthEncoding == .probability
            || options.predictionEncoding == .channels || options.predictionEncoding == .probability
        for side in sides {
            if side.color == .rgb || side.color == .rgba {
                bytes = Self.sum([bytes, Self.product(n, 2), 64 << 20])
            }
            switch side.sampleType {
            case .uint16: bytes = Self.sum([bytes, 2 << 20])
            case .uint32: bytes = Self.sum([bytes, Self.product(n, 16)])
            case .float32:
                channelData = true
                // Whole-number floats may become 32-bit labels (a NIfTI volume's conversion).
                if side.conversionBytes > 0 { bytes = Self.sum([bytes, Self.product(n, 16)]) }
            case .uint8: break
            }
            let k = UInt64(side.channels) * (options.pages == .channels ? UInt64(side.pages) : 1)
            if k > 1 && side.color != .rgb && side.color != .rgba { channelData = true }
        }
        if channelData { bytes = Self.sum([bytes, 1 << 20]) }
        if options.surface.isActive { bytes = Self.sum([bytes, Self.product(n, SurfaceMemory.bytesPerPixel)]) }
        return bytes
    }

    static func sum(_ values: [UInt64]) -> UInt64 {
        values.reduce(0) { total, value in
            let (result, overflow) = total.addingReportingOverflow(value)
            return overflow ? .max : result
        }
    }

    static func product(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : result
    }
}
