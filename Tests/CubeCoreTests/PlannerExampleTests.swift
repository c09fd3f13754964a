import Testing
@testable import CubeCore

/// Realistic plans, printed for `swift test --filter PlannerExample` and checked for shape.
@Suite struct PlannerExampleTests {
    /// Eight years of 3-hourly 0.5° float32 maps (726MiB), map-chunked, to time series.
    static func reanalysis(budget: Int, jobs: Int = 2) -> RechunkRequest {
        RechunkRequest(shape: [2920, 181, 360], itemSize: 4, sourceChunks: [1, 181, 360],
                       targetChunks: [2920, 10, 10], memoryBudget: budget, jobs: jobs)
    }

    @Test func reanalysisAt256MiBUsesOneIntermediate() throws {
        let plan = try RechunkPlanner.plan(Self.reanalysis(budget: 256 << 20))
        print(plan)
        #expect(plan.stages.count == 2)
        #expect(plan.stages.allSatisfy { $0.concurrency == 2 })
        #expect(plan.peakBytes <= 256 << 20)
        #expect(plan.notes.isEmpty)
        // Each source map read once, each target chunk written once, few large intermediates.
        #expect(plan.stages[0].chunksRead == 2920 && plan.stages[1].chunksWritten == 684)
        #expect(plan.storeOperations <= 2920 + 684 + 2 * 100)
    }

    @Test func reanalysisAt32MiBNeedsMoreStages() throws {
        let plan = try RechunkPlanner.plan(Self.reanalysis(budget: 32 << 20))
        print(plan)
        #expect(plan.stages.count >= 2 && plan.stages.count <= 4)
        #expect(plan.stages.allSatisfy { $0.concurrency == 2 })
        #expect(plan.peakBytes <= 32 << 20)
    }

    @Test func reanalysisAt1GiBIsADirectCopy() throws {
        let plan = try RechunkPlanner.plan(Self.reanalysis(budget: 1 << 30))
        print(plan)
        #expect(plan.isDirect)
        #expect(plan.storeOperations == 2920 + 684)
        #expect(plan.peakBytes <= 1 << 30)
    }

    @Test func transposingAMillionByAMillionPointsNeedsSeveralStages() throws {
        // Rechunker's motivating case: (1000000, 1) chunks to (1, 1000000) ones, 8-byte items.
        let request = RechunkRequest(shape: [1_000_000, 1_000_000], itemSize: 8, sourceChunks: [1_000_000, 1],
                                     targetChunks: [1, 1_000_000], memoryBudget: 256 << 20, jobs: 4,
                                     sourceCodec: .zstd, intermediateCodec: .blosc, targetCodec: .zstd)
        let plan = try RechunkPlanner.plan(request)
        print(plan)
        #expect(plan.stages.count >= 3)
        #expect(plan.peakBytes <= 256 << 20)
    }

    @Test func convertingToTheSameChunksHoldsOneChunkPerTask() throws {
        let request = RechunkRequest(shape: [8760, 721, 1440], itemSize: 4, sourceChunks: [24, 721, 1440],
                                     targetChunks: [24, 721, 1440], memoryBudget: 2 << 30, jobs: 8,
                                     sourceCodec: .zstd, targetCodec: .zstd)
        let plan = try RechunkPlanner.plan(request)
        print(plan)
        #expect(plan.isDirect)
        let stage = plan.stages[0]
        #expect(stage.readChunks == [24, 721, 1440])
        // Decoded in place, encoded from the block: one chunk and two encodings per task.
        #expect(stage.taskMemory.decodedInputChunk == 0 && stage.taskMemory.decodedOutputChunk == 0)
        #expect(stage.concurrency == 7)
    }
}
