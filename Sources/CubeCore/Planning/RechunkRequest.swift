/// Everything the rechunk planner needs to know: the array, its current and wanted chunks,
/// the memory the whole process may hold, and what codecs cost.
public struct RechunkRequest: Sendable {
    /// The array's shape.
    public var shape: [Int]
    /// Bytes per element.
    public var itemSize: Int
    /// Chunk shape of the source (its natural read unit).
    public var sourceChunks: [Int]
    /// Chunk shape the target must have.
    public var targetChunks: [Int]
    /// Bytes the whole process may hold in task buffers at once (all jobs together).
    public var memoryBudget: Int
    /// Number of tasks the executor runs at once, at most.
    public var jobs: Int
    /// Memory cost of decoding source chunks.
    public var sourceCodec: CodecCost
    /// Memory cost of encoding and decoding intermediate chunks (a fast codec, ideally).
    public var intermediateCodec: CodecCost
    /// Memory cost of encoding target chunks.
    public var targetCodec: CodecCost
    /// The smallest intermediate chunk the planner aims for, in bytes: smaller objects cost
    /// more per byte (request latency, metadata, file-system overhead) than they carry.
    ///
    /// A preference, not a rule: when no plan meets it, the best plan that does not is used
    /// and ``RechunkPlan/notes`` says so.
    public var minIntermediateChunkBytes: Int
    /// The most passes over the data (stages) a plan may use, the final write included;
    /// `1` allows only a direct copy.
    public var maxStages: Int

    /// The default ``minIntermediateChunkBytes``: 1 MiB, about where reading an object from
    /// a cloud store stops being dominated by request latency and a file-system object by
    /// per-file overhead (rechunker calls this `min_mem`).
    public static let defaultMinIntermediateChunkBytes = 1 << 20

    /// The default ``maxStages``: source, up to three intermediates, target.
    public static let defaultMaxStages = 4

    /// Creates a request; ``RechunkPlanner/plan(_:)`` validates it.
    public init(shape: [Int], itemSize: Int, sourceChunks: [Int], targetChunks: [Int],
                memoryBudget: Int, jobs: Int = 1,
                sourceCodec: CodecCost = .default, intermediateCodec: CodecCost = .default,
                targetCodec: CodecCost = .default,
                minIntermediateChunkBytes: Int = RechunkRequest.defaultMinIntermediateChunkBytes,
                maxStages: Int = RechunkRequest.defaultMaxStages) {
        self.shape = shape
        self.itemSize = itemSize
        self.sourceChunks = sourceChunks
        self.targetChunks = targetChunks
        self.memoryBudget = memoryBudget
        self.jobs = jobs
        self.sourceCodec = sourceCodec
        self.intermediateCodec = intermediateCodec
        self.targetCodec = targetCodec
        self.minIntermediateChunkBytes = minIntermediateChunkBytes
        self.maxStages = maxStages
    }

    /// Checks ranks, signs and sizes, throwing ``CubeError/Kind/invalidArgument`` with the
    /// offending value.
    public func validate() throws {
        guard sourceChunks.count == shape.count else {
            throw CubeError(.invalidArgument, "source chunks \(sourceChunks) do not match the rank of shape \(shape)")
        }
        guard targetChunks.count == shape.count else {
            throw CubeError(.invalidArgument, "target chunks \(targetChunks) do not match the rank of shape \(shape)")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw CubeError(.invalidArgument, "shape \(shape) has a negative length")
        }
        guard sourceChunks.allSatisfy({ $0 >= 1 }) else {
            throw CubeError(.invalidArgument, "source chunks \(sourceChunks) must all be at least 1")
        }
        guard targetChunks.allSatisfy({ $0 >= 1 }) else {
            throw CubeError(.invalidArgument, "target chunks \(targetChunks) must all be at least 1")
        }
        guard itemSize >= 1 else {
            throw CubeError(.invalidArgument, "item size \(itemSize) must be at least 1 byte")
        }
        guard memoryBudget >= 1 else {
            throw CubeError(.invalidArgument, "memory budget \(memoryBudget) must be positive")
        }
        guard jobs >= 1 else {
            throw CubeError(.invalidArgument, "jobs \(jobs) must be at least 1")
        }
        guard maxStages >= 1 else {
            throw CubeError(.invalidArgument, "max stages \(maxStages) must be at least 1")
        }
        guard minIntermediateChunkBytes >= 0 else {
            throw CubeError(.invalidArgument, "minimum intermediate chunk size \(minIntermediateChunkBytes) must not be negative")
        }
        guard sourceCodec.scratchBytes >= 0, intermediateCodec.scratchBytes >= 0, targetCodec.scratchBytes >= 0 else {
            throw CubeError(.invalidArgument, "codec scratch sizes must not be negative")
        }
        for (name, extent) in [("array", shape), ("source chunk", sourceChunks), ("target chunk", targetChunks)]
        where PlanMath.bytes(extent, itemSize: itemSize) == Int.max {
            throw CubeError(.invalidArgument, "\(name) shape \(extent) of \(itemSize)-byte items has more bytes than fit in 64 bits")
        }
    }
}
