#if canImport(Glibc)
    import Glibc
#endif

/// A value guarded by a lock, with a condition to wait on: the package's one lock type.
///
/// A pthread mutex and condition variable rather than `Synchronization.Mutex`, so that
/// ThreadSanitizer, which intercepts pthread locks but not the prebuilt Synchronization
/// module's atomics, sees the synchronisation. Every `withLock` that ends while a thread waits
/// wakes the waiters (it may have changed the value), so a waiter needs no separate signal.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    // Sendable by construction: `value` and `waiting` are only read or written between
    // pthread_mutex_lock and pthread_mutex_unlock, and Value itself is Sendable.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value
    /// Threads inside `withLock(waitingUntil:_:)` waiting for the value to change.
    private var waiting = 0

    /// A lock guarding `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        changed = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value, then wakes any waiter.
    /// - Returns: what `body` returns.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { unlockWakingWaiters() }
        return try body(&value)
    }

    /// Waits (releasing the lock meanwhile) until `isReady` holds for the value, then runs `body`
    /// with exclusive access to it and wakes any other waiter.
    /// - Parameter isReady: checked under the lock, again each time another `withLock` ends.
    /// - Returns: what `body` returns.
    public func withLock<Result>(waitingUntil isReady: (Value) -> Bool, _ body: (inout Value) throws -> Result)
        rethrows -> Result
    {
        pthread_mutex_lock(mutex)
        defer { unlockWakingWaiters() }
        if !isReady(value) {
            waiting += 1
            repeat { pthread_cond_wait(changed, mutex) } while !isReady(value)
            waiting -= 1
        }
        return try body(&value)
    }

    private func unlockWakingWaiters() {
        if waiting > 0 { pthread_cond_broadcast(changed) }
        pthread_mutex_unlock(mutex)
    }
}
