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
        let (order, sum, peak) = Parallel.forEachInOrder(count: count, jobs: jobs, state: ([Int](), 0, 0)) { index in
            usleep(UInt32((index * 7919) % 13) * 100)
            return index * index
        } consume: { state, index, square in
            state.0.append(index)
            state.1 += square
            state.2 = max(state.2, state.0.count)
        }
        #expect(order == Array(0..<count))
        #expect(sum == (0..<count).reduce(0) { $0 + $1 * $1 })
        #expect(peak == count)
    }

    @Test func nothingToDoReturnsTheInitialState() {
        let state = Parallel.forEachInOrder(count: 0, jobs: 4, state: 42) { $0 } consume: { state, _, value in state += value }
        #expect(state == 42)
    }
}
