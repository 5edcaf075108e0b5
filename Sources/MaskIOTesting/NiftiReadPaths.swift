internal import CMaskCodecs

/// The ways the shim reads a .nii.gz, for the differential tests: into a buffer of exactly the
/// samples (`cmask_read`: scratch buffer and copy), into one with the decoder's room
/// (`cmask_read_into`: inflated in place, then moved) and the same with the samples left where
/// they were inflated (`cmask_read_placed`).
package enum NiftiReadPaths {
    /// What one read gave: the status code, the message and the sample bytes (empty on failure).
    package struct Outcome: Equatable, Sendable {
        package var status: Int
        package var message: String
        package var bytes: [UInt8]
    }

    /// Reads `bytes` both ways; also the room the decoder asked for (`info.read_room_bytes`).
    package static func readBothWays(_ bytes: [UInt8]) -> (exact: Outcome, room: Outcome, roomBytes: UInt64) {
        var roomBytes: UInt64 = 0
        let exact = read(bytes, useRoom: false, roomBytes: &roomBytes)
        let room = read(bytes, useRoom: true, roomBytes: &roomBytes)
        return (exact, room, roomBytes)
    }

    /// Reads `bytes` into a buffer with the decoder's room through `cmask_read_placed`: the
    /// outcome (the samples taken from where the read left them) and that offset.
    package static func readPlaced(_ bytes: [UInt8]) -> (outcome: Outcome, offset: UInt64) {
        var roomBytes: UInt64 = 0
        var offset: UInt64 = 0
        let outcome = read(bytes, useRoom: true, roomBytes: &roomBytes, placed: &offset)
        return (outcome, offset)
    }

    private static func read(_ bytes: [UInt8], useRoom: Bool, roomBytes: inout UInt64) -> Outcome {
        read(bytes, useRoom: useRoom, roomBytes: &roomBytes, placed: nil)
    }

    private static func read(
        _ bytes: [UInt8], useRoom: Bool, roomBytes: inout UInt64, placed: UnsafeMutablePointer<UInt64>?
    ) -> Outcome {
        bytes.withUnsafeBufferPointer { file in
            var handle: OpaquePointer?
            var info = cmask_info()
            var message = [CChar](repeating: 0, count: 512)
            let opened = cmask_open(file.baseAddress, file.count, 1 << 26, &handle, &info, &message, message.count)
            defer { cmask_close(handle) }
            guard opened == CMASK_OK, let handle else {
                return Outcome(status: Int(opened.rawValue), message: text(message), bytes: [])
            }
            roomBytes = info.read_room_bytes
            let size = Int(info.data_bytes)
            let capacity = useRoom ? max(size, Int(info.read_room_bytes)) : size
            // Filled with a pattern, so bytes the read fails to write show up as a difference.
            var buffer = [UInt8](repeating: useRoom ? 0xA5 : 0x5A, count: max(capacity, 1))
            let status = buffer.withUnsafeMutableBytes {
                cmask_read_placed(handle, $0.baseAddress, info.data_bytes, UInt64(capacity), placed, &message, message.count)
            }
            let start = Int(placed?.pointee ?? 0)
            let ok = status == CMASK_OK && start + size <= buffer.count
            return Outcome(
                status: Int(status.rawValue), message: text(message), bytes: ok ? Array(buffer[start..<start + size]) : [])
        }
    }

    /// `cmask_crc32` of `count` bytes of `bytes` from `start` (to the end when nil), continuing
    /// `crc` (0 to start): the CRC the reader checks gzip trailers with.
    package static func crc32(_ bytes: [UInt8], from start: Int = 0, count: Int? = nil, continuing crc: UInt32 = 0)
        -> UInt32
    {
        bytes.withUnsafeBufferPointer { buffer in
            let part = UnsafeBufferPointer(rebasing: buffer[start..<(start + (count ?? bytes.count - start))])
            return cmask_crc32(crc, part.baseAddress, part.count)
        }
    }

    /// What `cmask_crc32_count_pair` gave: nil when it did not run (the CPU, or fewer than 256
    /// samples); else both CRCs continued from `crcs`, the nonzero cells by index, and the
    /// samples per value of each side.
    package static func crc32CountPair(
        truth: [UInt8], truthStart: Int, prediction: [UInt8], predictionStart: Int, count: Int, crcs: (UInt32, UInt32)
    ) -> (crcs: (UInt32, UInt32), cells: [Int: UInt32], truthCounts: [Int], predictionCounts: [Int])? {
        var cells = [UInt32](repeating: 0, count: 65536)
        var truthCounts = [Int](repeating: 0, count: 256)
        var predictionCounts = [Int](repeating: 0, count: 256)
        var both = [crcs.0, crcs.1]
        let ran = truth.withUnsafeBufferPointer { t in
            prediction.withUnsafeBufferPointer { p in
                cmask_crc32_count_pair(
                    t.baseAddress.map { $0 + truthStart }, p.baseAddress.map { $0 + predictionStart }, UInt64(count),
                    &both, &cells, &truthCounts, &predictionCounts)
            }
        }
        guard ran else {
            precondition(
                cells.allSatisfy { $0 == 0 } && truthCounts.allSatisfy { $0 == 0 }
                    && predictionCounts.allSatisfy { $0 == 0 }, "touched when it did not run")
            return nil
        }
        var nonzero: [Int: UInt32] = [:]
        for (index, value) in cells.enumerated() where value != 0 { nonzero[index] = value }
        return ((both[0], both[1]), nonzero, truthCounts, predictionCounts)
    }

    /// Whether `cmask_crc32_count_pair` runs on this CPU.
    package static var crc32CountAvailable: Bool { cmask_crc32_count_available() }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
