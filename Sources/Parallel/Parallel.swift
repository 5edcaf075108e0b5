import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex.
///
/// Used instead of `Synchronization.Mutex` so that ThreadSanitizer, which intercepts pthread
/// locks but not the prebuilt Synchronization module's atomics, sees the synchronisation.
public final class Locked<Value>: @unchecked Sendable {
    // Sendable by construction: `value` is only read or written between lock and unlock.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

/// File-parallel work on Dispatch: `jobs` workers take indices from a shared cursor, so a slow
/// item never holds up a fixed share of the others.
public enum Parallel {
    /// Calls `body` once for every index in `0..<count`, on up to `jobs` workers.
    public static func forEach(count: Int, jobs: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let cursor = Locked(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, count))) { _ in
            while true {
                let index = cursor.withLock { next -> Int in
                    defer { next += 1 }
                    return next
                }
                if index >= count { return }
                body(index)
            }
        }
    }

    /// `transform` of every index in `0..<count`, computed on up to `jobs` workers, in index order.
    public static func map<T: Sendable>(count: Int, jobs: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let slots = Locked([T?](repeating: nil, count: count))
        forEach(count: count, jobs: jobs) { index in
            let value = transform(index)
            slots.withLock { $0[index] = value }
        }
        return slots.withLock { $0.map { $0! } }
    }

    /// Runs `produce` for every index on `jobs` workers and hands the results to `consume` one at
    /// a time, in index order, whatever order the workers finish in.
    ///
    /// A result waits only until the results before it arrive: with indices handed out in order,
    /// about `jobs` results are held at once, so memory does not grow with `count`. `consume`
    /// runs under a lock (on whichever worker completed the run of indices) and owns `state`.
    /// - Returns: the state after the last index was consumed.
    public static func forEachInOrder<Item: Sendable, State: Sendable>(
        count: Int, jobs: Int, state initial: State, _ produce: @Sendable (Int) -> Item,
        consume: @Sendable (inout State, Int, Item) -> Void
    ) -> State {
        let ordering = Locked(Ordering<Item, State>(state: initial))
        forEach(count: count, jobs: jobs) { index in
            let item = produce(index)
            ordering.withLock { ordering in
                ordering.pending[index] = item
                while let ready = ordering.pending.removeValue(forKey: ordering.next) {
                    consume(&ordering.state, ordering.next, ready)
                    ordering.next += 1
                }
            }
        }
        return ordering.withLock { $0.state }
    }
}

/// The state of `Parallel.forEachInOrder`: the caller's state, the next index to consume and the
/// results that arrived early.
private struct Ordering<Item, State> {
    var state: State
    var next = 0
    var pending: [Int: Item] = [:]
}
