import DatasetScan
import Foundation
import MaskIO
import SegMetrics

extension PairEvaluator {
    /// Counts a pair with channel data on a side (channels, probability maps): a class per channel.
    func countChannels(
        key: String, truthPath: String, truth: DecodedMask, truthSide: SideInterpretation, prediction: DecodedMask,
        predictionSide: SideInterpretation, predictionPath: String, roi: [UInt8]?
    ) throws(PairFailure) -> CountedPair {
        var truthLayout: ChannelLayout?
        var predictionLayout: ChannelLayout?
        if case .channels(let layout) = truthSide { truthLayout = layout }
        if case .channels(let layout) = predictionSide { predictionLayout = layout }
        if let a = truthLayout, let b = predictionLayout, a.count != b.count {
            throw PairFailure(
                key: key, path: predictionPath, message: "prediction has \(b.count) channels, ground truth has \(a.count)")
        }
        let k = truthLayout?.count ?? predictionLayout?.count ?? 1
        // Channel ids are the 0-based channel indices; a single probability map is the binary
        // problem: class 1 is p, class 0 (background) is 1 − p, as for the label map it thresholds to.
        let binary = k == 1 && (truthLayout?.binaryForeground == true || predictionLayout?.binaryForeground == true)
        let ids = binary ? [0, 1] : Array(0..<k)
        let n = shape(of: truth, side: truthSide).pixels
        let variant = options.variant
        // `--activation` was applied to the prediction's values when it was decoded
        // (`PairEvaluator.activate`): the planes below read activated values.
        let complement: Activation? = binary && !variant.isHard ? Activation.none : nil
        let truthPlanes: ChannelSource
        var roi = roi
        do throws(InterpretationError) {
            truthPlanes = try ChannelSource(
                mask: truth, side: truthSide, ids: ids, pixels: n, ignored: options.ignoreLabels,
                complementActivation: complement == nil ? nil : Activation.none)
            // Ignore labels of a label-map ground truth leave those pixels out, like the ROI does.
            if truthPlanes.isLabelMap && !options.ignoreLabels.isEmpty {
                var flags = roi ?? [UInt8](repeating: 1, count: n)
                truthPlanes.clearIgnored(options.ignoreLabels, in: &flags)
                roi = flags
            }
        } catch {
            throw PairFailure(key: key, path: truthPath, message: error.message)
        }
        let predictionPlanes: ChannelSource
        do throws(InterpretationError) {
            predictionPlanes = try ChannelSource(
                mask: prediction, side: predictionSide, ids: ids, pixels: n, complementActivation: complement,
                logitsAllowed: variant.activation != .none)
        } catch {
            throw PairFailure(key: key, path: predictionPath, message: error.message)
        }
        var counts: [Int: ClassCounts] = [:]
        var terms: [Int: OverlapTerms] = [:]
        let roiPlane = roi
        // Positions counted directly; in the binary problem class 0's hard counts are class 1's
        // with the roles swapped (TP ↔ TN, FP ↔ FN), exactly as for a thresholded 0/1 mask.
        let counted = binary ? [1] : Array(ids.indices)
        let argmax = variant.isHard && variant.binarization == .argmax && predictionPlanes.probabilities && k > 1
        if argmax {
            let all = truthPlanes.argmaxCounts(against: predictionPlanes, roi: roiPlane)
            for (index, id) in ids.enumerated() { counts[id] = all[index] }
        } else {
            for index in counted {
                let id = ids[index]
                let channel = binary ? 0 : index
                if variant.isHard {
                    let rule = hardRule(prediction: predictionPlanes, channels: k, channel: channel)
                    counts[id] = truthPlanes.counts(index, against: predictionPlanes, rule: rule, roi: roiPlane)
                } else {
                    terms[id] = truthPlanes.terms(
                        index, against: predictionPlanes, power: variant.formula.power, activation: .none, roi: roiPlane)
                    counts[id] = truthPlanes.counts(
                        index, against: predictionPlanes, rule: .threshold(options.threshold(forChannel: channel)),
                        roi: roiPlane)
                }
            }
            if binary, let foreground = counts[1] {
                counts[0] = ClassCounts(tp: foreground.tn, fp: foreground.fn, fn: foreground.fp, tn: foreground.tp)
                if !variant.isHard {
                    terms[0] = truthPlanes.terms(
                        0, against: predictionPlanes, power: variant.formula.power, activation: .none, roi: roiPlane)
                }
            }
        }
        let pixels = roi.map { $0.reduce(0) { $0 + Int($1) } } ?? n
        let imageCounts = ImageCounts(
            pixels: pixels, counts: counts, terms: terms, present: ids, truthEncoding: truthSide.name,
            predictionEncoding: predictionSide.name)
        let bothChannels = truthLayout != nil && predictionLayout != nil && !binary
        var pair = CountedPair(counts: imageCounts, channelsOnBothSides: bothChannels)
        if options.surface.isActive {
            let (grid, source, mismatch) = try surfaceGrid(
                key: key, truthPath: truthPath, truth: truth, prediction: prediction, shape: shape(of: truth, side: truthSide))
            let values = channelSurface(
                truth: truthPlanes, prediction: predictionPlanes, ids: ids, binary: binary, argmax: argmax, roi: roi, grid: grid,
                includeBackground: surfaceIncludesBackground(channelsOnBothSides: bothChannels))
            pair.counts.surface = PairSurface(
                values: values, spacing: [grid.spacing.x, grid.spacing.y, grid.spacing.z], source: source)
            pair.spacingMismatch = mismatch
        }
        return pair
    }
}
