import DatasetScan
import Foundation
import MaskIO
import Parallel
import SegMetrics

/// Decodes and counts one pair. A value type with no shared state: one per worker, or shared.
struct PairEvaluator: Sendable {
    var options: EvaluationOptions
    var decoder: MaskDecoder
    /// Joint histograms reused across pairs: one per worker in flight, cleared row by row.
    let histograms = HistogramPool()
    /// Class masks of the boundary metrics, reused across classes and pairs.
    let surfaceBuffers = SurfaceBufferPool()
    /// Boundary-metric workspaces (distance buffers, class boundaries), reused across pairs.
    let surfaceWorkspaces = SurfaceWorkspacePool()
    /// Sample buffers reused across pairs: each pair decodes into buffers earlier pairs handed back.
    let sampleBuffers: SampleBufferPool
    /// What the pairs in flight hold: `options.maxMemory` less what the buffer pool may keep.
    let budget: ByteBudget

    /// An evaluator whose decoder refuses files over `options.maxMemory` and whose pairs in flight
    /// hold at most that much together.
    init(options: EvaluationOptions, decoder: MaskDecoder) {
        self.options = options
        var decoder = decoder
        decoder.maxBytes = options.maxMemory.bytes
        decoder.maxBytesName = options.maxMemory.name
        self.decoder = decoder
        // Spare buffers kept between pairs are part of the budget: at most an eighth, 64 MiB.
        let reserve = min(64 << 20, options.maxMemory.bytes / 8)
        sampleBuffers = SampleBufferPool(byteLimit: reserve)
        budget = ByteBudget(capacity: options.maxMemory.bytes - reserve)
    }

    func evaluate(_ pair: MaskPair) -> Result<CountedPair, PairFailure> {
        let readers: PairReaders
        let need: UInt64
        do throws(PairFailure) {
            readers = try open(pair)
            need = try bytesNeeded(pair, readers)
        } catch {
            return .failure(error)
        }
        // A pair larger than the pairs' share runs alone, after the spare buffers are dropped.
        let grant = min(need, budget.capacity)
        budget.acquire(grant)
        if need > budget.capacity { sampleBuffers.drain() }
        var used: [MaskSamples] = []
        var outcome: Result<CountedPair, PairFailure>
        do throws(PairFailure) {
            var counted = try count(pair, readers, used: &used)
            for (reader, roi) in [(readers.prediction, false), (readers.roi, true)] {
                guard let reader else { continue }
                if let warning = GeometryCheck.warning(
                    predictionPath: reader.path, prediction: reader.header, truthPath: pair.truth.path,
                    truth: readers.truth.header, regionOfInterest: roi)
                {
                    counted.geometryWarnings.append(warning)
                }
            }
            outcome = .success(counted)
        } catch {
            outcome = .failure(error)
        }
        // The masks died with `count`'s scope: the pool now holds the buffers' only references.
        for samples in used { sampleBuffers.give(back: samples) }
        used.removeAll()
        budget.release(grant)
        return outcome
    }

    /// The open files of a pair, headers read.
    struct PairReaders {
        var truth: MaskReader
        var prediction: MaskReader?
        var roi: MaskReader?
    }

    /// Opens the pair's files and reads their headers. When a prediction or region-of-interest
    /// file cannot be opened, a ground truth that fails to decode is reported first, as always.
    private func open(_ pair: MaskPair) throws(PairFailure) -> PairReaders {
        let truth = try open(pair.truth, key: pair.key)
        do throws(PairFailure) {
            let prediction = try pair.prediction.map { file throws(PairFailure) in try open(file, key: pair.key) }
            let roi = try pair.roi.map { file throws(PairFailure) in try open(file, key: pair.key) }
            return PairReaders(truth: truth, prediction: prediction, roi: roi)
        } catch {
            let grant = min(truth.header.decodedBytes, budget.capacity)
            budget.acquire(grant)
            defer { budget.release(grant) }
            do {
                _ = try truth.decode()
            } catch let truthError {
                throw PairFailure(key: pair.key, path: pair.truth.path, message: truthError.reason)
            }
            throw error
        }
    }

    private func open(_ file: MaskFile, key: String) throws(PairFailure) -> MaskReader {
        do {
            return try decoder.open(path: file.path)
        } catch {
            throw PairFailure(key: key, path: file.path, message: error.reason)
        }
    }

    private func decode(_ reader: MaskReader, key: String) throws(PairFailure) -> DecodedMask {
        do {
            var spare = sampleBuffers.take()
            return try reader.decode(reusing: &spare)
        } catch {
            throw PairFailure(key: key, path: reader.path, message: error.reason)
        }
    }

    /// Decodes the pair and counts it by the path its data needs: the 8-bit fast path, the
    /// general label path or the channel path.
    /// - Parameter used: receives the decoded sample buffers, to be handed back once the masks are gone.
    private func count(_ pair: MaskPair, _ readers: PairReaders, used: inout [MaskSamples]) throws(PairFailure) -> CountedPair {
        if let counted = try countPlacedEightBit(pair, readers, used: &used) { return counted }
        let truth = try decode(readers.truth, key: pair.key)
        defer { used.append(truth.samples) }
        var prediction: DecodedMask
        var predictionPath = pair.truth.path
        if let reader = readers.prediction {
            prediction = try decode(reader, key: pair.key)
            predictionPath = reader.path
        } else {
            prediction = Self.emptyPrediction(like: truth)
        }
        defer { used.append(prediction.samples) }
        let roi = try pair.roi.flatMap { file throws(PairFailure) in
            try readers.roi.map { reader throws(PairFailure) in (file, try decode(reader, key: pair.key)) }
        }

        let activation = options.variant.activation
        // Only a prediction read from a file is activated (`--missing empty` makes an empty one).
        let activated = activation != .none && readers.prediction != nil
        if activated, case .float32 = prediction.samples {
        } else if activated {
            throw PairFailure(
                key: pair.key, path: predictionPath,
                message:
                    "--activation \(activation.rawValue) applies to float predictions (logits or probabilities); "
                    + "this file holds \(prediction.samples.type.rawValue) values (give --activation none for label maps)")
        }
        if roi == nil,
            let counts = try countEightBitLabels(
                key: pair.key, truthPath: pair.truth.path, truth: truth, prediction: prediction, predictionPath: predictionPath)
        {
            return counts
        }
        let colors = options.labels?.colorTable ?? [:]
        let truthSide: SideInterpretation
        let predictionSide: SideInterpretation
        do throws(InterpretationError) {
            truthSide = try truth.interpretation(
                encoding: options.truthEncoding, pages: options.pages, ignored: options.ignoreLabels, colors: colors,
                autoBinary: options.autoBinary)
        } catch {
            throw PairFailure(key: pair.key, path: pair.truth.path, message: error.message)
        }
        do throws(InterpretationError) {
            predictionSide = try prediction.interpretation(
                encoding: options.predictionEncoding, pages: options.pages, ignored: [], colors: colors,
                autoBinary: options.autoBinary)
        } catch {
            throw PairFailure(key: pair.key, path: predictionPath, message: error.message)
        }

        if activated {
            do throws(InterpretationError) {
                try Self.activate(&prediction, side: predictionSide, activation: activation)
            } catch {
                throw PairFailure(key: pair.key, path: predictionPath, message: error.message)
            }
        }

        let truthShape = shape(of: truth, side: truthSide)
        let predictionShape = shape(of: prediction, side: predictionSide)
        guard truthShape == predictionShape else {
            throw PairFailure(
                key: pair.key, path: predictionPath,
                message:
                    "size mismatch: prediction is \(describe(predictionShape)), ground truth \(pair.truth.path) is \(describe(truthShape))"
            )
        }
        var roiFlags: [UInt8]?
        if let (file, mask) = roi {
            guard mask.width == truth.width, mask.height == truth.height, mask.pixelCount == truthShape.pixels else {
                throw PairFailure(
                    key: pair.key, path: file.path,
                    message:
                        "size mismatch: region of interest is \(mask.width)x\(mask.height)x\(mask.depth), ground truth is \(describe(truthShape))"
                )
            }
            roiFlags = Self.flags(of: mask)
        }

        switch (truthSide, predictionSide) {
        case (.labels, .labels), (.labels, .rgbLabels), (.rgbLabels, .labels), (.rgbLabels, .rgbLabels):
            return try countLabels(
                key: pair.key, truthPath: pair.truth.path, truth: truth, truthSide: truthSide, prediction: prediction,
                predictionSide: predictionSide,
                predictionPath: predictionPath, roi: roiFlags)
        default:
            if !options.regions.isEmpty {
                // A region is a union of stored labels: channel or probability data has none.
                let channelPath = predictionSide.isLabelMap ? pair.truth.path : predictionPath
                throw PairFailure(
                    key: pair.key, path: channelPath,
                    message: "region labels (--labels with regions) need label maps on both sides; this file holds channels")
            }
            return try countChannels(
                key: pair.key, truthPath: pair.truth.path, truth: truth, truthSide: truthSide, prediction: prediction,
                predictionSide: predictionSide, predictionPath: predictionPath, roi: roiFlags)
        }
    }

    /// Applies `--activation` to a float prediction's values in place, before anything reads them.
    /// - Throws: values that are NaN or infinite; softmax on fewer than two channels (MONAI
    ///   ignores it with a warning: the softmax of one value is always 1).
    static func activate(_ mask: inout DecodedMask, side: SideInterpretation, activation: Activation)
        throws(InterpretationError)
    {
        guard case .float32(var values) = mask.samples else { return }
        var channels = 1
        var pageMajor = false
        if case .channels(let layout) = side {
            channels = layout.count
            pageMajor = layout.pageMajor
        }
        if activation == .softmax && channels < 2 {
            throw InterpretationError(
                message: "--activation softmax needs 2 or more channels, this prediction has \(channels) "
                    + "(the softmax of one value is always 1): give --activation sigmoid for a single map of logits")
        }
        let nonFinite = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        if nonFinite > 0 {
            throw InterpretationError(
                message: "\(nonFinite) of \(values.count) values are NaN or infinite; --activation needs finite values")
        }
        mask.samples = .uint8([])  // the buffer's only reference is now `values`: activated in place
        activation.apply(to: &values, channels: channels, pageMajor: pageMajor)
        mask.samples = .float32(values)
    }

    /// The prediction of `--missing empty`: every pixel background, in the ground truth's shape.
    /// RGB ground truth gets a one-channel label map of zeros (id 0); channel data gets its
    /// channels, all off.
    static func emptyPrediction(like truth: DecodedMask) -> DecodedMask {
        let colour = truth.declaration.color == .rgb || truth.declaration.color == .rgba || truth.declaration.color == .grayAlpha
        let channels = colour ? 1 : truth.channels
        var declaration = truth.declaration
        declaration.color = channels == 1 ? .gray : .multi
        declaration.bitDepth = 8
        declaration.palette = []
        return DecodedMask(
            width: truth.width, height: truth.height, depth: truth.depth, channels: channels,
            samples: .uint8([UInt8](repeating: 0, count: truth.pixelCount * channels)), declaration: declaration)
    }

    // MARK: shapes

    struct Shape: Equatable {
        var width: Int
        var height: Int
        var depth: Int
        var pixels: Int { width * height * depth }
    }

    func shape(of mask: DecodedMask, side: SideInterpretation) -> Shape {
        if case .channels(let layout) = side, layout.pageMajor {
            return Shape(width: mask.width, height: mask.height, depth: 1)
        }
        return Shape(width: mask.width, height: mask.height, depth: mask.depth)
    }

    func describe(_ shape: Shape) -> String {
        shape.depth == 1 ? "\(shape.width)x\(shape.height)" : "\(shape.width)x\(shape.height)x\(shape.depth)"
    }

    /// A region-of-interest mask as 0/1 flags: nonzero in any channel is inside.
    static func flags(of mask: DecodedMask) -> [UInt8] {
        var flags = [UInt8](repeating: 0, count: mask.pixelCount)
        switch mask.samples {
        case .uint8(let v): markNonzero(v, channels: mask.channels, in: &flags)
        case .uint16(let v): markNonzero(v, channels: mask.channels, in: &flags)
        case .uint32(let v): markNonzero(v, channels: mask.channels, in: &flags)
        case .float32(let v): markNonzero(v, channels: mask.channels, in: &flags)
        }
        return flags
    }

    /// Sets `flags[i]` to 1 where any of the `channels` interleaved samples of pixel i is nonzero.
    private static func markNonzero<T: AdditiveArithmetic>(_ values: [T], channels k: Int, in flags: inout [UInt8]) {
        values.withUnsafeBufferPointer { v in
            flags.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count {
                    for c in 0..<k where v[i &* k &+ c] != .zero {
                        out[i] = 1
                        break
                    }
                }
            }
        }
    }
}
