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

    @Test func oversizedTaskIsAnErrorNotAHang() {
        let executor = Executor(jobs: 2, memoryBudget: 100)
        let tasks = [CopyTask(bytes: 101, label: "big") { 0 }]
        #expect(throws: CubeError.self) { try executor.run(tasks) }
    }
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
