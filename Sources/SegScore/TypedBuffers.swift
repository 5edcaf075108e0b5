import Foundation
import MaskIO
import SegMetrics

// The hot loops are generic over the stored sample types. These visitors open each side's typed
// buffer once per pair, so the loops run specialised, with no copy and no per-pixel dispatch.

/// Integer class ids of one side of a pair, with the aliases that rename stored values.
struct LabelBuffer {
    enum Storage {
        case uint8([UInt8])
        case uint16([UInt16])
        case uint32([UInt32])
    }

    let storage: Storage
    let aliases: [Int: Int]

    init(mask: DecodedMask, side: SideInterpretation) {
        switch side {
        case .rgbLabels(let labels):
            storage = .uint16(labels)
            aliases = [:]
        case .labels(let aliases, _):
            self.aliases = aliases
            switch mask.samples {
            case .uint8(let v): storage = .uint8(v)
            case .uint16(let v): storage = .uint16(v)
            case .uint32(let v): storage = .uint32(v)
            case .float32: storage = .uint8([])  // not reached: floats are never label maps
            }
        case .channels:
            storage = .uint8([])
            aliases = [:]
        }
    }

    /// The class ids the buffer holds, after the aliases, sorted.
    func presentIDs() -> [Int] {
        let stored: [Int]
        switch storage {
        case .uint8(let v): stored = v.withUnsafeBufferPointer { distinctLabels($0) }
        case .uint16(let v): stored = v.withUnsafeBufferPointer { distinctLabels($0) }
        case .uint32(let v): stored = v.withUnsafeBufferPointer { distinctLabels($0) }
        }
        return Array(Set(stored.map { aliases[$0] ?? $0 })).sorted()
    }

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

/// K planes of one side: stored channels (interleaved or page-major), or one-hot planes made from
/// a label map. Planes are addressed by class position (the index into the pair's class ids).
struct ChannelSource {
    enum Storage {
        case samples(MaskSamples, channels: Int, pageMajor: Bool)
        case oneHot([[UInt8]])
    }

    let storage: Storage
    /// Multiplies stored values into [0, 1].
    let scale: Double
    /// True for probability maps, false for on/off data.
    let probabilities: Bool
    let pixels: Int
    /// True when the one stored channel is class 1 of a binary problem (position 1 reads channel
    /// 0; position 0, the background, reads `complement`).
    let binaryForeground: Bool
    /// The background plane of a binary problem, 1 − f(v·scale) kept in stored units (divided by
    /// `scale`), where f is the activation it was built with; nil unless asked for.
    private let complement: [Double]?
    /// For a label-map side: its stored ids, to leave ignored ground-truth pixels out.
    private let labels: LabelBuffer?

    /// Opens one side for channel counting.
    /// - Parameters:
    ///   - ids: the pair's class ids; a label-map side must hold no other id (ignore labels aside).
    ///   - ignored: ground-truth ignore labels (empty for the prediction side).
    ///   - complementActivation: when not nil, the background plane of a binary problem is built
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
            labels = nil
            if layout.probabilities, case .float32(let values) = mask.samples {
                try Self.checkProbabilities(values, logitsAllowed: logitsAllowed)
            }
            if binaryForeground, let activation = complementActivation {
                complement = Self.background(of: mask.samples, scale: layout.scale, activation: activation)
            } else {
                complement = nil
            }
        case .labels, .rgbLabels:
            let buffer = LabelBuffer(mask: mask, side: side)
            let present = buffer.presentIDs().filter { !ignored.contains($0) }
            if let outside = present.first(where: { !ids.contains($0) }) {
                let classes = ids == [0, 1]
                    ? "a class of a single probability map (0 = background, 1 = foreground)"
                    : ids.isEmpty ? "a channel index" : "a channel index of the other side (0…\(ids.count - 1))"
                throw InterpretationError(message: "label id \(outside) is not \(classes)")
            }
            storage = .oneHot(buffer.accept(OneHotVisitor(ids: ids, aliases: buffer.aliases)))
            scale = 1
            probabilities = false
            binaryForeground = false
            complement = nil
            labels = buffer
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
                    + "a probability map holds values in [0, 1]; logits need a variant with a sigmoid")
        }
    }

    /// The background plane 1 − f(v·scale) of a single stored channel, divided by `scale`.
    private static func background(of samples: MaskSamples, scale: Double, activation: Activation) -> [Double] {
        func plane<T: MaskSample>(_ values: [T]) -> [Double] {
            values.map { value in
                var p = value.sampleValue * scale
                if activation == .sigmoid { p = 1 / (1 + Foundation.exp(-p)) }
                return (1 - p) / scale
            }
        }
        switch samples {
        case .uint8(let v): return plane(v)
        case .uint16(let v): return plane(v)
        case .uint32(let v): return plane(v)
        case .float32(let v): return plane(v)
        }
    }

    /// 0 where the stored ground-truth id is ignored, 1 elsewhere; nil when nothing is ignored.
    func keepFlags(ignoring ignored: [Int]) -> [UInt8]? {
        guard let labels, !ignored.isEmpty else { return nil }
        return labels.accept(KeepVisitor(ignored: ignored, aliases: labels.aliases))
    }

    /// True when plane `index` is the prebuilt background plane (its activation is already applied).
    func isBackgroundPlane(_ index: Int) -> Bool { binaryForeground && index == 0 }

    func accept<V: PlaneVisitor>(_ index: Int, _ visitor: V) -> V.Output {
        switch storage {
        case .oneHot(let planes):
            return planes[index].withUnsafeBufferPointer { visitor.visit(MaskPlane($0, count: pixels)) }
        case .samples(let samples, let channels, let pageMajor):
            if binaryForeground {
                if index == 0, let complement {
                    return complement.withUnsafeBufferPointer { visitor.visit(MaskPlane($0, count: pixels)) }
                }
                precondition(index == 1, "the background plane of a binary problem was not built")
            }
            let channel = binaryForeground ? 0 : index
            let offset = pageMajor ? channel * pixels : channel
            let stride = pageMajor ? 1 : channels
            switch samples {
            case .uint8(let v):
                return v.withUnsafeBufferPointer { visitor.visit(MaskPlane($0, offset: offset, stride: stride, count: pixels)) }
            case .uint16(let v):
                return v.withUnsafeBufferPointer { visitor.visit(MaskPlane($0, offset: offset, stride: stride, count: pixels)) }
            case .uint32(let v):
                return v.withUnsafeBufferPointer { visitor.visit(MaskPlane($0, offset: offset, stride: stride, count: pixels)) }
            case .float32(let v):
                return v.withUnsafeBufferPointer { visitor.visit(MaskPlane($0, offset: offset, stride: stride, count: pixels)) }
            }
        }
    }

    /// Hard counts of plane `index` against the same plane of `prediction`.
    func counts(_ index: Int, against prediction: ChannelSource, rule: Binarization, roi: [UInt8]?) -> ClassCounts {
        // Stored on/off truth (0/255 channels) is normalised to 0/1 first, so every rule sees 0/1.
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
                    truthScale: probabilities ? scale : truthNormaliser, predictionScale: prediction.probabilities ? prediction.scale : nil,
                    power: power, activation: activation, roi: roi)))
    }

    /// For on/off truth, nil means "nonzero is 1"; probabilities keep their scale.
    private var truthNormaliser: Double? { probabilities ? scale : nil }

    /// TorchMetrics' rule: each pixel goes to the prediction channel with the largest value.
    func argmaxCounts(against prediction: ChannelSource, roi: [UInt8]?) -> [ClassCounts] {
        let k: Int
        switch prediction.storage {
        case .samples(_, let channels, _): k = channels
        case .oneHot(let planes): k = planes.count
        }
        let predictionValues = (0..<k).map { prediction.accept($0, DoublePlane()) }
        let truthValues = (0..<k).map { accept($0, DoublePlane()) }
        return truthValues.withPlanes { truths in
            predictionValues.withPlanes { predictions in
                if let roi {
                    return roi.withUnsafeBufferPointer { r in
                        ChannelCounting.argmaxCounts(truth: truths, prediction: predictions, roi: MaskPlane(r, count: pixels))
                    }
                }
                return ChannelCounting.argmaxCounts(truth: truths, prediction: predictions)
            }
        }
    }
}

extension Array where Element == [Double] {
    /// Runs `body` with a plane over each array (the arrays outlive the call).
    func withPlanes<R>(_ body: ([MaskPlane<Double>]) -> R) -> R {
        func open(_ index: Int, _ planes: [MaskPlane<Double>]) -> R {
            if index == count { return body(planes) }
            return self[index].withUnsafeBufferPointer { open(index + 1, planes + [MaskPlane($0)]) }
        }
        return open(0, [])
    }
}

protocol PlaneVisitor {
    associatedtype Output
    func visit<T: MaskSample>(_ plane: MaskPlane<T>) -> Output
}

protocol PlanePairVisitor {
    associatedtype Output
    func visit<T: MaskSample, U: MaskSample>(_ truth: MaskPlane<T>, _ prediction: MaskPlane<U>) -> Output
}

struct FirstPlane<V: PlanePairVisitor>: PlaneVisitor {
    let other: ChannelSource
    let index: Int
    let visitor: V

    func visit<T: MaskSample>(_ plane: MaskPlane<T>) -> V.Output {
        other.accept(index, SecondPlane(first: plane, visitor: visitor))
    }
}

struct SecondPlane<V: PlanePairVisitor, T: MaskSample>: PlaneVisitor {
    let first: MaskPlane<T>
    let visitor: V

    func visit<U: MaskSample>(_ plane: MaskPlane<U>) -> V.Output { visitor.visit(first, plane) }
}

extension Binarization {
    /// The same rule applied to stored values that the map scales by `scale` (1/255 for 8-bit
    /// probabilities): p·scale > t is stored > t/scale.
    func onStoredValues(scale: Double) -> Binarization {
        if case .threshold(let t) = self { return .threshold(t / scale) }
        return self
    }
}

/// Hard counts; on/off truth (`truthScale` nil) counts as 1 when nonzero.
struct CountVisitor: PlanePairVisitor {
    let rule: Binarization
    /// The stored prediction value that equality rules compare with (1 in [0, 1] units).
    let predictionClassValue: Double
    let roi: [UInt8]?
    let truthScale: Double?

    func visit<T: MaskSample, U: MaskSample>(_ truth: MaskPlane<T>, _ prediction: MaskPlane<U>) -> ClassCounts {
        // The ground truth of the channel path is 0/1 one-hot or stored on/off channels: make it 0/1.
        let flags = (0..<truth.count).map { i -> UInt8 in
            let v = truth[i].sampleValue
            if let scale = truthScale { return v * scale > 0.5 ? 1 : 0 }
            return v != 0 ? 1 : 0
        }
        return flags.withUnsafeBufferPointer { t in
            let truthPlane = MaskPlane(t, count: truth.count)
            if let roi {
                return roi.withUnsafeBufferPointer { r in
                    ChannelCounting.counts(
                        truth: truthPlane, prediction: prediction, predictionClassValue: predictionClassValue,
                        binarization: rule, roi: MaskPlane(r, count: truth.count))
                }
            }
            return ChannelCounting.counts(
                truth: truthPlane, prediction: prediction, predictionClassValue: predictionClassValue, binarization: rule)
        }
    }
}

/// Soft sums with scales (nil: on/off data read as 0/1).
struct TermsVisitor: PlanePairVisitor {
    let truthScale: Double?
    let predictionScale: Double?
    let power: Double?
    let activation: Activation
    let roi: [UInt8]?

    func visit<T: MaskSample, U: MaskSample>(_ truth: MaskPlane<T>, _ prediction: MaskPlane<U>) -> OverlapTerms {
        let n = truth.count
        let t = (0..<n).map { i -> Double in
            let v = truth[i].sampleValue
            return truthScale.map { v * $0 } ?? (v != 0 ? 1 : 0)
        }
        let p = (0..<n).map { i -> Double in
            let v = prediction[i].sampleValue
            return predictionScale.map { v * $0 } ?? (v != 0 ? 1 : 0)
        }
        return t.withUnsafeBufferPointer { tb in
            p.withUnsafeBufferPointer { pb in
                if let roi {
                    return roi.withUnsafeBufferPointer { r in
                        ChannelCounting.terms(
                            truth: MaskPlane(tb), prediction: MaskPlane(pb), power: power, activation: activation,
                            roi: MaskPlane(r, count: n))
                    }
                }
                return ChannelCounting.terms(
                    truth: MaskPlane(tb), prediction: MaskPlane(pb), power: power, activation: activation)
            }
        }
    }
}

/// One plane as Doubles.
struct DoublePlane: PlaneVisitor {
    func visit<T: MaskSample>(_ plane: MaskPlane<T>) -> [Double] { (0..<plane.count).map { plane[$0].sampleValue } }
}

/// One-hot planes (1 where the aliased id equals the class) of a label buffer.
struct OneHotVisitor: LabelVisitor {
    let ids: [Int]
    let aliases: [Int: Int]

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) -> [[UInt8]] {
        ids.map { id in
            buffer.map { value -> UInt8 in
                let stored = Int(truncatingIfNeeded: value)
                return (aliases[stored] ?? stored) == id ? 1 : 0
            }
        }
    }
}

/// 0 where the aliased id is ignored.
struct KeepVisitor: LabelVisitor {
    let ignored: [Int]
    let aliases: [Int: Int]

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) -> [UInt8] {
        buffer.map { value -> UInt8 in
            let stored = Int(truncatingIfNeeded: value)
            return ignored.contains(aliases[stored] ?? stored) ? 0 : 1
        }
    }
}
