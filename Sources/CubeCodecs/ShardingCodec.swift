import CubeCore

/// The v3 `sharding_indexed` codec: a shard holds many inner chunks, each encoded with
/// its own codec chain, plus an index of `(offset, nbytes)` pairs at its start or end.
public struct ShardingCodec: ArrayToBytesCodec {
    /// Where the index is stored in the shard.
    public enum IndexLocation: String, Sendable {
        case start, end
    }

    /// Shape of the inner chunks.
    public var innerChunkShape: [Int]
    /// Codecs of the inner chunks.
    public var codecs: CodecChain
    /// Codecs of the index (fixed-size: `bytes` and optionally `crc32c`).
    public var indexCodecs: CodecChain
    /// Where the index is stored.
    public var indexLocation: IndexLocation
    /// The array's fill value: inner chunks entirely equal to it are not stored.
    public var fill: FillValue
    /// Whether inner chunks equal to the fill value are stored anyway.
    public var writeEmptyChunks: Bool

    /// The index value marking an absent inner chunk.
    public static let emptyEntry = UInt64.max

    /// Creates a sharding codec.
    public init(innerChunkShape: [Int], codecs: CodecChain, indexCodecs: CodecChain, indexLocation: IndexLocation,
                fill: FillValue, writeEmptyChunks: Bool = false) {
        self.innerChunkShape = innerChunkShape
        self.codecs = codecs
        self.indexCodecs = indexCodecs
        self.indexLocation = indexLocation
        self.fill = fill
        self.writeEmptyChunks = writeEmptyChunks
    }

    public var name: String { "sharding_indexed" }

    /// Inner chunks per shard along each dimension; the shard shape must be a multiple of the inner shape.
    public func chunksPerShard(_ shardShape: [Int]) throws -> [Int] {
        guard shardShape.count == innerChunkShape.count,
              zip(shardShape, innerChunkShape).allSatisfy({ $1 > 0 && $0 % $1 == 0 }) else {
            throw CubeError(.invalidInput, "shard shape \(shardShape) is not a multiple of inner chunk shape \(innerChunkShape)")
        }
        return zip(shardShape, innerChunkShape).map { $0 / $1 }
    }

    /// What the index of a shard of `shardShape` decodes to: `(offset, nbytes)` pairs of
    /// `uint64` per inner chunk, all-ones where a chunk is absent.
    public func indexSpec(_ shardShape: [Int]) throws -> ChunkSpec {
        let shape = try chunksPerShard(shardShape) + [2]
        // An index too large to address (many tiny inner chunks in a huge shard) is bad metadata.
        _ = try ShapeMath.byteCount(shape, itemSize: 8, context: "shard index")
        return ChunkSpec(shape: shape, dataType: .uint64, fill: .element([UInt8](repeating: 0xFF, count: 8)))
    }

    /// The encoded size of the index of a shard of `shardShape`.
    public func indexByteCount(_ shardShape: [Int]) throws -> Int {
        guard let size = indexCodecs.encodedSizeBound(try indexSpec(shardShape)) else {
            throw CubeError(.invalidInput, "shard index codecs must have a fixed size")
        }
        return size
    }

    /// Where the index lies in a stored shard.
    public func indexRange(_ shardShape: [Int]) throws -> ByteRangeSpec {
        let n = try indexByteCount(shardShape)
        return indexLocation == .start ? .prefix(n) : .suffix(n)
    }

    /// Decodes a shard index; `shardSize` is the stored size of the whole shard, used to check bounds.
    public func decodeIndex(_ bytes: [UInt8], shardShape: [Int], shardSize: Int) throws -> ShardIndex {
        let spec = try indexSpec(shardShape)
        let decoded = try indexCodecs.decode(bytes, spec: spec)
        guard let raw = decoded.bytes else { throw CubeError(.corrupt, "shard index did not decode to integers") }
        let count = raw.count / 16
        var entries: [ShardIndex.Entry?] = []
        entries.reserveCapacity(count)
        try raw.withUnsafeBytes { buf in
            for i in 0..<count {
                let offset = buf.loadUnaligned(fromByteOffset: 16 * i, as: UInt64.self)
                let length = buf.loadUnaligned(fromByteOffset: 16 * i + 8, as: UInt64.self)
                if offset == Self.emptyEntry && length == Self.emptyEntry { entries.append(nil); continue }
                guard offset <= UInt64(shardSize), length <= UInt64(shardSize) - offset else {
                    throw CubeError(.corrupt, "shard index entry \(i) (offset \(offset), \(length) bytes) points outside the \(shardSize)-byte shard")
                }
                entries.append(ShardIndex.Entry(offset: Int(offset), length: Int(length)))
            }
        }
        return ShardIndex(chunksPerShard: try chunksPerShard(shardShape), entries: entries)
    }

    /// Encodes a full shard; inner chunks entirely equal to the fill value are left out.
    public func encode(_ shard: ArrayBuffer) throws -> [UInt8] {
        let grid = try ChunkGrid(shape: shard.shape, chunkShape: innerChunkShape)
        let perShard = try chunksPerShard(shard.shape)
        let indexSize = try indexByteCount(shard.shape)
        var body: [UInt8] = []
        var index = [UInt64](repeating: Self.emptyEntry, count: 2 * ShapeMath.product(perShard))
        let base = indexLocation == .start ? indexSize : 0
        try grid.forEachChunkCoordinate { coords in
            let inner = shard.extracting(grid.region(ofChunk: coords))
            if !writeEmptyChunks && inner.isEntirely(fill) { return }
            let encoded = try codecs.encode(inner)
            let linear = zip(coords, ShapeMath.strides(perShard)).reduce(0) { $0 + $1.0 * $1.1 }
            index[2 * linear] = UInt64(base + body.count)
            index[2 * linear + 1] = UInt64(encoded.count)
            body.append(contentsOf: encoded)
        }
        let indexArray = try ArrayBuffer(dataType: .uint64, shape: perShard + [2],
                                         bytes: index.withUnsafeBytes { Array($0) })
        let encodedIndex = try indexCodecs.encode(indexArray)
        return indexLocation == .start ? encodedIndex + body : body + encodedIndex
    }

    /// Decodes a whole stored shard.
    public func decode(_ bytes: [UInt8], spec: ChunkSpec) throws -> ArrayBuffer {
        let indexSize = try indexByteCount(spec.shape)
        guard bytes.count >= indexSize else {
            throw CubeError(.corrupt, "shard of \(bytes.count) bytes is shorter than its \(indexSize)-byte index")
        }
        let indexBytes = indexLocation == .start ? Array(bytes[..<indexSize]) : Array(bytes[(bytes.count - indexSize)...])
        let index = try decodeIndex(indexBytes, shardShape: spec.shape, shardSize: bytes.count)
        var shard = ArrayBuffer(filledWith: spec.fill, dataType: spec.dataType, shape: spec.shape)
        let grid = try ChunkGrid(shape: spec.shape, chunkShape: innerChunkShape)
        var linear = 0
        try grid.forEachChunkCoordinate { coords in
            defer { linear += 1 }
            guard let entry = index.entries[linear] else { return }
            let inner = try decodeInner(Array(bytes[entry.offset..<(entry.offset + entry.length)]), spec: spec)
            let region = grid.region(ofChunk: coords)
            shard.copy(from: inner, sourceStart: Array(repeating: 0, count: region.rank), count: region.count, to: region.start)
        }
        return shard
    }

    /// Decodes one stored inner chunk of a shard described by `shardSpec`.
    public func decodeInner(_ bytes: [UInt8], spec shardSpec: ChunkSpec) throws -> ArrayBuffer {
        let innerSpec = ChunkSpec(shape: innerChunkShape, dataType: shardSpec.dataType, fill: shardSpec.fill)
        return try codecs.decode(bytes, spec: innerSpec)
    }

    /// An upper bound of a stored shard's size (every inner chunk at its bound, plus the index),
    /// `Int.max` when too large to represent, or `nil` when the inner chunks' size is unknown.
    public func encodedSizeBound(_ spec: ChunkSpec) -> Int? {
        guard let perShard = try? chunksPerShard(spec.shape),
              let inner = codecs.encodedSizeBound(ChunkSpec(shape: innerChunkShape, dataType: spec.dataType, fill: spec.fill)),
              let index = try? indexByteCount(spec.shape) else { return nil }
        let chunks = perShard.reduce(1) { ShapeMath.saturatingProduct($0, $1) }
        return ShapeMath.saturatingSum(ShapeMath.saturatingProduct(chunks, inner), index)
    }
}

/// Where a shard index lies: the first or the last `n` bytes.
public enum ByteRangeSpec: Sendable, Hashable {
    case prefix(Int)
    case suffix(Int)
}

/// The decoded index of one shard.
public struct ShardIndex: Sendable {
    /// Location of one stored inner chunk.
    public struct Entry: Sendable, Hashable {
        /// Byte offset in the shard.
        public var offset: Int
        /// Stored size in bytes.
        public var length: Int
    }

    /// Inner chunks per shard along each dimension.
    public var chunksPerShard: [Int]
    /// One entry per inner chunk in C order; `nil` for absent chunks.
    public var entries: [Entry?]

    /// The entry of the inner chunk at `coords`.
    public func entry(at coords: [Int]) -> Entry? {
        let linear = zip(coords, ShapeMath.strides(chunksPerShard)).reduce(0) { $0 + $1.0 * $1.1 }
        return linear < entries.count ? entries[linear] : nil
    }
}
