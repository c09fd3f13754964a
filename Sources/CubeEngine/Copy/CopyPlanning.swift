import CubeCodecs
import CubeCore
import CubeZarr

/// Plans how one array's data moves from its source chunks to the target's chunks.
public enum CopyPlanning {
    /// A rechunk plan from `source` to the grid of `target`, inside `memoryBudget` for `jobs` workers.
    /// Sources stored without chunks are read in target-chunk-aligned blocks.
    public static func plan(source: any ArraySource, target: ArrayMetadata, memoryBudget: Int, jobs: Int) throws -> RechunkPlan {
        let shape = source.shape
        let itemSize = source.dataType.isVariableLength ? stringItemEstimate : source.dataType.itemSize
        let sourceChunks = source.chunkShape.map { zip($0, shape).map { max(1, min($0, max($1, 1))) } } ?? target.chunkShape
        let request = RechunkRequest(
            shape: shape, itemSize: itemSize, sourceChunks: sourceChunks, targetChunks: target.chunkShape,
            memoryBudget: memoryBudget, jobs: jobs, sourceCodec: .default, intermediateCodec: .blosc,
            targetCodec: cost(of: target))
        return try CubeError.annotating(source.path) { try RechunkPlanner.plan(request) }
    }

    /// The least memory, halving from `budget`, whose plans (`plan(memory)` for every array)
    /// still pay for all of it: no array's plan takes more stages (passes over its data) and
    /// all of them together at most ``leanStoreOperationsMargin`` more store operations than
    /// at `budget`. Returns that memory and its plans (the plans at `budget` when halving
    /// costs more, or a plan does not fit).
    ///
    /// A budget is a ceiling, not a target: past the point where larger blocks stop saving
    /// reads and writes, memory only costs (its first touch, which on a virtual machine whose
    /// host takes free memory back is a host fault per page; and what else the machine could
    /// cache). The measurements are in `benchmarks/README.md`.
    public static func leanest(budget: Int, plan: (_ memory: Int) throws -> [RechunkPlan]) throws -> (memory: Int, plans: [RechunkPlan]) {
        func operations(_ plans: [RechunkPlan]) -> Int {
            plans.reduce(0) { total, plan in
                let (sum, overflow) = total.addingReportingOverflow(plan.storeOperations)
                return overflow ? .max : sum
            }
        }
        let full = try plan(budget)
        let stages = full.map(\.stages.count)
        let fullOperations = operations(full)
        let allowed = fullOperations.addingReportingOverflow(fullOperations / leanStoreOperationsMargin)
        let limit = allowed.overflow ? Int.max : allowed.partialValue
        var best = (memory: budget, plans: full)
        var memory = budget / 2
        while memory >= minimumLeanBudget, let plans = try? plan(memory),
              zip(plans, stages).allSatisfy({ $0.stages.count <= $1 }),
              operations(plans) <= limit {
            best = (memory, plans)
            memory /= 2
        }
        return best
    }

    /// ``leanest(budget:plan:)`` accepts up to one in this many more store operations.
    public static let leanStoreOperationsMargin = 10

    /// ``leanest(budget:plan:)`` does not go below this.
    public static let minimumLeanBudget = 1 << 20

    /// Bytes assumed per variable-length string when budgeting memory.
    public static let stringItemEstimate = 64

    /// The memory a target's codecs need per chunk: a bound on the encoded size and, for
    /// compressors, a compression context.
    static func cost(of metadata: ArrayMetadata) -> CodecCost {
        let compressed = metadata.format == .v2 ? !metadata.compressor.isNull
            : metadata.codecs.contains { ["zstd", "blosc", "gzip", "sharding_indexed"].contains($0["name"]?.stringValue ?? "") }
        return compressed ? CodecCost(scratchBytes: compressionScratch) : .uncompressed
    }

    /// Working memory of one compression context (zstd at default levels stays below this).
    public static let compressionScratch = 2 << 20
}
