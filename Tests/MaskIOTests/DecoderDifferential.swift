import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport

/// Both decoders of one format — the fast path and its reference library — on a set of files:
/// every file must give the same samples and header facts through both, or the same refusal.
/// The decoder is chosen per call (`MaskDecoder.pngDecoder` / `tiffDecoder`), not through the
/// environment, so the suites using it run beside the others.
struct DecoderDifferential: Sendable {
    /// One file: a name for messages and its bytes.
    typealias File = (name: String, bytes: [UInt8])

    /// What the comparison of a set of files found.
    struct Tally {
        var fast = 0
        var fallback = 0
        var refused = 0
        var differences: [String] = []
    }

    /// PNG (the fast path against libpng) or TIFF (the fast path against libtiff).
    enum Format: Sendable {
        case png, tiff
    }

    /// The format whose two decoders are compared.
    let format: Format

    /// PNG: the fast path against libpng.
    static let png = DecoderDifferential(format: .png)

    /// TIFF: the fast path against libtiff.
    static let tiff = DecoderDifferential(format: .tiff)

    /// Whether the fast path takes the file (rather than handing it to the reference library).
    func decodedByFastPath(_ bytes: [UInt8]) -> Bool {
        switch format {
        case .png: PNGVariants.decodedByFastPath(bytes)
        case .tiff: TIFFVariants.decodedByFastPath(bytes)
        }
    }

    /// The outcome of one decoder on one file.
    func decode(_ bytes: [UInt8], fast: Bool, name: String) -> Result<DecodedMask, MaskIOError> {
        var decoder = MaskDecoder(maxSamples: 1 << 26)
        switch format {
        case .png: decoder.pngDecoder = fast ? .fast : .libpng
        case .tiff: decoder.tiffDecoder = fast ? .fast : .libtiff
        }
        return Result { () throws(MaskIOError) in try decoder.decode(bytes: bytes, path: name) }
    }

    /// Decodes every file through both decoders and counts the outcomes.
    func compare(_ files: [File]) -> Tally {
        var tally = Tally()
        for file in files {
            let fast = decode(file.bytes, fast: true, name: file.name)
            let reference = decode(file.bytes, fast: false, name: file.name)
            if fast != reference {
                tally.differences.append(file.name)
            } else if case .failure = reference {
                tally.refused += 1
            } else if decodedByFastPath(file.bytes) {
                tally.fast += 1
            } else {
                tally.fallback += 1
            }
        }
        return tally
    }

    /// The regular files below `roots` whose names end in one of `suffixes` (all when empty),
    /// named `prefix/relative path`, each passed through `adjust` (e.g. a signature added as the
    /// fuzzer adds it), sorted by name.
    static func files(
        _ roots: [(path: String, prefix: String)], suffixes: [String] = [], adjust: ([UInt8]) -> [UInt8] = { $0 }
    ) throws -> [File] {
        var files: [File] = []
        for root in roots {
            let walker = FileManager.default.enumerator(atPath: root.path)
            while let relative = walker?.nextObject() as? String {
                guard suffixes.isEmpty || suffixes.contains(where: relative.hasSuffix) else { continue }
                var isDirectory: ObjCBool = false
                let path = root.path + "/" + relative
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    continue
                }
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                files.append((root.prefix.isEmpty ? relative : root.prefix + "/" + relative, adjust(bytes)))
            }
        }
        return files.sorted { $0.name < $1.name }
    }

    /// `files` of folders under Fixtures.
    static func fixtures(_ folders: [String], suffixes: [String] = [], adjust: ([UInt8]) -> [UInt8] = { $0 }) throws
        -> [File]
    {
        try files(folders.map { (Fixtures.path($0), $0) }, suffixes: suffixes, adjust: adjust)
    }
}
