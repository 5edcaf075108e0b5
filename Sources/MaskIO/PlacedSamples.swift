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

    /// Calls `body` with the samples.
    package func withSamples<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[offset..<offset + count]))
        }
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
    /// after its header (`offset` > 0) instead of being moved to the buffer's start.
    /// - Parameter spare: samples of an earlier mask that nothing else references; taken (nil on return).
    /// - Precondition: `decodesPlaced`.
    /// - Throws: `MaskIOError` naming the file and the reason.
    package func decodePlaced(reusing spare: inout MaskSamples?) throws(MaskIOError) -> PlacedSamples {
        precondition(decodesPlaced, "decodePlaced reads one channel of 8-bit samples")
        let count = Int(info.data_bytes)
        let room = max(count, Int(clamping: info.read_room_bytes))
        var storage: [UInt8] = []
        if case .uint8(let array) = spare.take(), array.capacity >= room { storage = array }
        var offset: UInt64 = 0
        var status = CMASK_OK
        var message = CodecMessage()
        if storage.capacity >= room {
            if storage.count > room {
                storage.removeLast(storage.count - room)
            } else if storage.count < room {
                storage.append(contentsOf: repeatElement(0, count: room - storage.count))
            }
            storage.withUnsafeMutableBytes { buffer in
                status = message.withBuffer { text, size in
                    cmask_read_placed(handle, buffer.baseAddress, info.data_bytes, UInt64(room), &offset, text, size)
                }
            }
        } else {
            storage = [UInt8](unsafeUninitializedCapacity: room) { buffer, initialized in
                status = message.withBuffer { text, size in
                    cmask_read_placed(handle, buffer.baseAddress, info.data_bytes, UInt64(room), &offset, text, size)
                }
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
        return PlacedSamples(storage: storage, offset: Int(offset), count: count)
    }
}
