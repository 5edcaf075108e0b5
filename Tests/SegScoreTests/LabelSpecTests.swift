import Foundation
import MaskIO
import SegScore
import SegScoreTestSupport
import Testing

@Suite struct LabelSpecTests {
    @Test func nnunetObjectOfNamesToIds() throws {
        let spec = try LabelSpec.parse(#"{"background": 0, "liver": 1, "tumour": 2}"#)
        #expect(spec.ids == [0, 1, 2])
        #expect(spec.name(of: 1) == "liver")
        #expect(spec.id(named: "tumour") == 2 && spec.id(named: "2") == 2)
    }

    @Test func wholeDatasetJSONUsesItsLabelsObject() throws {
        let text =
            #"{"channel_names": {"0": "CT"}, "labels": {"background": 0, "kidney": 1}, "numTraining": 10, "file_ending": ".nii.gz"}"#
        let spec = try LabelSpec.parse(text)
        #expect(spec.entries == [LabelEntry(id: 0, name: "background"), LabelEntry(id: 1, name: "kidney")])
    }

    @Test func yamlListWithColours() throws {
        let text = """
            - id: 0
              name: background
              color: [0, 0, 0]
            - {id: 15, name: person, color: [192, 128, 128]}
            """
        let spec = try LabelSpec.parse(text)
        #expect(spec.ids == [0, 15])
        #expect(spec.colorTable == [RGBColor(0, 0, 0): 0, RGBColor(192, 128, 128): 15])
    }

    @Test(arguments: [
        (#"{"labels": {"background": 0, "a": [1, 2], "b": 2}, "regions_class_order": [1]}"#, "has 1 ids for 2 regions"),
        (#"{"labels": {"a": [1, 2], "b": 2}, "regions_class_order": [1, 1]}"#, "lists an id twice"),
        (#"{"labels": {"a": [1, 2], "b": 2}, "regions_class_order": 1}"#, "must be a list of integer ids"),
        (#"{"a": [1, 2], "ignore": [3, 4]}"#, "the ignore label must be one integer id"),
        (#"{"a": [], "b": 1}"#, "maps to an empty list"),
        (#"{"a": [1, "x"]}"#, "label 'a': id must be an integer"),
        ("[{name: x}]", "needs an integer 'id'"),
        ("[{id: 1, color: [300, 0, 0]}]", "'color' must be [r, g, b]"),
        // The list form refuses two names on one id (nnU-Net's object form merges them, below).
        (#"[{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]"#, "two labels share an id: 'a' and 'b' are both 1"),
        (#"{"a": 1, "ignore": 1}"#, "two labels share an id: 'a' and 'ignore' are both 1"),
        ("just text", "expected an object"),
        ("{a: [", "not valid YAML"),
    ])
    func refusesWithAReason(_ text: String, _ reason: String) {
        #expect {
            _ = try LabelSpec.parse(text, path: "labels.yaml")
        } throws: { error in
            (error as? LabelSpec.LoadError).map { $0.path == "labels.yaml" && $0.reason.contains(reason) } ?? false
        }
    }

    // nnU-Net v2: the key "ignore" of the labels object is the ignore label, never a class.
    @Test func datasetJSONIgnoreIsAnIgnoreLabelNotAClass() throws {
        let text = #"{"labels": {"background": 0, "liver": 1, "tumour": 2, "ignore": 9}, "numTraining": 3}"#
        let spec = try LabelSpec.parse(text)
        #expect(spec.ids == [0, 1, 2])
        #expect(spec.ignoreLabels == [9])
        #expect(spec.name(of: 9) == "ignore")
        #expect(spec.id(named: "ignore") == nil)
        let options = EvaluationOptions(labels: spec)
        #expect(options.ignoreLabels == [9])
        #expect(options.explicitClasses == [0, 1, 2])
    }

    @Test func bareObjectAndYAMLIgnore() throws {
        #expect(try LabelSpec.parse(#"{"background": 0, "a": 1, "ignore": 2}"#).ignoreLabels == [2])
        let yaml = try LabelSpec.parse("background: 0\nvessel: 1\nignore: 255\n")
        #expect(yaml.ids == [0, 1] && yaml.ignoreLabels == [255])
        let wrapped = try LabelSpec.parse("labels:\n  background: 0\n  vessel: 1\n  ignore: 3\nfile_ending: .png\n")
        #expect(wrapped.ids == [0, 1] && wrapped.ignoreLabels == [3])
    }

    @Test func listFormIgnoreByNameOrFlagKeepsItsColour() throws {
        let text = """
            - {id: 0, name: background, color: [0, 0, 0]}
            - {id: 1, name: person, color: [192, 128, 128]}
            - {id: 255, name: void, color: [224, 224, 192], ignore: true}
            - {id: 254, name: ignore}
            """
        let spec = try LabelSpec.parse(text)
        #expect(spec.ids == [0, 1])
        #expect(spec.ignoreLabels == [254, 255])
        #expect(spec.colorTable[RGBColor(224, 224, 192)] == 255)
        #expect(spec.name(of: 255) == "void")
    }

    @Test func explicitIgnoreLabelsComeFirstWithoutDuplicates() throws {
        let spec = try LabelSpec.parse(#"{"background": 0, "a": 1, "ignore": 9}"#)
        #expect(EvaluationOptions(labels: spec, ignoreLabels: [255]).ignoreLabels == [255, 9])
        #expect(EvaluationOptions(labels: spec, ignoreLabels: [9, 255]).ignoreLabels == [9, 255])
        var later = EvaluationOptions(ignoreLabels: [255])
        later.labels = spec
        #expect(later.ignoreLabels == [255, 9])
    }

    @Test(arguments: [
        (#"{"a": 1e20}"#, "label 'a': id must be an integer in 0…4294967295"),
        (#"{"a": 1.0e+20}"#, "label 'a': id must be an integer in 0…4294967295, not 1e+20"),
        (#"{"a": 1.5}"#, "label 'a': id must be an integer in 0…4294967295, not 1.5"),
        (#"{"a": -1}"#, "label 'a': id must be an integer in 0…4294967295, not -1"),
        (#"{"a": "abc"}"#, "label 'a': id must be an integer in 0…4294967295, not 'abc'"),
        (#"{"a": 4294967296}"#, "label 'a': id must be an integer in 0…4294967295, not 4294967296"),
        (#"{"a": 99999999999999999999}"#, "label 'a': id must be an integer in 0…4294967295"),
        (#"{"a": true}"#, "label 'a': id must be an integer in 0…4294967295, not true"),
        (#"{"a": null}"#, "label 'a': id must be an integer in 0…4294967295, not null"),
        (#"{"a": {"b": 1}}"#, "label 'a': id must be an integer in 0…4294967295, not an object"),
        (#"[{"id": 1.5, "name": "x"}]"#, "entry 1: id must be an integer in 0…4294967295, not 1.5"),
        (#"[{"id": 0}, {"id": -3}]"#, "entry 2: id must be an integer in 0…4294967295, not -3"),
        (#"[{"id": true}]"#, "entry 1: id must be an integer in 0…4294967295, not true"),
        (#"[{"id": null}]"#, "entry 1: id must be an integer in 0…4294967295, not null"),
        (#"[{"id": 1, "name": 7}]"#, "entry 1: 'name' must be a string"),
        (#"[{"id": 1, "ignore": "yes"}]"#, "entry 1: 'ignore' must be true or false"),
        (#"[{"id": 1, "color": [true, 0, 0]}]"#, "entry 1: 'color' must be [r, g, b]"),
        (#"{"background": 0, "ignore": [4]}"#, "the ignore label must be one integer id"),
        (#"{"background": 0, "ignore": 0}"#, "two labels share an id: 'background' and 'ignore' are both 0"),
        (#"{"ignore": 4}"#, "no labels besides the ignore label"),
    ])
    func refusesIdsThatAreNotIntegersInRange(_ text: String, _ reason: String) {
        #expect {
            _ = try LabelSpec.parse(text, path: "dataset.json")
        } throws: { error in
            guard let error = error as? LabelSpec.LoadError else { return false }
            return error.path == "dataset.json" && error.reason.hasPrefix(reason) && !error.description.contains("\n")
        }
    }

    @Test func largestIdIsAccepted() throws {
        #expect(try LabelSpec.parse(#"{"a": 4294967295, "b": 2.0, "c": "7"}"#).ids == [2, 7, 4_294_967_295])
    }

    @Test func tooManyClassesAreRefusedNotATrap() {
        let text = "{" + (0..<65537).map { "\"c\($0)\": \($0)" }.joined(separator: ", ") + "}"
        #expect {
            _ = try LabelSpec.parse(text)
        } throws: { error in
            (error as? LabelSpec.LoadError)?.reason.contains("more than the 65536") ?? false
        }
    }

    @Test func vocFileInFixturesHas21ClassesAndVoid() throws {
        let spec = try LabelSpec.load(path: Fixtures.path("labels/voc.json"))
        #expect(spec.ids == Array(0...20) + [255])
        #expect(spec.colorTable[RGBColor(192, 128, 128)] == 15)
        #expect(spec.colorTable[RGBColor(224, 224, 192)] == 255)
    }

    // nnU-Net v1 / Medical Segmentation Decathlon: ids as keys, names as values.
    @Test func decathlonLabelsReadAsTheirV2Inversion() throws {
        let text = #"{"modality": {"0": "CT"}, "labels": {"0": "background", "1": "liver", "2": "tumour", "10": "vessel"}}"#
        let spec = try LabelSpec.parse(text, path: "dataset.json")
        #expect(
            spec.entries == [
                LabelEntry(id: 0, name: "background"), LabelEntry(id: 1, name: "liver"), LabelEntry(id: 2, name: "tumour"),
                LabelEntry(id: 10, name: "vessel"),
            ])
        #expect(!spec.hasRegions)
        let yaml = try LabelSpec.parse("labels:\n  '0': background\n  '1': liver\n", path: "labels.yaml")
        #expect(yaml.ids == [0, 1] && yaml.name(of: 1) == "liver")
    }

    // Region mode: class ids from regions_class_order, in the file's order (not sorted by name).
    @Test func regionsTakeTheirIdsFromRegionsClassOrder() throws {
        let text =
            #"{"labels": {"background": 0, "whole": [1, 2, 3], "core": [3, 2], "enhancing": 3, "ignore": 4}, "regions_class_order": [1, 2, 3]}"#
        let spec = try LabelSpec.parse(text, path: "dataset.json")
        #expect(spec.hasRegions)
        #expect(
            spec.entries == [
                LabelEntry(id: 1, name: "whole"), LabelEntry(id: 2, name: "core"), LabelEntry(id: 3, name: "enhancing"),
            ])
        #expect(spec.regions == [1: [1, 2, 3], 2: [2, 3], 3: [3]])
        #expect(spec.ignoreLabels == [4])
        let options = EvaluationOptions(labels: spec)
        #expect(options.regions == spec.regions)
        #expect(options.explicitClasses == [1, 2, 3])
        // The same in YAML, and without regions_class_order: 1, 2, … in the file's order.
        let yaml = try LabelSpec.parse("labels:\n  background: 0\n  zeta: [2, 3]\n  alpha: 3\n", path: "labels.yaml")
        #expect(yaml.entries == [LabelEntry(id: 1, name: "zeta"), LabelEntry(id: 2, name: "alpha")])
        #expect(yaml.regions == [1: [2, 3], 2: [3]])
        // One-element lists alone are plain labels (nnU-Net's region mode needs a list of two or more).
        let plain = try LabelSpec.parse(#"{"background": 0, "a": [1], "b": 2}"#)
        #expect(!plain.hasRegions && plain.ids == [0, 1, 2])
    }

    // nnU-Net's summary.json keys: str(label), or str(tuple) of a region list as written; its order of evaluation.
    @Test func nnunetKeysSpellLabelsAndRegionsAsNnUNet() throws {
        let regions = try LabelSpec.parse(
            #"{"labels": {"background": 0, "whole": [1, 2, 3], "core": [3, 2], "one": [3], "e": 3}, "regions_class_order": [4, 2, 3, 1]}"#,
            path: "dataset.json")
        #expect(regions.nnunetKeys == [4: "(1, 2, 3)", 2: "(3, 2)", 3: "(3,)", 1: "3"])
        #expect(regions.nnunetOrder == [4, 2, 3, 1])
        let plain = try LabelSpec.parse(#"{"background": 0, "a": 1, "b": 10, "c": 2, "ignore": 11}"#)
        #expect(plain.nnunetKeys == [1: "1", 2: "2", 10: "10"])
        #expect(plain.nnunetOrder == [1, 2, 10])
        let options = EvaluationOptions(labels: regions)
        #expect(options.nnunetKeys.map(\.key) == ["(1, 2, 3)", "(3, 2)", "(3,)", "3"])
    }
}
