import CubeCore
import CubeZarr
import Foundation

/// One array to copy through a rechunk plan into a target array.
public struct ArrayCopyJob: Sendable {
    /// Where the data comes from.
    public var source: any ArraySource
    /// The array to fill (already created).
    public var target: ZarrArray
    /// How the data gets there.
    public var plan: RechunkPlan

    /// Creates a job.
    public init(source: any ArraySource, target: ZarrArray, plan: RechunkPlan) {
        self.source = source
        self.target = target
        self.plan = plan
    }
}

/// Runs copy jobs through their plans: a job's stages in order, each once the one before
/// it has finished, while the executor runs other jobs' stages beside it. Each task reads
/// one block, then encodes and writes each output chunk it covers whole, then deletes the
/// intermediate chunks it read; what is left of an intermediate is deleted once the stage
/// reading it has finished. With a journal, finished tasks and stages are recorded and
/// skipped when the run is resumed.
public enum StagedCopy {
    /// Copies every job; returns the decoded bytes moved.
    @discardableResult
    public static func run(_ jobs: [ArrayCopyJob], executor: Executor, intermediates: IntermediateStores?,
                           journal: Journal? = nil, progress: (any ProgressSink)? = nil) throws -> Int {
        let total = jobs.reduce(0) { total, job in
            total + job.plan.stages.count * ShapeMath.product(job.target.shape) * job.target.metadata.dataType.itemSize
        }
        progress?.start(totalBytes: total)
        defer { progress?.finish() }
        var groups: [TaskGroup] = []
        for job in jobs {
            var previous: Int?
            for stage in job.plan.stages {
                let stageKey = stageEntry(stage.index, of: job.target.path)
                if journal?.contains(stageKey) == true { continue }
                let tasks = try copyTasks(job, stage: stage, intermediates: intermediates, journal: journal)
                let path = job.target.path
                groups.append(TaskGroup(tasks, after: previous) {
                    try journal?.record(stageKey)
                    if case .intermediate(let consumed) = stage.input {
                        try intermediates?.remove(array: path, intermediate: consumed)
                    }
                })
                previous = groups.count - 1
            }
        }
        return try executor.run(groups, progress: progress.map { Advancing($0) })
    }

    /// The journal entry of a finished task.
    static func taskEntry(_ stage: Int, _ task: Int, of path: String) -> String { "task \(stage) \(path) \(task)" }

    /// The journal entry of a finished stage.
    static func stageEntry(_ stage: Int, of path: String) -> String { "stage-done \(stage) \(path)" }

    /// Before a resumed run: makes the journal forget the tasks whose output was lost, so
    /// they run again, and returns how many. An intermediate chunk that a task still to run
    /// needs may be gone although the task that wrote it is recorded (the scratch directory
    /// was deleted, or lived on a file system that a reboot emptied); that writer runs again,
    /// and since the chunks it read were deleted as it consumed them, so do their writers,
    /// back to the source. Tasks of a last stage wrote the target and stay done.
    @discardableResult
    public static func forgetLostWork(_ jobs: [ArrayCopyJob], intermediates: IntermediateStores, journal: Journal) throws -> Int {
        var lost: Set<String> = []
        for job in jobs { try lostWork(of: job, intermediates: intermediates, journal: journal, into: &lost) }
        try journal.forget(lost)
        return lost.filter { $0.hasPrefix("task ") }.count
    }

    /// Adds to `lost` the journal entries of `job` whose output is gone (see ``forgetLostWork(_:intermediates:journal:)``),
    /// going from the last stage to the first, so that work redone in a later stage asks for
    /// its own input again.
    static func lostWork(of job: ArrayCopyJob, intermediates: IntermediateStores, journal: Journal,
                         into lost: inout Set<String>) throws {
        let path = job.target.path
        let stages = job.plan.stages
        func recorded(_ entry: String) -> Bool { journal.contains(entry) && !lost.contains(entry) }
        for position in stages.indices.reversed() where position > 0 {
            let stage = stages[position], producer = stages[position - 1]
            guard case .intermediate(let number) = stage.input, !recorded(stageEntry(stage.index, of: path)) else { continue }
            let producers = try producer.tasks(shape: job.target.shape).filter { recorded(taskEntry(producer.index, $0.index, of: path)) }
            guard !producers.isEmpty else { continue }
            var needed: Set<[Int]> = []
            for task in try stage.tasks(shape: job.target.shape) where !recorded(taskEntry(stage.index, task.index, of: path)) {
                needed.formUnion(task.inputChunks)
            }
            guard !needed.isEmpty else { continue }
            let array = try intermediates.array(for: job, intermediate: number, chunks: stage.inputChunks)
            let missing = try needed.filter { try array.store.size(of: array.chunkKey($0)) == nil }
            guard !missing.isEmpty else { continue }
            let rewrites = producers.filter { $0.writeChunks.contains(where: missing.contains) }
            guard !rewrites.isEmpty else { continue }
            lost.formUnion(rewrites.map { taskEntry(producer.index, $0.index, of: path) })
            lost.insert(stageEntry(producer.index, of: path))
        }
    }

    /// The tasks of one stage of one job, skipping those the journal records as done.
    static func copyTasks(_ job: ArrayCopyJob, stage: RechunkStage, intermediates: IntermediateStores?,
                          journal: Journal?) throws -> [CopyTask] {
        let input: any ArraySource
        var intermediateInput: ZarrArray?
        switch stage.input {
        case .source: input = job.source
        case .intermediate(let index):
            guard let intermediates else {
                throw CubeError(.invalidArgument, "the plan needs an intermediate store", context: job.target.path)
            }
            let array = try intermediates.array(for: job, intermediate: index, chunks: stage.inputChunks)
            intermediateInput = array
            input = array
        case .target:
            throw CubeError(.invalidArgument, "a stage cannot read the target", context: job.target.path)
        }
        let output: ZarrArray
        switch stage.output {
        case .target: output = job.target
        case .intermediate(let index):
            guard let intermediates else {
                throw CubeError(.invalidArgument, "the plan needs an intermediate store", context: job.target.path)
            }
            output = try intermediates.array(for: job, intermediate: index, chunks: stage.writeChunks)
        case .source:
            throw CubeError(.invalidArgument, "a stage cannot write the source", context: job.target.path)
        }
        let itemSize = job.target.metadata.dataType.itemSize
        let path = job.target.path
        let memory = stage.taskMemory
        let checkedInput = intermediateInput
        return try stage.tasks(shape: job.target.shape).compactMap { task -> CopyTask? in
            let key = taskEntry(stage.index, task.index, of: path)
            if journal?.contains(key) == true { return nil }
            return CopyTask(bytes: stage.perTaskBytes, label: "\(path.isEmpty ? "/" : path) stage \(stage.index) \(task.readRegion)",
                            usingSpare: { spare in
                if let checkedInput {
                    // Intermediates hold every chunk: a missing one is lost data, never fill.
                    for coords in task.inputChunks where try checkedInput.store.size(of: checkedInput.chunkKey(coords)) == nil {
                        throw CubeError(.corrupt, "intermediate chunk \(coords) is missing; the scratch store was changed or removed while in use",
                                        context: checkedInput.location)
                    }
                }
                let block = try input.read(task.readRegion)
                let room = outputRoom(memory, spare: spare)
                let writer = room.writes > 0 ? WriteBehind(depth: room.writes) : nil
                do {
                    for group in neighbourGroups(Array(task.writeChunks), limit: room.group) {
                        try writeChunks(group, of: output, from: block, at: task.readRegion, writer: writer)
                    }
                } catch {
                    try? writer?.finish()
                    throw error
                }
                try writer?.finish()
                block.recycle()
                try journal?.record(key)
                if let checkedInput { try intermediates?.removeChunks(task.inputChunks, of: checkedInput) }
                return task.readRegion.elementCount * itemSize
            })
        }
    }

    /// Most writes a task keeps in flight: four keep the device busier than one; eight were
    /// no faster than four (see `benchmarks/README.md`).
    static let writeDepth = 4

    /// Most bytes of output chunks cut out of a block in one pass (one chunk at least): about
    /// what a core's cache holds, so that each chunk is still there when it is encoded.
    static let cutBytes = 1 << 20

    /// How a task holding `memory`, and given `spare` bytes beside it, produces its output
    /// chunks: how many neighbours it cuts out of the block in one pass (`group`), and how
    /// many encoded chunks it keeps being written while it goes on (`writes`; 0: it writes
    /// each before it goes on). Once the block is read, the memory its read side held is
    /// free. With the spare room, that pays for the writes in flight first, one chunk to cut
    /// always left room for, then for cutting up to ``cutBytes`` of chunks at once.
    static func outputRoom(_ memory: TaskMemory, spare: Int) -> (group: Int, writes: Int) {
        let free = memory.decodedInputChunk + memory.encodedInputChunk + max(0, spare)
        let decoded = memory.decodedOutputChunk, encoded = memory.encodedOutputChunk
        guard decoded > 0, encoded > 0 else { return (1, 0) }
        let writes = min(writeDepth, (free - decoded) / encoded)
        guard writes > 0 else { return (1, 0) }
        let group = min((free - writes * encoded) / decoded, cutBytes / decoded)
        return (max(1, group), writes)
    }

    /// `chunks` (in C order) cut into runs of at most `limit` neighbours along the last axis
    /// (same coordinates but the last, which counts up by one).
    static func neighbourGroups(_ chunks: [[Int]], limit: Int) -> [[[Int]]] {
        var groups: [[[Int]]] = []
        for coords in chunks {
            if let previous = groups.last?.last, groups[groups.count - 1].count < limit,
               let axis = coords.indices.last, coords[axis] == previous[axis] + 1,
               coords.dropLast() == previous.dropLast() {
                groups[groups.count - 1].append(coords)
            } else {
                groups.append([coords])
            }
        }
        return groups
    }

    /// Cuts the output chunks of `group` (neighbours along the last axis) out of `block` in
    /// one pass over its rows, pads edge chunks with the fill value, and writes them
    /// (through `writer` when there is one).
    static func writeChunks(_ group: [[Int]], of output: ZarrArray, from block: ArrayBuffer, at blockRegion: Region,
                            writer: WriteBehind?) throws {
        guard group.count > 1, case .fixed(let raw) = block.storage, let last = blockRegion.start.indices.last else {
            for coords in group { try writeChunk(coords, of: output, from: block, at: blockRegion, writer: writer) }
            return
        }
        let chunkShape = output.metadata.chunkShape
        let dataType = output.metadata.dataType
        let regions = group.map { output.grid.region(ofChunk: $0) }
        var count = regions[0].count
        count[last] = regions.reduce(0) { $0 + $1.count[last] }
        let start = zip(regions[0].start, blockRegion.start).map { $0 - $1 }
        let chunks = regions.map { ChunkSlot(emptyChunk(for: $0, of: output)) }
        ChunkSlot.withPointers(chunks) { pointers in
            raw.withUnsafeBytes { source in
                RegionCopy.copySplittingLastAxis(count: count, itemSize: dataType.itemSize, from: source, sourceShape: block.shape,
                                                 sourceStart: start, to: pointers, lengths: regions.map { $0.count[last] },
                                                 destinationShape: chunkShape)
            }
        }
        for (coords, slot) in zip(group, chunks) {
            guard let chunk = slot.take() else { continue }
            try store(chunk, at: coords, of: output, writer: writer)
            chunk.recycle()
        }
    }

    /// One chunk being filled, boxed so several can be written through pointers at once.
    final class ChunkSlot {
        private(set) var chunk: ArrayBuffer?
        init(_ chunk: ArrayBuffer) { self.chunk = chunk }

        /// Hands the chunk over and empties the slot, so that the buffer the caller recycles
        /// is not still held here (a cached buffer still held elsewhere is copied when next
        /// written, and lost to the cache).
        func take() -> ArrayBuffer? {
            defer { chunk = nil }
            return chunk
        }

        /// Calls `body` with a pointer to the bytes of every slot's (fixed-size) chunk.
        static func withPointers(_ slots: [ChunkSlot], _ body: ([UnsafeMutableRawPointer]) -> Void) {
            func nest(_ i: Int, _ pointers: [UnsafeMutableRawPointer]) {
                guard i < slots.count else { return body(pointers) }
                _ = slots[i].chunk?.withUnsafeMutableBytes { bytes in
                    if let base = bytes.baseAddress { nest(i + 1, pointers + [base]) }
                }
            }
            nest(0, [])
        }
    }

    /// Cuts the output chunk at `coords` out of `block` (which covers `blockRegion`), pads an
    /// edge chunk with the fill value, and writes it (through `writer` when there is one).
    static func writeChunk(_ coords: [Int], of output: ZarrArray, from block: ArrayBuffer, at blockRegion: Region,
                           writer: WriteBehind?) throws {
        let chunkShape = output.metadata.chunkShape
        let region = output.grid.region(ofChunk: coords)
        let offset = zip(region.start, blockRegion.start).map { $0 - $1 }
        if region.count == chunkShape && region == blockRegion {
            try store(block, at: coords, of: output, writer: writer)
            return
        }
        var chunk = emptyChunk(for: region, of: output)
        chunk.copy(from: block, sourceStart: offset, count: region.count, to: [Int](repeating: 0, count: region.rank))
        try store(chunk, at: coords, of: output, writer: writer)
        chunk.recycle()
    }

    /// Encodes `chunk` and stores it at `coords` of `output`: at once, or through `writer`
    /// while the caller goes on. The chunk's buffer stays the caller's to recycle.
    static func store(_ chunk: ArrayBuffer, at coords: [Int], of output: ZarrArray, writer: WriteBehind?) throws {
        guard let writer else { return try output.writeChunk(coords, chunk) }
        let encoded = try output.encodeChunk(coords, chunk)
        // A codec may pass the chunk's own bytes through; those are the caller's to recycle.
        let passedThrough = encoded.bytes.map { chunk.bytes?.sharesStorage(with: $0) == true } ?? false
        try writer.submit(encoded.bytes, key: encoded.key, to: output.writableStore(), recycle: !passedThrough)
    }

    /// A buffer for the output chunk covering `region`: uninitialized when the copy will fill
    /// it whole, the fill value where an edge chunk reaches past the array.
    static func emptyChunk(for region: Region, of output: ZarrArray) -> ArrayBuffer {
        let chunkShape = output.metadata.chunkShape
        return region.count == chunkShape
            ? ArrayBuffer(uninitialized: output.metadata.dataType, shape: chunkShape)
            : ArrayBuffer(filledWith: output.fill, dataType: output.metadata.dataType, shape: chunkShape)
    }

    /// Passes progress through without restarting the total for every stage.
    private struct Advancing: ProgressSink {
        let sink: any ProgressSink
        init(_ sink: any ProgressSink) { self.sink = sink }
        func start(totalBytes: Int) {}
        func advance(bytes: Int) { sink.advance(bytes: bytes) }
        func finish() {}
    }
}
