/// Turns a chain of intermediate chunk shapes into stages, with exact task memory, and
/// scores the result; the planner's candidate search is built on it.
///
/// Given stores `source → g1 → … → gk → target`, stage `i` copies store `i` into store
/// `i+1` with the smallest aligned block: along each axis the least common multiple of the
/// two chunk lengths, or the whole axis if that is as long. Alignment therefore holds by
/// construction for every chain; the evaluator only has to reject chains whose tasks do not
/// fit the budget.
struct PlanEvaluator {
    /// The validated request.
    let request: RechunkRequest
    /// The array's shape.
    var shape: [Int] { request.shape }
    /// Bytes per element.
    var itemSize: Int { request.itemSize }
    /// The whole budget.
    var budget: Int { request.memoryBudget }
    /// What one task may hold so that every job can run at once.
    var share: Int { request.memoryBudget / request.jobs }

    /// A scored chain.
    struct Evaluation {
        /// The stages, with the smallest aligned blocks.
        var plan: RechunkPlan
        /// How good the plan is; smaller is better.
        var key: RankKey
    }

    /// The planner's preference order, compared lexicographically.
    struct RankKey: Comparable {
        /// 0 direct copy; 1 intermediates, every stage running all jobs it can; 2
        /// intermediates with some stage running fewer; 3 last-resort chains.
        var tier: Int
        /// 0 if every intermediate chunk reaches the wished minimum size, else 1.
        var smallIntermediates: Int
        /// Chunks read plus chunks written.
        var storeOperations: Int
        /// Decoded bytes read plus written.
        var bytesMoved: Int
        /// Number of stages.
        var stages: Int
        /// Number of tasks.
        var tasks: Int

        static func < (a: RankKey, b: RankKey) -> Bool {
            (a.tier, a.smallIntermediates, a.storeOperations, a.bytesMoved, a.stages, a.tasks)
                < (b.tier, b.smallIntermediates, b.storeOperations, b.bytesMoved, b.stages, b.tasks)
        }
    }

    /// The smallest block along an axis of `length` holding whole chunks of both `a` and `b`:
    /// their least common multiple, or the whole axis.
    static func alignedBlock(_ a: Int, _ b: Int, length: Int) -> Int {
        let n = max(length, 1)
        if a >= n || b >= n { return n }
        return min(PlanMath.lcm(a, b), n)
    }

    /// What one task holds for a block (clipped to the array) copying `input` chunks into
    /// `output` chunks. A block that is exactly one input (output) chunk needs no separate
    /// decoded input (output) chunk buffer: the chunk is decoded into (encoded from) the block.
    func taskMemory(block: [Int], input: [Int], output: [Int], inputCodec: CodecCost, outputCodec: CodecCost) -> TaskMemory {
        let decodedIn = PlanMath.bytes(input, itemSize: itemSize)
        let decodedOut = PlanMath.bytes(output, itemSize: itemSize)
        return TaskMemory(readBlock: PlanMath.clippedBytes(block, shape: shape, itemSize: itemSize),
                          decodedInputChunk: block == input ? 0 : decodedIn,
                          encodedInputChunk: inputCodec.bound(decodedIn),
                          decodedOutputChunk: block == output ? 0 : decodedOut,
                          encodedOutputChunk: outputCodec.bound(decodedOut),
                          scratch: PlanMath.add(inputCodec.scratchBytes, outputCodec.scratchBytes))
    }

    /// Tasks that may run at once for a stage of `tasks` tasks of `perTask` bytes each.
    func concurrency(tasks: Int, perTask: Int) -> Int {
        guard tasks > 0 else { return 0 }
        return max(1, min(request.jobs, budget / max(perTask, 1), tasks))
    }

    /// The stores of a chain of `intermediates`, in order.
    func stores(count intermediates: Int) -> [RechunkStore] {
        [.source] + (0..<intermediates).map { .intermediate($0 + 1) } + [.target]
    }

    /// Stage `index` copying `inputChunks` into `writeChunks` with read block `block`.
    func stage(index: Int, from input: RechunkStore, to output: RechunkStore,
               inputChunks: [Int], writeChunks: [Int], block: [Int]) -> RechunkStage {
        let inputCodec = input == .source ? request.sourceCodec : request.intermediateCodec
        let outputCodec = output == .target ? request.targetCodec : request.intermediateCodec
        let memory = taskMemory(block: block, input: inputChunks, output: writeChunks,
                                inputCodec: inputCodec, outputCodec: outputCodec)
        let tasks = PlanMath.chunkCount(shape: shape, chunks: block)
        let read = PlanMath.chunkCount(shape: shape, chunks: inputChunks)
        let written = PlanMath.chunkCount(shape: shape, chunks: writeChunks)
        let running = concurrency(tasks: tasks, perTask: memory.total)
        return RechunkStage(index: index, input: input, output: output, shape: shape, itemSize: itemSize,
                            inputChunks: inputChunks, readChunks: block, writeChunks: writeChunks,
                            taskCount: tasks, chunksRead: read, chunksWritten: written,
                            bytesRead: PlanMath.multiply(read, PlanMath.bytes(inputChunks, itemSize: itemSize)),
                            bytesWritten: PlanMath.multiply(written, PlanMath.bytes(writeChunks, itemSize: itemSize)),
                            taskMemory: memory, concurrency: running,
                            peakBytes: PlanMath.multiply(running, memory.total))
    }

    /// The stages of `source → intermediates… → target` with the smallest aligned blocks,
    /// whether or not they fit.
    func stages(_ intermediates: [[Int]]) -> [RechunkStage] {
        let grids = [request.sourceChunks] + intermediates + [request.targetChunks]
        let names = stores(count: intermediates.count)
        return (0..<(grids.count - 1)).map { i in
            let block = shape.indices.map { Self.alignedBlock(grids[i][$0], grids[i + 1][$0], length: shape[$0]) }
            return stage(index: i, from: names[i], to: names[i + 1],
                         inputChunks: grids[i], writeChunks: grids[i + 1], block: block)
        }
    }

    /// The most one task of the chain needs.
    func requiredBytes(_ intermediates: [[Int]]) -> Int {
        stages(intermediates).map(\.perTaskBytes).max() ?? 0
    }

    /// The chain scored, or nil if some task does not fit the budget.
    func evaluate(_ intermediates: [[Int]], lastResort: Bool = false) -> Evaluation? {
        let stages = stages(intermediates)
        guard stages.allSatisfy({ $0.perTaskBytes <= budget }) else { return nil }
        let plan = RechunkPlan(shape: shape, itemSize: itemSize, sourceChunks: request.sourceChunks,
                               targetChunks: request.targetChunks, memoryBudget: budget, jobs: request.jobs,
                               stages: stages)
        let allJobs = stages.allSatisfy { $0.concurrency == min(request.jobs, $0.taskCount) }
        let tier = intermediates.isEmpty ? 0 : lastResort ? 3 : allJobs ? 1 : 2
        let small = intermediates.contains {
            PlanMath.bytes($0, itemSize: itemSize) < request.minIntermediateChunkBytes
        }
        let key = RankKey(tier: tier, smallIntermediates: small ? 1 : 0, storeOperations: plan.storeOperations,
                          bytesMoved: plan.bytesMoved, stages: stages.count, tasks: plan.taskCount)
        return Evaluation(plan: plan, key: key)
    }

    /// The task count below which blocks stop growing: enough tasks per job to balance load.
    var minimumTasksForGrowth: Int { PlanMath.multiply(4, request.jobs) }

    /// `stage` with its block grown, last axis first, by whole multiples of the smallest
    /// aligned block (or to the whole axis) while one task still fits a job's share of the
    /// budget and the stage keeps at least four tasks per job.
    ///
    /// Growing changes no store operation (every chunk is still read and written once); it
    /// only makes fewer, larger tasks, with longer contiguous reads and less scheduling, and
    /// never costs concurrency.
    func grown(_ stage: RechunkStage) -> RechunkStage {
        var block = stage.readChunks
        let unit = stage.readChunks
        let minTasks = minimumTasksForGrowth
        let inputCodec = stage.input == .source ? request.sourceCodec : request.intermediateCodec
        let outputCodec = stage.output == .target ? request.targetCodec : request.intermediateCodec
        func fits(_ candidate: [Int]) -> Bool {
            taskMemory(block: candidate, input: stage.inputChunks, output: stage.writeChunks,
                       inputCodec: inputCodec, outputCodec: outputCodec).total <= share
                && PlanMath.chunkCount(shape: shape, chunks: candidate) >= minTasks
        }
        guard stage.perTaskBytes <= share, fits(block) else { return stage }
        for axis in shape.indices.reversed() where block[axis] < shape[axis] {
            // Largest multiple k of the unit block (the whole axis at the top) that fits.
            var lo = 1
            var hi = PlanMath.ceilDiv(shape[axis], unit[axis])
            while lo < hi {
                let mid = lo + (hi - lo + 1) / 2
                var candidate = block
                candidate[axis] = min(PlanMath.multiply(unit[axis], mid), shape[axis])
                if fits(candidate) { lo = mid } else { hi = mid - 1 }
            }
            block[axis] = min(PlanMath.multiply(unit[axis], lo), shape[axis])
        }
        return self.stage(index: stage.index, from: stage.input, to: stage.output,
                          inputChunks: stage.inputChunks, writeChunks: stage.writeChunks, block: block)
    }
}
