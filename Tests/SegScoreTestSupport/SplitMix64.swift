package import SegMetrics

/// The draws randomised tests make from the project's generator (`SplitMix64`): the same cases
/// on every run and machine for a seed, so a failure reproduces.
extension SplitMix64 {
    /// A generator started at `state` (the seed).
    package init(state: UInt64) { self.init(seed: state) }

    /// A number in `range` (modulo draw).
    package mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    /// A number in 0..<n (modulo draw).
    package mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A double in [0, 1) from the top 53 bits.
    package mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
