/// A regular grid of chunks over an array, and the mapping of regions onto it.
public struct ChunkGrid: Sendable, Hashable {
    /// The array's shape.
    public let shape: [Int]
    /// The shape of every chunk (edge chunks extend past the array).
    public let chunkShape: [Int]

    /// Creates a grid, checking that ranks agree and chunk lengths are positive.
    public init(shape: [Int], chunkShape: [Int], context: String? = nil) throws {
        guard shape.count == chunkShape.count else {
            throw CubeError(.invalidInput, "chunk shape \(chunkShape) does not match the rank of shape \(shape)", context: context)
        }
        for (n, c) in zip(shape, chunkShape) where c < 1 || n < 0 {
            throw CubeError(.invalidInput, "chunk shape \(chunkShape) must be positive for shape \(shape)", context: context)
        }
        _ = try ShapeMath.elementCount(shape, context: context)
        _ = try ShapeMath.elementCount(chunkShape, context: context)
        self.shape = shape
        self.chunkShape = chunkShape
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Number of chunks along each dimension.
    public var chunkCounts: [Int] { zip(shape, chunkShape).map { ShapeMath.ceilDiv($0, $1) } }

    /// Total number of chunks (1 for a 0-d array).
    public var chunkCount: Int { ShapeMath.product(chunkCounts) }

    /// The part of the array covered by the chunk at `coords`, clipped to the array.
    public func region(ofChunk coords: [Int]) -> Region {
        var start = [Int](repeating: 0, count: rank)
        var count = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            start[axis] = coords[axis] * chunkShape[axis]
            count[axis] = min(chunkShape[axis], shape[axis] - start[axis])
        }
        return Region(start: start, count: count)
    }

    /// Whether `coords` names a chunk of this grid.
    public func contains(chunk coords: [Int]) -> Bool {
        coords.count == rank && zip(coords, chunkCounts).allSatisfy { $0 >= 0 && $0 < $1 }
    }

    /// One chunk's share of a region.
    public struct Selection: Sendable, Hashable {
        /// Grid coordinates of the chunk.
        public var chunk: [Int]
        /// The selected part, in the chunk's own coordinates.
        public var withinChunk: Region
        /// Where the selected part starts in the region's coordinates.
        public var outputStart: [Int]
        /// Whether the selection covers every element of the chunk that lies inside the array.
        public var isComplete: Bool
    }

    /// Calls `body` for every chunk that intersects `region`, in C order of chunk coordinates.
    public func forEachChunk(in region: Region, _ body: (Selection) throws -> Void) rethrows {
        if region.count.contains(0) { return }
        let first = (0..<rank).map { region.start[$0] / chunkShape[$0] }
        let last = (0..<rank).map { (region.start[$0] + region.count[$0] - 1) / chunkShape[$0] }
        var coords = first
        while true {
            var within = Region(start: [Int](repeating: 0, count: rank), count: [Int](repeating: 0, count: rank))
            var output = [Int](repeating: 0, count: rank)
            var complete = true
            for axis in 0..<rank {
                let chunkStart = coords[axis] * chunkShape[axis]
                let chunkEnd = chunkStart + min(chunkShape[axis], shape[axis] - chunkStart)  // no overflow near Int.max
                let lo = max(chunkStart, region.start[axis])
                let hi = min(chunkEnd, region.start[axis] + region.count[axis])
                within.start[axis] = lo - chunkStart
                within.count[axis] = hi - lo
                output[axis] = lo - region.start[axis]
                if lo != chunkStart || hi != chunkEnd { complete = false }
            }
            try body(Selection(chunk: coords, withinChunk: within, outputStart: output, isComplete: complete))
            // Odometer over chunk coordinates, last axis fastest.
            var axis = rank - 1
            while axis >= 0 {
                coords[axis] += 1
                if coords[axis] <= last[axis] { break }
                coords[axis] = first[axis]
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// The chunks intersecting `region`.
    public func selections(in region: Region) -> [Selection] {
        var result: [Selection] = []
        forEachChunk(in: region) { result.append($0) }
        return result
    }

    /// Calls `body` with the coordinates of every chunk of the grid, in C order.
    public func forEachChunkCoordinate(_ body: ([Int]) throws -> Void) rethrows {
        let counts = chunkCounts
        if counts.contains(0) { return }
        var coords = [Int](repeating: 0, count: rank)
        while true {
            try body(coords)
            var axis = rank - 1
            while axis >= 0 {
                coords[axis] += 1
                if coords[axis] < counts[axis] { break }
                coords[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
