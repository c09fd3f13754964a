/// One unit of work of a stage: read one block of the input, write the output chunks it
/// covers.
///
/// The block is a whole number of input chunks and a whole number of output chunks (edge
/// chunks clipped by the array), so the task reads each of its input chunks once, writes
/// each of its output chunks completely (no read-modify-write), and no other task of the
/// stage touches any of them. Tasks are therefore idempotent and independent: they can run
/// in any order, in parallel, on different machines, and be redone after a crash.
public struct RechunkTask: Sendable, Hashable {
    /// Position of the task in its stage's task list.
    public var index: Int
    /// The block this task reads, in array coordinates (clipped to the array).
    public var readRegion: Region
    /// Grid coordinates of the input chunks the block consists of.
    public var inputChunks: ChunkCoordinateRange
    /// Grid coordinates of the output chunks this task writes, each one completely.
    public var writeChunks: ChunkCoordinateRange

    /// Creates a task.
    public init(index: Int, readRegion: Region, inputChunks: ChunkCoordinateRange, writeChunks: ChunkCoordinateRange) {
        self.index = index
        self.readRegion = readRegion
        self.inputChunks = inputChunks
        self.writeChunks = writeChunks
    }
}
