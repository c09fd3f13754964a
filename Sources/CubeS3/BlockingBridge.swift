import Dispatch
import Foundation

/// Runs async work to completion from synchronous code, blocking the calling thread.
///
/// The engine's workers are plain threads calling the synchronous store protocols, so an
/// async S3 client needs a bridge. The work runs on ``executor``, a task executor over
/// Dispatch threads, never on Swift's cooperative pool: a caller that is itself on a pool
/// thread (a synchronous test, say) then blocks only itself, and the work it waits for
/// cannot be starved by blocked callers (the pool has one thread per core).
enum BlockingBridge {
    /// The executor every bridged task runs on.
    static let executor = DispatchTaskExecutor()

    /// Runs `work` and returns its result or throws its error, blocking until it finishes.
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task(executorPreference: executor) {
            do {
                box.set(.success(try await work()))
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.get()
    }
}

/// A task executor that runs jobs on a concurrent Dispatch queue.
final class DispatchTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "cube.s3.bridge", attributes: .concurrent)

    /// Runs `job` on the queue.
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A result handed from the bridged task to the blocked caller.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) {
        lock.lock()
        result = value
        lock.unlock()
    }

    func get() throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let result else { throw CancellationError() }
        return try result.get()
    }
}
