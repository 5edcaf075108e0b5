import MaskIO
import SegScore
import Testing

@Suite struct LabelSpecTests {
    @Test func nnunetObjectOfNamesToIds() throws {
        let spec = try LabelSpec.parse(#"{"background": 0, "liver": 1, "tumour": 2}"#)
        #expect(spec.ids == [0, 1, 2])
        #expect(spec.name(of: 1) == "liver")
        #expect(spec.id(named: "tumour") == 2 && spec.id(named: "2") == 2)
    }

    @Test func wholeDatasetJSONUsesItsLabelsObject() throws {
        let text = #"{"channel_names": {"0": "CT"}, "labels": {"background": 0, "kidney": 1}, "numTraining": 10, "file_ending": ".nii.gz"}"#
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
        (#"{"whole tumour": [1, 2, 3]}"#, "regions are not supported"),
        ("[{name: x}]", "needs an integer 'id'"),
        ("[{id: 1, color: [300, 0, 0]}]", "'color' must be [r, g, b]"),
        (#"{"a": 1, "b": 1}"#, "two labels share an id"),
        ("just text", "expected an object"),
        ("{a: [", "not valid JSON or YAML"),
    ])
    func refusesWithAReason(_ text: String, _ reason: String) {
        #expect {
            _ = try LabelSpec.parse(text, path: "labels.yaml")
        } throws: { error in
            (error as? LabelSpec.LoadError).map { $0.path == "labels.yaml" && $0.reason.contains(reason) } ?? false
        }
    }

    @Test func vocFileInFixturesHas21ClassesAndVoid() throws {
        let spec = try LabelSpec.load(path: #filePath.replacingOccurrences(of: "Tests/SegScoreTests/LabelSpecTests.swift", with: "Fixtures/labels/voc.json"))
        #expect(spec.ids == Array(0...20) + [255])
        #expect(spec.colorTable[RGBColor(192, 128, 128)] == 15)
        #expect(spec.colorTable[RGBColor(224, 224, 192)] == 255)
    }
}

import Foundation
