import CubeCore
import CubeEngine
import CubeZarr
import Testing

@Suite struct CopyPlanningTests {
    /// A map-chunked float32 array rechunked to time series, planned at `memory`.
    static func plan(_ memory: Int, shape: [Int] = [512, 96, 96]) throws -> RechunkPlan {
        let source = SyntheticSource(shape: shape, chunkShape: [1, shape[1], shape[2]])
        var metadata = ArrayMetadata(format: .v3, shape: shape, chunkShape: [shape[0], 4, 4], dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: ["time", "lat", "lon"])
        try CodecSpec.zstd(level: 0).apply(to: &metadata)
        return try CopyPlanning.plan(source: source, target: metadata, memoryBudget: memory, jobs: 2)
    }

    static func operations(_ plans: [RechunkPlan]) -> Int { plans.reduce(0) { $0 + $1.storeOperations } }

    /// Far more memory than the plan can use is not all taken: the plans come from the least
    /// memory (halving) that keeps the stages and nearly all the savings in store operations.
    @Test func plansUseLessMemoryWhenMoreBarelyHelps() throws {
        let budget = 1 << 30
        let full = try Self.plan(budget)
        let lean = try CopyPlanning.leanest(budget: budget) { memory in [try Self.plan(memory)] }
        #expect(lean.memory < budget / 4)
        #expect(lean.plans.count == 1)
        let plan = try #require(lean.plans.first)
        #expect(plan.memoryBudget == lean.memory)
        #expect(plan.peakBytes <= lean.memory)
        #expect(plan.stages.count <= full.stages.count)
        #expect(Self.operations(lean.plans) * 10 <= Self.operations([full]) * 11)
        // Half as much again would have cost stages or more than a tenth more operations.
        if let smaller = try? Self.plan(lean.memory / 2) {
            #expect(smaller.stages.count > full.stages.count
                    || Self.operations([smaller]) * 10 > Self.operations([full]) * 11)
        }
    }

    /// A budget every byte of which saves store operations is used whole.
    @Test func aTightBudgetIsUsedWhole() throws {
        let budget = 3 << 20
        let full = try Self.plan(budget)
        let half = try? Self.plan(budget / 2)
        #expect(half.map { $0.stages.count > full.stages.count || Self.operations([$0]) * 10 > Self.operations([full]) * 11 } ?? true,
                "the test needs a budget whose half costs more")
        let lean = try CopyPlanning.leanest(budget: budget) { memory in [try Self.plan(memory)] }
        #expect(lean.memory == budget)
        #expect(lean.plans.first?.stages == full.stages)
    }

    /// One array that needs its memory keeps the whole budget for all of them.
    @Test func everyArrayMustKeepItsStages() throws {
        let budget = 3 << 20
        let lean = try CopyPlanning.leanest(budget: budget) { memory in
            [try Self.plan(memory, shape: [64, 8, 8]), try Self.plan(memory)]
        }
        #expect(lean.memory == budget)
    }
}
