import CubeCore
import Foundation

/// One unit of copy work: the bytes it holds while it runs, and the work itself, which
/// returns the number of decoded bytes it moved (for progress and throughput).
public struct CopyTask: Sendable {
    /// Peak bytes the task holds (decoded and encoded buffers and codec scratch).
    public var bytes: Int
    /// A label for errors (`t2m chunk [0, 3, 7]`).
    public var label: String
    /// The work, given the spare room its worker holds beside the task's `bytes` (see
    /// ``init(bytes:label:usingSpare:)``).
    public var run: @Sendable (_ spare: Int) throws -> Int

    /// Creates a task that holds at most `bytes`.
    public init(bytes: Int, label: String, run: @escaping @Sendable () throws -> Int) {
        self.init(bytes: bytes, label: label) { _ in try run() }
    }

    /// Creates a task that holds at most `bytes` plus the spare room it is given: bytes its
    /// worker reserved beside the task's own, which the task may use until it returns (they
    /// also bound the worker's cached buffers, so using them evicts those first).
    public init(bytes: Int, label: String, usingSpare run: @escaping @Sendable (_ spare: Int) throws -> Int) {
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

/// Tasks that run after another group's tasks have all finished (a stage of one array,
/// which reads what the stage before it wrote), and what to do once they all have.
public struct TaskGroup: Sendable {
    /// The tasks, in the order they are handed out.
    public var tasks: [CopyTask]
    /// The index (in the list given to ``Executor/run(_:progress:totalBytes:)``) of the
    /// group whose tasks (and `finish`) must all be done before any of these starts.
    public var after: Int?
    /// Runs once, on the worker that finished the group's last task (for a group without
    /// tasks: as soon as the group may start), before the group counts as done.
    public var finish: @Sendable () throws -> Void

    /// Creates a group.
    public init(_ tasks: [CopyTask], after: Int? = nil, finish: @escaping @Sendable () throws -> Void = {}) {
        self.tasks = tasks
        self.after = after
        self.finish = finish
    }
}

/// Runs copy tasks on worker threads inside a byte budget; the first error stops the run.
///
/// Tasks come in groups that may wait for another group (``TaskGroup``). A free worker
/// takes the next task of the first group in the list that may start, so while one array's
/// stage waits for its last tasks, workers go on with another array's stages instead of
/// idling at the end of each stage.
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

    private let reuse = BufferReuse()

    /// How the workers' buffers were come by over all runs so far: `hits` reused a cached
    /// buffer, `misses` allocated one (and faulted its pages in).
    public var bufferTakes: (hits: Int, misses: Int) { reuse.counts }

    private func recordReuse(of cache: BufferCache) {
        reuse.add(hits: cache.hits, misses: cache.misses)
        cache.resetCounts()
    }

    /// Totals of the workers' ``BufferCache`` hits and misses.
    private final class BufferReuse: @unchecked Sendable {
        private let lock = NSLock()
        private var hits = 0
        private var misses = 0
        var counts: (hits: Int, misses: Int) { lock.withLock { (hits, misses) } }
        func add(hits: Int, misses: Int) {
            lock.withLock {
                self.hits += hits
                self.misses += misses
            }
        }
    }

    /// Runs every task; returns the total bytes moved. Rethrows the first error.
    @discardableResult
    public func run(_ tasks: [CopyTask], progress: (any ProgressSink)? = nil, totalBytes: Int? = nil) throws -> Int {
        try run([TaskGroup(tasks)], progress: progress, totalBytes: totalBytes)
    }

    /// Runs every group's tasks, each group once the group it comes after is done; returns
    /// the total bytes moved. Rethrows the first error (of a task or a `finish`).
    @discardableResult
    public func run(_ groups: [TaskGroup], progress: (any ProgressSink)? = nil, totalBytes: Int? = nil) throws -> Int {
        for (index, group) in groups.enumerated() {
            if let after = group.after, !(0..<index).contains(after) {
                throw CubeError(.invalidArgument, "task group \(index) waits for group \(after), which does not come before it")
            }
        }
        progress?.start(totalBytes: totalBytes ?? 0)
        defer { progress?.finish() }
        let state = RunState(groups)
        state.finishEmptyGroups()
        let workers = min(jobs, max(groups.reduce(0) { $0 + $1.tasks.count }, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            // Each worker keeps its reservation and its cached buffers while it runs tasks
            // of the same size (one stage of one array), and gives both back before it waits
            // for a reservation of another size or for a group to be done, so a waiting
            // worker holds nothing. Beside a task smaller than its share of the budget, it
            // also takes what is free of that share, without waiting, as room for cached
            // buffers: a task's blocks, encoded chunks and cut chunks then all stay cached
            // from one task to the next instead of pushing each other out. A task made
            // `usingSpare` may fill that room itself while it runs (more writes in flight).
            // The worker gives the room back before its next task while another waits for
            // a reservation.
            let cache = BufferCache(limit: 0)
            let share = budget.limit / workers
            var taskBytes: Int?  // the reservation held for tasks of this size
            var spare = 0  // room for cached buffers held beside it
            let releaseHeld = {
                self.recordReuse(of: cache)
                cache.removeAll()
                if let held = taskBytes { self.budget.release(held) }
                self.budget.releaseSpare(spare)
                taskBytes = nil
                spare = 0
            }
            defer { releaseHeld() }
            while let (group, index) = state.next(whileWaiting: releaseHeld) {
                let task = groups[group].tasks[index]
                do {
                    if task.bytes != taskBytes {
                        releaseHeld()
                        guard try budget.acquire(task.bytes) else { return }
                        taskBytes = task.bytes
                        let room = share - task.bytes
                        if room > 0 && budget.tryAcquireSpare(room) { spare = room }
                        cache.limit = task.bytes + spare
                    } else if spare > 0 && budget.hasWaiters {
                        budget.releaseSpare(spare)
                        spare = 0
                        cache.limit = task.bytes
                    }
                    let moved = try BufferCache.withCurrent(cache) { try task.run(spare) }
                    state.add(moved)
                    progress?.advance(bytes: moved)
                    try state.finished(group: group)
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

    /// Shared bookkeeping of one run: which tasks are handed out, which groups are done.
    private final class RunState: @unchecked Sendable {
        private let condition = NSCondition()
        private let after: [Int?]
        private let taskCounts: [Int]
        private let finishes: [@Sendable () throws -> Void]
        /// Tasks handed out, per group.
        private var started: [Int]
        /// Tasks finished, per group.
        private var ended: [Int]
        /// Groups whose tasks and `finish` are done.
        private var done: [Bool]
        private var failed: (any Error)?
        private var total = 0

        init(_ groups: [TaskGroup]) {
            after = groups.map(\.after)
            taskCounts = groups.map(\.tasks.count)
            finishes = groups.map(\.finish)
            started = Array(repeating: 0, count: groups.count)
            ended = started
            done = Array(repeating: false, count: groups.count)
        }

        /// Whether `group` may start: the group it comes after is done.
        private func mayStart(_ group: Int) -> Bool {
            after[group].map { done[$0] } ?? true
        }

        /// Finishes, in order, every group without tasks that may start (its `finish` runs
        /// outside the lock), until none is left; a failure stops the run.
        func finishEmptyGroups() {
            while true {
                let ready: Int? = condition.withLock {
                    guard failed == nil else { return nil }
                    return done.indices.first { !done[$0] && taskCounts[$0] == 0 && mayStart($0) }
                }
                guard let ready else { return }
                do {
                    try complete(ready)
                } catch {
                    fail(error, label: nil)
                    return
                }
            }
        }

        /// Runs `group`'s `finish` (outside the lock), then marks it done and wakes waiters.
        private func complete(_ group: Int) throws {
            try finishes[group]()
            condition.withLock {
                done[group] = true
                condition.broadcast()
            }
        }

        /// The next task to run (group, index), waiting while none may start yet (after
        /// calling `waiting` once, to give back what the worker holds); `nil` when all are
        /// handed out or the run failed.
        func next(whileWaiting waiting: () -> Void) -> (Int, Int)? {
            condition.lock()
            defer { condition.unlock() }
            var released = false
            while failed == nil {
                var pending = false
                for group in started.indices where started[group] < taskCounts[group] {
                    if mayStart(group) {
                        defer { started[group] += 1 }
                        return (group, started[group])
                    }
                    pending = true
                }
                guard pending else { return nil }
                if !released {
                    condition.unlock()
                    waiting()
                    condition.lock()
                    released = true
                    continue
                }
                condition.wait()
            }
            return nil
        }

        /// Records that a task of `group` finished; the last one runs the group's `finish`
        /// (outside the lock) before the group counts as done and waiting workers are woken.
        func finished(group: Int) throws {
            let last: Bool = condition.withLock {
                ended[group] += 1
                return ended[group] == taskCounts[group]
            }
            guard last else { return }
            try complete(group)
            finishEmptyGroups()
        }

        func add(_ bytes: Int) { condition.withLock { total += bytes } }

        func fail(_ error: any Error, label: String?) {
            condition.withLock {
                defer { condition.broadcast() }
                guard failed == nil else { return }
                if let label, let cube = error as? CubeError, cube.context == nil {
                    failed = CubeError(cube.kind, cube.message, context: label)
                } else {
                    failed = error
                }
            }
        }

        var error: (any Error)? { condition.withLock { failed } }
        var moved: Int { condition.withLock { total } }
    }
}
