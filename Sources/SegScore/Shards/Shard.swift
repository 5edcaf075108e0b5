/// One of N shards of a run (`evaluate --shard I/N`): the pairs whose key's FNV-1a 64-bit hash
/// (of the key's UTF-8 bytes) modulo N is I − 1. The split is a function of the key alone, so it
/// does not depend on listing order nor on which folders a shard can see.
///
/// Items without a key (scan issues, names the key pattern does not match) and the count of
/// ignored files belong to shard 1, so that every item of a run lies in exactly one shard.
/// A Slurm array index or a Kubernetes completion index 0…N−1 is shard index + 1.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// I, from 1 to `count`.
    public let index: Int
    /// N, at least 1.
    public let count: Int

    /// The whole run: shard 1/1.
    public static let whole = Shard(uncheckedIndex: 1, count: 1)

    /// The largest N accepted.
    public static let maximumCount = 1_000_000

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Shard `index` of `count`; nil unless 1 ≤ index ≤ count ≤ `maximumCount`.
    public init?(index: Int, count: Int) {
        guard count >= 1, count <= Self.maximumCount, (1...count).contains(index) else { return nil }
        self.init(uncheckedIndex: index, count: count)
    }

    /// Parses `I/N` (decimal digits only).
    /// - Throws: `EvaluationSetupError.configuration` naming `--shard` and what is wrong.
    public init(parsing text: String) throws(EvaluationSetupError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let index = Int(parts[0]), let count = Int(parts[1])
        else {
            throw .configuration("--shard takes I/N (shard I of N, 1 ≤ I ≤ N), e.g. 2/8, not '\(text)'")
        }
        guard let shard = Shard(index: index, count: count) else {
            throw .configuration(
                "--shard \(text): I must lie in 1…N and N in 1…\(Self.maximumCount) (a 0-based array index i is shard i+1)")
        }
        self = shard
    }

    /// True for shard 1/1.
    public var isWhole: Bool { count == 1 }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// Whether the pair (or file) of `key` belongs to this shard.
    public func contains(key: String) -> Bool {
        count == 1 || Int(Self.hash(key) % UInt64(count)) == index - 1
    }

    /// FNV-1a, 64 bits, of the key's UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func hash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
