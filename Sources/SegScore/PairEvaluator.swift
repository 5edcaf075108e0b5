import DatasetScan
import MaskIO
import SegMetrics

/// The counts of one pair: hard counts per class found (or per channel), and soft sums when the
/// variant needs them.
public struct ImageCounts: Sendable, Equatable {
    /// Scored pixels (after the ROI and ignore labels).
    public var pixels: Int
    /// Hard counts per class id present in the image (label maps) or per channel.
    public var counts: [Int: ClassCounts]
    /// Soft sums per class, for soft variants on probability maps; empty otherwise.
    public var terms: [Int: OverlapTerms]
    /// Class ids the image's files contain (label maps), or the channel ids.
    public var present: [Int]
    /// How each side was read: `labels`, `binary`, `palette-labels`, `rgb`, `channels`, `probability`.
    public var truthEncoding: String
    public var predictionEncoding: String

    /// Counts of class `id`: an absent class has TP = FP = FN = 0 and every pixel TN.
    public func counts(of id: Int) -> ClassCounts { counts[id] ?? ClassCounts(tn: pixels) }

    /// The sums a formula uses for class `id`.
    public func terms(of id: Int) -> OverlapTerms {
        if let soft = terms[id] { return soft }
        return counts(of: id).terms
    }
}

/// A pair that could not be scored, with the file at fault and a one-line reason.
public struct PairFailure: Error, Sendable, Equatable {
    public var key: String
    public var path: String
    public var message: String
}

/// Decodes and counts one pair. A value type with no shared state: one per worker, or shared.
struct PairEvaluator: Sendable {
    var options: EvaluationOptions
    var decoder: MaskDecoder

    func evaluate(_ pair: MaskPair) -> Result<ImageCounts, PairFailure> {
        do throws(PairFailure) {
            return .success(try count(pair))
        } catch {
            return .failure(error)
        }
    }

    private func decode(_ file: MaskFile, key: String) throws(PairFailure) -> DecodedMask {
        do {
            return try decoder.decode(path: file.path)
        } catch {
            throw PairFailure(key: key, path: file.path, message: error.reason)
        }
    }

    private func count(_ pair: MaskPair) throws(PairFailure) -> ImageCounts {
        let truth = try decode(pair.truth, key: pair.key)
        let prediction: DecodedMask
        var predictionPath = pair.truth.path
        if let file = pair.prediction {
            prediction = try decode(file, key: pair.key)
            predictionPath = file.path
        } else {
            // --missing empty: an all-background prediction of the same shape.
            prediction = DecodedMask(
                width: truth.width, height: truth.height, depth: truth.depth, channels: 1,
                samples: .uint8([UInt8](repeating: 0, count: truth.pixelCount)), declaration: truth.declaration)
        }
        let roi = try pair.roi.map { file throws(PairFailure) in
            (file, try decode(file, key: pair.key))
        }

        let colors = options.labels?.colorTable ?? [:]
        let truthSide: SideInterpretation
        let predictionSide: SideInterpretation
        do throws(InterpretationError) {
            truthSide = try truth.interpretation(
                encoding: options.truthEncoding, pages: options.pages, ignored: options.ignoreLabels, colors: colors)
        } catch {
            throw PairFailure(key: pair.key, path: pair.truth.path, message: error.message)
        }
        do throws(InterpretationError) {
            predictionSide = try prediction.interpretation(
                encoding: options.predictionEncoding, pages: options.pages, ignored: [], colors: colors)
        } catch {
            throw PairFailure(key: pair.key, path: predictionPath, message: error.message)
        }

        let truthShape = shape(of: truth, side: truthSide)
        let predictionShape = shape(of: prediction, side: predictionSide)
        guard truthShape == predictionShape else {
            throw PairFailure(
                key: pair.key, path: predictionPath,
                message: "size mismatch: prediction is \(describe(predictionShape)), ground truth \(pair.truth.path) is \(describe(truthShape))")
        }
        var roiFlags: [UInt8]?
        if let (file, mask) = roi {
            guard mask.width == truth.width, mask.height == truth.height, mask.pixelCount * mask.channels == truthShape.pixels * mask.channels,
                mask.pixelCount == truthShape.pixels
            else {
                throw PairFailure(
                    key: pair.key, path: file.path,
                    message: "size mismatch: region of interest is \(mask.width)x\(mask.height)x\(mask.depth), ground truth is \(describe(truthShape))")
            }
            roiFlags = Self.flags(of: mask)
        }

        switch (truthSide, predictionSide) {
        case (.labels, .labels), (.labels, .rgbLabels), (.rgbLabels, .labels), (.rgbLabels, .rgbLabels):
            return try countLabels(
                key: pair.key, truthPath: pair.truth.path, truth: truth, truthSide: truthSide, prediction: prediction, predictionSide: predictionSide,
                predictionPath: predictionPath, roi: roiFlags)
        default:
            return try countChannels(
                key: pair.key, truthPath: pair.truth.path, truth: truth, truthSide: truthSide, prediction: prediction,
                predictionSide: predictionSide, predictionPath: predictionPath, roi: roiFlags)
        }
    }

    // MARK: shapes

    struct Shape: Equatable {
        var width: Int
        var height: Int
        var depth: Int
        var pixels: Int { width * height * depth }
    }

    private func shape(of mask: DecodedMask, side: SideInterpretation) -> Shape {
        if case .channels(_, let pageMajor, _, _) = side, pageMajor {
            return Shape(width: mask.width, height: mask.height, depth: 1)
        }
        return Shape(width: mask.width, height: mask.height, depth: mask.depth)
    }

    private func describe(_ shape: Shape) -> String {
        shape.depth == 1 ? "\(shape.width)x\(shape.height)" : "\(shape.width)x\(shape.height)x\(shape.depth)"
    }

    /// A region-of-interest mask as 0/1 flags: nonzero in any channel is inside.
    static func flags(of mask: DecodedMask) -> [UInt8] {
        let k = mask.channels
        var flags = [UInt8](repeating: 0, count: mask.pixelCount)
        switch mask.samples {
        case .uint8(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        case .uint16(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        case .uint32(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        case .float32(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        }
        return flags
    }

    // MARK: label maps

    private func countLabels(
        key: String, truthPath: String, truth: DecodedMask, truthSide: SideInterpretation, prediction: DecodedMask,
        predictionSide: SideInterpretation, predictionPath: String, roi: [UInt8]?
    ) throws(PairFailure) -> ImageCounts {
        let truthLabels = LabelBuffer(mask: truth, side: truthSide)
        let predictionLabels = LabelBuffer(mask: prediction, side: predictionSide)
        let truthIDs = truthLabels.presentIDs()
        let predictionIDs = predictionLabels.presentIDs()
        let ignored = options.ignoreLabels
        var ids: [Int]
        if let explicit = options.explicitClasses {
            ids = explicit
            // Background 0 may always appear, scored or not; any other unknown id is an error.
            let probe = ClassTable(ids: explicit, ignored: ignored + (explicit.contains(0) ? [] : [0]))
            do throws(UnknownLabelError) {
                try probe.checkKnown(truthIDs)
            } catch {
                throw PairFailure(key: key, path: truthPath, message: error.description)
            }
            do throws(UnknownLabelError) {
                try probe.checkKnown(predictionIDs)
            } catch {
                throw PairFailure(key: key, path: predictionPath, message: error.description)
            }
        } else {
            ids = Array(Set(truthIDs + predictionIDs).subtracting(ignored)).sorted()
        }
        let table = ClassTable(
            ids: ids, ignored: ignored, truthAliases: truthLabels.aliases, predictionAliases: predictionLabels.aliases)
        let matrix = truthLabels.accept(TruthSide(prediction: predictionLabels, roi: roi, table: table))
        var counts: [Int: ClassCounts] = [:]
        let all = matrix.classCounts
        for (index, id) in ids.enumerated() { counts[id] = all[index] }
        let pixels = all.first?.total ?? 0
        return ImageCounts(
            pixels: pixels, counts: counts, terms: [:], present: ids, truthEncoding: truthSide.name,
            predictionEncoding: predictionSide.name)
    }

    // MARK: channels and probabilities

    private func countChannels(
        key: String, truthPath: String, truth: DecodedMask, truthSide: SideInterpretation, prediction: DecodedMask,
        predictionSide: SideInterpretation, predictionPath: String, roi: [UInt8]?
    ) throws(PairFailure) -> ImageCounts {
        let k: Int
        switch (truthSide, predictionSide) {
        case (.channels(let a, _, _, _), .channels(let b, _, _, _)):
            guard a == b else {
                throw PairFailure(
                    key: key, path: predictionPath, message: "prediction has \(b) channels, ground truth has \(a)")
            }
            k = a
        case (.channels(let a, _, _, _), _): k = a
        case (_, .channels(let b, _, _, _)): k = b
        default: k = 1
        }
        // One channel is the binary problem: class 1. K channels are classes 0..<K.
        let ids = k == 1 ? [1] : Array(0..<k)
        let n = shape(of: truth, side: truthSide).pixels
        let truthPlanes: ChannelSource
        var roi = roi
        do throws(InterpretationError) {
            truthPlanes = try ChannelSource(mask: truth, side: truthSide, ids: ids, pixels: n)
            // Ignore labels of a label-map ground truth leave those pixels out, like the ROI does.
            if let keep = truthPlanes.keepFlags(ignoring: options.ignoreLabels) {
                roi = roi.map { zip($0, keep).map { $0 & $1 } } ?? keep
            }
        } catch {
            throw PairFailure(key: key, path: truthPath, message: error.message)
        }
        let predictionPlanes: ChannelSource
        do throws(InterpretationError) {
            predictionPlanes = try ChannelSource(mask: prediction, side: predictionSide, ids: ids, pixels: n)
        } catch {
            throw PairFailure(key: key, path: predictionPath, message: error.message)
        }
        let variant = options.variant
        var counts: [Int: ClassCounts] = [:]
        var terms: [Int: OverlapTerms] = [:]
        let roiPlane = roi
        if variant.isHard && variant.binarization == .argmax && predictionPlanes.probabilities && k > 1 {
            let all = truthPlanes.argmaxCounts(against: predictionPlanes, roi: roiPlane)
            for (index, id) in ids.enumerated() { counts[id] = all[index] }
        } else {
            for (index, id) in ids.enumerated() {
                if variant.isHard {
                    let rule: Binarization
                    if !predictionPlanes.probabilities {
                        rule = .nonzero
                    } else if k > 1, let multi = variant.multiChannelBinarization {
                        rule = multi
                    } else if case .threshold = variant.binarization {
                        rule = .threshold(options.threshold(forChannel: index))
                    } else if variant.binarization == .argmax {
                        rule = .threshold(0.5)  // one channel: argmax of [1 − p, p]
                    } else {
                        rule = variant.binarization
                    }
                    counts[id] = truthPlanes.counts(index, against: predictionPlanes, rule: rule, roi: roiPlane)
                } else {
                    let t = truthPlanes.terms(
                        index, against: predictionPlanes, power: variant.formula.power, activation: variant.activation,
                        roi: roiPlane)
                    terms[id] = t
                    counts[id] = truthPlanes.counts(
                        index, against: predictionPlanes, rule: .threshold(options.threshold(forChannel: index)),
                        roi: roiPlane)
                }
            }
        }
        let pixels = roi.map { $0.reduce(0) { $0 + Int($1) } } ?? n
        return ImageCounts(
            pixels: pixels, counts: counts, terms: terms, present: ids, truthEncoding: truthSide.name,
            predictionEncoding: predictionSide.name)
    }
}

