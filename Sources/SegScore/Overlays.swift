import DatasetScan
import MaskIO
import ReportWriters
import SegMetrics

/// The overlay pictures of the worst images: for each headline class, the `worst` images with the
/// lowest values (NaN left out, ties by key), each pair decoded again after the run (the run keeps
/// only the values) and drawn as a palette PNG: true positives, false positives and false negatives
/// of the class in three colours over a neutral background; pixels left out (ignore labels, outside
/// the region of interest) in black. A volume shows its slice with the most errors (FP + FN; the
/// first such slice). A picture is at most `maximumSide` pixels a side: larger images are reduced by
/// blocks, an error in a block winning over a hit, a hit over background.
public enum Overlays {
    /// The palette: background, TP, FP, FN, left out (Okabe–Ito colours, told apart without red–green).
    public static let palette: [(name: String, rgb: (UInt8, UInt8, UInt8))] = [
        ("background", (0x5A, 0x5A, 0x5A)), ("true positive", (0x00, 0x9E, 0x73)),
        ("false positive", (0xD5, 0x5E, 0x00)), ("false negative", (0x56, 0xB4, 0xE9)), ("left out", (0x00, 0x00, 0x00)),
    ]

    /// The longest side of a picture, in pixels.
    public static let maximumSide = 512

    /// The pictures of the `worst` lowest images of each headline class, classes in report order.
    /// - Parameters:
    ///   - result: the run.
    ///   - worst: images per class (0: none).
    /// - Returns: one overlay per (class, image); a pair that cannot be drawn has a note instead of bytes.
    public static func render(result: EvaluationResult, worst: Int) -> [EvaluationReportValue.Overlay] {
        guard worst > 0 else { return [] }
        let width = result.classIDs.count
        guard width > 0 else { return [] }
        let rows = result.classValues.count / width
        let headline = Set(result.summary.headlineClassIDs)
        var overlays: [EvaluationReportValue.Overlay] = []
        for (position, id) in result.classIDs.enumerated() where headline.contains(id) {
            let ranked = (0..<rows).compactMap { row -> (Int, Double)? in
                let value = result.classValues[row * width + position]
                return value.isNaN ? nil : (row, value)
            }.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(worst)
            for (rank, (row, value)) in ranked.enumerated() {
                let record = result.records[row]
                var overlay = EvaluationReportValue.Overlay(
                    classID: id, rank: rank + 1, key: record.key, value: value,
                    fileName: fileName(classID: id, rank: rank + 1, key: record.key), slice: nil, png: [], note: nil)
                do throws(OverlayFailure) {
                    let picture = try draw(result: result, row: row, classID: id)
                    overlay.png = picture.png
                    overlay.slice = picture.slice
                } catch {
                    overlay.note = error.message
                }
                overlays.append(overlay)
            }
        }
        return overlays
    }

    /// `class<id>-<rank>-<key>.png`, the key cut to 60 characters of `A-Z a-z 0-9 . _ -` (others
    /// become `_`): unique by class and rank, whatever the key holds.
    static func fileName(classID: Int, rank: Int, key: String) -> String {
        let safe = String(
            key.unicodeScalars.prefix(60).map { s -> Character in
                s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "." || s == "_" || s == "-")
                    ? Character(s) : "_"
            })
        return "class\(classID)-\(rank)-\(safe).png"
    }

    struct OverlayFailure: Error {
        var message: String
    }

    /// Categories per pixel: 0 background, 1 TP, 2 FP, 3 FN, 4 left out.
    private static func draw(result: EvaluationResult, row: Int, classID: Int) throws(OverlayFailure) -> (
        png: [UInt8], slice: Int?
    ) {
        let options = result.options
        let pair = result.records.pairs[result.records.store.row(row).pairIndex]
        let decoder = MaskDecoder(maxSamples: options.maxSamples)
        func decode(_ path: String) throws(OverlayFailure) -> DecodedMask {
            do {
                return try decoder.decode(path: path)
            } catch {
                throw OverlayFailure(message: "\(path): \(error.reason)")
            }
        }
        let truth = try decode(pair.truth.path)
        let prediction =
            try pair.prediction.map { file throws(OverlayFailure) in try decode(file.path) }
            ?? PairEvaluator.emptyPrediction(like: truth)
        let colours = options.labels?.colorTable ?? [:]
        let truthSide: SideInterpretation
        let predictionSide: SideInterpretation
        do throws(InterpretationError) {
            truthSide = try truth.interpretation(
                encoding: options.truthEncoding, pages: options.pages, ignored: options.ignoreLabels, colors: colours,
                autoBinary: options.autoBinary)
            predictionSide = try prediction.interpretation(
                encoding: options.predictionEncoding, pages: options.pages, ignored: [], colors: colours,
                autoBinary: options.autoBinary)
        } catch {
            throw OverlayFailure(message: error.message)
        }
        guard truthSide.isLabelMap, predictionSide.isLabelMap else {
            throw OverlayFailure(message: "no overlay: overlays are drawn for label maps, this pair holds channel data")
        }
        guard truth.pixelCount == prediction.pixelCount, truth.width == prediction.width else {
            throw OverlayFailure(message: "no overlay: the two masks differ in size")
        }
        let members = Set(options.regions[classID] ?? [classID])
        let truthLabels = LabelBuffer(mask: truth, side: truthSide)
        let predictionLabels = LabelBuffer(mask: prediction, side: predictionSide)
        // Per stored value: 1 in the class, 2 ignored (ground truth only), 0 otherwise.
        let truthKind = ValueKinds(buffer: truthLabels) { id in
            members.contains(id) ? 1 : (options.ignoreLabels.contains(id) ? 2 : 0)
        }
        let predictionKind = ValueKinds(buffer: predictionLabels) { members.contains($0) ? 1 : 0 }
        let t = truthLabels.accept(KindVisitor(kinds: truthKind))
        let p = predictionLabels.accept(KindVisitor(kinds: predictionKind))
        var categories = [UInt8](repeating: 0, count: t.count)
        for i in 0..<t.count {
            switch (t[i], p[i]) {
            case (2, _): categories[i] = 4
            case (1, 1): categories[i] = 1
            case (0, 1): categories[i] = 2
            case (1, 0): categories[i] = 3
            default: categories[i] = 0
            }
        }
        if let roiFile = pair.roi {
            let roi = try decode(roiFile.path)
            guard roi.pixelCount == truth.pixelCount else {
                throw OverlayFailure(message: "no overlay: the region of interest differs in size")
            }
            for (i, inside) in PairEvaluator.flags(of: roi).enumerated() where inside == 0 { categories[i] = 4 }
        }
        let plane = truth.width * truth.height
        var slice: Int?
        if truth.depth > 1 {
            var best = 0
            var bestErrors = -1
            for z in 0..<truth.depth {
                let errors = categories[(z * plane)..<((z + 1) * plane)].reduce(0) { $0 + ($1 == 2 || $1 == 3 ? 1 : 0) }
                if errors > bestErrors {
                    best = z
                    bestErrors = errors
                }
            }
            slice = best
            categories = Array(categories[(best * plane)..<((best + 1) * plane)])
        }
        let (indices, w, h) = reduced(categories, width: truth.width, height: truth.height)
        do throws(OverlayPNG.EncodingError) {
            let png = try OverlayPNG.encode(
                indices: indices, width: w, height: h, palette: palette.flatMap { [$0.rgb.0, $0.rgb.1, $0.rgb.2] })
            return (png, slice)
        } catch {
            throw OverlayFailure(message: error.description)
        }
    }

    /// The picture cut to `maximumSide`: each output pixel a block of input pixels, shown as its
    /// most telling category (an error, then a hit, then background, then left out).
    static func reduced(_ categories: [UInt8], width: Int, height: Int) -> ([UInt8], Int, Int) {
        let step = max(1, (max(width, height) + maximumSide - 1) / maximumSide)
        guard step > 1 else { return (categories, width, height) }
        let w = (width + step - 1) / step
        let h = (height + step - 1) / step
        // Higher wins: left out 0, background 1, TP 2, FP 3, FN 3.
        let priority: [UInt8] = [1, 2, 3, 3, 0]
        var out = [UInt8](repeating: 4, count: w * h)
        for y in 0..<height {
            for x in 0..<width {
                let c = categories[y * width + x]
                let o = (y / step) * w + x / step
                if priority[Int(c)] > priority[Int(out[o])] { out[o] = c }
            }
        }
        return (out, w, h)
    }
}

/// A kind per stored value of one side (what a pixel's value means for the class drawn).
private struct ValueKinds {
    /// Values below 65,536 by table; others by dictionary.
    var table: [UInt8]
    var large: [Int: UInt8]

    init(buffer: LabelBuffer, kind: (Int) -> UInt8) {
        table = [UInt8](repeating: 0, count: min(65_536, (buffer.stored.last ?? 0) + 1))
        large = [:]
        for value in buffer.stored {
            let k = kind(buffer.aliases[value] ?? value)
            if value < table.count { table[value] = k } else { large[value] = k }
        }
    }
}

private struct KindVisitor: LabelVisitor {
    let kinds: ValueKinds

    func visit<T: FixedWidthInteger & UnsignedInteger>(_ buffer: UnsafeBufferPointer<T>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: buffer.count)
        for i in 0..<buffer.count {
            let v = Int(buffer[i])
            out[i] = v < kinds.table.count ? kinds.table[v] : (kinds.large[v] ?? 0)
        }
        return out
    }
}
