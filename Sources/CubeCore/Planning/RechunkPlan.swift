/// How to rechunk one array within a memory budget: one or more stages, each a full pass
/// from one store to the next, the last one writing the target chunks.
///
/// Plain data: the CLI prints it as text (``description``) or maps its fields to JSON, and
/// an executor runs ``stages`` in order, each stage's ``RechunkStage/tasks()`` in any order.
/// Intermediate chunks are each read by exactly one task of the next stage, so an executor
/// may delete them as soon as that task has written its output.
public struct RechunkPlan: Sendable, Hashable {
    /// The array's shape.
    public var shape: [Int]
    /// Bytes per element.
    public var itemSize: Int
    /// Chunk shape of the source.
    public var sourceChunks: [Int]
    /// Chunk shape of the target.
    public var targetChunks: [Int]
    /// The memory budget of the whole process, in bytes.
    public var memoryBudget: Int
    /// Tasks the executor may run at once.
    public var jobs: Int
    /// The passes, in execution order; the first reads the source, the last writes the target.
    public var stages: [RechunkStage]
    /// Things the user may want to know: reduced concurrency, intermediates smaller than
    /// wished, and what budget would avoid them.
    public var notes: [String]

    /// Creates a plan from its stages.
    public init(shape: [Int], itemSize: Int, sourceChunks: [Int], targetChunks: [Int], memoryBudget: Int,
                jobs: Int, stages: [RechunkStage], notes: [String] = []) {
        self.shape = shape
        self.itemSize = itemSize
        self.sourceChunks = sourceChunks
        self.targetChunks = targetChunks
        self.memoryBudget = memoryBudget
        self.jobs = jobs
        self.stages = stages
        self.notes = notes
    }

    /// Whether the plan copies the source straight into the target, without intermediates.
    public var isDirect: Bool { stages.count == 1 }

    /// Number of intermediate stores.
    public var intermediateCount: Int { max(0, stages.count - 1) }

    /// Chunk shapes of the intermediate stores, in the order they are written.
    public var intermediateChunks: [[Int]] { stages.dropLast().map(\.writeChunks) }

    /// Tasks over all stages.
    public var taskCount: Int { stages.map(\.taskCount).reduce(0, PlanMath.add) }

    /// Chunks read over all stages.
    public var chunksRead: Int { stages.map(\.chunksRead).reduce(0, PlanMath.add) }

    /// Chunks written (objects created) over all stages, intermediates included.
    public var chunksWritten: Int { stages.map(\.chunksWritten).reduce(0, PlanMath.add) }

    /// Store operations over all stages: chunks read plus chunks written. The planner
    /// minimizes this.
    public var storeOperations: Int { PlanMath.add(chunksRead, chunksWritten) }

    /// Decoded bytes read over all stages.
    public var bytesRead: Int { stages.map(\.bytesRead).reduce(0, PlanMath.add) }

    /// Decoded bytes written over all stages.
    public var bytesWritten: Int { stages.map(\.bytesWritten).reduce(0, PlanMath.add) }

    /// Bytes moved: read plus written. The planner's tie-break after store operations.
    public var bytesMoved: Int { PlanMath.add(bytesRead, bytesWritten) }

    /// The most memory any stage holds at once; never above ``memoryBudget``.
    public var peakBytes: Int { stages.map(\.peakBytes).max() ?? 0 }
}
