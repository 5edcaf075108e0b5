import MaskIO
import SegMetrics

/// How a single-channel integer side reads as class ids under `--encoding auto`, `binary` or
/// `labels`: the one rule shared by the 8-bit fast path (which reads the stored values off its
/// joint histogram), the general path and `inspect` (both through `DecodedMask.interpretation`).
///
/// - `binary`: every nonzero stored value (ignore labels aside) is label 1.
/// - `auto`: when every nonzero value (ignore labels aside) is `binaryMaximum` (255 or 65535 of an
///   8- or 16-bit gray file), the file is binary and the maximum is label 1; otherwise the stored
///   values are the labels.
/// - `labels`: the stored values are the labels.
struct LabelReading: Sendable, Equatable {
    /// Stored values renamed (e.g. 255 → 1 for a 0/255 binary mask); others are their own id.
    var aliases: [Int: Int]
    /// The report's name of the reading: `binary`, `labels` or `palette-labels`.
    var kind: String
    /// What the run checks across files: the `auto` reading and the number of ids.
    var notes: SideNotes
    /// The distinct stored values of the side, sorted (before the aliases).
    var stored: [Int]

    /// Applies the rule.
    /// - Parameters:
    ///   - encoding: `auto`, `binary` or `labels` (any other encoding reads as `labels`).
    ///   - stored: the distinct stored values of the side, sorted.
    ///   - binaryMaximum: the value `auto` reads as label 1 when it is the only nonzero one
    ///     (`DecodedMask.binaryMaximum`); nil when the file has none.
    ///   - palette: true for palette indices (named `palette-labels`, never counted as many ids).
    ///   - ignored: ignore labels, left aside by the binary test and the id count.
    init(encoding: MaskEncoding, stored: [Int], binaryMaximum: Int?, palette: Bool, ignored: [Int]) {
        self.stored = stored
        let nonzero = stored.filter { $0 != 0 && !ignored.contains($0) }
        let labels = palette ? "palette-labels" : "labels"
        switch encoding {
        case .binary:
            var aliases: [Int: Int] = [:]
            for value in nonzero where value > 1 { aliases[value] = 1 }
            (self.aliases, kind, notes) = (aliases, "binary", SideNotes())
        case .auto:
            if let maximum = binaryMaximum, !nonzero.isEmpty, nonzero.allSatisfy({ $0 == maximum }) {
                (aliases, kind, notes) = ([maximum: 1], "binary", SideNotes(reading: .binaryByMaximum))
            } else {
                (aliases, kind, notes) = ([:], labels, SideNotes(ids: nonzero, palette: palette))
            }
        default:
            (aliases, kind, notes) = ([:], labels, SideNotes())
        }
    }

    /// The class ids present after the aliases, sorted.
    var presentIDs: [Int] {
        aliases.isEmpty ? stored : Array(Set(stored.map { aliases[$0] ?? $0 })).sorted()
    }
}

/// When `--encoding auto` may read a file whose only nonzero value is 255 (65535) as a binary mask
/// with that value as label 1. Not when the run declares that value as a class (`--labels` with
/// `"vessel": 255`, `--classes 255`): the file then holds the declared label. Not under a variant
/// whose library compares stored values with label ids (`nnunet-eval`): the stored value is the label.
struct AutoBinaryRule: Sendable {
    /// The variant reads stored values as labels, always.
    var storedValuesAreLabels = false
    /// The stored values the run scores or counts as classes (explicit classes, region members).
    var declared: Set<Int> = []

    /// The rule of a run without declared classes and a variant that allows the binary reading.
    static let always = AutoBinaryRule()

    /// `maximum` when `auto` may read it as label 1, else nil.
    func binaryMaximum(_ maximum: Int?) -> Int? {
        guard let maximum, !storedValuesAreLabels, !declared.contains(maximum) else { return nil }
        return maximum
    }
}

/// A value for each stored label value, in a table built once per pair, so per-pixel loops index
/// an array instead of looking up a dictionary. Values up to 65535 (every 8- and 16-bit map) sit in
/// the table; larger 32-bit values are found by binary search among the values present.
struct StoredValueTable: Sendable {
    /// `table[v]` for stored values v below `table.count`.
    private let table: [Int]
    /// Stored values beyond the table, sorted, and their values.
    private let farValues: [Int]
    private let farResults: [Int]

    /// Builds the table of `value(v)` for every stored value in `stored` (sorted, distinct).
    /// Stored values not in `stored` read as `missing`.
    init(stored: [Int], missing: Int = -1, value: (Int) -> Int) {
        let size = min((stored.last ?? -1) + 1, 1 << 16)
        var table = [Int](repeating: missing, count: max(size, 0))
        var farValues: [Int] = []
        var farResults: [Int] = []
        for v in stored {
            if v < size {
                table[v] = value(v)
            } else {
                farValues.append(v)
                farResults.append(value(v))
            }
        }
        self.table = table
        self.farValues = farValues
        self.farResults = farResults
        self.missing = missing
    }

    private let missing: Int

    /// The value of stored value `v`.
    @inline(__always)
    func callAsFunction(_ v: Int) -> Int {
        if v < table.count { return table[v] }
        var low = 0
        var high = farValues.count
        while low < high {
            let middle = (low + high) / 2
            if farValues[middle] < v { low = middle + 1 } else { high = middle }
        }
        return low < farValues.count && farValues[low] == v ? farResults[low] : missing
    }
}
