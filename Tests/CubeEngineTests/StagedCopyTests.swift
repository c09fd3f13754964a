import CubeCore
import CubeEngine
import CubeZarr
import Foundation
import Testing

@Suite struct StagedCopyTests {
    /// A map-chunked source, a series-chunked uncompressed target, and the first plan (over
    /// growing budgets) whose stage count satisfies `accept`.
    static func setUp(jobs: Int, accept: (Int) -> Bool) throws -> (SyntheticSource, ArrayMetadata, RechunkPlan?) {
        let source = SyntheticSource(shape: [96, 48, 48], chunkShape: [1, 48, 48])
        var metadata = ArrayMetadata(format: .v3, shape: source.shape, chunkShape: [96, 2, 2], dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: ["time", "lat", "lon"])
        try CodecSpec.none.apply(to: &metadata)
        // The tightest budgets force the most stages.
        for budget in stride(from: 24 << 10, through: 1 << 20, by: 4 << 10) {
            if let plan = try? CopyPlanning.plan(source: source, target: metadata, memoryBudget: budget, jobs: jobs),
               accept(plan.stages.count) {
                return (source, metadata, plan)
            }
        }
        return (source, metadata, nil)
    }

    /// Copies `source` through `plan` into a new directory-store array, checks every value
    /// arrived, and returns the executor and the scratch stores it used.
    static func copy(_ source: SyntheticSource, to metadata: ArrayMetadata, plan: RechunkPlan,
                     jobs: Int) throws -> (Executor, IntermediateStores) {
        let root = temporaryPath("staged")
        let store = try DirectoryStore(path: root + "/out.zarr", create: true)
        let target = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        let intermediates = try IntermediateStores(path: root + "/scratch", keep: false)
        let executor = Executor(jobs: jobs, memoryBudget: plan.memoryBudget)
        try StagedCopy.run([ArrayCopyJob(source: source, target: target, plan: plan)], executor: executor,
                           intermediates: intermediates)
        #expect(try target.readAll() == (try source.expected()))
        return (executor, intermediates)
    }

    /// A plan with several intermediates moves every value, and removes each intermediate
    /// once it has been read.
    @Test(arguments: [3, 4])
    func manyStagesMoveEveryValue(stages wanted: Int) throws {
        let (source, metadata, found) = try Self.setUp(jobs: 2) { $0 == wanted }
        let plan = try #require(found, "no budget gives \(wanted) stages")
        let (executor, intermediates) = try Self.copy(source, to: metadata, plan: plan, jobs: 2)
        #expect(executor.budget.peakBytes <= plan.memoryBudget)
        #expect(try intermediates.store.keys(under: "").isEmpty, "intermediates must be deleted once read")
    }

    /// Buffer takes that allocated, copying a `lat`-long map-chunked array into zstd
    /// time-series chunks (64 KiB each, so the cache keeps them) through one worker, and
    /// the plan's task count.
    static func allocations(lat: Int) throws -> (misses: Int, tasks: Int) {
        let source = SyntheticSource(shape: [256, lat, 64], chunkShape: [1, lat, 64])
        var metadata = ArrayMetadata(format: .v3, shape: source.shape, chunkShape: [256, 4, 16], dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: ["time", "lat", "lon"])
        try CodecSpec.zstd(level: 1).apply(to: &metadata)
        let plan = try CopyPlanning.plan(source: source, target: metadata, memoryBudget: 3 << 20, jobs: 1)
        let (executor, _) = try Self.copy(source, to: metadata, plan: plan, jobs: 1)
        return (executor.bufferTakes.misses, plan.stages.reduce(0) { $0 + $1.taskCount })
    }

    /// Stage tasks reuse the same buffers task after task: only a worker's first tasks (and
    /// a task needing a larger block) allocate, so allocations do not grow with the number
    /// of tasks. Each of the (at most four) chunk writes a task keeps in flight may hold a
    /// buffer of its own when the writes finish late, as they do on a loaded machine.
    @Test func allocationsDoNotGrowWithTheTaskCount() throws {
        let few = try Self.allocations(lat: 32)
        let many = try Self.allocations(lat: 128)
        #expect(many.tasks > few.tasks)
        #expect(many.misses <= few.misses + 4)
        #expect(many.misses * 2 < many.tasks)
    }

    /// A finished task deletes the intermediate chunks it read, so the scratch store
    /// shrinks while the last stage runs; `keep` keeps them all.
    @Test(arguments: [false, true])
    func intermediateChunksGoAsTheyAreRead(keep: Bool) throws {
        let (source, metadata, found) = try Self.setUp(jobs: 1) { $0 == 2 }
        let plan = try #require(found)
        let root = temporaryPath("consumed")
        let intermediates = try IntermediateStores(path: root + "/scratch", keep: keep)
        let scratchChunks = { try intermediates.store.keys(under: "").filter { $0.contains("/c/") }.count }
        let log = EventLog()
        let store = ObservingStore { key in
            if key.hasPrefix("t2m/c/") { log.add(String(try scratchChunks())) }
        }
        let target = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        try StagedCopy.run([ArrayCopyJob(source: source, target: target, plan: plan)],
                           executor: Executor(jobs: 1, memoryBudget: plan.memoryBudget), intermediates: intermediates)
        #expect(try target.readAll() == (try source.expected()))
        let seen = log.events.compactMap { Int($0) }
        let written = plan.stages[0].chunksWritten
        #expect(plan.stages[1].taskCount > 1)
        #expect(seen.first == written, "the last stage starts with every intermediate chunk")
        if keep {
            #expect(Set(seen) == [written])
            #expect(try scratchChunks() == written)
        } else {
            #expect(seen == seen.sorted(by: >), "chunks only go")
            let lastTaskReads = plan.stages[1].tasks().last?.inputChunks.count ?? 0
            #expect(seen.last == lastTaskReads, "only the last task's chunks are left while it writes")
            #expect(try scratchChunks() == 0)
        }
    }

    /// A lost intermediate chunk is reported, never read as the fill value.
    @Test func missingIntermediateChunksAreAnError() throws {
        let (source, metadata, found) = try Self.setUp(jobs: 1) { $0 >= 2 }
        let plan = try #require(found)
        let root = temporaryPath("lost")
        let store = try DirectoryStore(path: root + "/out.zarr", create: true)
        let target = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        let intermediates = try IntermediateStores(path: root + "/scratch", keep: true)
        let job = ArrayCopyJob(source: source, target: target, plan: Self.firstStageOnly(plan))
        try StagedCopy.run([job], executor: Executor(jobs: 1, memoryBudget: plan.memoryBudget), intermediates: intermediates)
        // Lose one chunk of the intermediate, then run the rest of the plan.
        let lost = try #require(try intermediates.store.keys(under: "").first { $0.contains("/c/") })
        try intermediates.store.delete(lost)
        let rest = ArrayCopyJob(source: source, target: target, plan: Self.withoutFirstStage(plan))
        #expect(throws: CubeError.self) {
            try StagedCopy.run([rest], executor: Executor(jobs: 1, memoryBudget: plan.memoryBudget), intermediates: intermediates)
        }
    }

    /// A resumed run whose intermediate chunks were lost does again the recorded tasks that
    /// wrote them, and the tasks that wrote those tasks' (consumed) input, back to the
    /// source; finished work whose output is still there stays done.
    @Test(arguments: [false, true])
    func lostIntermediatesAreMadeAgainOnResume(wholeStore: Bool) throws {
        let (source, metadata, found) = try Self.setUp(jobs: 1) { $0 == 3 }
        let plan = try #require(found, "no budget gives three stages")
        let root = temporaryPath("resume")
        let store = try DirectoryStore(path: root + "/out.zarr", create: true)
        let target = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        let intermediates = try IntermediateStores(path: root + "/scratch", keep: false)
        let journal = try Journal(path: root + "/journal")
        var firstTwo = plan
        firstTwo.stages = Array(plan.stages.prefix(2))
        let executor = Executor(jobs: 1, memoryBudget: plan.memoryBudget)
        try StagedCopy.run([ArrayCopyJob(source: source, target: target, plan: firstTwo)], executor: executor,
                           intermediates: intermediates, journal: journal)
        let recorded = journal.count(prefix: "task ")
        #expect(recorded == plan.stages[0].taskCount + plan.stages[1].taskCount)
        let left = try intermediates.store.keys(under: "").filter { $0.contains("/c/") }
        #expect(left.count == plan.stages[1].chunksWritten, "only the second intermediate is left")
        if wholeStore {
            try intermediates.store.deleteAll(under: "")
        } else {
            try intermediates.store.delete(try #require(left.first))
        }

        let job = ArrayCopyJob(source: source, target: target, plan: plan)
        let redone = try StagedCopy.forgetLostWork([job], intermediates: intermediates, journal: journal)
        if wholeStore {
            #expect(redone == recorded)
        } else {
            #expect(redone > 0 && redone < recorded, "one lost chunk needs only the tasks it came from")
        }
        #expect(journal.count(prefix: "task ") == recorded - redone)
        #expect(try Journal(path: root + "/journal").count(prefix: "task ") == recorded - redone, "forgotten on disk too")
        try StagedCopy.run([job], executor: executor, intermediates: intermediates, journal: journal)
        #expect(try target.readAll() == (try source.expected()))
        #expect(try StagedCopy.forgetLostWork([job], intermediates: intermediates, journal: journal) == 0)
    }

    static func firstStageOnly(_ plan: RechunkPlan) -> RechunkPlan {
        var copy = plan
        copy.stages = [plan.stages[0]]
        return copy
    }

    static func withoutFirstStage(_ plan: RechunkPlan) -> RechunkPlan {
        var copy = plan
        copy.stages = Array(plan.stages.dropFirst())
        return copy
    }
}
