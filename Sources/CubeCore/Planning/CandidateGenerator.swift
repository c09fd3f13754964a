/// Proposes chains of intermediate chunk shapes for the planner to score: rechunker's
/// consolidated read and write chunks and its geometric stages, snapped so neighbouring
/// stores' chunks divide one another.
///
/// Snapping is the alignment fix. Rechunker's intermediate is `min(read, write)` per axis,
/// which may straddle read blocks (two tasks write one chunk, a race) or need blocks far
/// larger than planned. Here each intermediate length is, along its axis, a whole multiple
/// of the neighbour on the finer side (the source's chunk when the axis grows from source to
/// target, the target's when it shrinks), so the block joining two neighbours is simply the
/// larger of the two; a second variant also makes it divide, or be a multiple of, the far
/// end's chunk. The evaluator computes the exact aligned blocks, so a chain that does not
/// snap well is merely scored worse, never wrong.
struct CandidateGenerator {
    /// The validated request.
    let request: RechunkRequest

    /// The array's shape.
    var shape: [Int] { request.shape }
    /// Source chunks clipped to the array.
    var source: [Int] { zip(request.sourceChunks, shape).map { min($0, $1) } }
    /// Target chunks clipped to the array.
    var target: [Int] { zip(request.targetChunks, shape).map { min($0, $1) } }

    /// Memory levels to size endpoints at, largest first: the budget, then 3/4 of the previous
    /// level, down to `floor` (at most 64 levels), plus finer steps just under a job's share of
    /// the budget. Lower levels trade larger intermediates for tasks that fit a job's share or
    /// absorb misaligned blocks.
    func levels(floor: Int) -> [Int] {
        var levels = Set<Int>()
        var level = request.memoryBudget
        while level >= max(floor, 1) && levels.count < 64 {
            levels.insert(level)
            level -= max(1, level / 4)
        }
        // Finer steps just under a job's share, where plans that run every job live.
        level = request.memoryBudget / request.jobs
        for _ in 0..<6 where level >= max(floor, 1) {
            levels.insert(level)
            level -= max(1, level / 16)
        }
        return levels.sorted(by: >)
    }

    /// Rechunker's read and write chunks for tasks of `level` bytes: the target chunks
    /// consolidated (last axis first) as far as a last-stage task fits, then the source chunks
    /// consolidated toward them (only along axes where the write chunks are longer, and no
    /// further) as far as a first-stage task fits, then the write chunks again.
    ///
    /// Unlike rechunker, "fits" counts the whole task: the block, the chunk buffers on both
    /// sides and their encodings, with the intermediate taken as `min(read, write)` per axis
    /// (snapping only makes it smaller).
    func endpoints(level: Int) -> (read: [Int], write: [Int]) {
        let itemSize = request.itemSize
        let order = Array(shape.indices.reversed())
        let intermediate = request.intermediateCodec
        let targetBytes = PlanMath.bytes(request.targetChunks, itemSize: itemSize)
        let writeOverhead = [targetBytes, request.targetCodec.bound(targetBytes), request.targetCodec.scratchBytes]
            .reduce(0, PlanMath.add)
        let sourceBytes = PlanMath.bytes(request.sourceChunks, itemSize: itemSize)
        let readOverhead = [sourceBytes, request.sourceCodec.bound(sourceBytes), request.sourceCodec.scratchBytes]
            .reduce(0, PlanMath.add)
        // One intermediate chunk, decoded and encoded, with its codec's scratch.
        func intermediateCost(_ read: [Int], _ write: [Int]) -> Int {
            let bytes = PlanMath.bytes(zip(read, write).map { min($0, $1) }, itemSize: itemSize)
            return [bytes, intermediate.bound(bytes), intermediate.scratchBytes].reduce(0, PlanMath.add)
        }
        func blockBytes(_ block: [Int]) -> Int { PlanMath.clippedBytes(block, shape: shape, itemSize: itemSize) }

        let firstWrite = RechunkPlanner.consolidate(target, shape: shape, upper: shape, order: order) {
            PlanMath.add(blockBytes($0), writeOverhead) <= level
        }
        let upper = shape.indices.map { firstWrite[$0] > source[$0] ? firstWrite[$0] : source[$0] }
        let read = RechunkPlanner.consolidate(source, shape: shape, upper: upper, order: order) {
            [blockBytes($0), readOverhead, intermediateCost($0, firstWrite)].reduce(0, PlanMath.add) <= level
        }
        let write = RechunkPlanner.consolidate(target, shape: shape, upper: shape, order: order) {
            [blockBytes($0), writeOverhead, intermediateCost(read, $0)].reduce(0, PlanMath.add) <= level
        }
        return (read, write)
    }

    /// Chains of `count` intermediate chunk shapes between `read` and `write`: rechunker's
    /// geometric stage chunks `c0 = read, c1, …, c(count) = write`, intermediate `j` aiming at
    /// `min(c(j−1), c(j))` per axis, snapped per axis in both variants (every combination of
    /// variants for up to four axes, else all of one or the other).
    func chains(read: [Int], write: [Int], intermediates count: Int) -> [[[Int]]] {
        let rank = shape.count
        guard rank > 0, count >= 1 else { return [] }
        let points = [read] + RechunkPlanner.stageChunks(from: read, to: write, stageCount: count) + [write]
        var plain: [[Int]] = []    // per axis, the chain of lengths
        var aligned: [[Int]] = []
        for axis in 0..<rank {
            let aims = (1...count).map { min(points[$0 - 1][axis], points[$0][axis]) }
            let growing = read[axis] <= write[axis]
            plain.append(Self.snapAxis(aims: aims, growing: growing, source: source[axis], target: target[axis],
                                       length: shape[axis], alignEnds: false))
            aligned.append(Self.snapAxis(aims: aims, growing: growing, source: source[axis], target: target[axis],
                                         length: shape[axis], alignEnds: true))
        }
        let masks = rank <= 4 ? Array(0..<(1 << rank)) : [0, (1 << rank) - 1]
        var seen = Set<[[Int]]>()
        var result: [[[Int]]] = []
        for mask in masks {
            var chain: [[Int]] = []
            for j in 0..<count {
                var grid: [Int] = []
                for axis in 0..<rank {
                    let useAligned = (mask >> axis) & 1 == 1
                    grid.append(useAligned ? aligned[axis][j] : plain[axis][j])
                }
                chain.append(grid)
            }
            if seen.insert(chain).inserted { result.append(chain) }
        }
        return result
    }

    /// Snaps the aimed-at lengths of one axis's intermediates to a chain in which each length
    /// is a whole multiple of its neighbour on the finer side.
    ///
    /// If the axis is `growing` (the read chunks are no longer than the write chunks), the
    /// chain starts from the source chunk and each length is the largest multiple of the
    /// previous one not above its aim; if it shrinks, the chain starts from the target chunk
    /// at the other end. With `alignEnds`, a length must also divide the chunk at the coarse
    /// end or be a multiple of it, when such a length exists.
    static func snapAxis(aims: [Int], growing: Bool, source: Int, target: Int, length: Int, alignEnds: Bool) -> [Int] {
        var chain = aims
        if growing {
            var previous = source
            for j in aims.indices {
                chain[j] = snap(aims[j], multipleOf: previous, alignedWith: alignEnds ? target : nil, length: length)
                previous = chain[j]
            }
        } else {
            var next = target
            for j in aims.indices.reversed() {
                chain[j] = snap(aims[j], multipleOf: next, alignedWith: alignEnds ? source : nil, length: length)
                next = chain[j]
            }
        }
        return chain
    }

    /// The largest multiple of `unit` not above `aim` (at least `unit`; the whole axis if the
    /// aim reaches it), evened out. With `alignedWith: q`, the largest such length that
    /// divides `q` or is a multiple of it, if any.
    static func snap(_ aim: Int, multipleOf unit: Int, alignedWith q: Int?, length: Int) -> Int {
        if unit >= length || aim >= length { return length }
        let aim = max(aim, unit)
        let plain = evened(aim / unit * unit, unit: unit, length: length)
        guard let q, q < length else { return plain }
        var best = 0
        let common = PlanMath.lcm(unit, q)
        if common <= aim { best = evened(aim / common * common, unit: common, length: length) }
        if q % unit == 0 {
            best = max(best, unit * PlanMath.largestDivisor(of: q / unit, atMost: aim / unit))
        }
        return best > 0 ? best : plain
    }

    /// The shortest multiple of `unit` cutting an axis of `length` into as many chunks as
    /// `chunk` does: the same number of objects with the least edge padding (1440 in chunks
    /// of 456 makes 4 chunks, the last mostly padding; 360 makes the same 4, exactly).
    static func evened(_ chunk: Int, unit: Int, length: Int) -> Int {
        let count = PlanMath.ceilDiv(length, chunk)
        return min(chunk, PlanMath.ceilDiv(PlanMath.ceilDiv(length, count), unit) * unit)
    }

    /// Chains that always align, used only when nothing better fits: one intermediate whose
    /// chunks divide both the source's and the target's (their gcd, or the other one's where
    /// one spans the axis), and one of single elements.
    func lastResorts() -> [[[Int]]] {
        guard !shape.isEmpty else { return [] }
        let common = shape.indices.map { axis -> Int in
            if source[axis] >= shape[axis] { return target[axis] }
            if target[axis] >= shape[axis] { return source[axis] }
            return PlanMath.gcd(source[axis], target[axis])
        }
        let unit = [Int](repeating: 1, count: shape.count)
        return common == unit ? [[unit]] : [[common], [unit]]
    }
}
