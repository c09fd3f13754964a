extension RechunkPlanner {
    /// The number of pieces a single-stage copy splits an array into: pairs of a read chunk
    /// and a write chunk that share at least one element (rechunker's
    /// `calculate_single_stage_io_ops`).
    ///
    /// A copy that moved each piece separately would do this many reads and writes. The
    /// planner's executor instead reads whole blocks and writes whole chunks, so it reports
    /// store operations (chunks read plus chunks written); this count is the number of
    /// in-memory region copies inside its tasks. Lengths below 1 count as 1.
    public static func singleStageIOOperations(shape: [Int], readChunks: [Int], writeChunks: [Int]) -> Int {
        var total = 1
        for axis in shape.indices {
            total = PlanMath.multiply(total, intersectionCount(length: shape[axis],
                                                               readChunk: readChunks[axis],
                                                               writeChunk: writeChunks[axis]))
        }
        return total
    }

    /// Along one axis of `length` elements, the number of pieces cut by the boundaries of
    /// both chunkings: `⌈n/r⌉ + ⌈n/w⌉ − ⌈n/lcm(r, w)⌉`.
    ///
    /// Each chunking puts a boundary at every multiple of its length inside the axis; pieces
    /// are one more than the distinct boundaries, and boundaries at common multiples count
    /// once. For 20 elements in chunks of 5 and 7: 4 + 3 − 1 = 6.
    public static func intersectionCount(length: Int, readChunk: Int, writeChunk: Int) -> Int {
        guard length > 0 else { return 0 }
        let r = max(1, readChunk)
        let w = max(1, writeChunk)
        return PlanMath.ceilDiv(length, r) + PlanMath.ceilDiv(length, w) - PlanMath.ceilDiv(length, PlanMath.lcm(r, w))
    }
}
