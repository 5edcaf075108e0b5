internal import CMaskCodecs

/// 8-bit samples decoded into a buffer that may hold the file's header in front of them: a
/// `.nii.gz` inflated whole straight into the buffer leaves its header and extensions before the
/// voxels, and a reader that only counts the samples can take them there instead of having them
/// moved to the buffer's start (8 MB per 128×256×256 volume).
package struct PlacedSamples: Sendable {
    /// The buffer: the samples are `storage[offset ..< offset + count]`; what lies before is unspecified.
    package var storage: [UInt8]
    /// Where the samples start in `storage`.
    package var offset: Int
    /// The number of samples.
    package var count: Int
    /// The gzip trailer's CRC-32 the read left unchecked (`decodePlaced(reusing:deferringCRC:)`),
    /// and the bytes from the buffer's start it covers: the samples may be used only once the
    /// check passes (`countChecked`). nil when the read checked everything.
    package var pendingCRC: (expected: UInt32, length: Int)?

    /// Calls `body` with the samples.
    package func withSamples<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[offset..<offset + count]))
        }
    }

    /// Whether the pending CRC-32 matches the bytes it covers (true when nothing is pending).
    package var pendingCRCHolds: Bool {
        guard let pending = pendingCRC else { return true }
        return storage.withUnsafeBytes { cmask_crc32(0, $0.baseAddress, pending.length) } == pending.expected
    }

    /// The buffer, for a later decode to reuse.
    package var spare: MaskSamples { .uint8(storage) }
}

extension MaskReader {
    /// What the file declared (format, colour, bit depth, NIfTI facts, spacing), as a decoded
    /// mask's `declaration` would say, before anything is decoded.
    package var declaration: MaskDeclaration { MaskDecoder.declaration(of: info) }

    /// Whether `decodePlaced` applies: one channel of 8-bit samples.
    package var decodesPlaced: Bool { info.sample == CMASK_SAMPLE_U8 && info.channels == 1 }

    /// Decodes a one-channel 8-bit mask like `decode(reusing:)`, with the same samples, refusals
    /// and messages, but where a `.nii.gz` is inflated straight into the buffer the samples stay
    /// after its header (`offset` > 0) instead of being moved to the buffer's start. With
    /// `deferringCRC`, such a file's gzip CRC is left in `pendingCRC`: a file whose CRC does not
    /// match is then returned, not refused, and its samples must not be used until checked.
    /// - Parameters:
    ///   - spare: samples of an earlier mask that nothing else references; taken (nil on return).
    ///   - deferringCRC: leave the CRC-32 of a `.nii.gz` inflated in place unchecked, in
    ///     `pendingCRC`, for `countChecked` to check while it counts.
    /// - Precondition: `decodesPlaced`.
    /// - Throws: `MaskIOError` naming the file and the reason.
    package func decodePlaced(reusing spare: inout MaskSamples?, deferringCRC: Bool = false) throws(MaskIOError)
        -> PlacedSamples
    {
        precondition(decodesPlaced, "decodePlaced reads one channel of 8-bit samples")
        let count = Int(info.data_bytes)
        let room = max(count, Int(clamping: info.read_room_bytes))
        var storage: [UInt8] = []
        if case .uint8(let array) = spare.take(), array.capacity >= room { storage = array }
        var offset: UInt64 = 0
        var status = CMASK_OK
        var message = CodecMessage()
        var check = cmask_crc_check()
        func read(_ base: UnsafeMutableRawPointer?, _ text: UnsafeMutablePointer<CChar>?, _ size: Int) -> cmask_status {
            deferringCRC
                ? cmask_read_placed_unchecked(handle, base, info.data_bytes, UInt64(room), &offset, &check, text, size)
                : cmask_read_placed(handle, base, info.data_bytes, UInt64(room), &offset, text, size)
        }
        if storage.capacity >= room {
            if storage.count > room {
                storage.removeLast(storage.count - room)
            } else if storage.count < room {
                storage.append(contentsOf: repeatElement(0, count: room - storage.count))
            }
            storage.withUnsafeMutableBytes { buffer in
                status = message.withBuffer { text, size in read(buffer.baseAddress, text, size) }
            }
        } else {
            storage = [UInt8](unsafeUninitializedCapacity: room) { buffer, initialized in
                status = message.withBuffer { text, size in read(UnsafeMutableRawPointer(buffer.baseAddress), text, size) }
                // Written: the samples, and when they were left in place everything before them.
                initialized = status == CMASK_OK && offset <= UInt64(room - count) ? Int(offset) + count : 0
            }
        }
        guard status == CMASK_OK else {
            throw MaskIOError(status: status, path: path, message: message.text)
        }
        guard offset <= UInt64(room - count) else {
            throw MaskIOError(status: CMASK_ERR_USAGE, path: path, message: "decoder placed the samples past its buffer")
        }
        var placed = PlacedSamples(storage: storage, offset: Int(offset), count: count)
        if check.pending != 0 {
            guard check.length <= UInt64(storage.count) else {
                throw MaskIOError(status: CMASK_ERR_USAGE, path: path, message: "decoder left a check past its buffer")
            }
            placed.pendingCRC = (check.expected, Int(check.length))
        }
        return placed
    }
}

/// What `PlacedSamples.countChecked` did.
package enum PlacedPairCheck: Equatable, Sendable {
    /// Both sides' pending checks passed and the joint histogram was counted.
    case counted
    /// Both sides' pending checks passed; nothing was counted (the caller counts).
    case checked
    /// A pending CRC-32 did not match (the truth's when `truth`, else the prediction's): the
    /// samples of that side are not the file's. What was counted must be dropped.
    case corrupt(truth: Bool)
}

extension PlacedSamples {
    /// Whether `countChecked` counts on this CPU (AVX-512 VPCLMULQDQ): only then is it worth
    /// deferring the CRC, which it then checks in the same pass.
    package static let countsChecked = cmask_crc32_count_available()

    /// Checks the pending CRC-32s of a pair of equal-length sample runs and, where the CPU can
    /// (`countsChecked`, 256 samples to 2^32 − 1), counts their joint histogram in the same pass:
    /// `cells[truth << 8 | prediction]`, and the samples per value of each side. Otherwise each
    /// pending CRC is checked alone and nothing is counted (`.checked`).
    /// - Precondition: `truth.count == prediction.count`; 65,536 cells and 256 counts a side, all 0.
    package static func countChecked(
        truth: PlacedSamples, prediction: PlacedSamples, cells: UnsafeMutablePointer<UInt32>,
        truthCounts: UnsafeMutablePointer<Int>, predictionCounts: UnsafeMutablePointer<Int>
    ) -> PlacedPairCheck {
        precondition(truth.count == prediction.count, "countChecked needs equal lengths")
        // The CRC so far of each pending side: its header and extensions, before the samples.
        let before = [truth, prediction].map { side -> UInt32 in
            guard side.pendingCRC != nil else { return 0 }
            return side.storage.withUnsafeBytes { cmask_crc32(0, $0.baseAddress, side.offset) }
        }
        var crcs = before
        let counted =
            countsChecked && truth.count >= 256 && truth.count <= Int(UInt32.max)
            && truth.storage.withUnsafeBytes { t in
                prediction.storage.withUnsafeBytes { p in
                    cmask_crc32_count_pair(
                        t.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self) + truth.offset,
                        p.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self) + prediction.offset,
                        UInt64(truth.count), &crcs, cells, truthCounts, predictionCounts)
                }
            }
        for (index, side) in [truth, prediction].enumerated() {
            guard let pending = side.pendingCRC else { continue }
            guard counted else {
                if !side.pendingCRCHolds { return .corrupt(truth: index == 0) }
                continue
            }
            // The kernel's CRC runs to the samples' end; any bytes the member holds after them follow.
            let end = side.offset + side.count
            let crc = side.storage.withUnsafeBytes { bytes in
                cmask_crc32(crcs[index], bytes.baseAddress.map { $0 + end }, max(0, pending.length - end))
            }
            if crc != pending.expected || pending.length < end { return .corrupt(truth: index == 0) }
        }
        return counted ? .counted : .checked
    }
}
