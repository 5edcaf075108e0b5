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
/// nnU-Net `dataset.json` (its `labels` object is used); or a list of `{id, name, color?}` where
/// `color` is `[r, g, b]`.
public struct LabelSpec: Sendable, Equatable {
    /// Classes in id order.
    public var entries: [LabelEntry]

    public init(entries: [LabelEntry]) {
        self.entries = entries.sorted { $0.id < $1.id }
    }

    /// Ids in order.
    public var ids: [Int] { entries.map(\.id) }

    /// The name of an id, if the file gave one.
    /// - Complexity: O(log n) while `entries` is in id order (as `init` leaves it).
    public func name(of id: Int) -> String? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].id < id { low = middle + 1 } else { high = middle }
        }
        if low < entries.count && entries[low].id == id { return entries[low].name }
        return entries.first { $0.id == id }?.name
    }

    /// Colour → id, for RGB masks; empty when no entry has a colour.
    public var colorTable: [RGBColor: Int] {
        var table: [RGBColor: Int] = [:]
        for entry in entries { if let color = entry.color { table[color] = entry.id } }
        return table
    }

    /// Resolves a class given by name or id (`--fail-under-class liver=0.9`, `--fail-under-class 2=0.8`).
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
        if let object = root as? [String: Any] {
            for (name, value) in object {
                guard let id = integer(value) else {
                    throw LoadError(
                        path: path, reason: "label '\(name)' must map to one integer id (regions are not supported)")
                }
                entries.append(LabelEntry(id: id, name: name))
            }
        } else if let list = root as? [Any] {
            for (index, item) in list.enumerated() {
                guard let object = item as? [String: Any], let id = integer(object["id"]) else {
                    throw LoadError(path: path, reason: "entry \(index + 1) needs an integer 'id'")
                }
                var color: RGBColor?
                if let raw = object["color"] ?? object["colour"] {
                    guard let parts = raw as? [Any], parts.count == 3,
                        let rgb = Optional(parts.compactMap(integer)), rgb.count == 3, rgb.allSatisfy({ (0...255).contains($0) })
                    else {
                        throw LoadError(path: path, reason: "entry \(index + 1): 'color' must be [r, g, b] with 0…255")
                    }
                    color = RGBColor(UInt8(rgb[0]), UInt8(rgb[1]), UInt8(rgb[2]))
                }
                entries.append(LabelEntry(id: id, name: (object["name"] as? String) ?? String(id), color: color))
            }
        } else {
            throw LoadError(path: path, reason: "expected an object of name → id or a list of {id, name, color}")
        }
        if entries.isEmpty { throw LoadError(path: path, reason: "no labels") }
        if let negative = entries.first(where: { $0.id < 0 }) {
            throw LoadError(path: path, reason: "label '\(negative.name)' has a negative id")
        }
        let ids = entries.map(\.id)
        if Set(ids).count != ids.count { throw LoadError(path: path, reason: "two labels share an id") }
        let colors = entries.compactMap(\.color)
        if Set(colors).count != colors.count { throw LoadError(path: path, reason: "two labels share a colour") }
        return LabelSpec(entries: entries)
    }

    private static func integer(_ value: Any?) -> Int? {
        if let int = value as? Int { return int }
        if let double = value as? Double, double == double.rounded() { return Int(double) }
        if let text = value as? String { return Int(text) }
        return nil
    }
}
