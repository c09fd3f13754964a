import CubeCore
import Foundation

/// One unit of copy work: the bytes it holds while it runs, and the work itself, which
/// returns the number of decoded bytes it moved (for progress and throughput).
public struct CopyTask: Sendable {
    /// Peak bytes the task holds (decoded and encoded buffers and codec scratch).
    public var bytes: Int
    /// A label for errors (`t2m chunk [0, 3, 7]`).
    public var label: String
    /// The work.
    public var run: @Sendable () throws -> Int

    /// Creates a task.
    public init(bytes: Int, label: String, run: @escaping @Sendable () throws -> Int) {
        self.bytes = bytes
        self.label = label
        self.run = run
    }
}

/// Receives progress from an ``Executor``.
public protocol ProgressSink: Sendable {
    /// Called once before work starts with the total decoded bytes to move.
    func start(totalBytes: Int)
    /// Called after each task with the decoded bytes it moved.
    func advance(bytes: Int)
    /// Called once when all work is done.
    func finish()
}

/// Runs copy tasks on worker threads inside a byte budget; the first error stops the run.
public final class Executor: Sendable {
    /// Number of worker threads.
    public let jobs: Int
    /// The memory budget shared by all running tasks.
    public let budget: ByteBudget

    /// Creates an executor with `jobs` workers (at least 1) and `memoryBudget` bytes.
    public init(jobs: Int, memoryBudget: Int) {
        self.jobs = max(1, jobs)
        self.budget = ByteBudget(limit: memoryBudget)
    }

    /// Runs every task; returns the total bytes moved. Rethrows the first error.
    @discardableResult
    public func run(_ tasks: [CopyTask], progress: (any ProgressSink)? = nil, totalBytes: Int? = nil) throws -> Int {
        progress?.start(totalBytes: totalBytes ?? 0)
        defer { progress?.finish() }
        let state = RunState()
        let workers = min(jobs, max(tasks.count, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            // Each worker keeps its reservation and its cached buffers while it runs tasks
            // of the same size (one stage of one array), and gives both back before it waits
            // for a reservation of another size, so a waiting worker holds nothing.
            let cache = BufferCache()
            var held = 0
            defer {
                cache.removeAll()
                budget.release(held)
            }
            while let index = state.next(limit: tasks.count) {
                let task = tasks[index]
                do {
                    if task.bytes != held {
                        cache.removeAll()
                        budget.release(held)
                        held = 0
                        guard try budget.acquire(task.bytes) else { return }
                        held = task.bytes
                        cache.limit = held
                    }
                    let moved = try BufferCache.withCurrent(cache) { try task.run() }
                    state.add(moved)
                    progress?.advance(bytes: moved)
                } catch {
                    state.fail(error, label: task.label)
                    budget.cancel()
                    return
                }
            }
        }
        if let error = state.error { throw error }
        return state.moved
    }

    /// Shared bookkeeping of one run.
    private final class RunState: @unchecked Sendable {
        private let lock = NSLock()
        private var cursor = 0
        private var failed: (any Error)?
        private var total = 0

        func next(limit: Int) -> Int? {
            lock.withLock {
                guard failed == nil, cursor < limit else { return nil }
                defer { cursor += 1 }
                return cursor
            }
        }

        func add(_ bytes: Int) { lock.withLock { total += bytes } }

        func fail(_ error: any Error, label: String) {
            lock.withLock {
                guard failed == nil else { return }
                if let cube = error as? CubeError, cube.context == nil {
                    failed = CubeError(cube.kind, cube.message, context: label)
                } else {
                    failed = error
                }
            }
        }

        var error: (any Error)? { lock.withLock { failed } }
        var moved: Int { lock.withLock { total } }
    }
}
