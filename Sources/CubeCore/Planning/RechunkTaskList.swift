/// The tasks of one stage, computed on demand: a random-access list, so an executor can
/// stream it, skip tasks a journal marks done, or hand index ranges to other processes.
///
/// Tasks tile the array with the stage's read block in C order of block coordinates.
public struct RechunkTaskList: RandomAccessCollection, Sendable, Hashable {
    /// The array's shape.
    public let shape: [Int]
    /// Chunk shape of the store the stage reads.
    public let inputChunks: [Int]
    /// The block one task reads.
    public let readChunks: [Int]
    /// Chunk shape of the store the stage writes.
    public let writeChunks: [Int]
    /// Number of blocks along each axis.
    public let blockCounts: [Int]

    /// Creates the list of blocks of `readChunks` over `shape`.
    init(shape: [Int], inputChunks: [Int], readChunks: [Int], writeChunks: [Int]) {
        self.shape = shape
        self.inputChunks = inputChunks
        self.readChunks = readChunks
        self.writeChunks = writeChunks
        self.blockCounts = zip(shape, readChunks).map { PlanMath.ceilDiv($0, $1) }
    }

    /// Position of the first task.
    public var startIndex: Int { 0 }
    /// One past the position of the last task (0 for an empty array).
    public var endIndex: Int { ShapeMath.product(blockCounts) }

    /// The task at `position`.
    public subscript(position: Int) -> RechunkTask {
        let rank = shape.count
        var start = [Int](repeating: 0, count: rank)
        var count = [Int](repeating: 0, count: rank)
        var inputLower = [Int](repeating: 0, count: rank)
        var inputCounts = [Int](repeating: 0, count: rank)
        var writeLower = [Int](repeating: 0, count: rank)
        var writeCounts = [Int](repeating: 0, count: rank)
        var rest = position
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            let block = rest % blockCounts[axis]
            rest /= blockCounts[axis]
            start[axis] = block * readChunks[axis]
            count[axis] = Swift.min(readChunks[axis], shape[axis] - start[axis])
            let end = start[axis] + count[axis]
            inputLower[axis] = start[axis] / inputChunks[axis]
            inputCounts[axis] = PlanMath.ceilDiv(end, inputChunks[axis]) - inputLower[axis]
            writeLower[axis] = start[axis] / writeChunks[axis]
            writeCounts[axis] = PlanMath.ceilDiv(end, writeChunks[axis]) - writeLower[axis]
        }
        return RechunkTask(index: position,
                           readRegion: Region(start: start, count: count),
                           inputChunks: ChunkCoordinateRange(lower: inputLower, counts: inputCounts),
                           writeChunks: ChunkCoordinateRange(lower: writeLower, counts: writeCounts))
    }
}
