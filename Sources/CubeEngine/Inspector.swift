import CubeCore
import CubeZarr

/// What reading one access pattern costs on an array's layout.
public struct AccessCost: Sendable, Equatable {
    /// `series` (every index along a dimension at one point) or `slice` (everything at one index).
    public var pattern: String
    /// The dimension the pattern runs along (series) or is fixed at (slice).
    public var dimension: String
    /// Chunks that must be decoded (inner chunks for sharded arrays).
    public var chunks: Int
    /// Stored objects (files) touched: chunks, or shards for sharded arrays.
    public var objects: Int
    /// Bytes decoded (0 when the element size is variable).
    public var decodedBytes: Int
    /// Estimated bytes read from storage (average stored chunk size × chunks).
    public var storedBytes: Int
}

extension AccessCost {
    /// The series and slice patterns along `along` (default `time`, else the first dimension)
    /// on a layout of `chunkShape` decode units stored in objects of `objectShape`.
    public static func estimate(shape: [Int], dimensions: [String], chunkShape: [Int], objectShape: [Int],
                                itemSize: Int, storedBytesPerChunk: Double, along: String?) -> [AccessCost] {
        let rank = shape.count
        guard rank > 0, !shape.contains(0) else { return [] }
        let axis = along.flatMap { dimensions.firstIndex(of: $0) } ?? dimensions.firstIndex(of: "time") ?? 0
        func cost(_ pattern: String, touched: (Int) -> Bool) -> AccessCost {
            // Along a touched axis every chunk is read; along the others exactly one.
            var units = 1, objects = 1
            for d in 0..<rank where touched(d) {
                units *= ShapeMath.ceilDiv(shape[d], chunkShape[d])
                objects *= ShapeMath.ceilDiv(shape[d], objectShape[d])
            }
            return AccessCost(pattern: pattern, dimension: dimensions[axis], chunks: units, objects: objects,
                              decodedBytes: units * ShapeMath.product(chunkShape) * itemSize,
                              storedBytes: Int((storedBytesPerChunk * Double(units)).rounded()))
        }
        return [cost("series") { $0 == axis }, cost("slice") { $0 != axis }]
    }
}

/// Everything `cube-info` reports about one array.
public struct ArrayReport: Sendable {
    /// Node path in the store.
    public var path: String
    /// The array's metadata.
    public var metadata: ArrayMetadata
    /// Dimension names, with `dim_N` for unnamed dimensions.
    public var dimensions: [String]
    /// Shape of one decoded chunk (the inner chunk for sharded arrays).
    public var chunkShape: [Int]
    /// Shape of one shard, for sharded arrays.
    public var shardShape: [Int]?
    /// Stored objects present (chunks, or shards).
    public var objectsInitialized: Int
    /// Stored objects the grid allows.
    public var objectsTotal: Int
    /// Bytes stored for chunk data.
    public var storedBytes: Int
    /// Bytes of the array when decoded (0 for variable-length strings).
    public var decodedBytes: Int
    /// Costs of the series and slice patterns.
    public var access: [AccessCost]

    /// Decoded bytes per stored byte, or `nil` when nothing is stored or sizes are unknown.
    public var compressionRatio: Double? {
        storedBytes > 0 && decodedBytes > 0 ? Double(decodedBytes) / Double(storedBytes) : nil
    }
}

/// Inspects Zarr hierarchies for `cube-info`.
public enum Inspector {
    /// Reports on the array `metadata` at `path`; `along` names the dimension of the access
    /// patterns (default: `time` if present, else the first).
    public static func report(store: any ListableStore, path: String, metadata: ArrayMetadata, along: String? = nil) throws -> ArrayReport {
        let rank = metadata.shape.count
        let dimensions = (0..<rank).map { metadata.dimensionNames?[$0] ?? "dim_\($0)" }
        let inner = metadata.innerChunkShape
        let unit = inner ?? metadata.chunkShape
        let grid = try metadata.grid(context: StoreKey.join(store.location, path))

        let keys = try metadata.storedChunkKeys(in: store, path: path)
        let stored = try keys.reduce(0) { $0 + (try store.size(of: $1) ?? 0) }
        let decoded = ShapeMath.product(metadata.shape) * metadata.dataType.itemSize
        let unitsTotal = zip(metadata.shape, unit).reduce(1) { $0 * ShapeMath.ceilDiv($1.0, $1.1) }
        let averageUnitStored = unitsTotal > 0 ? Double(stored) / Double(unitsTotal) : 0

        let access = AccessCost.estimate(shape: metadata.shape, dimensions: dimensions, chunkShape: unit,
                                         objectShape: metadata.chunkShape, itemSize: metadata.dataType.itemSize,
                                         storedBytesPerChunk: averageUnitStored, along: along)
        return ArrayReport(path: path, metadata: metadata, dimensions: dimensions, chunkShape: unit,
                           shardShape: inner == nil ? nil : metadata.chunkShape,
                           objectsInitialized: keys.count, objectsTotal: grid.chunkCount,
                           storedBytes: stored, decodedBytes: decoded, access: access)
    }
}
