/// Plans how to rechunk an array within a hard memory budget: pure, integer-only, and
/// deterministic.
///
/// The algorithm starts from pangeo rechunker's (consolidate chunks by whole multiples;
/// read and write chunks; geometric multi-stage plans; stop adding stages when I/O grows)
/// and fixes its known faults:
///
/// 1. **Honest budget.** A task's cost is its read block plus one input chunk decoded and
///    encoded, one output chunk decoded and encoded, and codec scratch (``TaskMemory``);
///    a plan is valid only if one task of every stage fits the whole budget, and
///    `peakBytes = concurrency × perTaskBytes` never exceeds it. Rechunker's `max_mem`
///    bounds one decoded block per worker, so users see 2–4× it in practice.
/// 2. **Each chunk read once.** Tasks are keyed by read blocks made of whole input chunks, so
///    every source chunk is decoded by exactly one task, never once per write chunk.
/// 3. **Aligned stages.** A block is, along each axis, a common multiple of the input and the
///    output chunk lengths (or the whole axis), so each output chunk is written whole by
///    exactly one task: no races, no read-modify-write. Intermediate chunk lengths are
///    snapped so neighbouring chunks divide one another and blocks stay small.
/// 4. **No needless intermediate.** A direct copy is used whenever one task of it fits the
///    budget; in a multi-stage chain, any intermediate that can be skipped is.
///
/// Candidates are scored lexicographically: a direct copy first (it moves the data once,
/// even if the budget lets fewer jobs run); then plans whose every stage runs all jobs at
/// once; then the others; then the always-aligned last resorts (gcd or single-element
/// intermediates). Within a tier: intermediate chunks of at least
/// ``RechunkRequest/minIntermediateChunkBytes`` first, then fewest store operations (chunks
/// read plus written), fewest bytes moved, fewest stages, fewest tasks. The search sizes
/// rechunker's read and write chunks at memory levels from the budget down (finer just under
/// a job's share), tries 1 to `maxStages − 1` intermediates per level, and stops adding
/// intermediates once they reach the wished size or store operations grow.
public enum RechunkPlanner {
    /// The plan for `request`, or ``CubeError/Kind/invalidArgument`` naming the memory a
    /// plan would need when none fits.
    public static func plan(_ request: RechunkRequest) throws -> RechunkPlan {
        try request.validate()
        let evaluator = PlanEvaluator(request: request)
        if request.shape.contains(0) {
            // Nothing to copy: one direct stage without tasks.
            return RechunkPlan(shape: request.shape, itemSize: request.itemSize, sourceChunks: request.sourceChunks,
                               targetChunks: request.targetChunks, memoryBudget: request.memoryBudget,
                               jobs: request.jobs, stages: evaluator.stages([]))
        }
        try checkSingleChunks(request)

        var cache: [[[Int]]: PlanEvaluator.Evaluation?] = [:]
        var best: PlanEvaluator.Evaluation?
        func consider(_ chain: [[Int]], lastResort: Bool = false) -> PlanEvaluator.Evaluation? {
            if let known = cache[chain] { return known }
            let evaluation = evaluator.evaluate(chain, lastResort: lastResort)
            cache[chain] = evaluation
            if let evaluation, best.map({ evaluation.key < $0.key }) ?? true { best = evaluation }
            return evaluation
        }

        if consider([]) == nil && request.maxStages >= 2 && !request.shape.isEmpty {
            searchIntermediates(request, consider: consider)
            for chain in CandidateGenerator(request: request).lastResorts() {
                _ = consider(chain, lastResort: true)
            }
        }
        guard let chosen = best else { throw noPlan(request, evaluator: evaluator) }
        var plan = chosen.plan
        plan.stages = plan.stages.map(evaluator.grown)
        plan.notes = notes(for: plan, request: request)
        return plan
    }

    /// Tries chains from rechunker's endpoints at each memory level, adding intermediates
    /// until they reach the wished size or store operations stop falling.
    private static func searchIntermediates(_ request: RechunkRequest,
                                            consider: ([[Int]], Bool) -> PlanEvaluator.Evaluation?) {
        let generator = CandidateGenerator(request: request)
        let floor = max(sourceNeed(request), targetNeed(request)) / 2
        var triedEndpoints = Set<[[Int]]>()
        for level in generator.levels(floor: floor) {
            let (read, write) = generator.endpoints(level: level)
            guard triedEndpoints.insert([read, write]).inserted else { continue }
            var previousOperations: Int?
            for count in 1..<request.maxStages {
                var bestHere: PlanEvaluator.Evaluation?
                for chain in generator.chains(read: read, write: write, intermediates: count) {
                    for sub in skips(of: chain) {
                        if let e = consider(sub, false), bestHere.map({ e.key < $0.key }) ?? true { bestHere = e }
                    }
                }
                guard let found = bestHere else { continue }
                if found.key.smallIntermediates == 0 { break }
                if let previous = previousOperations, found.key.storeOperations > previous { break }
                previousOperations = found.key.storeOperations
            }
        }
    }

    /// `chain` and the chains left after skipping some of its intermediates (all subsets up to
    /// four intermediates, else each one alone), non-empty.
    private static func skips(of chain: [[Int]]) -> [[[Int]]] {
        let n = chain.count
        if n <= 4 {
            return (1..<(1 << n)).reversed().map { mask in chain.indices.filter { (mask >> $0) & 1 == 1 }.map { chain[$0] } }
        }
        return [chain] + chain.indices.map { skip in chain.indices.filter { $0 != skip }.map { chain[$0] } }
    }

    /// The least any plan's first stage holds: a block of at least one source chunk, that
    /// chunk encoded, and a separate decoded chunk unless the chunk lies inside the array (so a
    /// block can be exactly it).
    static func sourceNeed(_ request: RechunkRequest) -> Int {
        singleChunkNeed(request.sourceChunks, request: request, codec: request.sourceCodec)
    }

    /// The least any plan's last stage holds: the same for one target chunk.
    static func targetNeed(_ request: RechunkRequest) -> Int {
        singleChunkNeed(request.targetChunks, request: request, codec: request.targetCodec)
    }

    /// A block of `chunks`, its encoding, its codec's scratch, and the decoded chunk if it
    /// overhangs the array.
    private static func singleChunkNeed(_ chunks: [Int], request: RechunkRequest, codec: CodecCost) -> Int {
        let bytes = PlanMath.bytes(chunks, itemSize: request.itemSize)
        let block = PlanMath.clippedBytes(chunks, shape: request.shape, itemSize: request.itemSize)
        let overhangs = zip(chunks, request.shape).contains { $0 > $1 }
        return [overhangs ? bytes : 0, codec.bound(bytes), codec.scratchBytes].reduce(block, PlanMath.add)
    }

    /// Fails early, with what to change, when a single source or target chunk cannot fit.
    private static func checkSingleChunks(_ request: RechunkRequest) throws {
        let budget = ByteCount.format(request.memoryBudget)
        let target = targetNeed(request)
        if target > request.memoryBudget {
            let chunk = PlanMath.bytes(request.targetChunks, itemSize: request.itemSize)
            throw CubeError(.invalidArgument,
                            "one target chunk \(describe(request.targetChunks)) takes \(ByteCount.format(chunk)) decoded; writing it needs at least \(ByteCount.format(target)) (the chunk and its encoding), more than the memory budget of \(budget): raise the budget to at least \(ByteCount.format(target)) or choose smaller target chunks")
        }
        let source = sourceNeed(request)
        if source > request.memoryBudget {
            let chunk = PlanMath.bytes(request.sourceChunks, itemSize: request.itemSize)
            throw CubeError(.invalidArgument,
                            "one source chunk \(describe(request.sourceChunks)) takes \(ByteCount.format(chunk)) decoded; reading it needs at least \(ByteCount.format(source)) (the chunk and its encoding), more than the memory budget of \(budget): raise the budget to at least \(ByteCount.format(source))")
        }
    }

    /// The error when no chain fits, with the least memory a plan of the allowed kind needs.
    private static func noPlan(_ request: RechunkRequest, evaluator: PlanEvaluator) -> CubeError {
        let budget = ByteCount.format(request.memoryBudget)
        let direct = evaluator.requiredBytes([])
        if request.maxStages < 2 || request.shape.isEmpty {
            return CubeError(.invalidArgument,
                             "a direct copy from chunks \(describe(request.sourceChunks)) to \(describe(request.targetChunks)) needs \(ByteCount.format(direct)) per task, more than the memory budget of \(budget): raise the budget to at least \(ByteCount.format(direct)) or allow intermediate stages")
        }
        let need = CandidateGenerator(request: request).lastResorts()
            .map(evaluator.requiredBytes).reduce(direct, min)
        return CubeError(.invalidArgument,
                         "no rechunk plan from chunks \(describe(request.sourceChunks)) to \(describe(request.targetChunks)) fits a memory budget of \(budget); the smallest needs \(ByteCount.format(need)) per task: raise the budget to at least \(ByteCount.format(need))")
    }

    /// What the user may want to know about `plan`.
    private static func notes(for plan: RechunkPlan, request: RechunkRequest) -> [String] {
        var notes: [String] = []
        for stage in plan.stages where stage.concurrency < min(request.jobs, stage.taskCount) {
            notes.append("stage \(stage.index + 1) runs \(stage.concurrency) of \(request.jobs) jobs at once: one task holds \(ByteCount.format(stage.perTaskBytes)); a budget of \(ByteCount.format(PlanMath.multiply(stage.perTaskBytes, min(request.jobs, stage.taskCount)))) would run them all")
        }
        for stage in plan.stages.dropLast() {
            let bytes = PlanMath.bytes(stage.writeChunks, itemSize: request.itemSize)
            if bytes < request.minIntermediateChunkBytes {
                notes.append("intermediate \(stage.index + 1) has chunks \(describe(stage.writeChunks)) of \(ByteCount.format(bytes)), under the \(ByteCount.format(request.minIntermediateChunkBytes)) aimed for; a larger budget allows larger ones")
            }
        }
        return notes
    }

    /// `2920×181×360`, or `scalar` for a 0-d shape.
    static func describe(_ shape: [Int]) -> String {
        shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×")
    }
}
