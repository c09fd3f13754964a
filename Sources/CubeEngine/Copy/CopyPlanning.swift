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
