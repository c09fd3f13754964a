@testable import CubeCore

/// Independent checks of a rechunk plan, by enumerating its tasks: each returns the list of
/// broken invariants (empty when the plan is sound).
enum PlanChecker {
    /// Every invariant the planner promises, checked by simulation.
    static func problems(in plan: RechunkPlan, for request: RechunkRequest) -> [String] {
        var problems: [String] = []
        guard let first = plan.stages.first, let last = plan.stages.last else { return ["no stages"] }
        if first.inputChunks != request.sourceChunks { problems.append("first stage reads \(first.inputChunks), not the source chunks") }
        if last.writeChunks != request.targetChunks { problems.append("last stage writes \(last.writeChunks), not the target chunks") }
        if plan.stages.count > request.maxStages { problems.append("\(plan.stages.count) stages, more than \(request.maxStages)") }
        for (i, stage) in plan.stages.enumerated() {
            let expectedInput: RechunkStore = i == 0 ? .source : .intermediate(i)
            let expectedOutput: RechunkStore = i == plan.stages.count - 1 ? .target : .intermediate(i + 1)
            if stage.input != expectedInput || stage.output != expectedOutput || stage.index != i {
                problems.append("stage \(i) is \(stage.input) → \(stage.output) at index \(stage.index)")
            }
            if i + 1 < plan.stages.count, stage.writeChunks != plan.stages[i + 1].inputChunks {
                problems.append("stage \(i) writes \(stage.writeChunks) but the next reads \(plan.stages[i + 1].inputChunks)")
            }
            problems += stageProblems(stage, request: request).map { "stage \(i): \($0)" }
        }
        if plan.peakBytes > request.memoryBudget { problems.append("plan peak \(plan.peakBytes) over budget \(request.memoryBudget)") }
        if !plan.isDirect && directBytes(request) <= request.memoryBudget {
            problems.append("a direct copy fits (\(directBytes(request)) bytes) but the plan has intermediates")
        }
        return problems
    }

    /// The invariants of one stage.
    static func stageProblems(_ stage: RechunkStage, request: RechunkRequest) -> [String] {
        var problems: [String] = []
        let shape = request.shape
        let rank = shape.count
        let inputGrid = Grid(shape: shape, chunks: stage.inputChunks)
        let outputGrid = Grid(shape: shape, chunks: stage.writeChunks)
        var elementCover = [Int](repeating: 0, count: ShapeMath.product(shape))
        var inputReads = [Int](repeating: 0, count: inputGrid.count)
        var outputWrites = [Int](repeating: 0, count: outputGrid.count)
        let tasks = stage.tasks()
        if tasks.count != stage.taskCount { problems.append("\(tasks.count) tasks listed, \(stage.taskCount) counted") }
        for task in tasks {
            let region = task.readRegion
            if (try? region.validate(within: shape)) == nil { problems.append("task \(task.index) reads \(region) outside the array") }
            // Whole input chunks, aligned to the input grid.
            for axis in 0..<rank {
                let end = region.start[axis] + region.count[axis]
                if region.start[axis] % stage.inputChunks[axis] != 0
                    || (end != shape[axis] && end % stage.inputChunks[axis] != 0) {
                    problems.append("task \(task.index) block \(region) is not whole input chunks \(stage.inputChunks)")
                }
            }
            // Cover every element once.
            forEachIndex(in: region) { elementCover[linear($0, shape)] += 1 }
            // Input chunks listed are exactly those the block touches.
            let touchedInputs = inputGrid.chunks(touching: region)
            if Set(task.inputChunks.map { $0 }) != Set(touchedInputs) {
                problems.append("task \(task.index) lists input chunks \(task.inputChunks), touches \(touchedInputs)")
            }
            for coords in touchedInputs { inputReads[inputGrid.linear(coords)] += 1 }
            // Output chunks: exactly those the block touches, each inside the block.
            let touchedOutputs = outputGrid.chunks(touching: region)
            if Set(task.writeChunks.map { $0 }) != Set(touchedOutputs) {
                problems.append("task \(task.index) lists write chunks \(task.writeChunks), touches \(touchedOutputs)")
            }
            for coords in touchedOutputs {
                outputWrites[outputGrid.linear(coords)] += 1
                let chunk = outputGrid.region(coords)
                for axis in 0..<rank where chunk.start[axis] < region.start[axis]
                    || chunk.start[axis] + chunk.count[axis] > region.start[axis] + region.count[axis] {
                    problems.append("task \(task.index) writes chunk \(coords) but holds only part of it")
                }
            }
        }
        if elementCover.contains(where: { $0 != 1 }) { problems.append("blocks do not cover every element exactly once") }
        if inputReads.contains(where: { $0 != 1 }) { problems.append("an input chunk is not read by exactly one task: \(inputReads)") }
        if outputWrites.contains(where: { $0 != 1 }) { problems.append("an output chunk is not written by exactly one task: \(outputWrites)") }
        if stage.chunksRead != inputGrid.count || stage.chunksWritten != outputGrid.count {
            problems.append("counts \(stage.chunksRead)/\(stage.chunksWritten) vs grids \(inputGrid.count)/\(outputGrid.count)")
        }
        // Memory, recomputed from the documented model.
        let inputCodec = stage.input == .source ? request.sourceCodec : request.intermediateCodec
        let outputCodec = stage.output == .target ? request.targetCodec : request.intermediateCodec
        let item = request.itemSize
        let block = zip(stage.readChunks, shape).map { min($0, max($1, 1)) }
        let inBytes = ShapeMath.product(stage.inputChunks) * item
        let outBytes = ShapeMath.product(stage.writeChunks) * item
        // A block that is exactly one input (output) chunk decodes into (encodes from) itself.
        let inBuffer = stage.readChunks == stage.inputChunks ? 0 : inBytes
        let outBuffer = stage.readChunks == stage.writeChunks ? 0 : outBytes
        let expected = ShapeMath.product(block) * item + inBuffer + inputCodec.encodedBound(inBytes)
            + outBuffer + outputCodec.encodedBound(outBytes) + inputCodec.scratchBytes + outputCodec.scratchBytes
        if stage.perTaskBytes != expected { problems.append("per-task bytes \(stage.perTaskBytes), model says \(expected)") }
        if stage.perTaskBytes > request.memoryBudget { problems.append("one task needs \(stage.perTaskBytes) > budget \(request.memoryBudget)") }
        let running = stage.taskCount == 0 ? 0
            : max(1, min(request.jobs, request.memoryBudget / stage.perTaskBytes, stage.taskCount))
        if stage.concurrency != running { problems.append("concurrency \(stage.concurrency), expected \(running)") }
        if stage.peakBytes != running * stage.perTaskBytes || stage.peakBytes > request.memoryBudget {
            problems.append("peak \(stage.peakBytes) with \(running) × \(stage.perTaskBytes), budget \(request.memoryBudget)")
        }
        return problems
    }

    /// The least memory the always-aligned single-element intermediate plan needs: if the
    /// budget covers it (or a direct copy), the planner must not fail.
    static func guaranteedBudget(_ request: RechunkRequest) -> Int {
        let s = request.sourceChunks, t = request.targetChunks
        let unit = [Int](repeating: 1, count: s.count)
        let direct = directBytes(request)
        guard request.maxStages >= 2 else { return direct }
        let viaUnit = max(cost(request, block: s, input: s, output: unit, request.sourceCodec, request.intermediateCodec),
                          cost(request, block: t, input: unit, output: t, request.intermediateCodec, request.targetCodec))
        return min(direct, viaUnit)
    }

    /// What one task of a direct copy holds, from the documented model: if the budget covers
    /// it, the plan must be direct.
    static func directBytes(_ request: RechunkRequest) -> Int {
        cost(request, block: zip(zip(request.sourceChunks, request.targetChunks), request.shape).map {
            PlanEvaluator.alignedBlock($0.0, $0.1, length: $1)
        }, input: request.sourceChunks, output: request.targetChunks, request.sourceCodec, request.targetCodec)
    }

    /// One task's bytes: the clipped block, both chunks decoded and encoded, both scratches.
    static func cost(_ request: RechunkRequest, block: [Int], input: [Int], output: [Int], _ a: CodecCost, _ b: CodecCost) -> Int {
        let item = request.itemSize
        let clipped = zip(block, request.shape).map { min($0, $1) }
        let i = ShapeMath.product(input) * item, o = ShapeMath.product(output) * item
        return ShapeMath.product(clipped) * item + (clipped == input ? 0 : i) + a.encodedBound(i)
            + (clipped == output ? 0 : o) + b.encodedBound(o) + a.scratchBytes + b.scratchBytes
    }

    /// A chunk grid for the checks, independent of the planner's arithmetic.
    struct Grid {
        let shape: [Int]
        let chunks: [Int]
        var counts: [Int] { zip(shape, chunks).map { ($0 + $1 - 1) / $1 } }
        var count: Int { ShapeMath.product(counts) }
        func linear(_ coords: [Int]) -> Int { PlanChecker.linear(coords, counts) }
        func region(_ coords: [Int]) -> Region {
            let start = zip(coords, chunks).map { $0 * $1 }
            return Region(start: start, count: zip(start, zip(chunks, shape)).map { min($1.0, $1.1 - $0) })
        }
        func chunks(touching region: Region) -> [[Int]] {
            if region.count.contains(0) { return [] }
            let lower = zip(region.start, chunks).map { $0 / $1 }
            let upper = zip(zip(region.start, region.count), chunks).map { ($0.0 + $0.1 - 1) / $1 }
            var result: [[Int]] = []
            PlanChecker.forEachIndex(in: Region(start: lower, count: zip(lower, upper).map { $1 - $0 + 1 })) { result.append($0) }
            return result
        }
    }

    /// Row-major position of `coords` in an array of `shape`.
    static func linear(_ coords: [Int], _ shape: [Int]) -> Int {
        zip(coords, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// Calls `body` with every index of `region`, in C order.
    static func forEachIndex(in region: Region, _ body: ([Int]) -> Void) {
        if region.count.contains(0) { return }
        var index = region.start
        while true {
            body(index)
            var axis = region.rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < region.start[axis] + region.count[axis] { break }
                index[axis] = region.start[axis]
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
