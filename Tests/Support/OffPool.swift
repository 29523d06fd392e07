import Dispatch

/// Runs blocking work (a socket read, a child's output, a sleep) on a
/// Dispatch thread instead of Swift's cooperative pool. The pool has one
/// thread per core, two here: a test that blocked one of them would starve
/// the agent it is testing, which runs on the same pool.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
