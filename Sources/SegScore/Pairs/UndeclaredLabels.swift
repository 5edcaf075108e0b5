import DatasetScan

// nnU-Net's rule for label values its dataset.json does not declare: they are not classes (each
// scored class r compares `gt == r` with `pred == r`, so such voxels are simply "not r"). segscore
// counts them the same way (they fall in the confusion matrix's "other" row and column) and says
// so once per run; under the list form of `--labels` and under `--classes` they stay an error.
extension PairEvaluator {
    /// Whether ids outside the declared classes are left unscored rather than refused: `--labels`
    /// in an nnU-Net form, and no `--classes`.
    var toleratesUndeclared: Bool {
        options.classes == nil && options.labels?.undeclaredAreNotScored == true
    }

    /// The ids of each side that are neither scored, ignored nor background 0, when tolerated.
    func undeclaredIDs(truth: [Int], prediction: [Int]) -> UndeclaredIDs {
        guard toleratesUndeclared, let counted = options.countedClasses else { return UndeclaredIDs() }
        let known = Set(counted).union(options.ignoreLabels).union([0])
        return UndeclaredIDs(
            truth: truth.filter { !known.contains($0) }.sorted(), prediction: prediction.filter { !known.contains($0) }.sorted())
    }
}

extension Evaluation {
    /// What the run saw of undeclared label values: each value with its number of files and the
    /// first file holding it.
    struct UndeclaredTally: Sendable {
        struct Seen: Sendable {
            var files = 0
            var first = ""
            /// The pair of `first` (a merge keeps the first of the smallest key).
            var firstPairIndex = -1
        }
        var values: [Int: Seen] = [:]

        mutating func add(_ undeclared: UndeclaredIDs, pairIndex: Int, truthPath: String, predictionPath: String?) {
            for (ids, path) in [(undeclared.truth, truthPath), (undeclared.prediction, predictionPath ?? truthPath)] {
                for id in ids {
                    var seen = values[id] ?? Seen()
                    if seen.files == 0 {
                        seen.first = path
                        seen.firstPairIndex = pairIndex
                    }
                    seen.files += 1
                    values[id] = seen
                }
            }
        }
    }

    /// One warning per undeclared label value, in id order.
    static func undeclaredWarnings(_ tally: UndeclaredTally, labelsPath: String) -> [String] {
        tally.values.keys.sorted().map { id in
            let seen = tally.values[id] ?? UndeclaredTally.Seen()
            let files = seen.files == 1 ? "1 file" : "\(seen.files) files"
            return "label \(id) is in \(files) (first \(seen.first)) but not declared in \(labelsPath): not scored, "
                + "its voxels count as outside every class (as nnU-Net counts them)"
        }
    }
}
