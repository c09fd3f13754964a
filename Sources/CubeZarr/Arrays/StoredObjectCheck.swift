import CubeCodecs
import CubeCore

/// What checking one stored object of an array found: a chunk, or a shard with its index
/// and inner chunks.
public struct StoredObjectCheck: Sendable {
    /// The object's store key.
    public var key: String
    /// Bytes read from the store.
    public var bytesRead: Int
    /// Chunks the object holds that were checked, sound or not (inner chunks for a shard).
    public var chunksChecked: Int
    /// What is wrong, one entry per damaged chunk or shard index; empty when all is sound.
    public var damage: [ChunkDamage]
}

extension ZarrArray {
    /// The decoded shape of one chunk: the inner chunk for sharded arrays.
    public var decodedChunkShape: [Int] { metadata.innerChunkShape ?? metadata.chunkShape }

    /// Decoded chunks in one stored object: 1, or the inner chunks of a shard.
    public var chunksPerObject: Int {
        ShapeMath.product(zip(metadata.chunkShape, decodedChunkShape).map { ShapeMath.ceilDiv($0, $1) })
    }

    /// The most memory checking a stored object of up to `storedSize` bytes holds: the
    /// object and a few decoded chunks' worth of buffers; for a shard read part by part, its
    /// index, one stored inner chunk and a few decoded ones.
    public func checkBytes(storedSize: Int) -> Int {
        let spec = ChunkSpec(shape: decodedChunkShape, dataType: metadata.dataType, fill: fill)
        // Strings have no fixed size: allow for each element's String and its bytes.
        let decoded = metadata.dataType.isVariableLength ? ShapeMath.product(spec.shape) * 32 + storedSize : spec.byteCount
        guard let sharding = directSharding else { return storedSize + 3 * decoded }
        let index = (try? sharding.indexByteCount(metadata.chunkShape)) ?? 0
        return index + min(storedSize, sharding.codecs.encodedSizeBound(spec) ?? storedSize) + 3 * decoded
    }

    /// Reads the object at `key` (a key of ``ArrayMetadata/storedChunkKeys(in:path:)``) and
    /// checks every chunk in it; `nil` when there is no object there. Shards are read part
    /// by part: an index entry reaching past the end of the shard is truncation, and inner
    /// chunks the index marks absent read as the fill value, as Zarr allows. Throws only
    /// when the store cannot be read.
    public func checkObject(at key: String) throws -> StoredObjectCheck? {
        if let sharding = directSharding { return try checkShard(at: key, sharding: sharding) }
        guard let bytes = try store.get(key) else { return nil }
        let damage = codecs.damage(in: bytes, spec: chunkSpec)
        BufferCache.recycle(bytes)
        return StoredObjectCheck(key: key, bytesRead: bytes.count, chunksChecked: chunksPerObject, damage: damage.map { [$0] } ?? [])
    }

    /// Checks a shard's index, then each inner chunk it records, reading one at a time.
    private func checkShard(at key: String, sharding: ShardingCodec) throws -> StoredObjectCheck? {
        guard let shardSize = try store.size(of: key) else { return nil }
        let shardShape = metadata.chunkShape
        var check = StoredObjectCheck(key: key, bytesRead: 0, chunksChecked: 0, damage: [])
        let indexSize = try sharding.indexByteCount(shardShape)
        guard shardSize >= indexSize else {
            check.damage.append(ChunkDamage(.truncated, "shard of \(shardSize) bytes is shorter than its \(indexSize)-byte index"))
            check.chunksChecked = chunksPerObject
            return check
        }
        let indexOffset = sharding.indexLocation == .start ? 0 : shardSize - indexSize
        guard let indexBytes = try store.get(key, range: .bounded(offset: indexOffset, length: indexSize)) else { return nil }
        check.bytesRead += indexBytes.count
        // Without its index none of the shard's chunks can be read: all count as checked.
        if let damage = sharding.indexCodecs.damage(in: indexBytes, spec: try sharding.indexSpec(shardShape)) {
            check.damage.append(ChunkDamage(damage.kind, "shard index: \(damage.detail)"))
            check.chunksChecked = chunksPerObject
            return check
        }
        let index: ShardIndex
        do {
            // Entries are checked against the shard's size below, one by one.
            index = try sharding.decodeIndex(indexBytes, shardShape: shardShape, shardSize: Int.max)
        } catch {
            check.damage.append(ChunkDamage(.corrupt, "shard index: \((error as? CubeError)?.message ?? "\(error)")"))
            check.chunksChecked = chunksPerObject
            return check
        }
        let innerSpec = ChunkSpec(shape: sharding.innerChunkShape, dataType: metadata.dataType, fill: fill)
        let largest = sharding.codecs.encodedSizeBound(innerSpec)
        let innerGrid = try ChunkGrid(shape: shardShape, chunkShape: sharding.innerChunkShape)
        var linear = 0
        try innerGrid.forEachChunkCoordinate { coords in
            defer { linear += 1 }
            guard let entry = index.entries[linear] else { return }
            check.chunksChecked += 1
            let end = entry.offset + entry.length
            func found(_ kind: ChunkDamage.Kind, _ detail: String) {
                check.damage.append(ChunkDamage(kind, "inner chunk \(coords): \(detail)"))
            }
            guard end <= shardSize else {
                return found(.truncated, "bytes \(entry.offset)..<\(end) reach past the end of the \(shardSize)-byte shard")
            }
            if let largest, entry.length > largest {
                return found(.mismatched, "\(entry.length) bytes, more than its codecs make of a chunk (\(largest))")
            }
            guard let bytes = try store.get(key, range: .bounded(offset: entry.offset, length: entry.length)),
                  bytes.count == entry.length else {
                return found(.truncated, "the shard ended while it was read")
            }
            check.bytesRead += bytes.count
            if let damage = sharding.codecs.damage(in: bytes, spec: innerSpec) { found(damage.kind, damage.detail) }
            BufferCache.recycle(bytes)
        }
        return check
    }
}
