import Foundation
import Yams

// The parts of reading a labels file that follow nnU-Net's rules: two names on one id, the
// summary keys, the v1 / Decathlon form, the key order of region mode, `regions_class_order`,
// and what an id may be.
extension LabelSpec {
    /// Two names on one id: in nnU-Net's object form (plain labels) the id is one class, named by
    /// its first entry in the file, with a warning (nnU-Net scores each label value once); in the
    /// list form, or when an ignore label is involved, an error.
    /// - Returns: the entries, one per id, in the order given, and the warnings.
    static func sharedIDs(_ entries: [LabelEntry], ignored: [LabelEntry], merging: Bool, path: String)
        throws(LoadError) -> ([LabelEntry], [String])
    {
        var owner: [Int: String] = [:]
        var kept: [LabelEntry] = []
        var warnings: [String] = []
        for entry in entries {
            if let other = owner[entry.id] {
                guard merging else {
                    throw LoadError(
                        path: path, reason: "two labels share an id: '\(other)' and '\(entry.name)' are both \(entry.id)")
                }
                warnings.append(
                    "\(path): labels '\(other)' and '\(entry.name)' are both \(entry.id): scored once, as '\(other)' "
                        + "(nnU-Net scores each label value once)")
                continue
            }
            owner[entry.id] = entry.name
            kept.append(entry)
        }
        for entry in ignored {
            if let other = owner[entry.id] {
                throw LoadError(path: path, reason: "two labels share an id: '\(other)' and '\(entry.name)' are both \(entry.id)")
            }
            owner[entry.id] = entry.name
        }
        return (kept, warnings)
    }

    /// nnU-Net's summary keys of plain labels: `str(label)`, background left out.
    static func plainKeys(_ entries: [LabelEntry]) -> [Int: String] {
        var keys: [Int: String] = [:]
        for entry in entries where entry.id != 0 { keys[entry.id] = String(entry.id) }
        return keys
    }

    /// Whether a `labels` object is in the v1 / Decathlon form: every key an integer, every value a name.
    static func isDecathlon(_ object: [String: Any]) -> Bool {
        !object.isEmpty && object.allSatisfy { Int($0.key) != nil && $0.value is String }
    }

    /// The keys of the `labels` object in the order the file gives them (nnU-Net evaluates regions
    /// in that order); sorted by name when that order cannot be read.
    static func keyOrder(_ document: Any?, labels: [String: Any], text: String) -> [String] {
        let sorted = labels.keys.sorted()
        // Only the keys' text is read, so no scalar needs a type: the basic resolver spares the
        // regular expressions the default one compiles (ICU, a few milliseconds a run).
        guard let node = try? Yams.compose(yaml: text, .basic) else { return sorted }
        let mapping = ((document as? [String: Any])?["labels"] != nil ? node["labels"] : node)?.mapping
        guard let keys = mapping.map({ Array($0.keys.compactMap(\.string)) }), Set(keys) == Set(sorted),
            keys.count == sorted.count
        else {
            return sorted
        }
        return keys
    }

    /// The class ids of `count` regions: nnU-Net's `regions_class_order` (the label each region is
    /// written as in a segmentation), else 1, 2, … in the file's order.
    static func regionIDs(_ document: Any?, count: Int, path: String) throws(LoadError) -> [Int] {
        guard let raw = (document as? [String: Any])?["regions_class_order"] else { return Array(1...max(count, 1)) }
        guard let list = raw as? [Any] else {
            throw LoadError(path: path, reason: "'regions_class_order' must be a list of integer ids")
        }
        var ids: [Int] = []
        for item in list { ids.append(try identifier(item, of: "'regions_class_order'", path: path)) }
        if ids.count != count {
            throw LoadError(
                path: path,
                reason: "'regions_class_order' has \(ids.count) ids for \(count) regions (one per region besides background)")
        }
        if Set(ids).count != ids.count {
            throw LoadError(path: path, reason: "'regions_class_order' lists an id twice")
        }
        return ids
    }

    /// An id: an integer (or integral number, or a string of digits) in `0...maximumID`.
    static func identifier(_ value: Any?, of entry: String, path: String) throws(LoadError) -> Int {
        if let id = integer(value), (0...maximumID).contains(id) { return id }
        throw LoadError(path: path, reason: "\(entry): id must be an integer in 0…\(maximumID), not \(shown(value))")
    }

    /// The value as an integer, or nil (booleans, fractions, numbers beyond Int, other text).
    static func integer(_ value: Any?) -> Int? {
        if value is Bool { return nil }
        if let int = value as? Int { return int }
        if let double = value as? Double {
            // Int(exactly:) is nil for fractions, infinities, NaN and anything beyond Int.
            return Int(exactly: double)
        }
        if let text = value as? String { return Int(text) }
        return nil
    }

    /// Integers only (colour components), booleans refused.
    static func plainInteger(_ value: Any) -> Int? {
        value is Bool ? nil : integer(value)
    }

    /// How a refused id is quoted in the message.
    static func shown(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "null"
        case let flag as Bool: return String(flag)
        case let text as String: return "'\(text)'"
        case let number as Double: return "\(number)"
        case let number as Int: return String(number)
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        default: return value.map { "\($0)" } ?? "null"
        }
    }
}
