import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The benchmark's writers (MaskIOTesting over CMaskTestCodecs) produce files the decoder reads
/// back to the same labels, in every container the benchmark uses.
@Suite struct MaskEncoderTests {
    /// 5 × 7 labels 0…34 (8-bit containers) or 0, 1000, …, 34000 (16-bit ones).
    static func labels(scale: UInt16) -> [UInt16] { (0..<35).map { UInt16($0) * scale } }

    static let bytes: MaskSamples = .uint8((0..<35).map { UInt8($0) })
    static let words: MaskSamples = .uint16((0..<35).map { UInt16($0) * 1000 })
    static let cases: [(MaskEncoder.Container, String, UInt16, MaskSamples)] = [
        (.png8, "png", 1, bytes),
        (.palettePNG, "png", 1, bytes),
        (.png16, "png", 1000, words),
        (.tiffLZW(bits: 8, rowsPerStrip: 3), "tif", 1, bytes),
        (.tiffLZW(bits: 16, rowsPerStrip: 2), "tif", 1000, words),
    ]

    @Test(arguments: cases)
    func writtenMasksDecodeToTheSameLabels(container: MaskEncoder.Container, suffix: String, scale: UInt16, expected: MaskSamples)
        throws
    {
        let folder = try TemporaryFolder("encoder")
        defer { folder.remove() }
        let path = folder.path("mask.\(suffix)")
        try MaskEncoder.write(labels: Self.labels(scale: scale), width: 5, height: 7, as: container, to: path)
        let mask = try MaskDecoder().decode(path: path)
        #expect(mask.width == 5 && mask.height == 7 && mask.channels == 1)
        #expect(mask.samples == expected)
    }

    @Test func anUncreatableFileIsAnErrorNamingIt() {
        let path = "/nonexistent-segscore-folder/x.png"
        #expect(throws: MaskIOError.unreadable(path: path, reason: "cannot write: cannot create \(path)")) {
            try MaskEncoder.write(labels: [1], width: 1, height: 1, as: .png8, to: path)
        }
    }
}
