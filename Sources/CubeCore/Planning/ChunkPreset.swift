/// How an array's chunks are meant to be read, for `--for time-series | maps | balanced`.
public enum ChunkPreset: String, Sendable, CaseIterable {
    /// Whole time series at a few points: every chunk spans the whole time axis.
    case timeSeries = "time-series"
    /// Whole maps at one time: every chunk is one time step.
    case maps
    /// Both about equally: a series and a map touch about the same number of chunks.
    case balanced

    /// The default chunk size the presets aim at, 4 MiB: large enough that per-object
    /// overhead is small, small enough that a read of a single point stays cheap.
    public static let defaultTargetBytes = 4 << 20
}

extension RechunkPlanner {
    /// The axis presets treat as time: the first dimension named `time` (any case), else axis 0.
    public static func timeAxis(dimensions: [String]) -> Int {
        dimensions.firstIndex { $0.lowercased() == "time" } ?? 0
    }

    /// A chunk shape for `preset` of about `targetBytes` (never more, unless one time series
    /// alone is larger for ``ChunkPreset/timeSeries``).
    ///
    /// - ``ChunkPreset/timeSeries``: the whole time axis; the other axes shrunk evenly
    ///   (square-ish tiles: as equal lengths as the axes allow) to fit.
    /// - ``ChunkPreset/maps``: one time step; the other axes whole, or shrunk evenly to fit.
    /// - ``ChunkPreset/balanced``: Russ Rew's balanced chunking in N dimensions. With `E`
    ///   elements and `C` per chunk there are about `N = E/C` chunks; a whole time series at
    ///   one point touches `S = ⌈nt/ct⌉` of them and a whole map at one time `M = Π ⌈ni/ci⌉`,
    ///   and `S·M ≈ N`. Both access patterns are served equally when `S = M = √N`, that is
    ///   `ct ≈ nt/√N` and a spatial tile of `C/ct` elements (square-ish, as above). Rounding
    ///   to integers rarely hits that point exactly, so the time length is chosen among all
    ///   distinct values of `⌈nt/k⌉` to minimize `max(S, M)`, the worse of the two; then
    ///   the fuller chunk.
    ///
    /// `dimensions` names the axes (or is empty: axis 0 is time). Zero-length axes get
    /// chunks of 1. Throws ``CubeError/Kind/invalidArgument`` for a negative length, a
    /// non-positive item size or target, or names that do not match the rank.
    public static func chunkPreset(shape: [Int], itemSize: Int, dimensions: [String], preset: ChunkPreset,
                                   targetBytes: Int = ChunkPreset.defaultTargetBytes) throws -> [Int] {
        guard dimensions.isEmpty || dimensions.count == shape.count else {
            throw CubeError(.invalidArgument, "\(dimensions.count) dimension names \(dimensions) for a rank-\(shape.count) shape \(shape)")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw CubeError(.invalidArgument, "shape \(shape) has a negative length")
        }
        guard itemSize >= 1, targetBytes >= 1 else {
            throw CubeError(.invalidArgument, "item size \(itemSize) and chunk size \(targetBytes) must be positive")
        }
        guard !shape.isEmpty else { return [] }
        let lengths = shape.map { max($0, 1) }
        let elements = max(1, targetBytes / itemSize)
        let time = timeAxis(dimensions: dimensions)
        let others = lengths.indices.filter { $0 != time }
        let otherLengths = others.map { lengths[$0] }

        func chunks(time length: Int, tile: [Int]) -> [Int] {
            var result = lengths
            result[time] = length
            for (axis, side) in zip(others, tile) { result[axis] = side }
            return result
        }

        switch preset {
        case .timeSeries:
            let perStep = max(1, elements / lengths[time])
            return chunks(time: lengths[time], tile: evenTile(otherLengths, maxElements: perStep))
        case .maps:
            return chunks(time: 1, tile: evenTile(otherLengths, maxElements: elements))
        case .balanced:
            if PlanMath.product(lengths) <= elements { return lengths }
            var best: (worst: Int, volume: Int, chunks: [Int])?
            for timeLength in distinctCeilQuotients(lengths[time]) {
                let perStep = elements / timeLength
                guard perStep >= 1 else { continue }
                let tile = evenTile(otherLengths, maxElements: perStep)
                let series = PlanMath.ceilDiv(lengths[time], timeLength)
                let map = PlanMath.chunkCount(shape: otherLengths, chunks: tile)
                let worst = max(series, map)
                let volume = PlanMath.multiply(timeLength, PlanMath.product(tile))
                if best.map({ worst < $0.worst || (worst == $0.worst && volume > $0.volume) }) ?? true {
                    best = (worst, volume, chunks(time: timeLength, tile: tile))
                }
            }
            return best?.chunks ?? chunks(time: 1, tile: evenTile(otherLengths, maxElements: elements))
        }
    }

    /// Chunk lengths for `lengths` with at most `maxElements` elements, as equal as the axes
    /// allow: axes shorter than the even side are taken whole and their room shared among
    /// the rest (water-filling), then sides grow by one where that still fits.
    static func evenTile(_ lengths: [Int], maxElements: Int) -> [Int] {
        let budget = max(1, maxElements)
        if PlanMath.product(lengths) <= budget { return lengths }
        var tile = [Int](repeating: 1, count: lengths.count)
        var open = lengths.indices.sorted { lengths[$0] < lengths[$1] }
        var room = budget
        while !open.isEmpty {
            let side = integerRoot(room, open.count)
            let short = open.filter { lengths[$0] <= side }
            if short.isEmpty {
                for axis in open { tile[axis] = max(1, side) }
                break
            }
            for axis in short {
                tile[axis] = lengths[axis]
                room /= lengths[axis]
            }
            open.removeAll { short.contains($0) }
        }
        for axis in lengths.indices.sorted(by: { lengths[$0] > lengths[$1] }) where tile[axis] < lengths[axis] {
            var bigger = tile
            bigger[axis] += 1
            if PlanMath.product(bigger) <= budget { tile = bigger }
        }
        return tile
    }

    /// `⌊x^(1/k)⌋` for positive `x` and `k`.
    static func integerRoot(_ x: Int, _ k: Int) -> Int {
        var lo = 1
        var hi = max(1, x)
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2
            let power = PlanMath.product([Int](repeating: mid, count: k))
            if power <= x { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Every distinct value of `⌈n/k⌉` for `k` in `1...n`, in O(√n).
    static func distinctCeilQuotients(_ n: Int) -> [Int] {
        var values = Set<Int>()
        var k = 1
        while k <= n / k {
            values.insert(PlanMath.ceilDiv(n, k))
            values.insert(k)
            k += 1
        }
        values.insert(1)
        return values.filter { $0 <= n }.sorted()
    }
}
