/// One pass over the data: every task reads a block of the input store and writes the
/// output chunks that block covers.
///
/// Invariants (checked exhaustively by the planner's tests):
/// - ``readChunks`` is, along each axis, a multiple of both the input and the output chunk
///   length, or the whole axis; so blocks tile the array, each input chunk is read by exactly
///   one task (decoded once), and each output chunk is written whole by exactly one task.
/// - ``perTaskBytes`` fits the memory budget, and ``peakBytes`` never exceeds it.
public struct RechunkStage: Sendable, Hashable {
    /// Position of the stage in the plan, from 0.
    public var index: Int
    /// The store this stage reads.
    public var input: RechunkStore
    /// The store this stage writes.
    public var output: RechunkStore
    /// The array's shape.
    public var shape: [Int]
    /// Bytes per element.
    public var itemSize: Int
    /// Chunk shape of the store read.
    public var inputChunks: [Int]
    /// The block one task reads (clipped to the array): a whole number of input chunks,
    /// aligned to the input grid, and a whole number of output chunks.
    public var readChunks: [Int]
    /// Chunk shape of the store written: an intermediate's chunks, or the target's.
    public var writeChunks: [Int]
    /// Number of tasks (blocks).
    public var taskCount: Int
    /// Number of input chunks read (each exactly once).
    public var chunksRead: Int
    /// Number of output chunks written (objects created), each exactly once.
    public var chunksWritten: Int
    /// Decoded bytes of every chunk read (edge chunks at full size).
    public var bytesRead: Int
    /// Decoded bytes of every chunk written (edge chunks at full size).
    public var bytesWritten: Int
    /// What one task holds at its peak.
    public var taskMemory: TaskMemory
    /// How many tasks run at once: `min(jobs, budget / perTaskBytes, taskCount)`, at least 1
    /// when there is any task.
    public var concurrency: Int
    /// The most this stage holds at once: ``concurrency`` × ``perTaskBytes``.
    public var peakBytes: Int

    /// Creates a stage; the planner fills in every field consistently.
    public init(index: Int, input: RechunkStore, output: RechunkStore, shape: [Int], itemSize: Int,
                inputChunks: [Int], readChunks: [Int], writeChunks: [Int], taskCount: Int,
                chunksRead: Int, chunksWritten: Int, bytesRead: Int, bytesWritten: Int,
                taskMemory: TaskMemory, concurrency: Int, peakBytes: Int) {
        self.index = index
        self.input = input
        self.output = output
        self.shape = shape
        self.itemSize = itemSize
        self.inputChunks = inputChunks
        self.readChunks = readChunks
        self.writeChunks = writeChunks
        self.taskCount = taskCount
        self.chunksRead = chunksRead
        self.chunksWritten = chunksWritten
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.taskMemory = taskMemory
        self.concurrency = concurrency
        self.peakBytes = peakBytes
    }

    /// Bytes one task holds at its peak; the executor acquires this much per task.
    public var perTaskBytes: Int { taskMemory.total }

    /// Whether this stage copies the source straight into the target.
    public var isDirect: Bool { input == .source && output == .target }

    /// Store operations: chunks read plus chunks written.
    public var storeOperations: Int { PlanMath.add(chunksRead, chunksWritten) }

    /// The stage's tasks over its own array, computed lazily.
    public func tasks() -> RechunkTaskList {
        RechunkTaskList(shape: shape, inputChunks: inputChunks, readChunks: readChunks, writeChunks: writeChunks)
    }

    /// The stage's tasks over an array of `shape` chunked like this stage's (a sibling
    /// variable, say), computed lazily.
    ///
    /// Throws ``CubeError/Kind/invalidArgument`` if the rank differs, the shape is negative or
    /// too large, or if along an axis
    /// whose length differs the read block is not a whole number of input and output chunks
    /// (a block that only covered the old axis whole would split chunks of the new one).
    public func tasks(shape: [Int]) throws -> RechunkTaskList {
        guard shape.count == self.shape.count else {
            throw CubeError(.invalidArgument, "shape \(shape) does not match the rank of the planned shape \(self.shape)")
        }
        guard shape.allSatisfy({ $0 >= 0 }), PlanMath.product(shape) < Int.max else {
            throw CubeError(.invalidArgument, "shape \(shape) has a negative length or more elements than fit in 64 bits")
        }
        for axis in shape.indices where shape[axis] != self.shape[axis] {
            guard readChunks[axis] % inputChunks[axis] == 0, readChunks[axis] % writeChunks[axis] == 0 else {
                throw CubeError(.invalidArgument,
                                "the stage \(index + 1) read block \(readChunks) was planned for shape \(self.shape) and does not fit shape \(shape) along axis \(axis)")
            }
        }
        return RechunkTaskList(shape: shape, inputChunks: inputChunks, readChunks: readChunks, writeChunks: writeChunks)
    }
}
