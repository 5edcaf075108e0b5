import DatasetScan

/// Why no file paired, said once, with the flags that would pair them when the names show them.
///
/// A dataset where nothing pairs is almost always a naming convention (`01_manual1.png` against
/// `01_manual2.png`), not forty separate problems. The diagnosis tries a few rules derived from
/// the names and keeps the one that pairs the most files, checked by keying every file with it.
enum PairingDiagnosis {
    /// The one-line message for a run where ground truth exists and nothing paired.
    /// - Parameters:
    ///   - truth, predictions: the unmatched files of each side (all of them, as nothing paired).
    ///   - rule: the key rule of the run.
    /// - Complexity: O(files × candidates), a handful of candidates; run only when nothing paired.
    static func nothingPaired(truth: [MaskFile], predictions: [MaskFile], rule: KeyRule) -> String {
        let files = "\(truth.count) ground-truth file\(truth.count == 1 ? "" : "s")"
        guard !predictions.isEmpty else {
            return "no prediction masks found: none of the \(files) has a prediction"
        }
        let head =
            "none of the \(files) pairs with any of the \(predictions.count) prediction\(predictions.count == 1 ? "" : "s")"
        guard let compiled = try? rule.validated() else { return head }
        let truthKeys = truth.compactMap { compiled.key(for: $0, side: .truth) }.sorted()
        let predictionKeys = predictions.compactMap { compiled.key(for: $0, side: .prediction) }.sorted()
        guard let firstTruth = truthKeys.first, let firstPrediction = predictionKeys.first else { return head }
        let example =
            "keys differ, e.g. ground truth '\(firstTruth)', prediction '\(nearest(to: firstTruth, in: predictionKeys) ?? firstPrediction)'"
        var best: (flags: String, paired: Int)?
        for (flags, candidate) in candidates(truthKeys: truthKeys, predictionKeys: predictionKeys, rule: rule) {
            let paired = pairedCount(truth: truth, predictions: predictions, rule: candidate)
            if paired > (best?.paired ?? 0) { best = (flags, paired) }
        }
        guard let best else {
            return "\(head): \(example); see --gt-suffix/--pred-suffix, --flat or --key-regex"
        }
        let share = best.paired == truth.count ? "all \(truth.count)" : "\(best.paired) of \(truth.count)"
        return "\(head): \(example); add \(best.flags) (pairs \(share))"
    }

    /// Rules worth trying: `--flat`; the suffixes where a ground-truth key and its nearest
    /// prediction key part (`_manual1` / `_manual2`); the first number of each name.
    static func candidates(truthKeys: [String], predictionKeys: [String], rule: KeyRule) -> [(flags: String, rule: KeyRule)] {
        var result: [(String, KeyRule)] = []
        if !rule.flat {
            var flat = rule
            flat.flat = true
            result.append(("--flat", flat))
        }
        var tallies: [String: (count: Int, truth: String, prediction: String)] = [:]
        for key in truthKeys.prefix(64) {
            guard let other = nearest(to: key, in: predictionKeys), let (truthTail, predictionTail) = tails(key, other) else {
                continue
            }
            let id = truthTail + "\u{0}" + predictionTail
            tallies[id, default: (0, truthTail, predictionTail)].count += 1
        }
        for tally in tallies.values.sorted(by: { ($0.count, $0.truth) > ($1.count, $1.truth) }).prefix(3) {
            var candidate = rule
            var flags: [String] = []
            if !tally.truth.isEmpty {
                candidate.truthSuffixes.append(tally.truth)
                flags.append(flag("--gt-suffix", tally.truth))
            }
            if !tally.prediction.isEmpty {
                candidate.predictionSuffixes.append(tally.prediction)
                flags.append(flag("--pred-suffix", tally.prediction))
            }
            result.append((flags.joined(separator: " "), candidate))
        }
        if rule.keyPattern == nil {
            var number = rule
            number.keyPattern = #"(?<key>\d+)"#
            result.append(("--key-regex '(?<key>\\d+)'", number))
        }
        return result
    }

    /// The differing ends of two keys that share a beginning, widened back to a separator
    /// (`_`, `-`, `.`, space) when both ends are non-empty: `01_manual1`, `01_manual2` →
    /// (`_manual1`, `_manual2`) rather than (`1`, `2`). Nil when they share nothing.
    static func tails(_ a: String, _ b: String) -> (String, String)? {
        let x = Array(a)
        let y = Array(b)
        var common = 0
        while common < x.count && common < y.count && x[common] == y[common] { common += 1 }
        guard common > 0, common < x.count || common < y.count else { return nil }
        let separators: Set<Character> = ["_", "-", ".", " "]
        var split = common
        let startsWithSeparator = { (tail: ArraySlice<Character>) in tail.first.map(separators.contains) ?? true }
        if split < x.count && split < y.count && !startsWithSeparator(x[split...]) && !startsWithSeparator(y[split...]) {
            if let separator = x[..<common].lastIndex(where: separators.contains), separator > 0 { split = separator }
        }
        let (truthTail, predictionTail) = (String(x[split...]), String(y[split...]))
        // Digits alone are a different image (01 against 02), not a naming convention.
        let digitsOnly = { (tail: String) in !tail.isEmpty && tail.allSatisfy(\.isNumber) }
        if digitsOnly(truthTail) || digitsOnly(predictionTail) { return nil }
        return (truthTail, predictionTail)
    }

    /// The prediction key sharing the longest beginning with `key` (a neighbour in sorted order).
    static func nearest(to key: String, in sorted: [String]) -> String? {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < key { low = middle + 1 } else { high = middle }
        }
        let neighbours = [low - 1, low].filter { sorted.indices.contains($0) }.map { sorted[$0] }
        return neighbours.max { sharedPrefix(key, $0) < sharedPrefix(key, $1) }
    }

    static func sharedPrefix(_ a: String, _ b: String) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }

    /// How many ground-truth files find a prediction under `rule`.
    static func pairedCount(truth: [MaskFile], predictions: [MaskFile], rule: KeyRule) -> Int {
        guard let compiled = try? rule.validated() else { return 0 }
        let keys = Set(predictions.compactMap { compiled.key(for: $0, side: .prediction) })
        return truth.reduce(0) { $0 + (compiled.key(for: $1, side: .truth).map(keys.contains) == true ? 1 : 0) }
    }

    /// `--flag value`, or `--flag=value` when the value starts with `-`; quoted for a shell when
    /// it holds anything beyond letters, digits, `_ . -`.
    static func flag(_ name: String, _ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
        }
        let shown = plain ? value : "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        return value.hasPrefix("-") ? "\(name)=\(shown)" : "\(name) \(shown)"
    }
}
