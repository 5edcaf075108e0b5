import Foundation
import SegMetrics

// Planes read in place: each view computes a pixel's value from the stored samples when the
// counting loop asks for it, so no plane is copied into a [Double] or [UInt8] per class.

/// The one-hot plane of a label map: 1 where the stored value's class id is `id`, else 0.
struct OneHotPlane<T: FixedWidthInteger & UnsignedInteger>: PlaneValues {
    let labels: UnsafeBufferPointer<T>
    let classIDs: StoredValueTable
    let id: Int
    let count: Int

    @inline(__always)
    func value(at i: Int) -> Double {
        classIDs(Int(truncatingIfNeeded: labels[i])) == id ? 1 : 0
    }
}

/// The background of a binary problem from its one stored channel: 1 − f(v·scale), divided by
/// `scale` (kept in stored units), where f is the activation.
struct ComplementPlane<T: MaskSample>: PlaneValues {
    let plane: MaskPlane<T>
    let scale: Double
    let activation: Activation

    var count: Int { plane.count }

    @inline(__always)
    func value(at i: Int) -> Double {
        var p = plane[i].sampleValue * scale
        if activation != .none { p = activation.value(p) }
        return (1 - p) / scale
    }
}

/// A ground-truth plane read as 0/1: nonzero is 1 (`scale` nil), or value·scale > 0.5.
struct OnOffPlane<Base: PlaneValues>: PlaneValues {
    let plane: Base
    let scale: Double?

    var count: Int { plane.count }

    @inline(__always)
    func value(at i: Int) -> Double {
        let v = plane.value(at: i)
        if let scale { return v * scale > 0.5 ? 1 : 0 }
        return v != 0 ? 1 : 0
    }
}

/// A plane read in [0, 1] units: value·scale, or 0/1 (nonzero is 1) for on/off data (`scale` nil).
struct ScaledPlane<Base: PlaneValues>: PlaneValues {
    let plane: Base
    let scale: Double?

    var count: Int { plane.count }

    @inline(__always)
    func value(at i: Int) -> Double {
        let v = plane.value(at: i)
        if let scale { return v * scale }
        return v != 0 ? 1 : 0
    }
}

/// Receives one plane of a side.
protocol PlaneVisitor {
    associatedtype Output
    func visit<P: PlaneValues>(_ plane: P) -> Output
}

/// Receives planes 0..<k of a side together.
protocol PlanesVisitor {
    associatedtype Output
    func visit<P: PlaneValues>(_ planes: [P]) -> Output
}

/// Receives the same plane of both sides.
protocol PlanePairVisitor {
    associatedtype Output
    func visit<T: PlaneValues, U: PlaneValues>(_ truth: T, _ prediction: U) -> Output
}

/// Opens the ground truth's plane, then the prediction's, then runs `visitor` on both.
struct FirstPlane<V: PlanePairVisitor>: PlaneVisitor {
    let other: ChannelSource
    let index: Int
    let visitor: V

    func visit<T: PlaneValues>(_ plane: T) -> V.Output {
        other.accept(index, SecondPlane(first: plane, visitor: visitor))
    }
}

struct SecondPlane<V: PlanePairVisitor, T: PlaneValues>: PlaneVisitor {
    let first: T
    let visitor: V

    func visit<U: PlaneValues>(_ plane: U) -> V.Output { visitor.visit(first, plane) }
}

/// Opens a typed label buffer as the one-hot plane of class `id`.
struct OneHotOpener<V: PlaneVisitor>: LabelVisitor {
    let classIDs: StoredValueTable
    let id: Int
    let pixels: Int
    let visitor: V

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) -> V.Output {
        visitor.visit(OneHotPlane(labels: buffer, classIDs: classIDs, id: id, count: pixels))
    }
}

/// Opens a typed label buffer as the one-hot planes of classes `ids`.
struct OneHotPlanesOpener<V: PlanesVisitor>: LabelVisitor {
    let classIDs: StoredValueTable
    let ids: [Int]
    let pixels: Int
    let visitor: V

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) -> V.Output {
        visitor.visit(ids.map { OneHotPlane(labels: buffer, classIDs: classIDs, id: $0, count: pixels) })
    }
}

/// Clears `flags[i]` where `keep` of the stored value is 0.
struct KeepVisitor: LabelVisitor {
    let keep: StoredValueTable
    let flags: UnsafeMutableBufferPointer<UInt8>

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) {
        for i in 0..<Swift.min(buffer.count, flags.count) where keep(Int(truncatingIfNeeded: buffer[i])) == 0 {
            flags[i] = 0
        }
    }
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

    func visit<T: PlaneValues, U: PlaneValues>(_ truth: T, _ prediction: U) -> ClassCounts {
        // The ground truth of the channel path is 0/1 one-hot or stored on/off channels: read it as 0/1.
        let truthPlane = OnOffPlane(plane: truth, scale: truthScale)
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

/// Soft sums with scales (nil: on/off data read as 0/1).
struct TermsVisitor: PlanePairVisitor {
    let truthScale: Double?
    let predictionScale: Double?
    let power: Double?
    let activation: Activation
    let roi: [UInt8]?

    func visit<T: PlaneValues, U: PlaneValues>(_ truth: T, _ prediction: U) -> OverlapTerms {
        let t = ScaledPlane(plane: truth, scale: truthScale)
        let p = ScaledPlane(plane: prediction, scale: predictionScale)
        if let roi {
            return roi.withUnsafeBufferPointer { r in
                ChannelCounting.terms(
                    truth: t, prediction: p, power: power, activation: activation, roi: MaskPlane(r, count: truth.count))
            }
        }
        return ChannelCounting.terms(truth: t, prediction: p, power: power, activation: activation)
    }
}

/// Opens the ground truth's planes, then the prediction's, then counts by argmax.
struct ArgmaxTruth: PlanesVisitor {
    let prediction: ChannelSource
    let k: Int
    let roi: [UInt8]?

    func visit<T: PlaneValues>(_ truths: [T]) -> [ClassCounts] {
        prediction.acceptAll(k, ArgmaxPrediction(truths: truths, roi: roi))
    }
}

struct ArgmaxPrediction<T: PlaneValues>: PlanesVisitor {
    let truths: [T]
    let roi: [UInt8]?

    func visit<U: PlaneValues>(_ predictions: [U]) -> [ClassCounts] {
        if let roi, let first = truths.first {
            return roi.withUnsafeBufferPointer { r in
                ChannelCounting.argmaxCounts(truth: truths, prediction: predictions, roi: MaskPlane(r, count: first.count))
            }
        }
        return ChannelCounting.argmaxCounts(truth: truths, prediction: predictions)
    }
}
