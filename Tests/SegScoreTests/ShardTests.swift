import SegScore
import Testing

/// The shard of a key: FNV-1a 64 of its UTF-8 bytes, modulo N.
@Suite struct ShardTests {
    // The published FNV-1a 64-bit test vectors (Fowler, Noll, Vo).
    @Test func fnv1aTestVectors() {
        #expect(Shard.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func everyKeyLiesInExactlyOneShard() throws {
        let keys = ["", "a", "case1/slice_003", "caseé7", "Z", "sub/case10"] + (0..<200).map { "k\($0)" }
        for n in 1...7 {
            var sizes = Array(repeating: 0, count: n)
            for key in keys {
                let shards = try (1...n).filter { try Shard(parsing: "\($0)/\(n)").contains(key: key) }
                #expect(shards.count == 1, "\(key) in \(shards) of \(n)")
                #expect(shards.first.map { $0 - 1 } == Int(Shard.hash(key) % UInt64(n)))
                if let s = shards.first { sizes[s - 1] += 1 }
            }
            // 206 keys: no shard is empty for N ≤ 7.
            #expect(sizes.allSatisfy { $0 > 0 }, "\(sizes)")
        }
        // "a": 0xaf63dc4c8601ec8c = 12638187200555641996, even → shard 1/2; digit sum 88, 88 mod 3 = 1 → shard 2/3.
        #expect(try Shard(parsing: "1/2").contains(key: "a"))
        #expect(try Shard(parsing: "2/3").contains(key: "a"))
    }

    @Test func parsing() throws {
        let shard = try Shard(parsing: "2/8")
        #expect(shard.index == 2 && shard.count == 8 && shard.description == "2/8")
        #expect(throws: EvaluationSetupError.self) { try Shard(parsing: "0/8") }
        #expect(throws: EvaluationSetupError.self) { try Shard(parsing: "9/8") }
        #expect(throws: EvaluationSetupError.self) { try Shard(parsing: "+1/8") }
        #expect(Shard.whole.isWhole)
    }
}
