import Dispatch

/// File-parallel work on Dispatch: `jobs` workers take indices from a shared cursor, so a slow
/// item never holds up a fixed share of the others.
public enum Parallel {
    /// Calls `body` once for every index in `0..<count`, on up to `jobs` workers.
    /// - Complexity: one lock round trip per index.
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
        // Every slot was filled: forEach called the body once for each index.
        return slots.withLock {
            $0.map {
                guard let value = $0 else { preconditionFailure("forEach skipped an index") }
                return value
            }
        }
    }

    /// Runs `produce` for every index on `jobs` workers and hands the results to `consume` one at
    /// a time, in index order, whatever order the workers finish in.
    ///
    /// A worker does not start index `i` before `consume` has taken index `i − window` (it waits),
    /// so at most `window` results are ever produced and not yet consumed, however slow one item
    /// is and however large `count` is. `consume` runs under a lock (on whichever worker completed
    /// the run of indices) and owns `state`.
    /// - Parameters:
    ///   - window: results that may wait for an earlier one; at least 1, by default `2 × jobs`
    ///     (so a slow item does not leave the other workers idle at once).
    /// - Returns: the state after the last index was consumed.
    public static func forEachInOrder<Item: Sendable, State: Sendable>(
        count: Int, jobs: Int, window: Int? = nil, state initial: State, _ produce: @Sendable (Int) -> Item,
        consume: @Sendable (inout State, Int, Item) -> Void
    ) -> State {
        let window = max(1, window ?? 2 * max(1, jobs))
        let ordering = Locked(Ordering<Item, State>(state: initial))
        forEach(count: count, jobs: jobs) { index in
            // Index `next` never waits, so the run always moves on: no deadlock.
            ordering.withLock(waitingUntil: { index < $0.next + window }) { _ in }
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
private struct Ordering<Item: Sendable, State: Sendable>: Sendable {
    var state: State
    var next = 0
    var pending: [Int: Item] = [:]
}
