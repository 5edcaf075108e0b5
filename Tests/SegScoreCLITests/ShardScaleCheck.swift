import Foundation
import SegScoreTestSupport
import Testing

/// `make shards-check`: 2,000 generated pairs (with unmatched, duplicate, corrupt and ignored
/// files) as 1 to 7 shards, each merge byte-identical to the unsharded run. Too slow for
/// `make test`: it runs only with SEGSCORE_SHARDS_CHECK=1.
@Suite struct ShardScaleCheck {
    static let enabled = ProcessInfo.processInfo.environment["SEGSCORE_SHARDS_CHECK"] == "1"

    @Test(.enabled(if: enabled, "run by `make shards-check` (SEGSCORE_SHARDS_CHECK=1)"))
    func twoThousandPairsMergeByteIdenticalForEveryN() throws {
        let data = try TemporaryFolder("shard-scale")
        defer { data.remove() }
        let (gt, pred) = try ShardMergeTests.generated(data, pairs: 2000, corrupt: true)
        try ShardMergeTests.checkEveryN(
            [gt, pred], extra: ["--fail-under", "0.5"], status: 3, says: ["two files on key 'case2'", "Case9.png: not a mask"])
    }
}
