import DatasetScan
import Testing

@Suite struct MaskSignatureTests {
    @Test(
        arguments: [
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], true),  // PNG
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A], false),  // PNG cut to 7 bytes
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0B], false),
            ([0x49, 0x49, 42, 0], true), ([0x49, 0x49, 43, 0], true),  // TIFF, BigTIFF, little-endian
            ([0x4D, 0x4D, 0, 42], true), ([0x4D, 0x4D, 0, 43], true),  // big-endian
            ([0x49, 0x49, 0, 42], false), ([0x4D, 0x4D, 42, 0], false), ([0x49, 0x49, 44, 0], false),  // mixed orders, no version
            ([0x49, 0x49, 42], false), ([], false),
            ([0x5C, 0x01, 0, 0], true), ([0, 0, 0x01, 0x5C], true),  // NIfTI-1 sizeof_hdr 348, either order
            ([0x1C, 0x02, 0, 0], true), ([0, 0, 0x02, 0x1C], true),  // NIfTI-2 sizeof_hdr 540
            ([0x5D, 0x01, 0, 0], false), ([0x5C, 0x01, 0], false),
            ([0x1F, 0x8B, 8, 0], false),  // gzip: a .nii.gz is known by its name, any gzip file by these bytes
        ] as [([UInt8], Bool)])
    func recognisesPNGAndTIFFByTheirFirstBytes(_ head: [UInt8], _ isMask: Bool) {
        #expect(MaskSignature.isMask(head) == isMask)
    }
}
