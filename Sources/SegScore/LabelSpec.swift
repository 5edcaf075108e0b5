import Foundation
import MaskIO
import Yams

/// One class of a `--labels` file: id, name, and the colour that marks it in RGB masks.
public struct LabelEntry: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var color: RGBColor?

    public init(id: Int, name: String, color: RGBColor? = nil) {
        self.id = id
        self.name = name
        self.color = color
    }
}

/// The classes of a dataset, read from a `--labels` file.
///
/// Accepted shapes (JSON or YAML): an nnU-Net style object `{"background": 0, "liver": 1}`; a whole
/// nnU-Net `dataset.json` (its `labels` object is used); or a list of `{id, name, color?, ignore?}`
/// where `color` is `[r, g, b]`.
///
/// Ignore labels: the key `ignore` of an object (nnU-Net v2's `"ignore": 4`), or a list entry named
/// `ignore` or with `ignore: true`, is an ignore label, never a scored class: pixels whose ground
/// truth has that id are left out of every count, exactly as `--ignore-label` (and as nnU-Net's
/// evaluation, which masks them out of TP, FP, FN and TN). Its colour, if any, still maps RGB
/// pixels to it.
///
/// Ids are integers in `0...LabelSpec.maximumID` (the largest stored sample, 32-bit TIFF); anything
/// else (`1.5`, `1e20`, `-1`, `"abc"`, `true`, `null`) is refused naming the entry.
public struct LabelSpec: Sendable, Equatable {
    /// Scored classes in id order (ignore labels are not among them).
    public var entries: [LabelEntry]
    /// Ignore labels the file names (`"ignore": 9`), in id order.
    public var ignored: [LabelEntry]

    /// The largest id a label map can hold (32-bit unsigned samples).
    public static let maximumID = Int(UInt32.max)
    /// The most classes one evaluation can score.
    public static let maximumClassCount = Int(UInt16.max) - 2

    public init(entries: [LabelEntry], ignored: [LabelEntry] = []) {
        self.entries = entries.sorted { $0.id < $1.id }
        self.ignored = ignored.sorted { $0.id < $1.id }
    }

    /// Ids of the scored classes, in order.
    public var ids: [Int] { entries.map(\.id) }

    /// Ids of the ignore labels the file names.
    public var ignoreLabels: [Int] { ignored.map(\.id) }

    /// The name of an id (a class or an ignore label), if the file gave one.
    public func name(of id: Int) -> String? { (entries.first { $0.id == id } ?? ignored.first { $0.id == id })?.name }

    /// Colour → id, for RGB masks (ignore labels included); empty when no entry has a colour.
    public var colorTable: [RGBColor: Int] {
        var table: [RGBColor: Int] = [:]
        for entry in entries + ignored { if let color = entry.color { table[color] = entry.id } }
        return table
    }

    /// Resolves a scored class given by name or id (`--fail-under-class liver=0.9`, `--fail-under-class 2=0.8`).
    public func id(named text: String) -> Int? {
        if let entry = entries.first(where: { $0.name == text }) { return entry.id }
        return Int(text)
    }

    /// Why a labels file was refused.
    public struct LoadError: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads a labels file.
    /// - Throws: `LoadError` naming the file and what is wrong with it.
    public static func load(path: String) throws(LoadError) -> LabelSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadError(path: path, reason: "cannot read the file")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a labels file (JSON is read as YAML, of which it is a subset).
    /// - Throws: `LoadError` naming the file and the entry that is wrong.
    public static func parse(_ text: String, path: String = "labels") throws(LoadError) -> LabelSpec {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw LoadError(path: path, reason: "not valid JSON or YAML")
        }
        var root = document
        if let object = root as? [String: Any], let labels = object["labels"] {
            root = labels  // a whole nnU-Net dataset.json
        }
        var entries: [LabelEntry] = []
        var ignored: [LabelEntry] = []
        if let object = root as? [String: Any] {
            for name in object.keys.sorted() {
                let value = object[name]
                if value is [Any] {
                    throw LoadError(
                        path: path,
                        reason: name == "ignore"
                            ? "the ignore label must be one integer id, not a list"
                            : "label '\(name)' must map to one integer id (regions are not supported)")
                }
                let id = try identifier(value, of: "label '\(name)'", path: path)
                if name == "ignore" {
                    ignored.append(LabelEntry(id: id, name: name))
                } else {
                    entries.append(LabelEntry(id: id, name: name))
                }
            }
        } else if let list = root as? [Any] {
            for (index, item) in list.enumerated() {
                guard let object = item as? [String: Any], object["id"] != nil else {
                    throw LoadError(path: path, reason: "entry \(index + 1) needs an integer 'id'")
                }
                let id = try identifier(object["id"], of: "entry \(index + 1)", path: path)
                var color: RGBColor?
                if let raw = object["color"] ?? object["colour"] {
                    guard let parts = raw as? [Any], parts.count == 3,
                        let rgb = Optional(parts.compactMap(plainInteger)), rgb.count == 3, rgb.allSatisfy({ (0...255).contains($0) })
                    else {
                        throw LoadError(path: path, reason: "entry \(index + 1): 'color' must be [r, g, b] with 0…255")
                    }
                    color = RGBColor(UInt8(rgb[0]), UInt8(rgb[1]), UInt8(rgb[2]))
                }
                var name = String(id)
                if let raw = object["name"] {
                    guard let text = raw as? String else {
                        throw LoadError(path: path, reason: "entry \(index + 1): 'name' must be a string")
                    }
                    name = text
                }
                var isIgnore = name == "ignore"
                if let flag = object["ignore"] {
                    guard let flag = flag as? Bool else {
                        throw LoadError(path: path, reason: "entry \(index + 1): 'ignore' must be true or false")
                    }
                    isIgnore = flag
                }
                if isIgnore {
                    ignored.append(LabelEntry(id: id, name: name, color: color))
                } else {
                    entries.append(LabelEntry(id: id, name: name, color: color))
                }
            }
        } else {
            throw LoadError(path: path, reason: "expected an object of name → id or a list of {id, name, color}")
        }
        if entries.isEmpty { throw LoadError(path: path, reason: ignored.isEmpty ? "no labels" : "no labels besides the ignore label") }
        if entries.count > maximumClassCount {
            throw LoadError(path: path, reason: "\(entries.count) classes, more than the \(maximumClassCount) one run can score")
        }
        var owner: [Int: String] = [:]
        for entry in entries + ignored {
            if let other = owner[entry.id] {
                throw LoadError(path: path, reason: "two labels share an id: '\(other)' and '\(entry.name)' are both \(entry.id)")
            }
            owner[entry.id] = entry.name
        }
        let colors = (entries + ignored).compactMap(\.color)
        if Set(colors).count != colors.count { throw LoadError(path: path, reason: "two labels share a colour") }
        return LabelSpec(entries: entries, ignored: ignored)
    }

    /// An id: an integer (or integral number, or a string of digits) in `0...maximumID`.
    private static func identifier(_ value: Any?, of entry: String, path: String) throws(LoadError) -> Int {
        if let id = integer(value), (0...maximumID).contains(id) { return id }
        throw LoadError(path: path, reason: "\(entry): id must be an integer in 0…\(maximumID), not \(shown(value))")
    }

    /// The value as an integer, or nil (booleans, fractions, numbers beyond Int, other text).
    private static func integer(_ value: Any?) -> Int? {
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
    private static func plainInteger(_ value: Any) -> Int? {
        value is Bool ? nil : integer(value)
    }

    /// How a refused id is quoted in the message.
    private static func shown(_ value: Any?) -> String {
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
