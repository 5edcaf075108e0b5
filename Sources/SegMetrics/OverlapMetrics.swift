/// The other overlap metrics that fall out of the same counts (soft masses for soft inputs).
///
/// With TP = Σt·p, FP = Σp(1−t), FN = Σt(1−p), TN = n − TP − FP − FN; every 0/0 is NaN:
/// IoU = TP/(TP+FP+FN); precision = TP/(TP+FP); recall (sensitivity) = TP/(TP+FN);
/// specificity = TN/(TN+FP); volumetric similarity = 1 − |FN−FP|/(2TP+FP+FN).
public struct OverlapMetrics: Sendable, Equatable {
    /// Intersection over union (Jaccard): TP/(TP+FP+FN); NaN when both masks are empty.
    public var iou: Double
    /// Precision (positive predictive value): TP/(TP+FP); NaN when the prediction is empty.
    public var precision: Double
    /// Recall (sensitivity): TP/(TP+FN); NaN when the ground truth is empty.
    public var recall: Double
    /// Specificity: TN/(TN+FP); NaN when the ground truth covers every pixel (or there are none).
    public var specificity: Double
    /// Volumetric similarity: 1 − |FN−FP|/(2TP+FP+FN); NaN when both masks are empty.
    public var volumetricSimilarity: Double

    /// Computes every metric from one class's terms.
    public init(_ terms: OverlapTerms) {
        let tp = terms.intersection
        let fp = terms.falsePositive
        let fn = terms.falseNegative
        let tn = terms.pixels - tp - fp - fn
        iou = Self.ratio(tp, tp + fp + fn)
        precision = Self.ratio(tp, tp + fp)
        recall = Self.ratio(tp, tp + fn)
        specificity = Self.ratio(tn, tn + fp)
        let denominator = 2 * tp + fp + fn
        volumetricSimilarity = denominator == 0 ? .nan : 1 - abs(fn - fp) / denominator
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> Double {
        denominator == 0 ? .nan : numerator / denominator
    }

    /// Metric names in report order, with their values.
    public var named: [(String, Double)] {
        [
            ("iou", iou), ("precision", precision), ("recall", recall), ("specificity", specificity),
            ("volumetric_similarity", volumetricSimilarity),
        ]
    }
}
