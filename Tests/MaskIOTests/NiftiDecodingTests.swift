import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

/// The NIfTI reader: the reference variants of one ISBI volume (Fixtures/nifti), files written
/// byte by byte for every data type and layout, and every malformed header refused in one line.
@Suite struct NiftiDecodingTests {
    /// `base_zyx_uint8.npy`: the expected voxels, (z, y, x) = (8, 64, 96), which is the decoder's
    /// page, row, column order.
    static let expected: [UInt8] = {
        let bytes = (try? Data(contentsOf: Fixtures.url("nifti/base_zyx_uint8.npy"))).map { [UInt8]($0) } ?? []
        return bytes.count == 128 + 96 * 64 * 8 ? Array(bytes[128...]) : []
    }()

    static func shape(_ mask: DecodedMask) -> [Int] { [mask.width, mask.height, mask.depth, mask.channels] }

    static func labels(_ mask: DecodedMask) -> [UInt8] {
        (0..<mask.samples.count).map { UInt8(mask.samples[$0]) }
    }

    @Test(arguments: [
        "base_uint8.nii.gz", "int16.nii.gz", "int32.nii.gz", "uint16.nii.gz", "float32.nii.gz", "float64.nii.gz",
        "int16_bigendian.nii.gz", "scl_explicit_1_0.nii.gz", "scl_slope0.nii.gz", "scl_nan.nii.gz",
        "int16_scl_inter1.nii.gz", "uint8_scl_slope0p5.nii.gz", "sitk_written.nii.gz", "qform_sform_disagree.nii.gz",
        "nifti2.nii.gz", "nifti2_uncompressed.nii", "dim4_trailing_singleton.nii.gz",
    ])
    func everyHeaderVariantDecodesToTheReferenceVoxels(name: String) throws {
        #expect(Self.expected.count == 96 * 64 * 8)
        let mask = try MaskDecoder().decode(path: Fixtures.path("nifti/" + name))
        #expect(mask.declaration.format == .nifti)
        #expect(Self.shape(mask) == [96, 64, 8, 1])
        // Integer data and float/scaled data holding whole numbers are labels, not floats.
        #expect(mask.sampleType.isInteger)
        #expect(Self.labels(mask) == Self.expected)
    }

    @Test(arguments: ["slice_xy1.nii.gz", "slice_dim2.nii.gz"])
    func twoDimensionalFilesAreTheFirstSlice(name: String) throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("nifti/" + name))
        #expect(Self.shape(mask) == [96, 64, 1, 1])
        #expect(Self.labels(mask) == Array(Self.expected.prefix(96 * 64)))
    }

    @Test func headerFactsOfTheReferenceVolume() throws {
        let mask = try MaskDecoder().decode(path: Fixtures.path("nifti/base_uint8.nii.gz"))
        let facts = try #require(mask.declaration.nifti)
        #expect(facts.version == 1 && facts.dataType == "uint8" && facts.gzip && !facts.bigEndian)
        #expect(facts.dims == [96, 64, 8])
        // The stored float32 values, widened (0.004 is 0.004000000189989805 in a float32).
        #expect(facts.pixdim == [Double(Float(0.004)), Double(Float(0.004)), Double(Float(0.05))])
        #expect(facts.pixdim == [0.004000000189989805, 0.004000000189989805, 0.05000000074505806])
        #expect(facts.spaceUnit == "um")
        #expect(facts.qformCode == 1 && facts.sformCode == 1)
        // 4 nm × 4 nm × 50 nm in millimetres, as SimpleITK 2.5.7 reports it (GetSpacing() of this
        // file): the stored float32 times 1e-3, so distances equal the libraries' given that spacing.
        #expect(mask.declaration.spacing == [4.000000189989805e-06, 4.000000189989805e-06, 5.0000000745058064e-05])
        let scaled = try MaskDecoder().decode(path: Fixtures.path("nifti/int16_scl_inter1.nii.gz"))
        #expect(scaled.declaration.nifti?.scaled == true && scaled.declaration.nifti?.floatsReadAsLabels == true)
        #expect(scaled.declaration.nifti?.sclInter == 1)
        let slopeZero = try MaskDecoder().decode(path: Fixtures.path("nifti/scl_slope0.nii.gz"))
        #expect(slopeZero.declaration.nifti?.scaled == false)
        let big = try MaskDecoder().decode(path: Fixtures.path("nifti/int16_bigendian.nii.gz"))
        #expect(big.declaration.nifti?.bigEndian == true && big.declaration.nifti?.dataType == "int16")
        let two = try MaskDecoder().decode(path: Fixtures.path("nifti/nifti2_uncompressed.nii"))
        #expect(two.declaration.nifti?.version == 2 && two.declaration.nifti?.gzip == false)
        #expect(two.declaration.compressionName == "none" && mask.declaration.compressionName == "gzip")
    }

    @Test(arguments: [
        ("bad_truncated.nii.gz", "corrupt: truncated gzip stream (the file ends before the stream does)"),
        (
            "bad_sizeof_hdr.nii.gz",
            "corrupt: bad NIfTI sizeof_hdr 123 (NIfTI-1 has 348, NIfTI-2 540, in either byte order)"
        ),
        ("bad_magic.nii.gz", "corrupt: bad NIfTI-1 magic (expected \"n+1\")"),
        ("bad_dims_data_short.nii.gz", "corrupt: truncated NIfTI data: the data ends after 49152 of 55296 bytes"),
    ])
    func everyInvalidReferenceFileIsRefusedInOneLine(name: String, reason: String) {
        let path = Fixtures.path("nifti/" + name)
        do {
            let mask = try MaskDecoder().decode(path: path)
            Issue.record("decoded \(mask.width)x\(mask.height)x\(mask.depth)")
        } catch {
            #expect(error.description == path + ": " + reason)
            #expect(!error.description.contains("\n"))
        }
    }

    // MARK: written byte by byte

    static let values: [Double] = (0..<24).map { Double($0 % 5) }

    func decode(_ bytes: [UInt8], name: String = "x.nii.gz", decoder: MaskDecoder = MaskDecoder()) throws -> DecodedMask {
        let folder = try TemporaryFolder("nifti")
        defer { folder.remove() }
        return try decoder.decode(path: try folder.write(bytes, to: name))
    }

    func failure(_ bytes: [UInt8], name: String = "x.nii.gz", decoder: MaskDecoder = MaskDecoder()) throws -> String {
        let folder = try TemporaryFolder("nifti")
        defer { folder.remove() }
        let path = try folder.write(bytes, to: name)
        do {
            _ = try decoder.decode(path: path)
            return "decoded"
        } catch {
            #expect(error.path == path)
            return error.reason
        }
    }

    @Test(arguments: TestMasks.NiftiType.allCases)
    func everyDataTypeEitherByteOrderBothVersionsAndContainers(type: TestMasks.NiftiType) throws {
        let expectedType: SampleType
        switch type {
        case .uint8, .int8, .float32, .float64: expectedType = .uint8
        case .int16, .uint16: expectedType = .uint16
        case .int32, .uint32, .int64: expectedType = .uint32
        }
        for version in [1, 2] {
            for bigEndian in [false, true] {
                for gzip in [false, true] {
                    let bytes = TestMasks.niftiBytes(
                        version: version, dims: [4, 3, 2], type: type, values: Self.values, bigEndian: bigEndian, gzip: gzip)
                    let mask = try decode(bytes, name: gzip ? "x.nii.gz" : "x.nii")
                    #expect(Self.shape(mask) == [4, 3, 2, 1])
                    #expect(mask.sampleType == expectedType)
                    #expect((0..<24).map { mask.samples[$0] } == Self.values)
                    #expect(mask.declaration.nifti?.version == version)
                    #expect(mask.declaration.nifti?.bigEndian == bigEndian)
                }
            }
        }
    }

    @Test func aFourthDimensionIsInterleavedChannels() throws {
        // Volume 0 holds v, volume 1 holds 10 + v: the output is (v, 10 + v) per voxel.
        let volume: [Double] = (0..<6).map(Double.init)
        let bytes = TestMasks.niftiBytes(dims: [3, 2, 1, 2], values: volume + volume.map { $0 + 10 })
        let mask = try decode(bytes)
        #expect(Self.shape(mask) == [3, 2, 1, 2])
        #expect(mask.samples == .uint8([0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]))
        #expect(mask.declaration.color == .multi)
        // Trailing singleton dimensions (5-D with dim 5 = 1) are ignored.
        let five = try decode(TestMasks.niftiBytes(dims: [3, 2, 1, 1, 1], values: volume))
        #expect(Self.shape(five) == [3, 2, 1, 1])
        #expect(five.declaration.nifti?.dims == [3, 2, 1, 1, 1])
    }

    @Test func floatsThatAreNotWholeNumbersStayFloat() throws {
        let probabilities: [Double] = [0, 0.25, 0.5, 1]
        for type in [TestMasks.NiftiType.float32, .float64] {
            let mask = try decode(TestMasks.niftiBytes(dims: [2, 2], type: type, values: probabilities))
            #expect(mask.samples == .float32([0, 0.25, 0.5, 1]))
            #expect(mask.declaration.nifti?.floatsReadAsLabels == false)
        }
        // A slope that makes fractions: probabilities, 0.5 · v.
        let scaled = try decode(TestMasks.niftiBytes(dims: [2, 2], values: [0, 1, 2, 3], slope: 0.5))
        #expect(scaled.samples == .float32([0, 0.5, 1, 1.5]))
        // Whole numbers above 255 and 65535 become 16- and 32-bit labels.
        let wide = try decode(TestMasks.niftiBytes(dims: [2], type: .float32, values: [0, 70000]))
        #expect(wide.samples == .uint32([0, 70000]))
        let negative = try decode(TestMasks.niftiBytes(dims: [2], type: .float32, values: [-1, 1]))
        #expect(negative.samples == .float32([-1, 1]))
    }

    @Test func spacingIsInMillimetres() throws {
        let metres = try decode(TestMasks.niftiBytes(dims: [2], values: [0, 1], pixdim: [0.001, 0.002, 0.5], units: 1))
        // float32(0.001) · 1e3 and float32(0.002) · 1e3, as SimpleITK reads them.
        #expect(metres.declaration.spacing == [1.0000000474974513, 2.0000000949949026, 500])
        #expect(metres.declaration.nifti?.spaceUnit == "m")
        let millimetres = try decode(
            TestMasks.niftiBytes(version: 2, dims: [2], values: [0, 1], pixdim: [0.7, 0.7, 2.5], units: 2))
        #expect(millimetres.declaration.spacing == [0.7, 0.7, 2.5])
        // NIfTI-1 stores float32: 0.7 mm is 0.699999988079071, as SimpleITK and nibabel read it.
        let single = try decode(TestMasks.niftiBytes(dims: [2], values: [0, 1], pixdim: [0.7, 0.1, 2.5], units: 2))
        #expect(single.declaration.spacing == [0.699999988079071, 0.10000000149011612, 2.5])
        let unknown = try decode(TestMasks.niftiBytes(dims: [2], values: [0, 1], pixdim: [3, 3, 3], units: 0))
        #expect(unknown.declaration.spacing == [3, 3, 3])
        #expect(unknown.declaration.nifti?.spaceUnit == "unknown")
    }

    @Test func vox_offsetSkipsExtensions() throws {
        for gzip in [false, true] {
            let mask = try decode(
                TestMasks.niftiBytes(dims: [2, 2], values: [1, 2, 3, 0], voxOffset: 1024, gzip: gzip),
                name: gzip ? "x.nii.gz" : "x.nii")
            #expect(mask.samples == .uint8([1, 2, 3, 0]))
        }
    }

    @Test func labelValuesIntegersCannotHoldAreRefusedNamingTheVoxel() throws {
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 2, 2], type: .int8, values: [0, 1, 2, 3, 0, 0, 0, -1]))
                == "unsupported: voxel (1, 1, 1) holds -1: integer NIfTI data are labels, which cannot be negative")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2], type: .int64, values: [0, 4_294_967_296]))
                == "unsupported: voxel (1, 0, 0) holds 4294967296: more than the largest label, 4294967295")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2], type: .float64, values: [0, 16_777_217]))
                == "unsupported: voxel (1, 0, 0) holds 16777217, which a 32-bit float cannot hold exactly")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [1, 1, 1, 2], type: .int16, values: [0, -3]))
                == "unsupported: voxel (0, 0, 0, 1) holds -3: integer NIfTI data are labels, which cannot be negative")
    }

    @Test func malformedHeadersAreRefusedInOneLine() throws {
        let four: [Double] = [0, 1, 2, 3]
        var zero = TestMasks.niftiBytes(dims: [2, 2], values: four, gzip: false)
        zero[42] = 0  // dim[1] = 0
        #expect(try failure(zero, name: "x.nii") == "corrupt: bad NIfTI dim[1] 0 (dimensions are at least 1)")
        var negative = TestMasks.niftiBytes(dims: [2, 2], values: four, gzip: false)
        negative[44] = 0xFE  // dim[2] = -2
        negative[45] = 0xFF
        #expect(try failure(negative, name: "x.nii") == "corrupt: bad NIfTI dim[2] -2 (dimensions are at least 1)")
        var noDims = TestMasks.niftiBytes(dims: [2, 2], values: four, gzip: false)
        noDims[40] = 0
        #expect(try failure(noDims, name: "x.nii") == "corrupt: bad NIfTI dim[0] 0 (the number of dimensions is 1 to 7)")
        var unknown = TestMasks.niftiBytes(dims: [2, 2], values: four, gzip: false)
        unknown[70] = 99
        #expect(try failure(unknown, name: "x.nii") == "corrupt: unknown NIfTI datatype 99")
        var rgb = TestMasks.niftiBytes(dims: [2, 2], values: four, gzip: false)
        rgb[70] = 128
        #expect(try failure(rgb, name: "x.nii") == "unsupported: NIfTI datatype 128 (rgb24) is not a mask type")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 1, 1, 1, 2], values: four))
                == "unsupported: NIfTI dim[5] is 2: data beyond 4 dimensions are not read")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 2], values: four, voxOffset: 100))
                == "corrupt: bad NIfTI vox_offset 100 (at least 348, a whole number)")
        // NIfTI-2 magic.
        var magic = TestMasks.niftiBytes(version: 2, dims: [2, 2], values: four, gzip: false)
        magic[5] = UInt8(ascii: "x")
        #expect(try failure(magic, name: "x.nii") == "corrupt: bad NIfTI-2 magic (expected \"n+2\" and \\r\\n\\032\\n)")
        // An uncompressed file whose sizeof_hdr is wrong is no NIfTI at all.
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 2], values: four, gzip: false, sizeofHeader: 123), name: "x.nii")
                == "not a mask: not a PNG, TIFF or NIfTI file (unrecognised signature)")
        // A header cut short.
        #expect(
            try failure(Array(TestMasks.niftiBytes(dims: [2, 2], values: four, gzip: false).prefix(200)), name: "x.nii")
                == "corrupt: file ends inside the NIfTI-1 header (200 of 348 bytes)")
    }

    @Test func dataLongerOrShorterThanDeclaredIsAnError() throws {
        let four: [Double] = [0, 1, 2, 3]
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 2], values: four, trailing: [7], gzip: false), name: "x.nii")
                == "corrupt: NIfTI data longer than declared: 5 bytes after offset 352 where the header declares 4")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 2], values: four, trailing: [7]))
                == "corrupt: NIfTI data longer than declared: the gzip stream goes on past 4 data bytes")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 3], values: four, gzip: false), name: "x.nii")
                == "corrupt: truncated NIfTI data: the header declares 6 bytes after offset 352, the file holds 4")
        #expect(
            try failure(TestMasks.niftiBytes(dims: [2, 3], values: four))
                == "corrupt: truncated NIfTI data: the data ends after 4 of 6 bytes")
        // A broken CRC in the gzip trailer.
        var crc = TestMasks.niftiBytes(dims: [2, 2], values: four)
        crc[crc.count - 8] ^= 0xFF
        #expect(try failure(crc) == "corrupt: broken gzip stream (zlib: incorrect data check)")
    }

    @Test func aGzipBombIsRefusedByItsHeaderBeforeItsDataIsInflated() throws {
        // A header declaring 1024 × 1024 × 2048 uint8 voxels (2^31) and no data at all: had the
        // decoder inflated anything past the header, it would report truncated data instead.
        let bomb = TestMasks.niftiBytes(dims: [1024, 1024, 2048], values: [])
        #expect(bomb.count < 1024)
        var limited = MaskDecoder()
        limited.maxBytes = 100 << 20
        limited.maxBytesName = "--max-memory 100M"
        #expect(
            try failure(bomb, decoder: limited)
                == "too large: image declares 1024x1024 pixels, 2048 pages, 1 channel of 1-byte samples: decoding needs "
                + "2.0 GiB, more than --max-memory 100M")
        #expect(
            try failure(bomb, decoder: MaskDecoder(maxSamples: 1 << 30))
                == "too large: image declares 1024x1024 pixels, 2048 pages, 1 channels: more than the limit of "
                + "1073741824 samples")
        // The header alone opens (it is valid): only the data is missing.
        let folder = try TemporaryFolder("nifti")
        defer { folder.remove() }
        let reader = try MaskDecoder().open(path: try folder.write(bomb, to: "bomb.nii.gz"))
        #expect(reader.header.decodedBytes == 1 << 31)
        #expect(reader.header.format == .nifti)
    }
}
