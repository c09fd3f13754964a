import CubeCore
import CubeEngine
import Foundation
import Testing

@Suite struct ExecutorTests {
    /// Concurrently held task bytes never exceed the budget, whatever the job count.
    @Test(arguments: [1, 2, 8, 32])
    func budgetHoldsForAnyJobCount(jobs: Int) throws {
        let budget = 10_000
        let executor = Executor(jobs: jobs, memoryBudget: budget)
        let held = Counter()
        let tasks = (0..<200).map { i in
            CopyTask(bytes: 1_000 + (i % 7) * 500, label: "task \(i)") {
                let now = held.add(1_000 + (i % 7) * 500)
                defer { held.add(-(1_000 + (i % 7) * 500)) }
                #expect(now <= budget)
                usleep(200)
                return 1
            }
        }
        #expect(try executor.run(tasks) == 200)
        #expect(held.peak <= budget)
        #expect(executor.budget.peakBytes <= budget)
    }

    /// A worker's buffer cache may fill what is free of its share of the budget beside a
    /// smaller task (taken without waiting, and not counted as task memory); beside a task
    /// larger than the share it has the task's bytes only.
    @Test func cachesUseTheFreeShareOfTheBudget() throws {
        let executor = Executor(jobs: 2, memoryBudget: 1000)
        let limits = EventLog()
        let small = (0..<4).map { i in
            CopyTask(bytes: 100, label: "small \(i)") {
                limits.add("small \(BufferCache.current?.limit ?? -1)")
                return 1
            }
        }
        let large = CopyTask(bytes: 800, label: "large") {
            limits.add("large \(BufferCache.current?.limit ?? -1)")
            return 1
        }
        try executor.run([TaskGroup(small), TaskGroup([large], after: 0)])
        #expect(Set(limits.events) == ["small 500", "large 800"])
        #expect(executor.budget.peakBytes <= 800)
    }

    /// A task made `usingSpare` is told the room its worker took beside it, the same room
    /// that bounds the worker's cache.
    @Test func aTaskIsGivenTheSpareRoomItsWorkerHolds() throws {
        let seen = EventLog()
        let task = CopyTask(bytes: 100, label: "one", usingSpare: { spare in
            seen.add("spare \(spare), cache \(BufferCache.current?.limit ?? -1)")
            return 1
        })
        try Executor(jobs: 1, memoryBudget: 1000).run([task])
        #expect(seen.events == ["spare 900, cache 1000"])
        let whole = CopyTask(bytes: 1000, label: "whole", usingSpare: { spare in
            seen.add("whole \(spare)")
            return 1
        })
        try Executor(jobs: 1, memoryBudget: 1000).run([whole])
        #expect(seen.events.last == "whole 0")
    }

    @Test func firstErrorStopsTheRun() {
        let executor = Executor(jobs: 4, memoryBudget: 1 << 20)
        let ran = Counter()
        let tasks = (0..<1000).map { i in
            CopyTask(bytes: 10, label: "chunk \(i)") {
                ran.add(1)
                if i == 5 { throw CubeError(.corrupt, "bad chunk") }
                usleep(100)
                return 1
            }
        }
        #expect(throws: CubeError(.corrupt, "bad chunk", context: "chunk 5")) { try executor.run(tasks) }
        #expect(ran.value < 1000)
    }

    /// Spare bytes are taken only when they fit, without waiting, and are not counted as task
    /// memory; a blocked acquisition shows as a waiter until it gets its bytes.
    @Test func spareBytesAndWaiters() throws {
        let budget = ByteBudget(limit: 1000)
        #expect(try budget.acquire(300))
        #expect(budget.tryAcquireSpare(600))
        #expect(!budget.tryAcquireSpare(200))
        #expect(budget.peakBytes == 300)
        #expect(!budget.hasWaiters)
        let acquired = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? budget.acquire(500)
            acquired.signal()
        }
        let deadline = Date().addingTimeInterval(10)
        while !budget.hasWaiters && Date() < deadline { usleep(1000) }
        #expect(budget.hasWaiters)
        budget.release(600)  // the spare goes back: the waiter gets its bytes
        #expect(acquired.wait(timeout: .now() + 10) == .success)
        #expect(!budget.hasWaiters)
    }

    @Test func oversizedTaskIsAnErrorNotAHang() {
        let executor = Executor(jobs: 2, memoryBudget: 100)
        let tasks = [CopyTask(bytes: 101, label: "big") { 0 }]
        #expect(throws: CubeError.self) { try executor.run(tasks) }
    }
}

/// ``TaskGroup``s: a group starts only once the group it comes after is done (its tasks and
/// its `finish`), other groups go on meanwhile, and failures stop the run.
@Suite struct ExecutorGroupTests {
    /// Every task of a group starts after every task and the `finish` of the group it comes
    /// after; each `finish` runs once, after its own tasks.
    @Test(arguments: [1, 2, 4])
    func groupsStartAfterTheGroupTheyComeAfter(jobs: Int) throws {
        let log = EventLog()
        func tasks(_ name: String, _ count: Int) -> [CopyTask] {
            (0..<count).map { i in
                CopyTask(bytes: 10, label: "\(name) \(i)") {
                    log.add("start \(name)")
                    usleep(UInt32(200 + i * 50))
                    log.add("end \(name)")
                    return 1
                }
            }
        }
        let groups = [
            TaskGroup(tasks("a1", 6)) { log.add("finish a1") },
            TaskGroup(tasks("a2", 4), after: 0) { log.add("finish a2") },
            TaskGroup(tasks("b1", 5)) { log.add("finish b1") },
            TaskGroup([], after: 1) { log.add("finish a3") },
            TaskGroup(tasks("b2", 3), after: 2) { log.add("finish b2") },
        ]
        #expect(try Executor(jobs: jobs, memoryBudget: 1 << 20).run(groups) == 18)
        let events = log.events
        func last(_ event: String) -> Int { events.lastIndex(of: event) ?? -1 }
        func first(_ event: String) -> Int { events.firstIndex(of: event) ?? Int.max }
        for (before, after) in [("a1", "a2"), ("b1", "b2")] {
            #expect(last("end \(before)") < last("finish \(before)"))
            #expect(last("finish \(before)") < first("start \(after)"))
        }
        #expect(last("end a2") < last("finish a2") && last("finish a2") < last("finish a3"))
        for name in ["a1", "a2", "a3", "b1", "b2"] {
            #expect(events.filter { $0 == "finish \(name)" }.count == 1)
        }
    }

    /// While a group's last task runs, a free worker starts another group's tasks instead
    /// of waiting: here the last task of `a` only ends once a task of `b` has started.
    @Test func aFreeWorkerGoesOnWithAnotherGroup() throws {
        let bStarted = DispatchSemaphore(value: 0)
        let overlapped = Counter()
        let a = TaskGroup([CopyTask(bytes: 10, label: "a") {
            if bStarted.wait(timeout: .now() + 10) == .success { overlapped.add(1) }
            return 1
        }])
        let aNext = TaskGroup([CopyTask(bytes: 10, label: "a next") { 1 }], after: 0)
        let b = TaskGroup((0..<3).map { i in CopyTask(bytes: 10, label: "b \(i)") { bStarted.signal(); return 1 } })
        #expect(try Executor(jobs: 2, memoryBudget: 1 << 20).run([a, aNext, b]) == 5)
        #expect(overlapped.value == 1)
    }

    /// A failing `finish` fails the run, and the groups after it never start.
    @Test func aFailingFinishStopsTheRun() {
        let ran = Counter()
        let groups = [
            TaskGroup([CopyTask(bytes: 10, label: "first") { 1 }]) { throw CubeError(.io, "cannot record", context: "journal") },
            TaskGroup([CopyTask(bytes: 10, label: "second") { ran.add(1); return 1 }], after: 0),
        ]
        #expect(throws: CubeError(.io, "cannot record", context: "journal")) {
            try Executor(jobs: 2, memoryBudget: 1 << 20).run(groups)
        }
        #expect(ran.value == 0)
    }

    /// A group without tasks finishes before anything starts (when it waits for nothing),
    /// and a group may only come after one listed before it.
    @Test func emptyGroupsAndBadOrder() throws {
        let log = EventLog()
        let groups = [
            TaskGroup([]) { log.add("finish empty") },
            TaskGroup([CopyTask(bytes: 10, label: "t") { log.add("task"); return 1 }], after: 0),
        ]
        #expect(try Executor(jobs: 2, memoryBudget: 1 << 20).run(groups) == 1)
        #expect(log.events == ["finish empty", "task"])
        #expect(throws: CubeError.self) {
            try Executor(jobs: 2, memoryBudget: 1 << 20).run([TaskGroup([], after: 0)])
        }
    }
}

/// Events recorded from several threads, in the order they happened.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ event: String) { lock.withLock { list.append(event) } }
    var events: [String] { lock.withLock { list } }
}

/// A thread-safe running total with its peak.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var highest = 0

    @discardableResult
    func add(_ n: Int) -> Int {
        lock.withLock {
            current += n
            highest = max(highest, current)
            return current
        }
    }

    var value: Int { lock.withLock { current } }
    var peak: Int { lock.withLock { highest } }
}
