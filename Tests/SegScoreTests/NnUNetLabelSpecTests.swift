import SegScore
import Testing

/// nnU-Net's dataset.json label forms that nnunetv2 accepts: two names on one id (one class, named
/// by the first, with a warning), and which forms leave undeclared label values unscored.
@Suite struct NnUNetLabelSpecTests {
    @Test func twoNamesOnOneIDAreOneClassNamedByTheFirst() throws {
        let spec = try LabelSpec.parse(
            #"{"labels": {"background": 0, "membrane": 1, "also membrane": 1, "cell": 2}}"#, path: "dataset.json")
        #expect(
            spec.entries == [
                LabelEntry(id: 0, name: "background"), LabelEntry(id: 1, name: "membrane"), LabelEntry(id: 2, name: "cell"),
            ])
        #expect(
            spec.warnings == [
                "dataset.json: labels 'membrane' and 'also membrane' are both 1: scored once, as 'membrane' "
                    + "(nnU-Net scores each label value once)"
            ])
        #expect(spec.nnunetOrder == [1, 2])
    }

    @Test(arguments: [
        (#"{"background": 0, "a": 1}"#, true),
        (#"{"labels": {"background": 0, "a": 1}, "file_ending": ".nii.gz"}"#, true),
        (#"{"labels": {"0": "background", "1": "a"}}"#, true),
        (#"[{"id": 0, "name": "background"}, {"id": 1, "name": "a"}]"#, false),
    ])
    func nnUNetFormsLeaveUndeclaredValuesUnscored(_ text: String, _ tolerated: Bool) throws {
        let spec = try LabelSpec.parse(text, path: "l.json")
        #expect(spec.undeclaredAreNotScored == tolerated)
        #expect(spec.path == "l.json")
        #expect(spec.warnings.isEmpty)
    }
}
