import Foundation
import SegMetrics
import SegScoreTestSupport

/// One case of `Fixtures/golden/cases.json` (copied from `spec/golden/cases.json`).
struct GoldenCase {
    var id: String
    var kind: String
    var shape: [Int]
    var gt: [Double]
    var pred: [Double]
    var predIsFloat: Bool
    /// The case was computed in float32 (the seed cases): 1e-6 is the tolerance even for "ours".
    var isFloat32: Bool
    var results: [[String: Any]]

    static let url = Fixtures.url("golden/cases.json")

    static func loadAll() throws -> [GoldenCase] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { raw in
            GoldenCase(
                id: raw["id"] as! String, kind: raw["kind"] as! String, shape: raw["shape"] as! [Int],
                gt: flatten(raw["gt"]!), pred: flatten(raw["pred"]!),
                predIsFloat: (raw["pred_dtype"] as! String).hasPrefix("float"),
                isFloat32: raw["pred_dtype"] as! String == "float32",
                results: raw["results"] as! [[String: Any]])
        }
    }

    private static func flatten(_ value: Any) -> [Double] {
        if let list = value as? [Any] { return list.flatMap(flatten) }
        return [(value as! NSNumber).doubleValue]
    }

    /// Number of channels (multichannel) or images (dataset) along the first axis; 1 otherwise.
    var items: Int { kind == "multichannel" || kind.hasPrefix("dataset") ? shape[0] : 1 }

    /// The ground truth and prediction of item / channel `i` of the first axis.
    func slice(_ values: [Double], _ i: Int) -> [Double] {
        let size = values.count / items
        return Array(values[(i * size)..<((i + 1) * size)])
    }

    /// Binary cases: foreground = nonzero on both sides; soft predictions stay as they are.
    var binaryTruth: [Double] { gt.map { $0 != 0 ? 1 : 0 } }
    var binaryPrediction: [Double] { predIsFloat ? pred : pred.map { $0 != 0 ? 1 : 0 } }

    /// The label ids present in either array, less the ignored ones.
    var labels: [Int] {
        Set(gt.map { Int($0) } + pred.map { Int($0) }).subtracting(ignored).sorted()
    }

    /// The void label of the void case: its ground-truth pixels are dropped ("ignore_label
    /// pixels dropped when set", in the golden file's conventions).
    var ignored: [Int] { id == "lm_void_255" ? [255] : [] }

    /// The case with the ignored pixels zeroed on both sides rather than removed (SMP's
    /// `ignore_index`; the golden sigmoid entry masks this way, before the activation).
    var zeroingIgnored: GoldenCase {
        guard !ignored.isEmpty else { return self }
        var copy = self
        let void = gt.indices.filter { ignored.contains(Int(gt[$0])) }
        for i in void {
            copy.gt[i] = -1
            copy.pred[i] = -1
        }
        return copy
    }

    /// The case with the ignored ground-truth pixels removed from both arrays.
    var withoutIgnored: GoldenCase {
        guard !ignored.isEmpty else { return self }
        var copy = self
        let keep = gt.indices.filter { !ignored.contains(Int(gt[$0])) }
        copy.gt = keep.map { gt[$0] }
        copy.pred = keep.map { pred[$0] }
        return copy
    }
}

/// Expected value from the JSON: a number, or the string "NaN".
func goldenNumber(_ value: Any?) -> Double? {
    if let number = value as? NSNumber { return number.doubleValue }
    if let text = value as? String {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return nil
        }
    }
    return nil
}

// MARK: - Counting helpers over plain arrays (the product's API, fed from test data)

func hardCounts(_ t: [Double], _ p: [Double], classValue: Double = 1, _ rule: Binarization, ignored: [Double] = [])
    -> ClassCounts
{
    t.withUnsafeBufferPointer { tb in
        p.withUnsafeBufferPointer { pb in
            ChannelCounting.counts(
                truth: MaskPlane(tb), prediction: MaskPlane(pb), classValue: classValue, binarization: rule,
                ignoredTruth: ignored)
        }
    }
}

func softTerms(_ t: [Double], _ p: [Double], power: Double? = nil, activation: Activation = .none) -> OverlapTerms {
    t.withUnsafeBufferPointer { tb in
        p.withUnsafeBufferPointer { pb in
            ChannelCounting.terms(truth: MaskPlane(tb), prediction: MaskPlane(pb), power: power, activation: activation)
        }
    }
}

/// Per-class counts of a label map through the confusion-matrix path.
func labelCounts(_ t: [Double], _ p: [Double], ids: [Int], ignored: [Int] = []) -> [ClassCounts] {
    let truth = t.map { UInt16($0) }
    let prediction = p.map { UInt16($0) }
    let table = ClassTable(ids: ids, ignored: ignored)
    var matrix = ConfusionMatrix(classCount: ids.count)
    truth.withUnsafeBufferPointer { tb in
        prediction.withUnsafeBufferPointer { pb in accumulate(truth: tb, prediction: pb, table: table, into: &matrix) }
    }
    return matrix.classCounts
}

func oneHot(_ values: [Double], _ id: Int) -> [Double] { values.map { Int($0) == id ? 1 : 0 } }

/// Items of a case as "channels": (truth, prediction) arrays per class id, for one image.
/// Binary/soft: class 1 only. Label maps: one-hot per id. Multichannel: channel per index.
func channels(of golden: GoldenCase, ids: [Int]) -> [(Int, [Double], [Double])] {
    switch golden.kind {
    case "labelmap":
        return ids.map { ($0, oneHot(golden.gt, $0), oneHot(golden.pred, $0)) }
    case "multichannel":
        return ids.map { ($0, golden.slice(golden.gt, $0), golden.slice(golden.pred, $0)) }
    default:
        return ids.map { id in
            id == 0
                ? (0, golden.binaryTruth.map { 1 - $0 }, golden.binaryPrediction.map { 1 - $0 })
                : (1, golden.binaryTruth, golden.binaryPrediction)
        }
    }
}
