import CubeCore
import CubeZarr

/// A rechunk job as text or JSON, for `--dry-run`.
public enum RechunkReport {
    /// One block per array: its chunks before and after and its plan.
    public static func text(_ job: RechunkJob) -> String {
        var lines = ["\(job.options.source) → \(job.options.output) (Zarr \(job.format), plan \(job.fingerprint))"]
        for array in job.arrays {
            lines.append("")
            lines.append("/\(array.path) \(array.rechunked ? "rechunked" : "copied"):")
            lines += array.plan.description.split(separator: "\n").map { "  " + $0 }
        }
        let peak = job.arrays.map(\.plan.peakBytes).max() ?? 0
        lines.append("")
        let used = job.memoryBudget < job.options.memoryBudget
            ? "\(ByteCount.format(job.memoryBudget)) planned (of --max-mem \(ByteCount.format(job.options.memoryBudget)): more would save under a tenth of the store operations)"
            : ByteCount.format(job.memoryBudget)
        lines.append("peak memory of tasks: \(ByteCount.format(peak)) of \(used)")
        return lines.joined(separator: "\n")
    }

    /// The job as JSON: `{schema, source, output, zarr_format, fingerprint, memory_budget
    /// (--max-mem), planned_memory (what the plans use), arrays: [{path,
    /// rechunked, shape, item_size, source_chunks, target_chunks, stages: [{input, output,
    /// read_chunks, write_chunks, tasks, chunks_read, chunks_written, bytes_read,
    /// bytes_written, task_bytes, concurrency, peak_bytes}], notes}]}`.
    public static func json(_ job: RechunkJob) -> JSON {
        let arrays: [JSON] = job.arrays.map { array in
            let plan = array.plan
            return [
                "path": .string(array.path), "rechunked": .bool(array.rechunked), "shape": JSON(plan.shape),
                "item_size": JSON(plan.itemSize), "source_chunks": JSON(plan.sourceChunks), "target_chunks": JSON(plan.targetChunks),
                "stages": .array(plan.stages.map { stage in
                    ["input": .string("\(stage.input)"), "output": .string("\(stage.output)"),
                     "read_chunks": JSON(stage.readChunks), "write_chunks": JSON(stage.writeChunks),
                     "tasks": JSON(stage.taskCount), "chunks_read": JSON(stage.chunksRead),
                     "chunks_written": JSON(stage.chunksWritten), "bytes_read": JSON(stage.bytesRead),
                     "bytes_written": JSON(stage.bytesWritten), "task_bytes": JSON(stage.perTaskBytes),
                     "concurrency": JSON(stage.concurrency), "peak_bytes": JSON(stage.peakBytes)]
                }),
                "notes": .array(plan.notes.map(JSON.string)),
            ]
        }
        return ["schema": 1, "source": .string(job.options.source), "output": .string(job.options.output),
                "zarr_format": JSON(job.format.rawValue), "fingerprint": .string(job.fingerprint),
                "memory_budget": JSON(job.options.memoryBudget), "planned_memory": JSON(job.memoryBudget),
                "arrays": .array(arrays)]
    }
}
