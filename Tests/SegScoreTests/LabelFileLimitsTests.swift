import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

@testable import SegScore

/// `--labels` files cost time and memory in proportion to their bytes, whatever they hold:
/// YAML aliases are refused before anything expands, nesting and size are bounded, and `.json`
/// is read by a JSON parser.
@Suite struct LabelFileLimitsTests {
    /// The classic "billion laughs": 9 levels of 9 aliases, 9^9 = 387,420,489 strings once expanded.
    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]

        """

    static func reason(_ text: String, path: String) -> String? {
        do {
            _ = try LabelSpec.parse(text, path: path)
            return nil
        } catch {
            #expect(error.path == path)
            return error.reason
        }
    }

    @Test func billionLaughsIsRefusedAtTheFirstAlias() {
        // The first alias is on line 2; nothing is expanded.
        #expect(
            Self.reason(Self.billionLaughs, path: "bomb.yaml")
                == "YAML aliases (*name) are not accepted in a labels file (line 2)")
    }

    @Test func anyAliasIsRefusedEvenASmallOne() {
        let text = "- {id: 0, name: &n background}\n- {id: 1, name: *n}\n"
        #expect(Self.reason(text, path: "labels.yml") == "YAML aliases (*name) are not accepted in a labels file (line 2)")
        // A merge key needs an alias too.
        let merge = "base: &b {id: 1}\nlabels:\n  <<: *b\n"
        #expect(Self.reason(merge, path: "labels.yaml") == "YAML aliases (*name) are not accepted in a labels file (line 3)")
    }

    @Test func anchorsWithoutAliasesAreHarmless() throws {
        let spec = try LabelSpec.parse("background: &zero 0\nliver: 1\n", path: "labels.yaml")
        #expect(spec.ids == [0, 1])
    }

    @Test(arguments: ["deep.yaml", "deep.json", "deep.txt"])
    func deepFlowNestingIsRefusedNotAStackOverflow(_ name: String) {
        // 100,000 levels crashed the process (stack overflow) in both readers.
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let reason = Self.reason(text, path: name) ?? ""
        if name.hasSuffix(".json") {
            // JSONSerialization stops at 512 levels itself.
            #expect(reason.hasPrefix("not valid JSON: Too many nested arrays or dictionaries"), "\(reason)")
        } else {
            #expect(reason == "nested deeper than 64 levels (line 1)")
        }
    }

    @Test func sixtyFourLevelsAreReadAndSixtyFiveAreNot() {
        func nested(_ levels: Int) -> String {
            // An object whose 'labels' holds 0 ... wrapped in levels - 1 lists: depth = levels.
            String(repeating: "[", count: levels - 1) + #"{"a": 1}"# + String(repeating: "]", count: levels - 1)
        }
        // 64 levels pass the bound (and are then refused for their shape, not their depth).
        #expect(Self.reason(nested(64), path: "ok.json") == "entry 1 needs an integer 'id'")
        #expect(Self.reason(nested(64), path: "ok.yaml") == "entry 1 needs an integer 'id'")
        #expect(Self.reason(nested(65), path: "deep.json") == "nested deeper than 64 levels")
        #expect(Self.reason(nested(65), path: "deep.yaml") == "nested deeper than 64 levels (line 1)")
    }

    @Test func deepBlockNestingIsRefused() {
        // Indentation alone: k0: / k1: / … 100 levels deep; the root mapping is level 1 (line 1), the
        // mapping under k(i) starts on line i + 2 at level i + 2, so level 65 starts on line 65.
        let text =
            (0..<100).map { String(repeating: "  ", count: $0) + "k\($0):\n" }.joined() + String(repeating: "  ", count: 100)
            + "v: 1\n"
        #expect(Self.reason(text, path: "deep.yaml") == "nested deeper than 64 levels (line 65)")
    }

    @Test func jsonNamedYAMLReadsAsJSONDoes() throws {
        let text = #"{"channel_names": {"0": "CT"}, "labels": {"background": 0, "liver": 1, "ignore": 5}}"#
        let asYAML = try LabelSpec.parse(text, path: "dataset.yaml")
        let asJSON = try LabelSpec.parse(text, path: "dataset.json")
        #expect(asYAML == asJSON)
        #expect(asYAML.ids == [0, 1] && asYAML.ignoreLabels == [5])
    }

    @Test func yamlNamedJSONIsRefusedAsNotJSON() {
        let reason = Self.reason("background: 0\nliver: 1\n", path: "labels.json") ?? ""
        #expect(reason.hasPrefix("not valid JSON: "), "\(reason)")
        #expect(reason.hasSuffix("(a .json file is read as JSON; name a YAML file .yaml or .yml)"))
        #expect(!reason.contains("\n"))
    }

    @Test func jsonBooleansAndNumbersKeepTheirTypes() throws {
        // JSONSerialization's NSNumber says `1 is Bool`; the JSON reader must not.
        #expect(Self.reason(#"[{"id": 1, "ignore": 1}]"#, path: "l.json") == "entry 1: 'ignore' must be true or false")
        #expect(Self.reason(#"{"a": true}"#, path: "l.json") == "label 'a': id must be an integer in 0…4294967295, not true")
        #expect(
            Self.reason(#"{"a": 18446744073709551615}"#, path: "l.json")?.hasPrefix("label 'a': id must be an integer") == true)
        let spec = try LabelSpec.parse(
            #"[{"id": 0}, {"id": 1, "name": "x", "color": [1, 2, 3]}, {"id": 9, "ignore": true}]"#, path: "l.json")
        #expect(spec.ids == [0, 1] && spec.ignoreLabels == [9])
        #expect(spec.colorTable[RGBColor(1, 2, 3)] == 1)
    }

    @Test func tooManyValuesAreRefused() {
        // 1,000,001 scalars in one list (plus the list itself).
        let text = "[" + String(repeating: "0,", count: 1_000_000) + "0]"
        #expect(Self.reason(text, path: "many.yaml") == "more than 1000000 values (line 1)")
        #expect(Self.reason(text, path: "many.json") == "more than 1000000 values")
    }

    @Test func fileOverEightMiBIsRefusedUnread() throws {
        let folder = try TemporaryFolder("big")
        defer { folder.remove() }
        let url = folder.url("big.yaml")
        try Data(repeating: UInt8(ascii: " "), count: 8 << 20 + 1).write(to: url)
        #expect(throws: LabelSpec.LoadError(path: url.path, reason: "larger than 8 MiB, the most a labels file may hold")) {
            _ = try LabelSpec.load(path: url.path)
        }
    }

    @Test func endlessDeviceIsRefusedNotReadForever() {
        #expect(throws: LabelSpec.LoadError(path: "/dev/zero", reason: "larger than 8 MiB, the most a labels file may hold")) {
            _ = try LabelSpec.load(path: "/dev/zero")
        }
    }

    @Test func folderIsNamed() throws {
        let folder = try TemporaryFolder("labels-folder")
        defer { folder.remove() }
        #expect(throws: LabelSpec.LoadError(path: folder.path, reason: "is a folder, not a labels file")) {
            _ = try LabelSpec.load(path: folder.path)
        }
    }

    @Test func notUTF8IsNamed() {
        #expect(throws: LabelSpec.LoadError(path: "l.yaml", reason: "not UTF-8 text")) {
            _ = try LabelSpec.parse(bytes: [0x61, 0x3A, 0x20, 0xFF, 0xFE], path: "l.yaml")
        }
    }
}
