import Foundation

/// Counting for binary masks, probability maps and independent channels: one class per plane.
public enum ChannelCounting {
    /// Hard counts of one class from a ground-truth plane and a prediction plane.
    /// - Parameters:
    ///   - classValue: the value an `equality` rule compares with (1 for binary masks, the label id
    ///     for a label map treated class by class).
    ///   - predictionClassValue: the prediction's own value for equality rules when its stored
    ///     scale differs (255 for an 8-bit probability map); `classValue` when nil.
    ///   - binarization: how each side becomes 0/1; see `Binarization` (`argmax` needs every
    ///     channel: use `argmaxCounts`).
    ///   - roi: only pixels where it is nonzero count.
    ///   - ignoredTruth: ground-truth values left out of every count.
    /// - Complexity: O(n), one pass.
    @inlinable
    public static func counts<Truth: PlaneValues, Prediction: PlaneValues>(
        truth: Truth, prediction: Prediction, classValue: Double = 1, predictionClassValue: Double? = nil,
        binarization: Binarization, roi: MaskPlane<UInt8>? = nil, ignoredTruth: [Double] = []
    ) -> ClassCounts {
        precondition(truth.count == prediction.count, "planes differ in size")
        let predictionValue = predictionClassValue ?? classValue
        var tp = 0
        var fp = 0
        var fn = 0
        var tn = 0
        for i in 0..<truth.count {
            if let roi, roi[i] == 0 { continue }
            let t = truth.value(at: i)
            if !ignoredTruth.isEmpty, ignoredTruth.contains(t) { continue }
            let p = prediction.value(at: i)
            let truthOn: Bool
            let predictionOn: Bool
            switch binarization {
            case .threshold(let threshold):
                truthOn = t != 0
                predictionOn = p > threshold
            case .nonzero:
                truthOn = t != 0
                predictionOn = p != 0
            case .equality:
                truthOn = t == classValue
                predictionOn = p == predictionValue
            case .truncatedEquality:
                truthOn = t.rounded(.towardZero) == classValue
                predictionOn = p.rounded(.towardZero) == predictionValue
            case .argmax:
                // Two channels [1 − x, x]: x wins only when it is strictly larger.
                truthOn = t > 1 - t
                predictionOn = p > 1 - p
            }
            switch (truthOn, predictionOn) {
            case (true, true): tp &+= 1
            case (false, true): fp &+= 1
            case (true, false): fn &+= 1
            case (false, false): tn &+= 1
            }
        }
        return ClassCounts(tp: tp, fp: fp, fn: fn, tn: tn)
    }

    /// Soft sums Σt·p, Σt, Σp, Σt², Σp², Σmin(t,p) (and Σt^γ, Σp^γ when `power` is given) of one
    /// class, with compensated summation in pixel order.
    /// - Parameters:
    ///   - truthScale, predictionScale: samples are multiplied by these first (1/255 for 8-bit
    ///     probability maps, 1/65535 for 16-bit).
    ///   - activation: applied to the prediction after scaling; element-wise only (`sigmoid`,
    ///     `tanh`): softmax acts across channels, apply it to the buffer first
    ///     (`Activation.apply(to:channels:pageMajor:)`).
    @inlinable
    public static func terms<Truth: PlaneValues, Prediction: PlaneValues>(
        truth: Truth, prediction: Prediction, truthScale: Double = 1, predictionScale: Double = 1,
        power: Double? = nil, activation: Activation = .none, roi: MaskPlane<UInt8>? = nil,
        ignoredTruth: [Double] = []
    ) -> OverlapTerms {
        precondition(truth.count == prediction.count, "planes differ in size")
        precondition(activation.isElementwise, "softmax acts across channels: apply it before counting")
        var intersection = CompensatedSum()
        var truthSum = CompensatedSum()
        var predictionSum = CompensatedSum()
        var truthSquared = CompensatedSum()
        var predictionSquared = CompensatedSum()
        var minimum = CompensatedSum()
        var truthPower = CompensatedSum()
        var predictionPower = CompensatedSum()
        var pixels = 0
        for i in 0..<truth.count {
            if let roi, roi[i] == 0 { continue }
            let raw = truth.value(at: i)
            if !ignoredTruth.isEmpty, ignoredTruth.contains(raw) { continue }
            let t = raw * truthScale
            var p = prediction.value(at: i) * predictionScale
            if activation != .none { p = activation.value(p) }
            pixels &+= 1
            intersection.add(t * p)
            truthSum.add(t)
            predictionSum.add(p)
            truthSquared.add(t * t)
            predictionSquared.add(p * p)
            minimum.add(Swift.min(t, p))
            if let power {
                truthPower.add(Foundation.pow(t, power))
                predictionPower.add(Foundation.pow(p, power))
            }
        }
        return OverlapTerms(
            intersection: intersection.value, truth: truthSum.value, prediction: predictionSum.value,
            truthSquared: truthSquared.value, predictionSquared: predictionSquared.value, minimum: minimum.value,
            truthPower: power == nil ? truthSum.value : truthPower.value,
            predictionPower: power == nil ? predictionSum.value : predictionPower.value, pixels: Double(pixels))
    }

    /// TorchMetrics' rule for float one-hot predictions: each pixel goes to the channel with the
    /// largest value (the first on ties); the ground truth's channels are taken as they are
    /// (nonzero = on). Returns the counts of every channel.
    @inlinable
    public static func argmaxCounts<Truth: PlaneValues, Prediction: PlaneValues>(
        truth: [Truth], prediction: [Prediction], roi: MaskPlane<UInt8>? = nil
    ) -> [ClassCounts] {
        precondition(truth.count == prediction.count && !truth.isEmpty, "channel counts differ")
        let n = truth[0].count
        var counts = [ClassCounts](repeating: ClassCounts(), count: truth.count)
        for i in 0..<n {
            if let roi, roi[i] == 0 { continue }
            var best = 0
            var bestValue = prediction[0].value(at: i)
            for c in 1..<prediction.count {
                let v = prediction[c].value(at: i)
                if v > bestValue {
                    best = c
                    bestValue = v
                }
            }
            for c in 0..<truth.count {
                let t = truth[c].value(at: i) != 0
                let p = c == best
                switch (t, p) {
                case (true, true): counts[c].tp += 1
                case (false, true): counts[c].fp += 1
                case (true, false): counts[c].fn += 1
                case (false, false): counts[c].tn += 1
                }
            }
        }
        return counts
    }
}
