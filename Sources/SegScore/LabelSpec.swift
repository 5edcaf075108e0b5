import Foundation
import MaskIO
import SegMetrics
import Yams

/// One class of a `--labels` file: id, name, and the colour that marks it in RGB masks.
public struct LabelEntry: Sendable, Equatable {
    /// The class id: the label value that marks the class in label maps.
    public var id: Int
    /// The class name the reports use.
    public var name: String
    /// The colour that marks the class in RGB masks; nil when the file gives none.
    public var color: RGBColor?

    /// An entry; `color` only matters for RGB masks.
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
/// where `color` is `[r, g, b]`. The v1 / Medical Segmentation Decathlon form `{"0": "background",
/// "1": "liver"}` (ids as keys, names as values) reads the same as its v2 inversion.
///
/// Regions (nnU-Net's region mode, on when some label maps to a list of more than one id, e.g.
/// `{"background": 0, "whole tumor": [1, 2, 3], "enhancing": 3}`): every entry but background is a
/// region, the union of its ids on both sides, scored as one class. A region's class id is its
/// entry of `regions_class_order` (the label nnU-Net writes for it), else its position 1, 2, … in
/// the file's order.
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
    /// Region-based labels (nnU-Net's `{"whole tumor": [1, 2, 3], …}`): scored class id → the
    /// stored labels whose union the region is, on both sides. Empty unless the file is in region
    /// mode; then every entry of `entries` is a region (background is not one).
    public var regions: [Int: [Int]] = [:]
    /// nnU-Net's `file_ending` (`".nii.gz"`): when set, only files whose names end with it are
    /// paired (others in the folders are left out, as `nnUNetv2_evaluate_folder` lists them).
    public var fileEnding: String?
    /// How nnU-Net names each scored class in its `summary.json`: `str(label)` (`"1"`), or for a
    /// region the Python text of its tuple (`"(2, 3)"`, `"(3,)"`) or of its one label (`"3"`).
    /// Background (0) has none: nnU-Net does not score it.
    public var nnunetKeys: [Int: String] = [:]
    /// The classes in the order nnU-Net evaluates them (its means follow it): ascending labels, or
    /// the regions in the file's order.
    public var nnunetOrder: [Int] = []
    /// True for nnU-Net's forms (an object of name → id, a whole `dataset.json`, the v1 /
    /// Decathlon form): a label value in the masks that the file does not declare is then not a
    /// class (its voxels are "not this class" for every class, as nnU-Net counts them) and the run
    /// says so in a warning, where the list form and `--classes` refuse the pair.
    public var undeclaredAreNotScored = false
    /// What reading the file noticed without refusing it (two names on one id), one line each.
    public var warnings: [String] = []
    /// The file as given (`labels` for text parsed without one). Not compared by `==`: two
    /// files describing the same classes are equal specs.
    public var path = "labels"

    /// Equal when they describe the same classes, regions, ignore labels and nnU-Net facts,
    /// wherever they were read from.
    public static func == (a: LabelSpec, b: LabelSpec) -> Bool {
        a.entries == b.entries && a.ignored == b.ignored && a.regions == b.regions && a.fileEnding == b.fileEnding
            && a.nnunetKeys == b.nnunetKeys && a.nnunetOrder == b.nnunetOrder
            && a.undeclaredAreNotScored == b.undeclaredAreNotScored && a.warnings == b.warnings
    }

    /// The largest id a label map can hold (32-bit unsigned samples).
    public static let maximumID = Int(UInt32.max)
    /// The most classes one evaluation can score.
    public static let maximumClassCount = ClassLimits.perRun

    /// A spec from scored classes and ignore labels; both are kept in id order.
    public init(entries: [LabelEntry], ignored: [LabelEntry] = []) {
        self.entries = entries.sorted { $0.id < $1.id }
        self.ignored = ignored.sorted { $0.id < $1.id }
        self.nnunetKeys = Self.plainKeys(entries)
        self.nnunetOrder = nnunetKeys.keys.sorted()
    }

    /// Ids of the scored classes, in order.
    public var ids: [Int] { entries.map(\.id) }

    /// Whether the scored classes are regions (unions of stored labels).
    public var hasRegions: Bool { !regions.isEmpty }

    /// Ids of the ignore labels the file names.
    public var ignoreLabels: [Int] { ignored.map(\.id) }

    /// The name of an id (a class or an ignore label), if the file gave one.
    /// - Complexity: O(log n) while `entries` is in id order (as `init` leaves it).
    public func name(of id: Int) -> String? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].id < id { low = middle + 1 } else { high = middle }
        }
        if low < entries.count && entries[low].id == id { return entries[low].name }
        return ignored.first { $0.id == id }?.name
    }

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
        /// The labels file as given.
        public var path: String
        /// Why it was refused, naming the entry at fault when there is one.
        public var reason: String
        /// One line: `path: reason`.
        public var description: String { "\(path): \(reason)" }
    }

    /// The largest labels file read (8 MiB): a file of 65,533 classes with colours is about 4 MB.
    public static let maximumFileSize = 8 << 20
    /// The deepest nesting of lists and objects accepted (a labels file needs 3 or 4).
    public static let maximumDepth = 64
    /// The most values (scalars, lists and objects) a labels file may hold.
    public static let maximumValues = 1_000_000

    /// Reads a labels file: `.json` with a JSON parser, anything else as YAML.
    ///
    /// At most `maximumFileSize` bytes are read (a larger file, `/dev/zero` or a pipe that never
    /// ends is refused, not loaded); see `parse(_:path:)` for the other bounds.
    /// - Throws: `LoadError` naming the file and what is wrong with it.
    public static func load(path: String) throws(LoadError) -> LabelSpec {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw LoadError(path: path, reason: "is a folder, not a labels file")
        }
        let bytes: [UInt8]
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw LoadError(path: path, reason: "cannot read the file")
            }
            defer { try? handle.close() }
            bytes = [UInt8](try handle.read(upToCount: maximumFileSize + 1) ?? Data())
        } catch {
            throw LoadError(path: path, reason: "cannot read the file")
        }
        return try parse(bytes: bytes, path: path)
    }

    /// Parses the text of a labels file: JSON when `path` ends in `.json`, else YAML (of which
    /// JSON is a subset, so a JSON file named `.yaml` reads the same).
    /// - Throws: `LoadError` naming the file and the entry that is wrong.
    public static func parse(_ text: String, path: String = "labels") throws(LoadError) -> LabelSpec {
        try parse(bytes: Array(text.utf8), path: path)
    }

    /// Parses the bytes of a labels file, bounded whatever they hold.
    ///
    /// Refused before any value is built: more than `maximumFileSize` bytes; for YAML, any alias
    /// (`*name`: a few hundred bytes of nested aliases expand to gigabytes), nesting deeper than
    /// `maximumDepth`, more than `maximumValues` values. JSON has no aliases; its parser stops at
    /// 512 levels and the value is then checked against the same depth and count.
    /// - Throws: `LoadError` naming the file and the reason, one line.
    /// - Complexity: O(bytes) time and memory.
    static func parse(bytes: [UInt8], path: String) throws(LoadError) -> LabelSpec {
        if bytes.count > maximumFileSize {
            throw LoadError(path: path, reason: "larger than \(maximumFileSize >> 20) MiB, the most a labels file may hold")
        }
        let document: Any?
        if path.lowercased().hasSuffix(".json") {
            document = try json(bytes, path: path)
        } else {
            document = try yaml(bytes, path: path)
        }
        return try interpret(document, text: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// A `.json` file: JSONSerialization's value, re-typed to plain Swift values (its numbers are
    /// `NSNumber`, where `1 is Bool` holds) and checked for depth and size.
    private static func json(_ bytes: [UInt8], path: String) throws(LoadError) -> Any? {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            let detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String).map { ": " + $0 } ?? ""
            throw LoadError(
                path: path,
                reason: "not valid JSON\(detail.replacingOccurrences(of: "\n", with: " ")) (a .json file is read as JSON; "
                    + "name a YAML file .yaml or .yml)")
        }
        var values = 0
        return try plain(object, depth: 0, values: &values, path: path)
    }

    /// JSON values as Swift `Bool`, `Int`, `Double`, `String`, `NSNull`, `[Any]`, `[String: Any]`.
    private static func plain(_ value: Any, depth: Int, values: inout Int, path: String) throws(LoadError) -> Any {
        values += 1
        if values > maximumValues { throw LoadError(path: path, reason: "more than \(maximumValues) values") }
        switch value {
        case let list as [Any]:
            if depth >= maximumDepth { throw LoadError(path: path, reason: "nested deeper than \(maximumDepth) levels") }
            var result: [Any] = []
            result.reserveCapacity(list.count)
            for item in list { result.append(try plain(item, depth: depth + 1, values: &values, path: path)) }
            return result
        case let object as [String: Any]:
            if depth >= maximumDepth { throw LoadError(path: path, reason: "nested deeper than \(maximumDepth) levels") }
            var result: [String: Any] = [:]
            for (key, item) in object { result[key] = try plain(item, depth: depth + 1, values: &values, path: path) }
            return result
        case let text as String:
            return text
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c", "B": return number.boolValue
            case "f", "d": return number.doubleValue
            case "Q", "L", "I", "S", "C":
                // Unsigned: beyond Int it stays a (refused) number, not a wrapped one.
                return number.uint64Value <= UInt64(Int.max) ? Int(number.uint64Value) : number.doubleValue
            default: return number.intValue
            }
        default:
            return NSNull()
        }
    }

    /// Any other file: YAML, screened event by event (aliases, depth, size) before Yams builds it.
    private static func yaml(_ bytes: [UInt8], path: String) throws(LoadError) -> Any? {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LoadError(path: path, reason: "not UTF-8 text")
        }
        do {
            try YAMLScreen.check(bytes, maximumDepth: maximumDepth, maximumValues: maximumValues)
        } catch {
            throw LoadError(path: path, reason: error.reason)
        }
        do {
            return try Yams.load(yaml: text)
        } catch {
            throw LoadError(path: path, reason: "not valid YAML")
        }
    }

    /// The labels a parsed document describes.
    private static func interpret(_ document: Any?, text: String, path: String) throws(LoadError) -> LabelSpec {
        var root = document
        if let object = root as? [String: Any], let labels = object["labels"] {
            root = labels  // a whole nnU-Net dataset.json
        }
        var entries: [LabelEntry] = []
        var ignored: [LabelEntry] = []
        var regions: [Int: [Int]] = [:]
        var keys: [Int: String] = [:]
        var regionOrder: [Int] = []
        if let object = root as? [String: Any], isDecathlon(object) {
            // nnU-Net v1 / Medical Segmentation Decathlon: {"0": "background", "1": "liver"}.
            for key in object.keys.sorted(by: { (Int($0) ?? 0) < (Int($1) ?? 0) }) {
                let id = try identifier(key, of: "label '\(key)'", path: path)
                let name = object[key] as? String ?? key
                if name == "ignore" {
                    ignored.append(LabelEntry(id: id, name: name))
                } else {
                    entries.append(LabelEntry(id: id, name: name))
                }
            }
        } else if let object = root as? [String: Any] {
            let order = keyOrder(document, labels: object, text: text)
            // nnU-Net's region mode: some label maps to a list of more than one id.
            let regionMode = object.values.contains { ($0 as? [Any]).map { $0.count > 1 } ?? false }
            var members: [(name: String, labels: [Int])] = []
            var regionKeys: [String] = []
            for name in order {
                let value = object[name]
                if name == "ignore" {
                    if value is [Any] {
                        throw LoadError(path: path, reason: "the ignore label must be one integer id, not a list")
                    }
                    ignored.append(LabelEntry(id: try identifier(value, of: "label 'ignore'", path: path), name: name))
                    continue
                }
                var ids: [Int] = []
                if let list = value as? [Any] {
                    if list.isEmpty { throw LoadError(path: path, reason: "label '\(name)' maps to an empty list") }
                    for item in list { ids.append(try identifier(item, of: "label '\(name)'", path: path)) }
                } else {
                    ids = [try identifier(value, of: "label '\(name)'", path: path)]
                }
                if !regionMode {
                    entries.append(LabelEntry(id: ids[0], name: name))
                } else if Set(ids) != [0] {
                    members.append((name, ids))  // background (0) is not a region
                    // nnU-Net keeps a list as a tuple as written (order and repeats), a scalar as an int.
                    regionKeys.append(
                        value is [Any]
                            ? "(" + ids.map(String.init).joined(separator: ", ") + (ids.count == 1 ? ",)" : ")") : String(ids[0]))
                }
            }
            if regionMode {
                let union = Set(members.flatMap(\.labels))
                if union.count > ClassLimits.denseClasses {
                    throw LoadError(
                        path: path,
                        reason: "regions over \(union.count) labels, more than the \(ClassLimits.denseClasses) they may span")
                }
                let classIDs = try regionIDs(document, count: members.count, path: path)
                for (index, member) in members.enumerated() {
                    entries.append(LabelEntry(id: classIDs[index], name: member.name))
                    regions[classIDs[index]] = Array(Set(member.labels)).sorted()
                    keys[classIDs[index]] = regionKeys[index]
                    regionOrder.append(classIDs[index])
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
                        let rgb = Optional(parts.compactMap(plainInteger)), rgb.count == 3,
                        rgb.allSatisfy({ (0...255).contains($0) })
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
        if entries.isEmpty {
            throw LoadError(path: path, reason: ignored.isEmpty ? "no labels" : "no labels besides the ignore label")
        }
        if entries.count > maximumClassCount {
            throw LoadError(path: path, reason: "\(entries.count) classes, more than the \(maximumClassCount) one run can score")
        }
        let objectForm = root is [String: Any]
        var warnings: [String] = []
        (entries, warnings) = try Self.sharedIDs(entries, ignored: ignored, merging: objectForm && regions.isEmpty, path: path)
        let colors = (entries + ignored).compactMap(\.color)
        if Set(colors).count != colors.count { throw LoadError(path: path, reason: "two labels share a colour") }
        var spec = LabelSpec(entries: entries, ignored: ignored)
        spec.regions = regions
        spec.undeclaredAreNotScored = objectForm
        spec.path = path
        spec.warnings = warnings
        spec.nnunetKeys = regions.isEmpty ? Self.plainKeys(entries) : keys
        spec.nnunetOrder = regions.isEmpty ? spec.nnunetKeys.keys.sorted() : regionOrder
        if let raw = (document as? [String: Any])?["file_ending"], (document as? [String: Any])?["labels"] != nil {
            guard let ending = raw as? String, !ending.isEmpty else {
                throw LoadError(path: path, reason: "'file_ending' must be a non-empty string such as \".nii.gz\"")
            }
            spec.fileEnding = ending
        }
        return spec
    }
}
