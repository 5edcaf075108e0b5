import Foundation
import SegMetrics

typealias Outcome = GoldenAdapter.Outcome

/// Channels of one image for the libraries that take one-hot input: binary cases become
/// [1 − x, x], label maps one channel per id of the label set, multichannel arrays stay.
func oneHotChannels(_ golden: GoldenCase, ids: [Int]? = nil) -> [(Int, [Double], [Double])] {
    // The golden runs drop ignored ground-truth pixels before one-hot encoding.
    let golden = golden.withoutIgnored
    switch golden.kind {
    case "labelmap", "multichannel": return channels(of: golden, ids: ids ?? GoldenAdapter.defaultIDs(golden))
    default: return channels(of: golden, ids: ids ?? [0, 1])
    }
}

/// Per-class values over (id, t, p) channels with a variant.
func values(_ variant: DiceVariant, _ channels: [(Int, [Double], [Double])], hard: Binarization? = nil) -> [Int: Double] {
    var out: [Int: Double] = [:]
    for (index, (id, t, p)) in channels.enumerated() {
        let terms = hard.map { hardCounts(t, p, $0).terms } ?? softTerms(t, p)
        out[id] = variant.value(of: terms, classIndex: index)
    }
    return out
}

enum NNUNetAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> Outcome {
        let impl = entry["impl"] as! String
        if impl.hasPrefix("nnunetv2.evaluation") {
            let ignored = (settings["ignore_label"] as? Int).map { [$0] } ?? []
            let ids = (settings["labels_or_regions"] as! [Any]).compactMap { $0 as? Int }
            let variant = Preset.nnunetEval.variant
            let binary = golden.kind != "labelmap"
            let counts = labelCounts(
                binary ? golden.binaryTruth : golden.gt, binary ? golden.binaryPrediction : golden.pred, ids: ids,
                ignored: ignored)
            return .compared(GoldenAdapter.perClass(entry) { id in variant.value(of: counts[ids.firstIndex(of: id)!].terms) })
        }
        if impl.hasPrefix("nnunetv2 compute_metrics") {
            var aggregator = DatasetAggregator(variant: Preset.nnunetEval.variant, classIDs: [1])
            for (index, image) in GoldenAdapter.images(of: golden).enumerated() {
                let counts = labelCounts(image.binaryTruth, image.binaryPrediction, ids: [1])
                aggregator.add(
                    Preset.nnunetEval.variant.score(key: String(index), ids: [1], terms: counts.map(\.terms), counts: counts))
            }
            let summary = aggregator.summary()
            let ordered = aggregator.orderedImages
            return .compared(
                GoldenAdapter.perImage(golden, entry) { index, _ in ordered[index].classes[0].dice }
                    + GoldenAdapter.perClass(entry) { _ in summary.classes[0].mean }
                    + [GoldenAdapter.aggregate(entry, "foreground_mean", summary.library!.value)])
        }
        // SoftDiceLoss / MemoryEfficientSoftDiceLoss: −loss is the mean dice over (image, class).
        var variant = Preset.nnunetLoss.variant
        variant.smoothing = Smoothing(settings["smooth"] as! Double)
        let doBackground = settings["do_bg"] as! Bool
        if settings["batch_dice"] as? Bool == true {
            // batch_dice: the images' sums add up per class before the formula.
            let pooled = GoldenAdapter.images(of: golden).map { image in
                let channel = oneHotChannels(image)[1]
                return softTerms(channel.1, channel.2)
            }.reduce(OverlapTerms(), +)
            let key = (entry["aggregate"] as! [String: Any]).keys.first!
            return .compared([GoldenAdapter.aggregate(entry, key, variant.value(of: pooled)).lossScaled])
        }
        var dice: [Double] = []
        for image in GoldenAdapter.images(of: golden) {
            var channels =
                image.kind == "binary" && !golden.kind.hasPrefix("dataset") && golden.kind != "soft"
                ? channels(of: image, ids: [1]) : oneHotChannels(image)
            if golden.kind == "soft" { channels = GoldenSupportChannels.single(image) }
            if golden.kind.hasPrefix("dataset") { channels = oneHotChannels(image) }
            if !doBackground && channels.count > 1 { channels.removeFirst() }
            dice += values(variant, channels).sorted { $0.key < $1.key }.map(\.value)
        }
        let mean = dice.reduce(0, +) / Double(dice.count)
        let key = (entry["aggregate"] as! [String: Any]).keys.first!
        return .compared([GoldenAdapter.aggregate(entry, key, mean).lossScaled])
    }
}

enum GoldenSupportChannels {
    static func single(_ golden: GoldenCase) -> [(Int, [Double], [Double])] {
        [(1, golden.binaryTruth, golden.binaryPrediction)]
    }
}

enum MONAIAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> Outcome {
        let impl = entry["impl"] as! String
        let ignoreEmpty = settings["ignore_empty"] as? Bool ?? true
        let includeBackground = settings["include_background"] as? Bool ?? true
        var metric = (ignoreEmpty ? Preset.monaiMetric : Preset.monaiMetricKeepEmpty).variant
        metric.libraryIncludesBackground = includeBackground

        if impl.hasPrefix("monai.metrics.compute_dice(y_pred (1,1") {
            // One channel: the prediction is compared with == 1.
            let value = metric.value(of: hardCounts(golden.binaryTruth, golden.binaryPrediction, classValue: 1, .equality).terms)
            return .compared(GoldenAdapter.perClass(entry) { _ in value })
        }
        if impl.hasPrefix("monai.metrics.compute_dice(two-channel") {
            let v = values(metric, oneHotChannels(golden), hard: .nonzero)
            return .compared(GoldenAdapter.perClass(entry) { v[$0]! })
        }
        if impl.hasPrefix("monai.metrics.DiceMetric (one-hot") {
            var channels = oneHotChannels(golden)
            if !includeBackground { channels.removeFirst() }
            let ids = channels.map(\.0)
            let counts = channels.map { hardCounts($0.1, $0.2, .nonzero) }
            var aggregator = DatasetAggregator(variant: metric, classIDs: ids, includeBackground: true)
            let score = metric.score(key: "0", ids: ids, terms: counts.map(\.terms), counts: counts)
            aggregator.add(score)
            let summary = aggregator.summary()
            let notNaN = score.classes.contains { !$0.dice.isNaN } ? 1.0 : 0.0
            return .compared(
                GoldenAdapter.perClass(entry) { id in score.classes.first { $0.id == id }!.dice }
                    + [
                        GoldenAdapter.aggregate(entry, "reduction=mean", summary.library!.value),
                        GoldenAdapter.aggregate(entry, "not_nans", notNaN),
                    ])
        }
        if impl.hasPrefix("monai.metrics.DiceMetric(label-encoded") {
            let ignored = (settings["ignore_index"] as? Int).map { [$0] } ?? []
            let ids = GoldenAdapter.defaultIDs(golden)
            let counts = labelCounts(golden.gt, golden.pred, ids: ids, ignored: ignored)
            return .compared(GoldenAdapter.perClass(entry) { id in metric.value(of: counts[ids.firstIndex(of: id)!].terms) })
        }
        if impl.hasPrefix("monai.metrics.DiceMetric accumulated") {
            let ids = includeBackground ? [0, 1] : [1]
            var aggregator = DatasetAggregator(variant: metric, classIDs: ids, includeBackground: true)
            for (index, image) in GoldenAdapter.images(of: golden).enumerated() {
                let channels = oneHotChannels(image, ids: ids)
                let counts = channels.map { hardCounts($0.1, $0.2, .nonzero) }
                aggregator.add(metric.score(key: String(index), ids: ids, terms: counts.map(\.terms), counts: counts))
            }
            let summary = aggregator.summary()
            let ordered = aggregator.orderedImages
            let aggregate = (entry["aggregate"] as! [String: [Any]]).mapValues { $0.map { goldenNumber($0)! } }
            var out = GoldenAdapter.perImage(golden, entry) { index, id in
                ordered[index].classes.first { $0.id == id }?.dice ?? .infinity
            }
            out.append(Comparison(label: "mean", expected: aggregate["mean"]![0], actual: summary.library!.value))
            for (c, expected) in aggregate["mean_batch"]!.enumerated() {
                out.append(Comparison(label: "mean_batch[\(c)]", expected: expected, actual: summary.classes[c].mean))
            }
            for (i, expected) in aggregate["mean_channel"]!.enumerated() {
                // MONAI's mean_channel: an image with no value left counts as 0.
                let mean = ordered[i].mean(over: ids)
                out.append(Comparison(label: "mean_channel[\(i)]", expected: expected, actual: mean.isNaN ? 0 : mean))
            }
            return .compared(out)
        }
        if impl.hasPrefix("monai.losses.DiceLoss") {
            var variant = Preset.monaiLoss.variant
            variant.smoothing = Smoothing(
                numerator: [settings["smooth_nr"] as? Double ?? 1e-5], denominator: [settings["smooth_dr"] as? Double ?? 1e-5])
            if settings["squared_pred"] as? Bool == true { variant.formula = .softSquared }
            if settings["jaccard"] as? Bool == true { variant.formula = .jaccard }
            if settings["soft_label"] as? Bool == true { variant.formula = .fuzzy }
            if impl.hasSuffix("over the stacked dataset") {
                let images = GoldenAdapter.images(of: golden)
                let terms = images.map { image in
                    let channel = oneHotChannels(image)[1]
                    return softTerms(channel.1, channel.2)
                }
                if settings["batch"] as? Bool == true {
                    // batch=True: sums over images and space per channel.
                    let expected = (entry["dice_1_minus_loss"] as! [Any]).map { goldenNumber($0)! }
                    let pooled = terms.reduce(OverlapTerms(), +)
                    return .compared([
                        Comparison(label: "dice", expected: expected[0], actual: variant.value(of: pooled), scale: 1)
                    ])
                }
                let expected = (entry["dice_1_minus_loss"] as! [[Any]]).map { $0.map { goldenNumber($0)! } }
                return .compared(
                    terms.enumerated().map { index, t in
                        Comparison(label: "dice[\(index)]", expected: expected[index][0], actual: variant.value(of: t), scale: 1)
                    })
            }
            var channels =
                golden.kind == "labelmap" || golden.kind == "multichannel"
                ? oneHotChannels(golden) : GoldenSupportChannels.single(golden)
            if !includeBackground && channels.count > 1 { channels.removeFirst() }
            let v = values(variant, channels)
            let meanLoss = v.values.map { 1 - $0 }.reduce(0, +) / Double(v.count)
            // per_class holds 1 − loss of a float32 loss: its error is absolute.
            return .compared(
                GoldenAdapter.perClass(entry) { v[$0]! }.map(\.lossScaled)
                    + [GoldenAdapter.aggregate(entry, "loss reduction=mean", meanLoss).lossScaled])
        }
        if impl.hasPrefix("monai.losses.GeneralizedDiceLoss") || impl.hasPrefix("monai.metrics.compute_generalized_dice") {
            let isLoss = impl.hasPrefix("monai.losses")
            let weighting = GeneralizedDice.Weighting(rawValue: (settings["w_type"] ?? settings["weight_type"]) as! String)!
            var channels =
                golden.kind == "labelmap" || golden.kind == "multichannel"
                ? oneHotChannels(golden) : GoldenSupportChannels.single(golden)
            if !includeBackground && channels.count > 1 { channels.removeFirst() }
            let formula = GeneralizedDice(weighting: weighting, emptyWeight: isLoss ? .maxInImageOrZero : .maxInImage)
            let terms = channels.map { softTerms($0.1, $0.2) }
            let value =
                isLoss
                ? formula.value(of: terms, smoothing: Smoothing(1e-5), empty: .nan)
                : formula.value(of: terms, empty: .one)
            let comparison = GoldenAdapter.aggregate(entry, isLoss ? "1-loss" : "value", value)
            return .compared([isLoss ? comparison.lossScaled : comparison])
        }
        return .unsupported("MONAI entry not mapped")
    }
}

enum TorchMetricsAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> Outcome {
        let impl = entry["impl"] as! String
        let includeBackground = settings["include_background"] as? Bool ?? true
        let floatInput = (settings["pred_dtype"] as? String)?.hasPrefix("float") == true
        if impl.contains("whole dataset as one batch") {
            let average = settings["average"] as! String
            let perImage = GoldenAdapter.images(of: golden).map { image -> [ClassCounts] in
                let counts = oneHotChannels(image).map { hardCounts($0.1, $0.2, .nonzero) }
                return includeBackground ? counts : Array(counts.dropFirst())
            }
            let actual: [Double]
            if settings["aggregation_level"] as? String == "global" {
                let pooled = perImage.dropFirst().reduce(perImage[0]) { zip($0, $1).map { $0 + $1 } }
                actual = reduce(pooled, average: average)
            } else {
                // Samplewise: each image's value, then the NaN-skipping mean over images.
                let values = perImage.map { reduce($0, average: average) }
                actual = (0..<values[0].count).map { c in nanMeanOf(values.map { $0[c] }) }
            }
            let expected = (entry["value"] as? [Any] ?? [entry["value"]!]).map { goldenNumber($0)! }
            return .compared(
                expected.enumerated().map { Comparison(label: "value[\($0)]", expected: $1, actual: actual[$0]) })
        }
        // Channels: one-hot over num_classes (index input: raw ids must be below num_classes).
        let numClasses = settings["num_classes"] as? Int ?? 2
        // One-hot input: channels in label order (the case's label set when it has num_classes ids).
        let labelSet = GoldenAdapter.defaultIDs(golden)
        var ids =
            golden.kind == "multichannel"
            ? Array(0..<golden.shape[0])
            : golden.kind == "labelmap" && labelSet.count == numClasses ? labelSet : Array(0..<numClasses)
        if impl.contains("input_format='index'") {
            if golden.labels.contains(where: { $0 >= numClasses }) || golden.gt.contains(where: { $0 >= Double(numClasses) }) {
                return .unsupported("index input with ids ≥ num_classes: TorchMetrics raises")
            }
            ids = Array(0..<numClasses)
        }
        var counts: [ClassCounts]
        if floatInput {
            let channels = oneHotChannels(golden, ids: golden.kind == "multichannel" ? ids : [0, 1])
            counts = channels.map(\.1).withPlanes { truths in
                channels.map(\.2).withPlanes { predictions in
                    ChannelCounting.argmaxCounts(truth: truths, prediction: predictions)
                }
            }
        } else {
            let kept = golden.withoutIgnored
            let channels =
                golden.kind == "labelmap"
                ? ids.map { ($0, oneHot(kept.gt, $0), oneHot(kept.pred, $0)) }
                : oneHotChannels(golden, ids: golden.kind == "multichannel" ? ids : [0, 1])
            counts = channels.map { hardCounts($0.1, $0.2, .nonzero) }
        }
        if !includeBackground {
            ids.removeFirst()
            counts.removeFirst()
        }
        if impl.contains("GeneralizedDiceScore") {
            let name = settings["weight_type"] as! String
            let weighting: GeneralizedDice.Weighting = name == "linear" ? .uniform : GeneralizedDice.Weighting(rawValue: name)!
            let formula = GeneralizedDice(weighting: weighting, emptyWeight: .zero)
            let terms = counts.map(\.terms)
            if settings["per_class"] as? Bool == true {
                let weights = formula.weights(of: terms)
                return .compared(
                    GoldenAdapter.perClass(entry) { id in
                        guard let i = ids.firstIndex(of: id) else { return .infinity }
                        let denominator = weights[i] * (terms[i].truth + terms[i].prediction)
                        return denominator == 0 ? 0 : 2 * weights[i] * terms[i].intersection / denominator
                    })
            }
            let value = formula.value(of: terms, empty: .zero)
            return .compared([GoldenAdapter.aggregate(entry, "value", value)])
        }
        let average = settings["average"] as? String ?? "macro"
        let reduced = reduce(counts, average: average)
        if average == "none" { return .compared(GoldenAdapter.perClass(entry) { pick(reduced, ids, $0) }) }
        return .compared([GoldenAdapter.aggregate(entry, "value", reduced[0])])
    }

    /// TorchMetrics' class averaging of one item: `none` keeps every class; `macro` is the
    /// NaN-skipping mean; `micro` pools numerators and denominators; `weighted` weights each class
    /// by its ground-truth support.
    static func reduce(_ counts: [ClassCounts], average: String) -> [Double] {
        let variant = Preset.torchmetrics.variant
        let dice = counts.map { variant.value(of: $0.terms) }
        switch average {
        case "none": return dice
        case "macro": return [nanMeanOf(dice)]
        case "micro":
            let numerator = counts.reduce(0.0) { $0 + 2 * Double($1.tp) }
            let denominator = counts.reduce(0.0) { $0 + Double($1.truthCount + $1.predictionCount) }
            return [denominator == 0 ? .nan : numerator / denominator]
        default:
            var total = 0.0
            var weighted = 0.0
            for (c, d) in zip(counts, dice) where !d.isNaN {
                weighted += Double(c.truthCount) * d
                total += Double(c.truthCount)
            }
            // TorchMetrics divides safely: 0/0 is 0, unless every class is NaN.
            if total == 0 { return [dice.allSatisfy(\.isNaN) ? .nan : 0] }
            return [weighted / total]
        }
    }
}

enum SMPAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> Outcome {
        let impl = entry["impl"] as! String
        var variant = Preset.smp.variant
        let smooth = settings["smooth"] as? Double ?? 0
        let eps = settings["eps"] as? Double ?? 1e-7
        // (TP + s)/(TP + ½FP + ½FN + s) is the fuzzy formula with 2s and a floor of 2·eps.
        variant.smoothing = Smoothing(2 * smooth)
        variant.denominatorFloor = 2 * eps
        let logLoss = settings["log_loss"] as? Bool ?? false
        var channels: [(Int, [Double], [Double])]
        if impl.contains("over the stacked dataset") {
            // Sums run over batch and space together: the images' terms add up per channel.
            let images = GoldenAdapter.images(of: golden)
            let terms = images.map { softTerms($0.binaryTruth, $0.binaryPrediction) }.reduce(OverlapTerms(), +)
            let loss = 1 - variant.value(of: terms)
            return .compared([GoldenAdapter.aggregate(entry, "loss", loss).lossScaled])
        }
        if impl.contains("mode='binary'") {
            channels = GoldenSupportChannels.single(golden)

        } else if let ignore = settings["ignore_index"] as? Int {
            var masked = golden
            masked.gt = golden.gt.map { Int($0) == ignore ? -1 : $0 }
            masked.pred = zip(golden.gt, golden.pred).map { Int($0) == ignore ? -1 : $1 }
            channels = oneHotChannels(masked)
        } else {
            channels = oneHotChannels(golden)
        }
        var losses: [Double] = []
        for (_, t, p) in channels {
            let terms = softTerms(t, p)
            let score = variant.value(of: terms)
            if terms.truth == 0 {
                losses.append(0)
            } else {
                losses.append(logLoss ? -Foundation.log(max(score, eps)) : 1 - score)
            }
        }
        return .compared([GoldenAdapter.aggregate(entry, "loss", losses.reduce(0, +) / Double(losses.count)).lossScaled])
    }
}

extension Array where Element == [Double] {
    /// Runs `body` with a plane over each array.
    func withPlanes<R>(_ body: ([MaskPlane<Double>]) -> R) -> R {
        var planes: [MaskPlane<Double>] = []
        var pointers: [UnsafeMutableBufferPointer<Double>] = []
        for values in self {
            let copy = UnsafeMutableBufferPointer<Double>.allocate(capacity: Swift.max(values.count, 1))
            _ = copy.initialize(from: values)
            pointers.append(copy)
            planes.append(MaskPlane(UnsafeBufferPointer(copy), count: values.count))
        }
        defer {
            for pointer in pointers { pointer.deallocate() }
        }
        return body(planes)
    }
}

/// The value of class `id` in a per-class array ordered like `ids`; +∞ (a visible mismatch) when absent.
func pick(_ values: [Double], _ ids: [Int], _ id: Int) -> Double {
    ids.firstIndex(of: id).map { values[$0] } ?? .infinity
}

func nanMeanOf(_ values: [Double]) -> Double {
    let kept = values.filter { !$0.isNaN }
    return kept.isEmpty ? .nan : kept.reduce(0, +) / Double(kept.count)
}

extension Comparison {
    /// A loss (or 1 − loss) computed in float32 carries an absolute error: compare on the scale of 1.
    var lossScaled: Comparison {
        var copy = self
        copy.scale = 1
        return copy
    }
}
