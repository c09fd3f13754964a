extension RechunkPlanner {
    /// Chunk shapes between `readChunks` and `writeChunks` for a copy in `stageCount` steps:
    /// the `stageCount − 1` interior points of a geometric progression along each axis,
    /// rounded down (rechunker's `calculate_stage_chunks`).
    ///
    /// Point `j` of `m` along an axis is `⌊(r^(m−j) · w^j)^(1/m)⌋`, computed exactly in
    /// integers. Growing one axis and shrinking another by the same factor per step keeps
    /// the chunk volume about constant, so memory stays flat while each step splits and
    /// merges by the smallest factor. `(1000000, 1)` to `(1, 1000000)` in 2 steps passes
    /// through `(1000, 1000)`.
    public static func stageChunks(from readChunks: [Int], to writeChunks: [Int], stageCount: Int) -> [[Int]] {
        guard stageCount >= 2 else { return [] }
        return (1..<stageCount).map { step in
            zip(readChunks, writeChunks).map { r, w in
                PlanMath.geometricPoint(max(1, r), max(1, w), step: step, of: stageCount)
            }
        }
    }
}
