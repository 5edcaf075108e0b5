import Foundation
import Parallel

#if canImport(Glibc)
    import Glibc
#endif

/// The memory that decoded masks in flight may hold: `--max-memory SIZE`, or by default half of
/// the machine's memory (the smaller of MemTotal and the cgroup's `memory.max`).
public struct MemoryLimit: Sendable, Equatable {
    /// The limit in bytes (at least 1).
    public var bytes: UInt64
    /// How messages name the limit: `--max-memory 4G`, or the default with its value.
    public var name: String

    /// A limit of `bytes`, named `name` in messages.
    public init(bytes: UInt64, name: String) {
        self.bytes = max(1, bytes)
        self.name = name
    }

    /// Parses `512M`, `4G`, `1.5G`, `100K`, `2T` (powers of 1024; an optional `B` or `iB` after
    /// the letter) or a plain number of bytes.
    /// - Returns: nil for zero, a negative or malformed size, or one beyond 2^64 bytes.
    public init?(parsing text: String) {
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        for unit in ["iB", "IB", "ib", "B", "b"] where number.hasSuffix(unit) && number.count > unit.count {
            let stripped = number.dropLast(unit.count)
            // "B" alone after digits means bytes; after a letter it decorates the letter.
            if unit.count == 2 && !(stripped.last?.isLetter ?? false) { continue }
            number = stripped
            break
        }
        var scale: Double = 1
        if let last = number.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][last.uppercased()] {
            scale = Double(UInt64(1) << (10 * power))
            number = number.dropLast()
        }
        let digits = number.filter { $0 != "." }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            number.filter({ $0 == "." }).count <= 1, let value = Double(number)
        else { return nil }
        let bytes = (value * scale).rounded(.down)
        guard bytes >= 1, bytes < 18_446_744_073_709_551_616.0 else { return nil }
        self.init(bytes: UInt64(bytes), name: "--max-memory \(text)")
    }

    /// Half of this machine's memory, or of the cgroup limit when that is smaller.
    public static let machineDefault: MemoryLimit = {
        let total = machineMemory()
        return MemoryLimit(
            bytes: total / 2,
            name: "--max-memory (default \(describe(total / 2)), half of \(describe(total)) of memory)")
    }()

    /// The smaller of MemTotal (/proc/meminfo) and the cgroup limit (v2 `memory.max`, v1
    /// `memory.limit_in_bytes`); the physical pages when /proc cannot be read.
    static func machineMemory() -> UInt64 {
        var total = UInt64(max(0, sysconf(Int32(_SC_PHYS_PAGES)))) &* UInt64(max(0, sysconf(Int32(_SC_PAGESIZE))))
        if let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kb = line.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) })
        {
            total = kb * 1024
        }
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let limit = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0
            {
                total = min(total == 0 ? limit : total, limit)
            }
        }
        return max(total, 1 << 30)
    }

    /// `bytes` as `101 B`, `381.5 MiB`, `4.0 GiB` (powers of 1024, one decimal).
    public static func describe(_ bytes: UInt64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        var value = Double(bytes)
        var unit = 0
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }
}

/// A byte-counting semaphore: workers acquire what a pair will hold before decoding it and
/// release it after counting. Requests are served in arrival order; a request waits while it does
/// not fit beside what others hold, and is granted alone (whatever its size) when nothing is
/// held, so a large pair waits for the others to finish and nothing deadlocks.
package final class ByteBudget: Sendable {
    /// Bytes that may be held at once.
    package let capacity: UInt64
    private let books = Locked(Books())

    /// What is held and who waits, under the lock.
    private struct Books: Sendable {
        var held: UInt64 = 0
        var nextTicket: UInt64 = 0
        var serving: UInt64 = 0
        var waiters = 0
    }

    /// A budget of `capacity` bytes.
    package init(capacity: UInt64) {
        self.capacity = capacity
    }

    /// Waits until `bytes` fit beside what is held (or nothing is held), then holds them.
    package func acquire(_ bytes: UInt64) {
        let ticket = books.withLock { books -> UInt64 in
            defer { books.nextTicket += 1 }
            books.waiters += 1
            return books.nextTicket
        }
        let capacity = capacity
        books.withLock(
            waitingUntil: { books in
                ticket == books.serving && (books.held == 0 || bytes <= capacity &- min(books.held, capacity))
            },
            { books in
                books.waiters -= 1
                books.held += bytes
                books.serving += 1
            })
    }

    /// Gives back `bytes` acquired earlier.
    package func release(_ bytes: UInt64) {
        books.withLock { $0.held -= min(bytes, $0.held) }
    }

    /// Bytes held now, and requests waiting (for tests).
    package var state: (held: UInt64, waiting: Int) {
        books.withLock { ($0.held, $0.waiters) }
    }
}
