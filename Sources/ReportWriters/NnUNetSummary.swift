extension EvaluationReportValue {
    /// Writes nnU-Net's `summary.json` (nnunetv2 2.8.1 `compute_metrics_on_folder`), so that scripts
    /// reading nnU-Net's file read this one unchanged.
    ///
    /// The file is what Python's `json.dump(..., sort_keys=True, indent=4)` writes: keys sorted as
    /// strings, floats in Python's shortest form, NaN as the bare token `NaN`, non-ASCII escaped,
    /// no final newline. `metric_per_case` lists the cases in the order of their prediction file
    /// names, each with `metrics` (per class: Dice, FN, FP, IoU, TN, TP, n_pred, n_ref from the
    /// image's counts), `prediction_file` and `reference_file`. `mean` is NumPy's `nanmean` over
    /// the cases (its pairwise summation), `foreground_mean` NumPy's `mean` over the classes' means but label 0's.
    /// - Parameters:
    ///   - classes: the classes written, each with nnU-Net's name for it (`"1"`, `"(2, 3)"`), in the
    ///     order nnU-Net evaluates them (`foreground_mean` sums in that order); others are left out.
    ///   - sink: where the text goes.
    public func writeNnUNetSummary(classes: [(id: Int, key: String)], to sink: some ReportSink) {
        let metrics = ["Dice", "FN", "FP", "IoU", "TN", "TP", "n_pred", "n_ref"]
        var keys: [Int: String] = [:]
        for item in classes { keys[item.id] = item.key }
        let evaluated = classes.map(\.key)
        let names = evaluated.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        // Case order: nnU-Net walks the prediction folder's file names, sorted.
        let order = images.indices.map { (index: $0, name: Self.fileName(images[$0])) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) || ($0.name == $1.name && $0.index < $1.index) }
            .map(\.index)
        // First pass: every case's values per class and metric, for the means.
        var values: [String: [[Double]]] = [:]
        for name in names { values[name] = Array(repeating: [], count: metrics.count) }
        for index in order {
            for entry in images[index].classes {
                guard let name = keys[entry.id] else { continue }
                let numbers = Self.nnunetMetrics(entry.counts)
                for m in metrics.indices { values[name]?[m].append(numbers[m].value) }
            }
        }
        var means: [String: [Double]] = [:]
        for name in names { means[name] = (values[name] ?? []).map(Self.nanMean) }
        var text = "{\n    \"foreground_mean\": {\n"
        // nnU-Net leaves label 0 out of foreground_mean (`if k == 0 or k == '0': continue`).
        let foreground = metrics.indices.map { m in
            Self.numpyMean(evaluated.filter { $0 != "0" }.map { means[$0]?[m] ?? .nan })
        }
        text += Self.metricLines(metrics, foreground.map { ($0, false) }, indent: 8) + "    },\n    \"mean\": {"
        for (position, name) in names.enumerated() {
            text += (position == 0 ? "\n" : ",\n") + "        " + Self.pythonString(name) + ": {\n"
            text += Self.metricLines(metrics, (means[name] ?? []).map { ($0, false) }, indent: 12) + "        }"
        }
        text += names.isEmpty ? "},\n" : "\n    },\n"
        text += "    \"metric_per_case\": ["
        sink.write(text)
        for (position, index) in order.enumerated() {
            let row = images[index]
            var entry = (position == 0 ? "\n" : ",\n") + "        {\n            \"metrics\": {"
            var classes: [(name: String, numbers: [(value: Double, integer: Bool)])] = []
            for item in row.classes { if let name = keys[item.id] { classes.append((name, Self.nnunetMetrics(item.counts))) } }
            classes.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            for (number, item) in classes.enumerated() {
                entry += (number == 0 ? "\n" : ",\n") + "                " + Self.pythonString(item.name) + ": {\n"
                entry += Self.metricLines(metrics, item.numbers, indent: 20) + "                }"
            }
            entry += classes.isEmpty ? "},\n" : "\n            },\n"
            entry += "            \"prediction_file\": " + (row.predictionPath.map(Self.pythonString) ?? "null") + ",\n"
            entry += "            \"reference_file\": " + Self.pythonString(row.truthPath) + "\n        }"
            sink.write(entry)
        }
        sink.write(order.isEmpty ? "]\n}" : "\n    ]\n}")
    }

    /// The last path component of the prediction (else the ground truth) file.
    static func fileName(_ row: ImageRow) -> String {
        let path = row.predictionPath ?? row.truthPath
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Dice, FN, FP, IoU, TN, TP, n_pred, n_ref of one image and class, as nnU-Net computes them
    /// (Dice and IoU NaN when TP + FP + FN is 0); `integer` marks counts nnU-Net writes as ints.
    static func nnunetMetrics(_ counts: Counts) -> [(value: Double, integer: Bool)] {
        let (tp, fp, fn, tn, integer): (Double, Double, Double, Double, Bool)
        switch counts {
        case .integers(let a, let b, let c, let d): (tp, fp, fn, tn, integer) = (Double(a), Double(b), Double(c), Double(d), true)
        case .masses(let a, let b, let c, let d): (tp, fp, fn, tn, integer) = (a, b, c, d, false)
        }
        let union = tp + fp + fn
        let dice = union == 0 ? Double.nan : 2 * tp / (2 * tp + fp + fn)
        let iou = union == 0 ? Double.nan : tp / union
        return [
            (dice, false), (fn, integer), (fp, integer), (iou, false), (tn, integer), (tp, integer), (tp + fp, integer),
            (tp + fn, integer),
        ]
    }

    /// `"key": value` lines of one metrics object at `indent` spaces.
    static func metricLines(_ metrics: [String], _ numbers: [(value: Double, integer: Bool)], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return zip(metrics, numbers).map { name, number in
            pad + "\"" + name + "\": " + (number.integer ? String(Int(number.value)) : pythonFloat(number.value))
        }.joined(separator: ",\n") + "\n"
    }

    /// NumPy's `nanmean`: the pairwise sum of the values that are not NaN over their count (NaN if none).
    package static func nanMean(_ values: [Double]) -> Double {
        let count = values.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
        return count == 0 ? .nan : numpySum(values.map { $0.isNaN ? 0 : $0 }) / Double(count)
    }

    /// NumPy's `mean`: the pairwise sum over the count (NaN for no values, or when one is NaN).
    package static func numpyMean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : numpySum(values) / Double(values.count)
    }

    /// NumPy's float64 `sum` of a contiguous array: 0 plus its pairwise sum (eight accumulators
    /// per block of at most 128, halves beyond), so means round exactly as NumPy's do.
    package static func numpySum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { 0 + pairwiseSum($0[...]) }
    }

    private static func pairwiseSum(_ a: Slice<UnsafeBufferPointer<Double>>) -> Double {
        let n = a.count
        let base = a.startIndex
        if n < 8 {
            var sum = -0.0
            for value in a { sum += value }
            return sum
        }
        if n <= 128 {
            var r = (0..<8).map { a[base + $0] }
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[base + i + j] }
                i += 8
            }
            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                sum += a[base + i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(a[base..<(base + half)]) + pairwiseSum(a[(base + half)...])
    }

    /// A float as Python's `repr` (json.dump) writes it: shortest round trip, `NaN`, `Infinity`.
    package static func pythonFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        // Swift's description is the shortest round trip too, with the same exponent rule
        // (exponent form below 1e-4 and from 1e16 on), spelled `1e-05` and `1e+16` alike.
        return value.description
    }

    /// A JSON string as Python's json.dump writes it (ensure_ascii: all but printable ASCII escaped).
    package static func pythonString(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }
}
