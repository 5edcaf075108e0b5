import MaskIO
import SegMetrics

// Boundary metrics of channel data: per channel, the ground truth read as on/off and the
// prediction binarised by the rule its hard counts use.

extension PairEvaluator {
    /// The rule that binarises prediction channel `channel` for hard counts (and for boundary
    /// metrics, whatever the variant: soft variants' hard counts threshold at `--threshold`).
    func hardRule(prediction: ChannelSource, channels k: Int, channel: Int) -> Binarization {
        let variant = options.variant
        guard variant.isHard else { return .threshold(options.threshold(forChannel: channel)) }
        if !prediction.probabilities { return .nonzero }
        if k > 1, let multi = variant.multiChannelBinarization { return multi }
        if case .threshold = variant.binarization { return .threshold(options.threshold(forChannel: channel)) }
        if variant.binarization == .argmax { return .threshold(0.5) }  // one channel: argmax of [1 − p, p]
        return variant.binarization
    }

    /// Measures the classes of channel data: `ids` are the pair's class ids, `binary` the single
    /// probability map problem (class 1 is the map, class 0 its complement).
    func channelSurface(
        truth: ChannelSource, prediction: ChannelSource, ids: [Int], binary: Bool, argmax: Bool, roi: [UInt8]?,
        grid: SurfaceGrid, includeBackground: Bool
    ) -> [Int: SurfaceValues] {
        let n = grid.count
        let k = binary ? 1 : ids.count
        var gt = surfaceBuffers.take(count: n)
        var pred = surfaceBuffers.take(count: n)
        defer {
            surfaceBuffers.give(back: gt)
            surfaceBuffers.give(back: pred)
        }
        let winners: [UInt16]? = argmax ? prediction.acceptAll(k, ArgmaxWinners()) : nil
        var result: [Int: SurfaceValues] = [:]
        let truthScale: Double? = truth.probabilities && !argmax ? truth.scale : nil
        for index in (binary ? [1] : Array(ids.indices)) {
            let id = ids[index]
            let channel = binary ? 0 : index
            guard id != 0 || includeBackground || binary else { continue }
            gt.withUnsafeMutableBufferPointer { out in
                truth.accept(index, OnOffFill(out: out, truthScale: truthScale))
            }
            if let winners {
                for i in 0..<n { pred[i] = Int(winners[i]) == index ? 1 : 0 }
            } else {
                let rule = hardRule(prediction: prediction, channels: k, channel: channel).onStoredValues(scale: prediction.scale)
                pred.withUnsafeMutableBufferPointer { out in
                    prediction.accept(index, PredictionFill(out: out, rule: rule, classValue: 1 / prediction.scale))
                }
            }
            if let roi { Self.clear(&gt, &pred, keeping: roi) }
            result[id] = measure(gt, pred, grid: grid, position: surfacePosition(of: id))
            if binary && includeBackground {
                // Class 0 of the binary problem: the complement inside the kept pixels.
                for i in 0..<n {
                    let kept = roi.map { $0[i] != 0 } ?? true
                    gt[i] = kept && gt[i] == 0 ? 1 : 0
                    pred[i] = kept && pred[i] == 0 ? 1 : 0
                }
                result[0] = measure(gt, pred, grid: grid, position: surfacePosition(of: 0))
            }
        }
        return result
    }
}

/// Writes a ground-truth plane as 0/1: nonzero (`truthScale` nil), or value·scale > 0.5.
struct OnOffFill: PlaneVisitor {
    let out: UnsafeMutableBufferPointer<UInt8>
    let truthScale: Double?

    func visit<P: PlaneValues>(_ plane: P) {
        let on = OnOffPlane(plane: plane, scale: truthScale)
        for i in 0..<Swift.min(out.count, plane.count) { out[i] = on.value(at: i) != 0 ? 1 : 0 }
    }
}

/// Writes a prediction plane binarised by `rule` (on stored values) as 0/1, as `ChannelCounting.counts` reads it.
struct PredictionFill: PlaneVisitor {
    let out: UnsafeMutableBufferPointer<UInt8>
    let rule: Binarization
    /// The stored value equality rules compare with.
    let classValue: Double

    func visit<P: PlaneValues>(_ plane: P) {
        for i in 0..<Swift.min(out.count, plane.count) {
            let p = plane.value(at: i)
            let on: Bool
            switch rule {
            case .threshold(let t): on = p > t
            case .nonzero: on = p != 0
            case .equality: on = p == classValue
            case .truncatedEquality: on = p.rounded(.towardZero) == classValue
            case .argmax: on = p > 1 - p
            }
            out[i] = on ? 1 : 0
        }
    }
}

/// The index of the largest prediction channel per pixel, first on ties (TorchMetrics' argmax).
struct ArgmaxWinners: PlanesVisitor {
    func visit<P: PlaneValues>(_ planes: [P]) -> [UInt16] {
        guard let first = planes.first else { return [] }
        var winners = [UInt16](repeating: 0, count: first.count)
        for i in 0..<first.count {
            var best = 0
            var bestValue = first.value(at: i)
            for c in 1..<planes.count {
                let v = planes[c].value(at: i)
                if v > bestValue {
                    best = c
                    bestValue = v
                }
            }
            winners[i] = UInt16(truncatingIfNeeded: best)
        }
        return winners
    }
}
