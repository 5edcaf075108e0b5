import Foundation
import MaskIO
import SegMetrics

// The hot loops are generic over the stored sample types. These visitors open each side's typed
// buffer once per pair, so the loops run specialised, with no copy and no per-pixel dispatch:
// every plane is read in place, through a view that computes its values inline (`PlaneViews.swift`).

/// K planes of one side: stored channels (interleaved or page-major), or the one-hot planes of a
/// label map. Planes are addressed by class position (the index into the pair's class ids).
struct ChannelSource {
    enum Storage {
        case samples(MaskSamples, channels: Int, pageMajor: Bool)
        /// A label map: plane `index` is 1 where the stored value's class id is `ids[index]`.
        case oneHot(LabelBuffer, classIDs: StoredValueTable, ids: [Int])
    }

    let storage: Storage
    /// Multiplies stored values into [0, 1].
    let scale: Double
    /// True for probability maps, false for on/off data.
    let probabilities: Bool
    let pixels: Int
    /// True when the one stored channel is class 1 of a binary problem (position 1 reads channel
    /// 0; position 0, the background, reads the complement 1 − f(v·scale)).
    let binaryForeground: Bool
    /// The activation f the background plane of a binary problem is read with; nil unless asked for.
    private let complementActivation: Activation?

    /// Opens one side for channel counting.
    /// - Parameters:
    ///   - ids: the pair's class ids; a label-map side must hold no other id (ignore labels aside).
    ///   - ignored: ground-truth ignore labels (empty for the prediction side).
    ///   - complementActivation: when not nil, the background plane of a binary problem is read
    ///     with this activation (soft variants need it; hard counts of class 0 come from class 1's).
    ///   - logitsAllowed: float values outside [0, 1] are accepted (an activation follows).
    /// - Throws: a label id that is not a class, or float probabilities that are NaN, infinite or
    ///   outside [0, 1].
    init(
        mask: DecodedMask, side: SideInterpretation, ids: [Int], pixels: Int, ignored: [Int] = [],
        complementActivation: Activation? = nil, logitsAllowed: Bool = false
    ) throws(InterpretationError) {
        self.pixels = pixels
        switch side {
        case .channels(let layout):
            storage = .samples(mask.samples, channels: layout.count, pageMajor: layout.pageMajor)
            scale = layout.scale
            probabilities = layout.probabilities
            binaryForeground = layout.binaryForeground && ids == [0, 1]
            if layout.probabilities, case .float32(let values) = mask.samples {
                try Self.checkProbabilities(values, logitsAllowed: logitsAllowed)
            }
            self.complementActivation = binaryForeground ? complementActivation : nil
        case .labels, .rgbLabels:
            let buffer = LabelBuffer(mask: mask, side: side)
            let present = buffer.present.filter { !ignored.contains($0) }
            if let outside = present.first(where: { !ids.contains($0) }) {
                let classes =
                    ids == [0, 1]
                    ? "a class of a single probability map (0 = background, 1 = foreground)"
                    : ids.isEmpty ? "a channel index" : "a channel index of the other side (0…\(ids.count - 1))"
                throw InterpretationError(message: "label id \(outside) is not \(classes)")
            }
            storage = .oneHot(buffer, classIDs: buffer.classIDs(), ids: ids)
            scale = 1
            probabilities = false
            binaryForeground = false
            self.complementActivation = nil
        }
    }

    /// Refuses NaN and infinite values, and values outside [0, 1] unless logits are allowed.
    private static func checkProbabilities(_ values: [Float], logitsAllowed: Bool) throws(InterpretationError) {
        var nonFinite = 0
        var outside = 0
        var low = Float.infinity
        var high = -Float.infinity
        values.withUnsafeBufferPointer { v in
            for x in v {
                if !x.isFinite {
                    nonFinite &+= 1
                } else if x < 0 || x > 1 {
                    outside &+= 1
                    low = Swift.min(low, x)
                    high = Swift.max(high, x)
                }
            }
        }
        if nonFinite > 0 {
            throw InterpretationError(
                message: "\(nonFinite) of \(values.count) values are NaN or infinite; a probability map needs finite values")
        }
        if outside > 0 && !logitsAllowed {
            throw InterpretationError(
                message: "\(outside) of \(values.count) values lie outside [0, 1] (from \(low) to \(high)): "
                    + "a probability map holds values in [0, 1]; for logits give --activation sigmoid, softmax or tanh")
        }
    }

    /// Clears `flags[i]` where the stored ground-truth id of pixel i is ignored; nothing when this
    /// side is not a label map or nothing is ignored.
    func clearIgnored(_ ignored: [Int], in flags: inout [UInt8]) {
        guard case .oneHot(let labels, _, _) = storage, !ignored.isEmpty else { return }
        let keep = StoredValueTable(stored: labels.stored, missing: 1) { ignored.contains(labels.aliases[$0] ?? $0) ? 0 : 1 }
        flags.withUnsafeMutableBufferPointer { out in labels.accept(KeepVisitor(keep: keep, flags: out)) }
    }

    /// True when this side is a label map (its one-hot planes are read from the stored ids).
    var isLabelMap: Bool {
        if case .oneHot = storage { return true }
        return false
    }

    /// Runs `visitor` on plane `index`, read in place.
    func accept<V: PlaneVisitor>(_ index: Int, _ visitor: V) -> V.Output {
        switch storage {
        case .oneHot(let labels, let classIDs, let ids):
            return labels.accept(OneHotOpener(classIDs: classIDs, id: ids[index], pixels: pixels, visitor: visitor))
        case .samples(let samples, let channels, let pageMajor):
            let complement = binaryForeground && index == 0 ? complementActivation : nil
            if binaryForeground && complement == nil {
                precondition(index == 1, "the background plane of a binary problem was not built")
            }
            let channel = binaryForeground ? 0 : index
            let offset = pageMajor ? channel * pixels : channel
            let stride = pageMajor ? 1 : channels
            let (pixels, scale) = (self.pixels, self.scale)
            func open<T: MaskSample>(_ values: [T]) -> V.Output {
                values.withUnsafeBufferPointer { buffer in
                    let plane = MaskPlane(buffer, offset: offset, stride: stride, count: pixels)
                    if let complement {
                        return visitor.visit(ComplementPlane(plane: plane, scale: scale, activation: complement))
                    }
                    return visitor.visit(plane)
                }
            }
            switch samples {
            case .uint8(let v): return open(v)
            case .uint16(let v): return open(v)
            case .uint32(let v): return open(v)
            case .float32(let v): return open(v)
            }
        }
    }

    /// Runs `visitor` on planes 0..<k together, read in place (never a binary background plane).
    func acceptAll<V: PlanesVisitor>(_ k: Int, _ visitor: V) -> V.Output {
        switch storage {
        case .oneHot(let labels, let classIDs, let ids):
            return labels.accept(
                OneHotPlanesOpener(classIDs: classIDs, ids: Array(ids.prefix(k)), pixels: pixels, visitor: visitor))
        case .samples(let samples, let channels, let pageMajor):
            precondition(!binaryForeground, "a binary problem has one stored plane")
            let pixels = self.pixels
            func open<T: MaskSample>(_ values: [T]) -> V.Output {
                values.withUnsafeBufferPointer { buffer in
                    visitor.visit(
                        (0..<k).map { c in
                            MaskPlane(buffer, offset: pageMajor ? c * pixels : c, stride: pageMajor ? 1 : channels, count: pixels)
                        })
                }
            }
            switch samples {
            case .uint8(let v): return open(v)
            case .uint16(let v): return open(v)
            case .uint32(let v): return open(v)
            case .float32(let v): return open(v)
            }
        }
    }

    /// The planes this side stores (channels), or its classes (a label map).
    var planeCount: Int {
        switch storage {
        case .samples(_, let channels, _): return channels
        case .oneHot(_, _, let ids): return ids.count
        }
    }

    /// Hard counts of plane `index` against the same plane of `prediction`.
    func counts(_ index: Int, against prediction: ChannelSource, rule: Binarization, roi: [UInt8]?) -> ClassCounts {
        // Stored on/off truth (0/255 channels) is read as 0/1, so every rule sees 0/1.
        accept(
            index,
            FirstPlane(
                other: prediction, index: index,
                visitor: CountVisitor(
                    rule: rule.onStoredValues(scale: prediction.scale), predictionClassValue: 1 / prediction.scale, roi: roi,
                    truthScale: truthNormaliser)))
    }

    /// Soft sums of plane `index` against the same plane of `prediction`.
    func terms(_ index: Int, against prediction: ChannelSource, power: Double?, activation: Activation, roi: [UInt8]?)
        -> OverlapTerms
    {
        accept(
            index,
            FirstPlane(
                other: prediction, index: index,
                visitor: TermsVisitor(
                    truthScale: probabilities ? scale : truthNormaliser,
                    predictionScale: prediction.probabilities ? prediction.scale : nil,
                    power: power, activation: activation, roi: roi)))
    }

    /// For on/off truth, nil means "nonzero is 1"; probabilities keep their scale.
    private var truthNormaliser: Double? { probabilities ? scale : nil }

    /// TorchMetrics' rule: each pixel goes to the prediction channel with the largest value.
    func argmaxCounts(against prediction: ChannelSource, roi: [UInt8]?) -> [ClassCounts] {
        acceptAll(prediction.planeCount, ArgmaxTruth(prediction: prediction, k: prediction.planeCount, roi: roi))
    }
}
