import Testing
@testable import CubeCore

/// One test (at least) per fault of rechunker the planner fixes, plus errors and the task API.
@Suite struct PlannerImprovementTests {
    static let plainCodec = CodecCost.uncompressed

    // MARK: 1. The budget covers the whole process

    @Test func perTaskBytesCountEveryBufferAndScratch() throws {
        // Direct copy of an 8×8 array of 2-byte items from 4×8 to 8×4 chunks: the block is
        // the whole array (128 B); rechunker would count only that.
        let source = CodecCost(scratchBytes: 5, encodedBound: { $0 + 10 })
        let target = CodecCost(scratchBytes: 7, encodedBound: { $0 + 20 })
        var request = RechunkRequest(shape: [8, 8], itemSize: 2, sourceChunks: [4, 8], targetChunks: [8, 4],
                                     memoryBudget: 426, jobs: 1, sourceCodec: source, targetCodec: target)
        let plan = try RechunkPlanner.plan(request)
        #expect(plan.isDirect)
        let memory = plan.stages[0].taskMemory
        #expect(memory == TaskMemory(readBlock: 128, decodedInputChunk: 64, encodedInputChunk: 74,
                                     decodedOutputChunk: 64, encodedOutputChunk: 84, scratch: 12))
        #expect(memory.total == 426)
        #expect(plan.peakBytes == 426)
        // One byte less and the direct copy no longer fits.
        request.memoryBudget = 425
        let tighter = try RechunkPlanner.plan(request)
        #expect(!tighter.isDirect)
        #expect(tighter.peakBytes <= 425)
    }

    @Test func concurrencyIsWhatTheBudgetAllows() throws {
        // Each task holds a 1×100 block (400 B) that is both its input and its output chunk,
        // decoded and encoded in place, plus both encodings; 8 jobs cannot all fit.
        let request = RechunkRequest(shape: [64, 100], itemSize: 4, sourceChunks: [1, 100], targetChunks: [1, 100],
                                     memoryBudget: 3_000, jobs: 8, sourceCodec: Self.plainCodec, targetCodec: Self.plainCodec)
        let plan = try RechunkPlanner.plan(request)
        let stage = try #require(plan.stages.first)
        #expect(plan.isDirect)
        #expect(stage.taskMemory == TaskMemory(readBlock: 400, decodedInputChunk: 0, encodedInputChunk: 400,
                                               decodedOutputChunk: 0, encodedOutputChunk: 400, scratch: 0))
        #expect(stage.concurrency == 2)
        #expect(stage.peakBytes == 2_400)
        #expect(plan.notes == ["stage 1 runs 2 of 8 jobs at once: one task holds 1.2KiB; a budget of 9.4KiB would run them all"])
    }

    @Test func aTaskLargerThanAJobsShareStillRunsAlone() throws {
        let request = RechunkRequest(shape: [10, 10], itemSize: 1, sourceChunks: [10, 1], targetChunks: [1, 10],
                                     memoryBudget: 100 + 4 * 10, jobs: 4,
                                     sourceCodec: Self.plainCodec, targetCodec: Self.plainCodec)
        let plan = try RechunkPlanner.plan(request)
        #expect(plan.isDirect)
        #expect(plan.stages[0].concurrency == 1)
        #expect(plan.peakBytes == 140)
    }

    // MARK: 2. Each source chunk is decoded once

    @Test func stageOneTasksAreKeyedByReadBlocks() throws {
        // Chunks of 4 to chunks of 6: rechunker's pieces re-read source chunks that straddle
        // two write chunks; here a block of 12 reads each source chunk once.
        #expect(RechunkPlanner.singleStageIOOperations(shape: [24], readChunks: [4], writeChunks: [6]) == 8)
        let request = RechunkRequest(shape: [24], itemSize: 1, sourceChunks: [4], targetChunks: [6], memoryBudget: 1 << 10,
                                     sourceCodec: Self.plainCodec, targetCodec: Self.plainCodec)
        let plan = try RechunkPlanner.plan(request)
        let stage = plan.stages[0]
        #expect(stage.chunksRead == 6)
        var reads = [Int: Int]()
        for task in stage.tasks() {
            #expect(task.readRegion.start[0] % 12 == 0)
            for chunk in task.inputChunks { reads[chunk[0], default: 0] += 1 }
        }
        #expect(reads == Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, 1) }))
        #expect(PlanChecker.problems(in: plan, for: request).isEmpty)
    }

    // MARK: 3. Every output chunk is written by exactly one task

    @Test func rechunkersIntermediateRacesWhereOursDoesNot() throws {
        // Rechunker on shape (30, 2), 6×2 to 4×2 chunks, 1-byte items, max_mem 12: write
        // chunks (4, 2); reads are not consolidated (no axis has write > source), so read
        // chunks (6, 2); intermediate min = (4, 2). Blocks of 6 rows straddle intermediate
        // chunks of 4: two tasks write rows 4..<8.
        let write = try RechunkPlanner.consolidateChunks(shape: [30, 2], chunks: [4, 2], itemSize: 1, maxBytes: 12)
        let read = try RechunkPlanner.consolidateChunks(shape: [30, 2], chunks: [6, 2], itemSize: 1, maxBytes: 12, axisOrder: [])
        let intermediate = zip(read, write).map { min($0, $1) }
        #expect(write == [4, 2] && read == [6, 2] && intermediate == [4, 2])
        let writersOfChunk1 = (0..<5).filter { block in
            let lo = block * 6, hi = lo + 6
            return lo < 8 && hi > 4
        }
        #expect(writersOfChunk1.count == 2)

        // The planner, tight enough that no direct copy fits (it needs 64 bytes): every chunk
        // of every stage has exactly one writer.
        let loose = RechunkRequest(shape: [30, 2], itemSize: 1, sourceChunks: [6, 2], targetChunks: [4, 2], memoryBudget: 1000,
                                   sourceCodec: Self.plainCodec, intermediateCodec: Self.plainCodec, targetCodec: Self.plainCodec)
        #expect(try RechunkPlanner.plan(loose).stages[0].perTaskBytes == 64)
        let tight = RechunkRequest(shape: [30, 2], itemSize: 1, sourceChunks: [6, 2], targetChunks: [4, 2], memoryBudget: 50,
                                   sourceCodec: Self.plainCodec, intermediateCodec: Self.plainCodec, targetCodec: Self.plainCodec,
                                   minIntermediateChunkBytes: 0)
        let plan = try RechunkPlanner.plan(tight)
        #expect(!plan.isDirect)
        for stage in plan.stages {
            for axis in 0..<2 {
                let block = stage.readChunks[axis]
                #expect(block == tight.shape[axis] || (block % stage.inputChunks[axis] == 0 && block % stage.writeChunks[axis] == 0))
            }
        }
        #expect(PlanChecker.problems(in: plan, for: tight).isEmpty)
    }

    @Test func misalignedChunkLengthsUseCommonMultipleBlocks() throws {
        // 5 and 7 share no factor: one block of 35 holds 7 source and 5 target chunks.
        let request = RechunkRequest(shape: [100], itemSize: 1, sourceChunks: [5], targetChunks: [7], memoryBudget: 1 << 10,
                                     sourceCodec: Self.plainCodec, targetCodec: Self.plainCodec)
        let plan = try RechunkPlanner.plan(request)
        #expect(plan.isDirect)
        #expect(plan.stages[0].readChunks[0] % 35 == 0 || plan.stages[0].readChunks[0] == 100)
        #expect(PlanChecker.problems(in: plan, for: request).isEmpty)
    }

    // MARK: 4. No needless intermediate

    @Test func readsFeedWritesDirectlyWhenTheyCan() throws {
        // Rechunker plans read (10, 100), write (10, 100): the intermediate equals both.
        let request = RechunkRequest(shape: [100, 100], itemSize: 4, sourceChunks: [1, 100], targetChunks: [10, 100],
                                     memoryBudget: 64 << 10)
        let plan = try RechunkPlanner.plan(request)
        #expect(plan.isDirect)
        // Blocks of whole target chunks (grown while four tasks per job remain).
        #expect(plan.stages[0].readChunks[0] % 10 == 0 && plan.stages[0].readChunks[1] == 100)
        #expect(plan.storeOperations == 100 + 10)
    }

    @Test(arguments: PlannerPropertyTests.twoD + PlannerPropertyTests.threeD)
    func noIntermediateCanBeSkipped(_ c: PlannerCase) throws {
        for request in PlannerPropertyTests.requests(c) where request.maxStages >= 2 {
            guard let plan = try? RechunkPlanner.plan(request) else { continue }
            let evaluator = PlanEvaluator(request: request)
            let chain = plan.intermediateChunks
            let allJobs = plan.stages.allSatisfy { $0.concurrency == min(request.jobs, $0.taskCount) }
            for skip in chain.indices {
                var shorter = chain
                shorter.remove(at: skip)
                guard let merged = evaluator.evaluate(shorter) else { continue }
                let mergedAllJobs = merged.plan.stages.allSatisfy { $0.concurrency == min(request.jobs, $0.taskCount) }
                #expect(allJobs && !mergedAllJobs && !shorter.isEmpty,
                        "\(c.testDescription) budget \(request.memoryBudget): intermediate \(chain[skip]) could be skipped\n\(plan)")
            }
        }
    }

    // MARK: Errors

    @Test func aTargetChunkLargerThanTheBudgetSaysWhatIsNeeded() {
        let request = RechunkRequest(shape: [2920, 181, 360], itemSize: 4, sourceChunks: [1, 181, 360],
                                     targetChunks: [2920, 181, 360], memoryBudget: 256 << 20)
        #expect {
            try RechunkPlanner.plan(request)
        } throws: { error in
            guard let error = error as? CubeError else { return false }
            return error.kind == .invalidArgument
                && error.message.contains("one target chunk 2920×181×360 takes 725.8MiB")
                && error.message.contains("raise the budget to at least 1.4GiB")
        }
    }

    @Test func aSourceChunkLargerThanTheBudgetSaysWhatIsNeeded() {
        let request = RechunkRequest(shape: [1000, 1000], itemSize: 8, sourceChunks: [1000, 1000],
                                     targetChunks: [10, 10], memoryBudget: 8 << 20)
        #expect {
            try RechunkPlanner.plan(request)
        } throws: { error in
            (error as? CubeError)?.message.contains("one source chunk 1000×1000 takes 7.6MiB") == true
        }
    }

    @Test func aDirectCopyOnlyPlanSaysHowMuchItNeeds() {
        let request = RechunkRequest(shape: [100, 100], itemSize: 1, sourceChunks: [1, 100], targetChunks: [100, 1],
                                     memoryBudget: 5_000, sourceCodec: Self.plainCodec, targetCodec: Self.plainCodec,
                                     maxStages: 1)
        #expect(throws: CubeError(.invalidArgument, "a direct copy from chunks 1×100 to 100×1 needs 10.2KiB per task, more than the memory budget of 4.9KiB: raise the budget to at least 10.2KiB or allow intermediate stages")) {
            try RechunkPlanner.plan(request)
        }
        var staged = request
        staged.maxStages = 4
        #expect((try? RechunkPlanner.plan(staged))?.isDirect == false)
    }

    @Test(arguments: [
        RechunkRequest(shape: [4, 4], itemSize: 4, sourceChunks: [2], targetChunks: [2, 2], memoryBudget: 100),
        RechunkRequest(shape: [4, 4], itemSize: 4, sourceChunks: [2, 2], targetChunks: [2, 0], memoryBudget: 100),
        RechunkRequest(shape: [4, -4], itemSize: 4, sourceChunks: [2, 2], targetChunks: [2, 2], memoryBudget: 100),
        RechunkRequest(shape: [4, 4], itemSize: 0, sourceChunks: [2, 2], targetChunks: [2, 2], memoryBudget: 100),
        RechunkRequest(shape: [4, 4], itemSize: 4, sourceChunks: [2, 2], targetChunks: [2, 2], memoryBudget: 0),
        RechunkRequest(shape: [4, 4], itemSize: 4, sourceChunks: [2, 2], targetChunks: [2, 2], memoryBudget: 100, jobs: 0),
        RechunkRequest(shape: [4, 4], itemSize: 4, sourceChunks: [2, 2], targetChunks: [2, 2], memoryBudget: 100, maxStages: 0),
        RechunkRequest(shape: [1 << 40, 1 << 40], itemSize: 4, sourceChunks: [2, 2], targetChunks: [2, 2], memoryBudget: 100),
    ])
    func invalidRequestsAreInvalidArguments(_ request: RechunkRequest) {
        #expect(throws: CubeError.self) { try RechunkPlanner.plan(request) }
        #expect((try? request.validate()) == nil)
    }

    // MARK: Tasks

    @Test func tasksListRandomAccessMatchesIteration() throws {
        let request = RechunkRequest(shape: [10, 7, 5], itemSize: 2, sourceChunks: [3, 7, 1], targetChunks: [10, 2, 5],
                                     memoryBudget: 1 << 10, jobs: 2, sourceCodec: Self.plainCodec,
                                     intermediateCodec: Self.plainCodec, targetCodec: Self.plainCodec, minIntermediateChunkBytes: 0)
        let plan = try RechunkPlanner.plan(request)
        for stage in plan.stages {
            let tasks = stage.tasks()
            #expect(tasks.count == stage.taskCount)
            for (i, task) in tasks.enumerated() {
                #expect(task.index == i)
                #expect(tasks[i] == task)
            }
            #expect(Array(tasks.reversed()).count == tasks.count)
        }
        #expect(PlanChecker.problems(in: plan, for: request).isEmpty)
    }

    @Test func tasksOfASiblingArray() throws {
        let request = RechunkRequest(shape: [12, 7], itemSize: 4, sourceChunks: [1, 4], targetChunks: [4, 3],
                                     memoryBudget: 1 << 20)
        let stage = try RechunkPlanner.plan(request).stages[0]
        #expect(stage.readChunks == [4, 7])
        // Longer along axis 0, where the block is a multiple of both chunks: fine.
        let longer = try stage.tasks(shape: [20, 7])
        #expect(longer.count == 5)
        #expect(longer.last?.readRegion == Region(start: [16, 0], count: [4, 7]))
        #expect(longer.last?.writeChunks == ChunkCoordinateRange(lower: [4, 0], counts: [1, 3]))
        #expect(longer.last?.inputChunks == ChunkCoordinateRange(lower: [16, 0], counts: [4, 2]))
        // Wider along axis 1, where the block of 7 only spanned the old axis (it is no
        // multiple of 4 or 3): refused.
        #expect(throws: CubeError.self) { try stage.tasks(shape: [12, 9]) }
        #expect(throws: CubeError.self) { try stage.tasks(shape: [12]) }
    }

    @Test func chunkCoordinateRangesListInCOrder() {
        let range = ChunkCoordinateRange(lower: [1, 5], counts: [2, 3])
        #expect(Array(range) == [[1, 5], [1, 6], [1, 7], [2, 5], [2, 6], [2, 7]])
        #expect(range.contains([2, 7]) && !range.contains([3, 5]) && !range.contains([1]))
        #expect(range.description == "[1..<3, 5..<8]")
        #expect(Array(ChunkCoordinateRange(lower: [], counts: [])) == [[]])
    }

    @Test func planningIsDeterministic() throws {
        let request = RechunkRequest(shape: [2920, 181, 360], itemSize: 4, sourceChunks: [1, 181, 360],
                                     targetChunks: [2920, 10, 10], memoryBudget: 64 << 20, jobs: 3)
        #expect(try RechunkPlanner.plan(request) == RechunkPlanner.plan(request))
    }
}

extension PlannerImprovementTests {
    @Test func tasksOfAnImpossibleShapeAreRefused() throws {
        let request = RechunkRequest(shape: [12, 7], itemSize: 4, sourceChunks: [1, 7], targetChunks: [4, 7], memoryBudget: 1 << 20)
        let stage = try RechunkPlanner.plan(request).stages[0]
        #expect(throws: CubeError.self) { try stage.tasks(shape: [Int.max, 7]) }
        #expect(throws: CubeError.self) { try stage.tasks(shape: [-4, 7]) }
    }
}
