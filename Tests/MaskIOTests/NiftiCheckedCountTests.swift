import Foundation
import MaskIO
import MaskIOTesting
import SegScoreTestSupport
import Testing

/// The gzip CRC left to the caller and checked while the pair is counted: `cmask_crc32_count_pair`
/// gives the bit-by-bit CRC of both sides and the joint histogram of a plain loop, for every
/// length, start and kind of change; a `.nii.gz` read with `deferringCRC` leaves exactly its
/// trailer's CRC pending, and `PlacedSamples.countChecked` counts a good pair and names the side
/// whose data does not match its CRC.
@Suite struct NiftiCheckedCountTests {
    /// The joint histogram of a plain loop: nonzero cells by index and the counts per side.
    static func reference(_ truth: ArraySlice<UInt8>, _ prediction: ArraySlice<UInt8>) -> (
        cells: [Int: UInt32], truthCounts: [Int], predictionCounts: [Int]
    ) {
        var cells: [Int: UInt32] = [:]
        var truthCounts = [Int](repeating: 0, count: 256)
        var predictionCounts = [Int](repeating: 0, count: 256)
        for (t, p) in zip(truth, prediction) {
            cells[Int(t) << 8 | Int(p), default: 0] += 1
            truthCounts[Int(t)] += 1
            predictionCounts[Int(p)] += 1
        }
        return (cells, truthCounts, predictionCounts)
    }

    /// Runs of `values` with lengths drawn from 1…`longest`, the same on every run.
    static func runs(_ count: Int, values: Int, longest: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        func next(_ below: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % below
        }
        var bytes: [UInt8] = []
        while bytes.count < count {
            bytes += [UInt8](repeating: UInt8(next(values)), count: 1 + next(longest))
        }
        return Array(bytes.prefix(count))
    }

    /// Compares one call with the bit-by-bit CRCs (continued from the bytes before `start`) and
    /// the plain loop.
    static func expectMatches(
        _ truth: [UInt8], _ prediction: [UInt8], start: (Int, Int), count: Int, _ label: String
    ) {
        let seeds = (TestMasks.crc32(Array(truth[..<start.0])), TestMasks.crc32(Array(prediction[..<start.1])))
        guard
            let got = NiftiReadPaths.crc32CountPair(
                truth: truth, truthStart: start.0, prediction: prediction, predictionStart: start.1, count: count,
                crcs: seeds)
        else {
            Issue.record("\(label): did not run")
            return
        }
        let t = truth[start.0..<(start.0 + count)]
        let p = prediction[start.1..<(start.1 + count)]
        #expect(got.crcs.0 == TestMasks.crc32(Array(truth[..<(start.0 + count)])), "\(label): truth CRC")
        #expect(got.crcs.1 == TestMasks.crc32(Array(prediction[..<(start.1 + count)])), "\(label): prediction CRC")
        let expected = reference(t, p)
        #expect(got.cells == expected.cells, "\(label): cells")
        #expect(got.truthCounts == expected.truthCounts, "\(label): truth counts")
        #expect(got.predictionCounts == expected.predictionCounts, "\(label): prediction counts")
    }

    @Test(.enabled(if: NiftiReadPaths.crc32CountAvailable, "cmask_crc32_count_pair needs AVX-512 VPCLMULQDQ"))
    func theCRCsAndCountsAreThoseOfThePlainLoops() {
        let noise = NiftiGzipMemberTests.noise(9000, seed: 3)
        let other = NiftiGzipMemberTests.noise(9000, seed: 4)
        let labelRuns = Self.runs(9000, values: 4, longest: 90, seed: 5)
        let longRuns = Self.runs(9000, values: 3, longest: 300, seed: 6)
        // Lengths across the 64-byte blocks and 256-byte steps, at starts that are not aligned.
        for count in [256, 257, 319, 320, 321, 511, 512, 513, 1000, 4099, 8191] {
            for start in [(0, 0), (1, 1), (352, 368), (63, 5)] {
                Self.expectMatches(noise, other, start: start, count: count, "noise \(count) \(start)")
                Self.expectMatches(labelRuns, longRuns, start: start, count: count, "runs \(count) \(start)")
            }
        }
        // One side uniform, the other noise; both uniform; the same bytes both sides.
        let zeros = [UInt8](repeating: 0, count: 9000)
        let sevens = [UInt8](repeating: 7, count: 9000)
        Self.expectMatches(zeros, noise, start: (0, 3), count: 4096, "zeros and noise")
        Self.expectMatches(zeros, sevens, start: (0, 0), count: 8704, "uniform")
        Self.expectMatches(labelRuns, labelRuns, start: (0, 0), count: 8999, "same")
        // A single change at every position around the block and step edges, on either side.
        for at in [1, 2, 62, 63, 64, 65, 127, 128, 191, 192, 255, 256, 257, 319, 320, 511, 512, 600, 767] {
            var changed = [UInt8](repeating: 2, count: 800)
            changed[at] = 3
            Self.expectMatches(changed, sevens, start: (0, 0), count: 768, "truth change at \(at)")
            Self.expectMatches(sevens, changed, start: (0, 0), count: 768, "prediction change at \(at)")
        }
        // Every value, on both sides, in runs of one.
        let all = (0..<1024).map { UInt8($0 % 256) }
        Self.expectMatches(all, Array(all.reversed()), start: (0, 0), count: 1024, "all values")
    }

    @Test func fewerThan256SamplesAreLeftToTheCaller() {
        let bytes = [UInt8](repeating: 1, count: 300)
        #expect(
            NiftiReadPaths.crc32CountPair(
                truth: bytes, truthStart: 0, prediction: bytes, predictionStart: 0, count: 255, crcs: (0, 0)) == nil)
    }

    /// A 16×16×8 4-class volume (2,048 voxels: the kernel runs) written as a .nii.gz of stored
    /// deflate blocks, so a changed data byte still inflates and only the CRC can tell.
    static func volume(seed: UInt64) -> [UInt8] {
        let values = Self.runs(2048, values: 4, longest: 40, seed: seed).map { Double($0) }
        return TestMasks.niftiBytes(dims: [16, 16, 8], values: values)
    }

    static func placed(_ bytes: [UInt8], folder: TemporaryFolder, name: String, deferring: Bool) throws -> PlacedSamples {
        let path = try folder.write(bytes, to: name)
        var spare: MaskSamples?
        return try MaskDecoder().open(path: path).decodePlaced(reusing: &spare, deferringCRC: deferring)
    }

    @Test func aDeferredCRCIsTheTrailersAndIsCheckedWhileCounting() throws {
        let folder = try TemporaryFolder("nifti-checked-count")
        defer { folder.remove() }
        let truthFile = Self.volume(seed: 1)
        let predictionFile = Self.volume(seed: 2)
        let truth = try Self.placed(truthFile, folder: folder, name: "t.nii.gz", deferring: true)
        let prediction = try Self.placed(predictionFile, folder: folder, name: "p.nii.gz", deferring: true)
        // The trailer's CRC, over the header (352 bytes) and the 2,048 samples.
        let n = truthFile.count
        let trailer =
            UInt32(truthFile[n - 8]) | UInt32(truthFile[n - 7]) << 8 | UInt32(truthFile[n - 6]) << 16
            | UInt32(truthFile[n - 5]) << 24
        #expect(truth.offset == 352 && truth.count == 2048)
        #expect(truth.pendingCRC?.expected == trailer && truth.pendingCRC?.length == 2400)
        // Not deferred: nothing pending.
        #expect(try Self.placed(truthFile, folder: folder, name: "t2.nii.gz", deferring: false).pendingCRC == nil)

        func count(_ t: PlacedSamples, _ p: PlacedSamples) -> (PlacedPairCheck, [UInt32], [Int], [Int]) {
            var cells = [UInt32](repeating: 0, count: 65536)
            var truthCounts = [Int](repeating: 0, count: 256)
            var predictionCounts = [Int](repeating: 0, count: 256)
            let check = PlacedSamples.countChecked(
                truth: t, prediction: p, cells: &cells, truthCounts: &truthCounts, predictionCounts: &predictionCounts)
            return (check, cells, truthCounts, predictionCounts)
        }
        let good = count(truth, prediction)
        let expected = Self.reference(
            truth.storage[352..<2400], prediction.storage[prediction.offset..<prediction.offset + 2048])
        #expect(good.0 == (PlacedSamples.countsChecked ? .counted : .checked))
        if good.0 == .counted {
            #expect(good.2 == expected.truthCounts && good.3 == expected.predictionCounts)
            #expect(good.1.enumerated().filter { $0.element != 0 }.count == expected.cells.count)
            for (index, value) in expected.cells { #expect(good.1[index] == value) }
        }

        // A data byte changed inside a stored block (the 100th voxel) or a CRC byte: the read
        // passes, the check names the side.
        for (label, index) in [("voxel", 10 + 5 + 352 + 100), ("CRC", n - 7)] {
            var bad = truthFile
            bad[index] ^= 0x20
            let badTruth = try Self.placed(bad, folder: folder, name: "bad-t.nii.gz", deferring: true)
            #expect(count(badTruth, prediction).0 == .corrupt(truth: true), "\(label)")
            let badPrediction = try Self.placed(bad, folder: folder, name: "bad-p.nii.gz", deferring: true)
            #expect(count(truth, badPrediction).0 == .corrupt(truth: false), "\(label)")
            // Read without deferring, the same file is refused with zlib's message.
            #expect(throws: MaskIOError.self) {
                _ = try Self.placed(bad, folder: folder, name: "bad-t.nii.gz", deferring: false)
            }
        }
        // ISIZE is still checked by the read itself.
        var wrongLength = truthFile
        wrongLength[n - 3] ^= 0x01
        #expect(throws: MaskIOError.self) {
            _ = try Self.placed(wrongLength, folder: folder, name: "len.nii.gz", deferring: true)
        }
    }
}
