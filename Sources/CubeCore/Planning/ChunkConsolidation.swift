extension RechunkPlanner {
    /// Grows `chunks` along each axis to a whole multiple of its length (or the whole axis),
    /// as far as a chunk of `itemSize`-byte items still fits in `maxBytes`, visiting axes in
    /// `axisOrder` (default: last axis first, so grown chunks stay contiguous in C order).
    ///
    /// This is rechunker's `consolidate_chunks`, in integers: along each axis in turn, take
    /// the whole axis if it fits; otherwise multiply the axis by the whole number of times the
    /// current chunk fits in `maxBytes`. Axes not listed in `axisOrder` keep their length,
    /// and so does an axis whose chunk already spans it.
    ///
    /// For shape `(8, 8)`, chunks `(1, 2)` and 4-byte items: `maxBytes` 16 gives `(1, 4)`,
    /// 64 gives `(2, 8)` and 256 gives `(8, 8)`.
    ///
    /// Throws ``CubeError/Kind/invalidArgument`` if ranks differ, a length or the item size
    /// is not positive, `axisOrder` names an axis twice or out of range, or one chunk is
    /// already larger than `maxBytes`.
    public static func consolidateChunks(shape: [Int], chunks: [Int], itemSize: Int, maxBytes: Int,
                                         axisOrder: [Int]? = nil) throws -> [Int] {
        guard chunks.count == shape.count else {
            throw CubeError(.invalidArgument, "chunks \(chunks) do not match the rank of shape \(shape)")
        }
        guard chunks.allSatisfy({ $0 >= 1 }), shape.allSatisfy({ $0 >= 0 }), itemSize >= 1 else {
            throw CubeError(.invalidArgument, "chunks \(chunks), shape \(shape) and item size \(itemSize) must be positive")
        }
        let order = axisOrder ?? Array(shape.indices.reversed())
        guard order.allSatisfy({ shape.indices.contains($0) }), Set(order).count == order.count else {
            throw CubeError(.invalidArgument, "axis order \(order) must name distinct axes of a rank-\(shape.count) array")
        }
        let chunkBytes = PlanMath.bytes(chunks, itemSize: itemSize)
        guard chunkBytes <= maxBytes else {
            throw CubeError(.invalidArgument,
                            "a chunk \(chunks) of \(itemSize)-byte items takes \(ByteCount.format(chunkBytes)), more than the \(ByteCount.format(maxBytes)) allowed")
        }
        return consolidate(chunks, shape: shape, upper: shape, order: order) { PlanMath.bytes($0, itemSize: itemSize) <= maxBytes }
    }

    /// Consolidation under any monotone size test: along each axis in `order`, the whole
    /// axis (or the largest multiple of the chunk not above `upper`) if `fits` accepts it,
    /// else the largest whole multiple of the chunk that `fits` accepts (found by bisection).
    /// With `fits` = "at most `maxBytes`" and `upper` = `shape` this is
    /// ``consolidateChunks(shape:chunks:itemSize:maxBytes:axisOrder:)`` without its checks.
    static func consolidate(_ chunks: [Int], shape: [Int], upper: [Int], order: [Int],
                            fits: ([Int]) -> Bool) -> [Int] {
        var grown = chunks
        for axis in order {
            let unit = chunks[axis]
            let cap = min(upper[axis], shape[axis])
            guard cap > unit else { continue }
            let top = cap == shape[axis] ? cap : cap / unit * unit
            grown[axis] = top
            if fits(grown) { continue }
            var lo = 1
            var hi = PlanMath.ceilDiv(top, unit) - 1
            while lo < hi {
                let mid = lo + (hi - lo + 1) / 2
                grown[axis] = unit * mid
                if fits(grown) { lo = mid } else { hi = mid - 1 }
            }
            grown[axis] = unit * lo
        }
        return grown
    }
}
