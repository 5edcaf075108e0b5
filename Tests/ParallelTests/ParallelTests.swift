import Dispatch
import Parallel
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ForEachInOrderTests {
    /// Workers finish out of order (later indices sleep less); `consume` must still see 0, 1, 2, …
    @Test(arguments: [1, 2, 8])
    func consumesEveryResultOnceInIndexOrder(jobs: Int) {
        let count = 200
        let (order, sum) = Parallel.forEachInOrder(count: count, jobs: jobs, state: ([Int](), 0)) { index in
            usleep(UInt32((index * 7919) % 13) * 100)
            return index * index
        } consume: { state, index, square in
            state.0.append(index)
            state.1 += square
        }
        #expect(order == Array(0..<count))
        // 0² + 1² + … + 199² = 199 · 200 · 399 / 6.
        #expect(sum == 2_646_700)
    }

    /// Produced and not yet consumed results, and the most seen at once.
    struct Tally: Sendable {
        var produced = 0
        var consumed = 0
        var peak = 0
    }

    /// Index 0 is slow while every other index is instant: unbounded, the workers would park all
    /// 199 later results while 0 is produced. With a window of `window`, a worker does not start
    /// index i before the consumer reached i − window + 1, so at most `window` results are ever
    /// produced and not consumed.
    @Test(arguments: [(jobs: 4, window: 4), (jobs: 4, window: 2), (jobs: 2, window: 1), (jobs: 3, window: 7)])
    func aSlowFirstResultHoldsBackAtMostTheWindow(jobs: Int, window: Int) {
        let count = 200
        let tally = Locked(Tally())
        let order = Parallel.forEachInOrder(count: count, jobs: jobs, window: window, state: [Int]()) { index in
            if index == 0 {
                // Let the others run ahead as far as they are allowed (window − 1 results), then
                // give a worker that ignores the window time to go further.
                var spins = 0
                while tally.withLock({ $0.produced }) < min(window - 1, jobs - 1) && spins < 500 {
                    usleep(1000)
                    spins += 1
                }
                usleep(50_000)
            }
            tally.withLock { tally in
                tally.produced += 1
                tally.peak = max(tally.peak, tally.produced - tally.consumed)
            }
            return index
        } consume: { order, _, value in
            tally.withLock { $0.consumed += 1 }
            order.append(value)
        }
        #expect(order == Array(0..<count))
        let peak = tally.withLock { $0.peak }
        #expect(peak <= window, "at most \(window) results wait, saw \(peak)")
        #expect(peak >= 1)
    }

    @Test func nothingToDoReturnsTheInitialState() {
        let state = Parallel.forEachInOrder(count: 0, jobs: 4, state: 42) {
            $0
        } consume: { state, _, value in
            state += value
        }
        #expect(state == 42)
    }
}

@Suite struct LockedTests {
    /// Two waiters, each released by a value only the other thread writes: a broadcast after
    /// every `withLock` must wake them (a missed wake-up would hang this test).
    @Test func aWaiterWakesWhenAnotherThreadChangesTheValue() {
        let stage = Locked(0)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            stage.withLock(waitingUntil: { $0 == 1 }) { $0 = 2 }
        }
        DispatchQueue.global().async(group: group) {
            stage.withLock { $0 = 1 }
            stage.withLock(waitingUntil: { $0 == 2 }) { $0 = 3 }
        }
        group.wait()
        #expect(stage.withLock { $0 } == 3)
    }

    /// 8 workers × 10,000 increments under the lock: no increment is lost.
    @Test func incrementsFromManyThreadsAreNotLost() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == 80_000)
    }
}
