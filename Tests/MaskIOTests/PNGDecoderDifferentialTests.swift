import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The PNG fast path against libpng, the reference: every file decodes to the same samples and
/// header facts through both, or both refuse it with the same error. `make diff-decoders` runs the
/// same comparison on 20,000 generated files; this suite on the fixtures, the fuzz corpora and a
/// few hundred generated files. The decoder is chosen per call (`MaskDecoder.pngDecoder`), not
/// through the environment, so the suite runs in parallel with everything else.
@Suite struct PNGDecoderDifferentialTests {
    /// The outcome of one decoder on one file.
    static func decode(_ bytes: [UInt8], _ choice: PNGDecoderChoice, name: String) -> Result<DecodedMask, MaskIOError> {
        var decoder = MaskDecoder(maxSamples: 1 << 26)
        decoder.pngDecoder = choice
        return Result { () throws(MaskIOError) in try decoder.decode(bytes: bytes, path: name) }
    }

    /// What the comparison of a set of files found.
    struct Tally {
        var fast = 0
        var fallback = 0
        var refused = 0
        var differences: [String] = []
    }

    static func compare(_ files: [(name: String, bytes: [UInt8])]) -> Tally {
        var tally = Tally()
        for file in files {
            let fast = decode(file.bytes, .fast, name: file.name)
            let reference = decode(file.bytes, .libpng, name: file.name)
            if fast != reference {
                tally.differences.append(file.name)
            } else if case .failure = reference {
                tally.refused += 1
            } else if PNGVariants.decodedByFastPath(file.bytes) {
                tally.fast += 1
            } else {
                tally.fallback += 1
            }
        }
        return tally
    }

    /// Every PNG under Fixtures (the shared datasets are not part of a clone).
    static func fixturePNGs() throws -> [(name: String, bytes: [UInt8])] {
        let root = Fixtures.path("")
        var files: [(name: String, bytes: [UInt8])] = []
        let walker = FileManager.default.enumerator(atPath: root)
        while let relative = walker?.nextObject() as? String {
            guard relative.hasSuffix(".png") else { continue }
            var isDirectory: ObjCBool = false
            let path = root + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            files.append((relative, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
        }
        return files.sorted { $0.name < $1.name }
    }

    @Test func everyFixturePNGDecodesAlikeThroughBothDecoders() throws {
        let files = try Self.fixturePNGs()
        #expect(files.count >= 40)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // gray1/2/4/8/16, palette1/2/4/8, rgb, rgba, gray-alpha and the demo's label maps.
        #expect(tally.fast >= 15)
        #expect(tally.refused >= 10)
    }

    @Test func everyFuzzCorpusInputDecodesAlikeThroughBothDecoders() throws {
        var files: [(name: String, bytes: [UInt8])] = []
        for folder in ["fuzz/png", "fuzz/regression/png"] {
            let root = Fixtures.path(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: root).sorted() {
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + name)))
                // As the harness feeds them: a PNG signature unless the input starts with one.
                if !bytes.starts(with: FuzzCorpusTests.png) { bytes = FuzzCorpusTests.png + bytes }
                files.append((folder + "/" + name, bytes))
            }
        }
        #expect(files.count >= 40)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        #expect(tally.fast >= 3)
    }

    @Test func generatedVariantsDecodeAlikeThroughBothDecoders() {
        let files = (0..<400).map { seed in ("variant-\(seed)", PNGVariants.variant(seed: UInt64(seed))) }
        #expect(files.allSatisfy { $0.1.count > 8 })
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // All three outcomes are exercised: the fast path, a fallback libpng decodes, a refusal.
        #expect(tally.fast >= 100)
        #expect(tally.fallback >= 20)
        #expect(tally.refused >= 50)
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared("camvid-segnet"),
            "the real datasets may not be redistributed: needs ../shared/data/real beside the repository"))
    func everyRealDatasetPNGDecodesAlikeThroughBothDecoders() throws {
        var files: [(name: String, bytes: [UInt8])] = []
        for set in ["camvid-segnet", "drive-retina-unet", "isbi2012-membrane-unet", "voc-deeplabv3-rgb"] {
            let root = Fixtures.shared(set)
            let walker = FileManager.default.enumerator(atPath: root)
            while let relative = walker?.nextObject() as? String {
                guard relative.hasSuffix(".png") else { continue }
                files.append((set + "/" + relative, [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)))))
            }
        }
        #expect(files.count >= 300)
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        // Every one of them is a clean non-interlaced PNG: all through the fast path.
        #expect(tally.fast == files.count)
    }

    @Test func truncationAtEveryChunkBoundaryIsRefusedAlike() throws {
        let whole = PNGFastPathTests.png(
            width: 3, height: 4, bitDepth: 8, filtered: PNGFastPathTests.everyFilter, split: 3,
            before: [TestMasks.chunk("tEXt", Array("a\u{0}b".utf8))], after: [TestMasks.chunk("tIME", [7, 234, 12, 1, 0, 0, 0])])
        // Chunk boundaries: after the signature, then after each chunk (length + type + data + CRC).
        var boundaries: [Int] = [8]
        var at = 8
        while at < whole.count {
            let length = whole[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            at += 12 + length
            boundaries.append(at)
        }
        #expect(boundaries.count == 8)  // after the signature, IHDR, tEXt, 3 IDAT, tIME, IEND
        let files = boundaries.dropLast().map { ("cut-\($0)", Array(whole[..<$0])) }
        let tally = Self.compare(files)
        #expect(tally.differences == [])
        #expect(tally.refused == files.count)
    }
}
