extension RechunkStage: CustomStringConvertible {
    /// One line: stores and chunk shapes, tasks and blocks, chunks and bytes moved, memory.
    ///
    /// `stage 1: source 1×181×360 → intermediate 1 180×30×360, 17 tasks of 180×181×360;
    /// reads 2920 chunks (727MiB), writes 119 chunks (…); 45MiB per task, 2 at once, peak 90MiB`
    public var description: String {
        "stage \(index + 1): \(input) \(RechunkPlanner.describe(inputChunks)) → \(output) \(RechunkPlanner.describe(writeChunks))"
            + ", \(taskCount) task\(taskCount == 1 ? "" : "s") of \(RechunkPlanner.describe(readChunks))"
            + "; reads \(chunksRead) chunk\(chunksRead == 1 ? "" : "s") (\(ByteCount.format(bytesRead)))"
            + ", writes \(chunksWritten) chunk\(chunksWritten == 1 ? "" : "s") (\(ByteCount.format(bytesWritten)))"
            + "; \(ByteCount.format(perTaskBytes)) per task, \(concurrency) at once, peak \(ByteCount.format(peakBytes))"
    }
}

extension RechunkPlan: CustomStringConvertible {
    /// A few lines for `--dry-run`: the request, one line per stage, totals and notes.
    public var description: String {
        let arrayBytes = PlanMath.bytes(shape, itemSize: itemSize)
        let kind = isDirect ? "direct copy" : "\(stages.count) stages, \(intermediateCount) intermediate\(intermediateCount == 1 ? "" : "s")"
        var lines = [
            "rechunk \(RechunkPlanner.describe(shape)) of \(itemSize)-byte items (\(ByteCount.format(arrayBytes))) from chunks \(RechunkPlanner.describe(sourceChunks)) to \(RechunkPlanner.describe(targetChunks))",
            "budget \(ByteCount.format(memoryBudget)), \(jobs) job\(jobs == 1 ? "" : "s"): \(kind)",
        ]
        lines += stages.map { "  \($0)" }
        lines.append("  total: \(taskCount) tasks, \(storeOperations) store operations, read \(ByteCount.format(bytesRead)), wrote \(ByteCount.format(bytesWritten)), peak \(ByteCount.format(peakBytes))")
        lines += notes.map { "  note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
