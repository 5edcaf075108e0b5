import DatasetScan
import Foundation
import SegScoreTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension TemporaryFolder {
    /// Creates a file (and its folders); `png` writes a PNG signature, otherwise text.
    func file(_ relative: String, png: Bool = true) throws {
        try write(png ? [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0] : Array("hello\n".utf8), to: relative)
    }
}

func files(_ names: [String]) -> FileList { FileList(root: "/x", relativePaths: names) }

@Suite struct DirectoryWalkTests {
    @Test func listsMasksSortedSkipsHiddenAndCountsOthers() throws {
        let tree = try TemporaryFolder("scan-walk")
        defer { tree.remove() }
        for name in ["b.png", "a.tif", "sub/c.PNG", "sub/deeper/d.tiff", "noextension", ".hidden.png", ".cache/e.png"] {
            try tree.file(name)
        }
        try tree.file("README.md", png: false)
        try tree.file("text-named.png", png: false)  // named like a mask: listed, the decoder will refuse it
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(
            listing.files.map(\.relativePath) == [
                "a.tif", "b.png", "noextension", "sub/c.PNG", "sub/deeper/d.tiff", "text-named.png",
            ])
        #expect(listing.files[0].path == tree.path + "/a.tif")
        #expect(listing.ignoredCount == 1)
        #expect(listing.issues.isEmpty)
    }

    @Test func symbolicLinkLoopIsWalkedOnceAndReported() throws {
        let tree = try TemporaryFolder("scan-loop")
        defer { tree.remove() }
        try tree.file("sub/a.png")
        #expect(symlink(tree.path, tree.path + "/sub/back") == 0)
        #expect(symlink(tree.path + "/nowhere", tree.path + "/dangling.png") == 0)
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["sub/a.png"])  // the dangling link is an issue, not a file
        #expect(listing.issues.map(\.kind) == [.brokenLink, .linkLoop])
    }

    @Test func nonUTF8NameIsReportedNotPaired() throws {
        let tree = try TemporaryFolder("scan-names")
        defer { tree.remove() }
        try tree.file("ok.png")
        var name = Array((tree.path + "/bad\u{1}").utf8)
        name[name.count - 1] = 0xFF  // not UTF-8
        name += Array(".png".utf8) + [0]
        let descriptor = name.withUnsafeBufferPointer {
            open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
        }
        #expect(descriptor >= 0)
        close(descriptor)
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["ok.png"])
        #expect(listing.issues.map(\.kind) == [.badName])
    }

    @Test func missingRootThrows() {
        #expect(throws: ScanError.self) { try DirectoryWalk.list(root: "/no/such/segscore/folder") }
    }

    @Test func manySubfoldersInParallelGiveTheSameSortedList() throws {
        let tree = try TemporaryFolder("scan-wide")
        defer { tree.remove() }
        for folder in 0..<40 { for file in 0..<5 { try tree.file("f\(folder)/m\(file).png") } }
        let first = try DirectoryWalk.list(root: tree.path).files
        let second = try DirectoryWalk.list(root: tree.path).files
        #expect(first.count == 200 && first == second && first == first.sorted())
    }
}

@Suite struct PairingTests {
    @Test func relativePathsWithoutExtensionAreKeys() throws {
        let rule = try KeyRule().validated()
        let report = pairFiles(
            truth: files(["case1/s1.png", "case1/s2.png", "x.tif"]),
            predictions: files(["case1/s1.tif", "case1/s2.png", "y.png"]),
            rule: rule)
        #expect(report.pairs.map(\.key) == ["case1/s1", "case1/s2"])
        #expect(report.unmatchedTruth.map(\.relativePath) == ["x.tif"])
        #expect(report.unmatchedPredictions.map(\.relativePath) == ["y.png"])
    }

    @Test func niftiSuffixesGoWholeFromKeys() throws {
        let rule = try KeyRule().validated()
        #expect(rule.key(forRelativePath: "case1.nii.gz", side: .truth) == "case1")
        #expect(rule.key(forRelativePath: "sub/CASE_2.NII.GZ", side: .truth) == "sub/CASE_2")
        #expect(rule.key(forRelativePath: "case1.nii", side: .truth) == "case1")
        #expect(rule.key(forRelativePath: "dir.nii/x.gz", side: .truth) == "dir.nii/x")
        #expect(rule.key(forRelativePath: "a.b.gz", side: .truth) == "a.b")
        let suffixed = try KeyRule(truthSuffixes: ["_seg"]).validated()
        #expect(suffixed.key(forRelativePath: "la_003_seg.nii.gz", side: .truth) == "la_003")
        let report = pairFiles(
            truth: files(["case1.nii.gz", "case2.nii.gz"]), predictions: files(["case1.nii.gz", "case2.nii"]), rule: rule)
        #expect(report.pairs.map(\.key) == ["case1", "case2"])
    }

    @Test func suffixesFlatAndPattern() throws {
        let suffixed = try KeyRule(truthSuffixes: ["_manual1"], predictionSuffixes: ["_manual2"]).validated()
        #expect(
            pairFiles(truth: files(["01_manual1.png"]), predictions: files(["01_manual2.png"]), rule: suffixed).pairs.map(\.key)
                == ["01"])
        let flat = try KeyRule(flat: true).validated()
        #expect(pairFiles(truth: files(["a/b/c.png"]), predictions: files(["c.png"]), rule: flat).pairs.map(\.key) == ["c"])
        let pattern = try KeyRule(keyPattern: "img_(?<key>[0-9]+)").validated()
        let report = pairFiles(truth: files(["img_007_gt.png", "other.png"]), predictions: files(["img_007.png"]), rule: pattern)
        #expect(report.pairs.map(\.key) == ["007"])
        #expect(report.unkeyed.map(\.relativePath) == ["other.png"])
        #expect(throws: ScanError.self) { try KeyRule(keyPattern: "(unclosed").validated() }
        #expect(throws: ScanError.self) { try KeyRule(keyPattern: "no group").validated() }
    }

    @Test func twoFilesOnOneKeyAreAnErrorNamingBoth() throws {
        let rule = try KeyRule().validated()
        let report = pairFiles(truth: files(["a.png", "a.tif", "b.png"]), predictions: files(["a.png", "b.png"]), rule: rule)
        #expect(report.pairs.map(\.key) == ["b"])
        #expect(report.duplicates.count == 1)
        #expect(report.duplicates[0].key == "a" && report.duplicates[0].paths == ["/x/a.png", "/x/a.tif"])
        #expect(report.unmatchedPredictions.isEmpty)
    }

    @Test func missingPolicies() throws {
        let rule = try KeyRule().validated()
        let truth = files(["a.png", "b.png"])
        let predictions = files(["a.png"])
        let failing = pairFiles(truth: truth, predictions: predictions, rule: rule, missing: .fail)
        #expect(failing.pairs.map(\.key) == ["a"] && failing.unmatchedTruth.map(\.relativePath) == ["b.png"])
        let empty = pairFiles(truth: truth, predictions: predictions, rule: rule, missing: .empty)
        #expect(empty.pairs.map(\.key) == ["a", "b"] && empty.pairs[1].prediction == nil)
        let skipping = pairFiles(truth: truth, predictions: predictions, rule: rule, missing: .skip)
        #expect(skipping.pairs.map(\.key) == ["a"])
    }

    @Test func regionsOfInterestPairByKeyWithTheirOwnSuffix() throws {
        let rule = try KeyRule(roiSuffixes: ["_fov"]).validated()
        let report = pairFiles(
            truth: files(["01.png", "02.png"]), predictions: files(["01.png", "02.png"]), roi: files(["01_fov.png"]), rule: rule)
        #expect(report.pairs.map(\.key) == ["01"])
        #expect(report.pairs[0].roi?.relativePath == "01_fov.png")
        #expect(report.missingROI == ["02"])
    }
}

/// The compact listing and the merge that pairs it.
@Suite struct CompactPairingTests {
    @Test func keysAreMergedInByteOrderWhateverTheInputOrder() throws {
        let rule = try KeyRule(truthSuffixes: ["_gt"]).validated()
        // Upper case sorts before lower case in bytes; "b-1" < "b/1" < "b1" ('-' < '/' < '1').
        let truth = files(["b1_gt.png", "a.png", "B.png", "b/1_gt.png", "b-1_gt.png", "z.png"])
        let predictions = files(["b-1.tif", "b1.png", "B.png", "b/1.png", "y.png", "a.png"])
        let report = pairFiles(truth: truth, predictions: predictions, rule: rule)
        #expect(report.pairs.map(\.key) == ["B", "a", "b-1", "b/1", "b1"])
        #expect(report.pairs.map(\.truth.relativePath) == ["B.png", "a.png", "b-1_gt.png", "b/1_gt.png", "b1_gt.png"])
        #expect(report.pairs.map { $0.prediction!.path } == ["/x/B.png", "/x/a.png", "/x/b-1.tif", "/x/b/1.png", "/x/b1.png"])
        #expect(report.unmatchedTruth.map(\.relativePath) == ["z.png"])
        #expect(report.unmatchedPredictions.map(\.relativePath) == ["y.png"])
        #expect((0..<report.pairs.count).map { report.pairs.key(at: $0) } == report.pairs.map(\.key))
    }

    @Test func aPredictionDuplicateTakesItsGroundTruthOutOfThePairs() throws {
        let rule = try KeyRule().validated()
        let report = pairFiles(truth: files(["a.png", "b.png"]), predictions: files(["b.tif", "a.png", "b.png"]), rule: rule)
        #expect(report.pairs.map(\.key) == ["a"])
        #expect(report.duplicates.map(\.key) == ["b"] && report.duplicates[0].paths == ["/x/b.png", "/x/b.tif"])
        #expect(report.unmatchedTruth.isEmpty && report.unmatchedPredictions.isEmpty)
    }

    @Test func flatPatternKeysAreSubstringsOfThePath() throws {
        let rule = try KeyRule(flat: true, truthSuffixes: ["_mask"], keyPattern: "case(?<key>[0-9]+)").validated()
        #expect(rule.key(forRelativePath: "site/é/case0042_mask.png", side: .truth) == "0042")
        #expect(rule.key(forRelativePath: "site/é/other.png", side: .truth) == nil)
        let report = pairFiles(truth: files(["site/é/case0042_mask.png"]), predictions: files(["p/case0042.png"]), rule: rule)
        #expect(report.pairs.map(\.key) == ["0042"])
    }

    @Test func offsetsPast4GiBStayExact() {
        var offsets = CompactOffsets()
        let values = [
            0, 10, 4_294_967_295, 4_294_967_296, 4_294_967_300, 8_000_000_000, 9_000_000_000, 9_000_000_000, 13_000_000_000,
        ]
        for value in values { offsets.append(value) }
        #expect((0..<offsets.count).map { offsets[$0] } == values)
    }

    @Test func aListingSortsByBytesAndKeepsItsRoot() {
        let list = FileList(root: "/data/gt/", relativePaths: ["b.png", "a/z.png", "A.png"]).sorted()
        #expect(list.map(\.relativePath) == ["A.png", "a/z.png", "b.png"])
        #expect(list[1].path == "/data/gt/a/z.png")
        #expect(FileList(root: "", relativePaths: ["x.png"])[0].path == "x.png")
    }
}
