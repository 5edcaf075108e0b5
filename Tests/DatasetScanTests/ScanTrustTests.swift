import DatasetScan
import Foundation
import SegScoreTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Removes `name` under the folder `parent` (a descriptor) with everything below it, through
/// descriptors: works on trees whose full paths are longer than PATH_MAX.
private func removeTree(at parent: Int32, _ name: String) {
    let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    if descriptor >= 0, let folder = fdopendir(descriptor) {
        var children: [(String, Bool)] = []
        while let entry = readdir(folder) {
            let child = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if child == "." || child == ".." { continue }
            children.append((child, entry.pointee.d_type == UInt8(DT_DIR)))
        }
        for (child, isFolder) in children {
            if isFolder { removeTree(at: dirfd(folder), child) } else { unlinkat(dirfd(folder), child, 0) }
        }
        closedir(folder)
    }
    unlinkat(parent, name, AT_REMOVEDIR)
}

/// Makes `levels` nested folders named `name` under `root`, through descriptors, and a mask file
/// `m.png` in the deepest; returns the length of the deepest folder's full path.
private func makeDeepChain(under root: String, levels: Int, name: String) -> Int {
    var descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    var length = root.utf8.count
    for _ in 0..<levels {
        mkdirat(descriptor, name, 0o755)
        let next = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        close(descriptor)
        descriptor = next
        length += 1 + name.utf8.count
    }
    let file = openat(descriptor, "m.png", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
    close(file)
    close(descriptor)
    return length
}

/// What the walk may and may not take for a loop, what it must not skip, what it must not ignore.
@Suite struct WalkTrustTests {
    @Test func twoLinksToOneFolderAreBothWalked() throws {
        let tree = try TemporaryFolder("scan-twolinks")
        defer { tree.remove() }
        let outside = try TemporaryFolder("scan-twolinks-target")
        defer { outside.remove() }
        try outside.file("x.png")
        try tree.file("sub/c.png")
        #expect(symlink(outside.path, tree.path + "/one") == 0)
        #expect(symlink(outside.path, tree.path + "/two") == 0)
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["one/x.png", "sub/c.png", "two/x.png"])
        #expect(listing.issues.isEmpty)
    }

    /// `maxDepth` 1 lists the root's own files; 2 one level below; the folders below the limit are
    /// counted, never opened (an unreadable one there is not an issue).
    @Test func maxDepthStopsTheWalkAndCountsWhatItLeft() throws {
        let tree = try TemporaryFolder("scan-depth")
        defer { tree.remove() }
        try tree.file("top.png")
        try tree.file("a/one.png")
        try tree.file("a/b/two.png")
        try tree.file("c/three.png")
        let top = try DirectoryWalk.list(root: tree.path, maxDepth: 1)
        #expect(top.files.map(\.relativePath) == ["top.png"])
        #expect(top.foldersBelowDepth == 2)
        let two = try DirectoryWalk.list(root: tree.path, maxDepth: 2)
        #expect(two.files.map(\.relativePath) == ["a/one.png", "c/three.png", "top.png"])
        #expect(two.foldersBelowDepth == 1)
        let all = try DirectoryWalk.list(root: tree.path)
        #expect(all.files.count == 4 && all.foldersBelowDepth == 0)
    }

    @Test func linkToASiblingFolderIsWalked() throws {
        let tree = try TemporaryFolder("scan-sibling")
        defer { tree.remove() }
        try tree.file("a/m.png")
        try tree.file("b/n.png")
        #expect(symlink(tree.path + "/a", tree.path + "/b/toA") == 0)
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["a/m.png", "b/n.png", "b/toA/m.png"])
        #expect(listing.issues.isEmpty)
    }

    @Test func linksToAnAncestorOrItsAncestorAreLoopsAndNothingElse() throws {
        let tree = try TemporaryFolder("scan-ancestors")
        defer { tree.remove() }
        try tree.file("a/b/c/m.png")
        #expect(symlink(tree.path + "/a", tree.path + "/a/b/c/up") == 0)  // the grandparent
        #expect(symlink(tree.path, tree.path + "/a/b/c/top") == 0)  // the root
        #expect(symlink("..", tree.path + "/a/b/parent") == 0)  // relative, the parent
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["a/b/c/m.png"])
        #expect(listing.issues.map(\.kind) == [.linkLoop, .linkLoop, .linkLoop])
        #expect(listing.issues.map(\.path) == [tree.path + "/a/b/c/top", tree.path + "/a/b/c/up", tree.path + "/a/b/parent"])
    }

    @Test func linkToAFileIsListedUnderItsLinkName() throws {
        let tree = try TemporaryFolder("scan-filelink")
        defer { tree.remove() }
        let outside = try TemporaryFolder("scan-filelink-target")
        defer { outside.remove() }
        try outside.file("real.png")
        try tree.file("a.png")
        #expect(symlink(outside.path + "/real.png", tree.path + "/b.png") == 0)
        #expect(symlink(tree.path + "/a.png", tree.path + "/c.png") == 0)  // two names of one file: two masks
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["a.png", "b.png", "c.png"])
        #expect(listing.issues.isEmpty)
    }

    @Test func linksThatLeadNowhereAreIssuesWithTheirReason() throws {
        let tree = try TemporaryFolder("scan-badlinks")
        defer { tree.remove() }
        try tree.file("a.png")
        #expect(symlink(tree.path + "/ping", tree.path + "/pong") == 0)  // two links to each other
        #expect(symlink(tree.path + "/pong", tree.path + "/ping") == 0)
        #expect(symlink(tree.path + "/gone", tree.path + "/dangling") == 0)
        #expect(mkfifo(tree.path + "/pipe.jpg", 0o644) == 0)  // an image name, not a regular file: never opened
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["a.png"])
        #expect(
            listing.issues.map(\.description) == [
                tree.path + "/dangling: broken symbolic link",
                tree.path + "/ping: broken symbolic link: too many levels of symbolic links",
                tree.path + "/pipe.jpg: image format segscore does not read: .jpg (masks are PNG, TIFF or NIfTI)",
                tree.path + "/pong: broken symbolic link: too many levels of symbolic links",
            ])
    }

    @Test(
        arguments: [
            ("x.JPG", ".JPG"), ("scan.nii.gz", nil), ("scan.NII.xz", ".NII.xz"), ("mask.png.gz", ".png.gz"),
            ("vol.TIF.xz", ".TIF.xz"),
            ("a.b.npz", ".npz"),
            ("archive.tar.gz", nil), ("notes.txt", nil), ("jpg", nil), ("x.gz", nil), ("data.h5", nil),
        ] as [(String, String?)])
    func unreadableImageSuffixes(name: String, suffix: String?) {
        #expect(DirectoryWalk.unreadableImageSuffix(of: name) == suffix)
    }

    @Test func imageSignaturesAreRecognisedWhateverTheName() {
        func head(_ bytes: [UInt8], at offset: Int = 0) -> [UInt8] { [UInt8](repeating: 0x20, count: offset) + bytes }
        let ascii = { (text: String) in Array(text.utf8) }
        #expect(DirectoryWalk.contentKind(head: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .mask)
        #expect(DirectoryWalk.contentKind(head: [0x4D, 0x4D, 0, 42]) == .mask)
        #expect(DirectoryWalk.contentKind(head: [0xFF, 0xD8, 0xFF, 0xDB]) == .image("JPEG"))
        #expect(DirectoryWalk.contentKind(head: ascii("GIF89a")) == .image("GIF"))
        #expect(DirectoryWalk.contentKind(head: ascii("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ")) == .image("WebP"))
        #expect(DirectoryWalk.contentKind(head: ascii("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ")) == .other)
        #expect(DirectoryWalk.contentKind(head: [0x93] + ascii("NUMPY")) == .image("NumPy"))
        #expect(DirectoryWalk.contentKind(head: ascii("NRRD0004")) == .image("NRRD"))
        #expect(DirectoryWalk.contentKind(head: head(ascii("DICM"), at: 128)) == .image("DICOM"))
        #expect(DirectoryWalk.contentKind(head: ascii("BM") + [0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]) == .image("BMP"))
        #expect(DirectoryWalk.contentKind(head: ascii("BMW service notes\n")) == .other)
        #expect(DirectoryWalk.contentKind(head: ascii("{\"labels\": {}}")) == .other)
        #expect(DirectoryWalk.contentKind(head: []) == .other)
    }

    @Test func aFolderWhosePathIsTooLongIsAnIssueNotSkipped() throws {
        let tree = try TemporaryFolder("scan-deep")
        defer { tree.remove() }
        let name = String(repeating: "d", count: 250)
        defer {
            let descriptor = open(tree.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            removeTree(at: descriptor, name)
            close(descriptor)
        }
        try tree.file("top.png")
        let deepest = makeDeepChain(under: tree.path, levels: 18, name: name)
        #expect(deepest > 4096)
        // The first folder whose full path reaches PATH_MAX (4096 with its NUL) cannot be examined.
        var levels = 1
        while tree.path.utf8.count + levels * 251 < 4096 { levels += 1 }
        let unreachable = tree.path + String(repeating: "/" + name, count: levels)
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["top.png"])
        #expect(listing.issues.count == 1)
        #expect(listing.issues.first?.kind == .unreadableFolder)
        #expect(listing.issues.first?.path == unreachable)
        #expect(listing.issues.first?.detail == "file name too long")
    }

    @Test func imageFilesInFormatsItCannotReadAreIssuesOthersAreIgnored() throws {
        let tree = try TemporaryFolder("scan-formats")
        defer { tree.remove() }
        try tree.file("a.png")
        let unreadable = [
            "b.jpg", "c.JPEG", "d.mgz", "e.npy", "f.npz", "g.bmp", "h.gif", "i.webp", "j.nii.xz", "k.mha", "l.nrrd", "m.dcm",
            "n.jp2", "sub/o.mhd", "s.png.gz",
        ]
        for name in unreadable + ["notes.txt", "meta.json", "README.md", "table.csv", "archive.gz", "sub/p.yaml"] {
            try tree.file(name, png: false)
        }
        // No extension, JPEG bytes: found by its signature.
        try tree.write([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0x4A, 0x46, 0x49, 0x46], to: "q")
        // A JPEG name with PNG bytes is a mask: the bytes decide.
        try tree.file("r.jpg")
        // NIfTI by name (a text file named .nii.gz is listed: decoding names its problem), and an
        // uncompressed NIfTI header whatever its name.
        try tree.file("t.nii.gz", png: false)
        try tree.file("u.NII", png: false)
        try tree.write([0x5C, 0x01, 0, 0] + [UInt8](repeating: 0, count: 400), to: "v")
        let listing = try DirectoryWalk.list(root: tree.path)
        #expect(listing.files.map(\.relativePath) == ["a.png", "r.jpg", "t.nii.gz", "u.NII", "v"])
        #expect(listing.ignoredCount == 6)
        #expect(listing.issues.allSatisfy { $0.kind == .unsupportedImage })
        #expect(listing.issues.map(\.path) == (unreadable + ["q"]).sorted().map { tree.path + "/" + $0 })
        let jpeg = listing.issues.first { $0.path.hasSuffix("/b.jpg") }
        #expect(
            jpeg?.description == tree.path + "/b.jpg: image format segscore does not read: .jpg (masks are PNG, TIFF or NIfTI)")
        let sniffed = listing.issues.first { $0.path.hasSuffix("/q") }
        #expect(
            sniffed?.description == tree.path
                + "/q: image format segscore does not read: JPEG data (masks are PNG, TIFF or NIfTI)")
    }
}

@Suite struct RegionOfInterestDuplicateTests {
    @Test func twoRegionFilesOnOneKeyAreAnErrorNamingBoth() throws {
        let rule = try KeyRule().validated()
        let report = pairFiles(
            truth: files(["a.png", "b.png"]), predictions: files(["a.png", "b.png"]), roi: files(["a.png", "a.tif", "b.png"]),
            rule: rule)
        #expect(report.pairs.map(\.key) == ["b"])
        #expect(report.pairs[0].roi?.relativePath == "b.png")
        #expect(report.duplicates.count == 1)
        #expect(report.duplicates.first?.key == "a" && report.duplicates.first?.paths == ["/x/a.png", "/x/a.tif"])
        #expect(report.missingROI.isEmpty)
    }

    @Test func aRegionDuplicateWithoutGroundTruthIsStillAnError() throws {
        let rule = try KeyRule(roiSuffixes: ["_fov"]).validated()
        let report = pairFiles(
            truth: files(["b.png"]), predictions: files(["b.png"]),
            roi: files(["a_fov.png", "a_fov.tif", "b_fov.png", "c_fov.png"]),
            rule: rule)
        #expect(report.pairs.map(\.key) == ["b"])
        #expect(report.duplicates.map(\.key) == ["a"] && report.duplicates.first?.paths == ["/x/a_fov.png", "/x/a_fov.tif"])
    }

    @Test func duplicatesOnEverySideAreEachListed() throws {
        let rule = try KeyRule().validated()
        let report = pairFiles(
            truth: files(["a.png", "a.tif"]), predictions: files(["a.png", "a.tiff"]), roi: files(["a.png", "a.tif"]), rule: rule)
        #expect(report.pairs.isEmpty)
        #expect(
            report.duplicates.map(\.paths) == [["/x/a.png", "/x/a.tif"], ["/x/a.png", "/x/a.tif"], ["/x/a.png", "/x/a.tiff"]])
    }
}
