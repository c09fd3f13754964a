/// Copies boxes between C-ordered arrays as contiguous runs.
public enum RegionCopy {
    /// Calls `body(sourceOffset, destinationOffset, length)` (in elements) for each
    /// contiguous run needed to copy a box of `count` from `sourceStart` in an array of
    /// `sourceShape` to `destinationStart` in an array of `destinationShape`.
    ///
    /// Trailing axes that are copied whole in both arrays are merged into one run.
    public static func forEachRun(
        count: [Int],
        sourceShape: [Int], sourceStart: [Int],
        destinationShape: [Int], destinationStart: [Int],
        _ body: (_ source: Int, _ destination: Int, _ length: Int) throws -> Void
    ) rethrows {
        let rank = count.count
        if count.contains(0) { return }
        if rank == 0 { try body(0, 0, 1); return }
        // Find the outermost axis `inner` such that axes after it are whole in both arrays.
        var inner = rank - 1
        var runLength = count[rank - 1]
        while inner > 0,
              count[inner] == sourceShape[inner], count[inner] == destinationShape[inner] {
            inner -= 1
            runLength *= count[inner]
        }
        let sourceStrides = ShapeMath.strides(sourceShape)
        let destinationStrides = ShapeMath.strides(destinationShape)
        var sourceOffset = 0
        var destinationOffset = 0
        for axis in 0..<rank {
            sourceOffset += sourceStart[axis] * sourceStrides[axis]
            destinationOffset += destinationStart[axis] * destinationStrides[axis]
        }
        if inner == 0 { try body(sourceOffset, destinationOffset, runLength); return }
        // Odometer over the axes before `inner`; each step is one run.
        var index = [Int](repeating: 0, count: inner)
        while true {
            try body(sourceOffset, destinationOffset, runLength)
            var axis = inner - 1
            while axis >= 0 {
                index[axis] += 1
                sourceOffset += sourceStrides[axis]
                destinationOffset += destinationStrides[axis]
                if index[axis] < count[axis] { break }
                sourceOffset -= count[axis] * sourceStrides[axis]
                destinationOffset -= count[axis] * destinationStrides[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// Copies a box of `count` elements of `itemSize` bytes between raw buffers with `memcpy`.
    public static func copy(
        count: [Int], itemSize: Int,
        from source: UnsafeRawBufferPointer, sourceShape: [Int], sourceStart: [Int],
        to destination: UnsafeMutableRawBufferPointer, destinationShape: [Int], destinationStart: [Int]
    ) {
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        forEachRun(count: count, sourceShape: sourceShape, sourceStart: sourceStart,
                   destinationShape: destinationShape, destinationStart: destinationStart) { s, d, n in
            (dst + d * itemSize).copyMemory(from: src + s * itemSize, byteCount: n * itemSize)
        }
    }
}
