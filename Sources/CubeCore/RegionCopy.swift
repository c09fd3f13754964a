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
        if count.contains(0) { return }
        if count.isEmpty { try body(0, 0, 1); return }
        let (inner, runLength) = run(count: count, sourceShape: sourceShape, destinationShape: destinationShape)
        try forEachOffset(count: count, axes: inner,
                          source: Strided(shape: sourceShape, start: sourceStart, unit: 1),
                          destination: Strided(shape: destinationShape, start: destinationStart, unit: 1)) { s, d in
            try body(s, d, runLength)
        }
    }

    /// Copies a box of `count` elements of `itemSize` bytes between raw buffers: contiguous
    /// runs with `memcpy`, and runs of a few elements (a 10×10 tile out of a map row) with
    /// inline word moves, since a library call per 40 bytes would cost more than the copy.
    public static func copy(
        count: [Int], itemSize: Int,
        from source: UnsafeRawBufferPointer, sourceShape: [Int], sourceStart: [Int],
        to destination: UnsafeMutableRawBufferPointer, destinationShape: [Int], destinationStart: [Int]
    ) {
        guard let src = source.baseAddress, let dst = destination.baseAddress, !count.contains(0) else { return }
        if count.isEmpty { dst.copyMemory(from: src, byteCount: itemSize); return }
        let (inner, runLength) = run(count: count, sourceShape: sourceShape, destinationShape: destinationShape)
        let runBytes = runLength * itemSize
        let from = Strided(shape: sourceShape, start: sourceStart, unit: itemSize)
        let to = Strided(shape: destinationShape, start: destinationStart, unit: itemSize)
        if inner == 0 {
            (dst + to.offset).copyMemory(from: src + from.offset, byteCount: runBytes)
            return
        }
        // Rows along the axis just outside the run in a tight loop; an odometer over the rest.
        let rowAxis = inner - 1
        let rows = count[rowAxis]
        let sourceRowStep = from.strides[rowAxis], destinationRowStep = to.strides[rowAxis]
        forEachOffset(count: count, axes: rowAxis, source: from, destination: to) { sourceOffset, destinationOffset in
            var s = src + sourceOffset
            var d = dst + destinationOffset
            for _ in 0..<rows {
                move(d, s, runBytes)
                s += sourceRowStep
                d += destinationRowStep
            }
        }
    }

    /// Copies a box of `count` at `sourceStart` of `source` into several destinations, each of
    /// `destinationShape`, that split the box's last axis in order: destination `i` receives
    /// the next `lengths[i]` elements of every row, at its own origin.
    ///
    /// One pass over the source's rows, each row read once from start to end, instead of one
    /// pass per destination: cutting 10×10 tiles out of a block of whole maps otherwise
    /// touches every page of the block again for every tile.
    public static func copySplittingLastAxis(
        count: [Int], itemSize: Int,
        from source: UnsafeRawBufferPointer, sourceShape: [Int], sourceStart: [Int],
        to destinations: [UnsafeMutableRawPointer], lengths: [Int], destinationShape: [Int]
    ) {
        guard let src = source.baseAddress, let last = count.indices.last, !count.contains(0),
              destinations.count == lengths.count, lengths.reduce(0, +) == count[last] else { return }
        let starts = lengths.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1) }
        let pieces = zip(lengths, starts).map { (bytes: $0 * itemSize, offset: $1 * itemSize) }
        forEachOffset(count: count, axes: last,
                      source: Strided(shape: sourceShape, start: sourceStart, unit: itemSize),
                      destination: Strided(shape: destinationShape, start: count.map { _ in 0 }, unit: itemSize)) { s, d in
            for (destination, piece) in zip(destinations, pieces) {
                move(destination + d, src + s + piece.offset, piece.bytes)
            }
        }
    }

    /// The element offset in an array of `shape` where a box of `count` at `start` lies as
    /// one contiguous run (as map chunks lie in a block of whole maps), or `nil` when copying
    /// it takes several runs.
    public static func singleRunOffset(count: [Int], at start: [Int], in shape: [Int]) -> Int? {
        let offset = Strided(shape: shape, start: start, unit: 1).offset
        guard !count.isEmpty else { return offset }
        let (inner, _) = run(count: count, sourceShape: count, destinationShape: shape)
        return count[..<inner].allSatisfy { $0 == 1 } ? offset : nil
    }

    /// Byte strides of an array and the offset of a start position in it.
    struct Strided {
        var strides: [Int]
        var offset: Int

        init(shape: [Int], start: [Int], unit: Int) {
            // One array, filled in place (this runs once per copy, thousands of times a task).
            var strides = [Int](repeating: unit, count: shape.count)
            var step = unit
            var offset = 0
            for axis in shape.indices.reversed() {
                strides[axis] = step
                offset += start[axis] * step
                step *= shape[axis]
            }
            self.strides = strides
            self.offset = offset
        }
    }

    /// The outermost axis of the longest run (trailing axes copied whole in both arrays
    /// merge with the axis before them) and the run's length in elements.
    static func run(count: [Int], sourceShape: [Int], destinationShape: [Int]) -> (inner: Int, length: Int) {
        var inner = count.count - 1
        var length = count[inner]
        while inner > 0, count[inner] == sourceShape[inner], count[inner] == destinationShape[inner] {
            inner -= 1
            length *= count[inner]
        }
        return (inner, length)
    }

    /// Calls `body` with the source and destination offsets of every position of the first
    /// `axes` axes of a box of `count`, in C order (once, at the start, when `axes` is 0).
    static func forEachOffset(count: [Int], axes: Int, source: Strided, destination: Strided,
                              _ body: (Int, Int) throws -> Void) rethrows {
        var sourceOffset = source.offset
        var destinationOffset = destination.offset
        var index = [Int](repeating: 0, count: axes)
        while true {
            try body(sourceOffset, destinationOffset)
            var axis = axes - 1
            while axis >= 0 {
                index[axis] += 1
                sourceOffset += source.strides[axis]
                destinationOffset += destination.strides[axis]
                if index[axis] < count[axis] { break }
                sourceOffset -= count[axis] * source.strides[axis]
                destinationOffset -= count[axis] * destination.strides[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// Runs up to this many bytes are moved inline rather than by `memcpy`.
    static let smallRunBytes = 64

    /// Moves `count` bytes: inline 8-, 4- and 1-byte loads and stores for short runs,
    /// `memcpy` for long ones.
    @inline(__always)
    static func move(_ destination: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ count: Int) {
        guard count <= smallRunBytes else {
            destination.copyMemory(from: source, byteCount: count)
            return
        }
        var i = 0
        while i + 8 <= count {
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        if i + 4 <= count {
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: i, as: UInt32.self), toByteOffset: i, as: UInt32.self)
            i += 4
        }
        while i < count {
            destination.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }
}
