import CubeCore
import CubeCodecs
import Foundation

/// A Zarr array (v2 or v3) in a store: region reads and writes across chunk boundaries.
public struct ZarrArray: Sendable {
    /// The store holding the array.
    public let store: any ReadableStore
    /// The array's node path in the store (`""` for the root).
    public let path: String
    /// The array's metadata.
    public let metadata: ArrayMetadata
    /// The chunk grid (for sharded arrays, the shard grid).
    public let grid: ChunkGrid
    /// The decoded fill value.
    public let fill: FillValue
    /// The codec chain of a grid chunk.
    public let codecs: CodecChain
    /// Whether chunks entirely equal to the fill value are written (default: not, like
    /// zarr-python 3). Always set for v2 arrays whose `fill_value` is `null`: there a missing
    /// chunk has no defined value (zarr-python 2.18 reads uninitialized memory).
    public var writeEmptyChunks: Bool

    /// Opens the array described by `metadata` at `path`.
    public init(store: any ReadableStore, path: String, metadata: ArrayMetadata, writeEmptyChunks: Bool = false) throws {
        let writeEmptyChunks = writeEmptyChunks || (metadata.format == .v2 && metadata.fillValueJSON.isNull)
        // Metadata problems are about the metadata document: name it.
        let context = StoreKey.join(store.location, path, metadata.format == .v2 ? ".zarray" : "zarr.json")
        self.store = store
        self.path = path
        self.metadata = metadata
        self.grid = try metadata.grid(context: context)
        let fill = try metadata.fillValue(context: context)
        self.fill = fill
        self.writeEmptyChunks = writeEmptyChunks
        self.codecs = try CubeError.annotating(context) {
            try CodecRegistry.chain(for: metadata, fill: fill, writeEmptyChunks: writeEmptyChunks)
        }
    }

    /// Opens the array at `path`, detecting the format from the metadata present.
    public static func open(_ store: any ReadableStore, path: String = "") throws -> ZarrArray {
        guard let node = try ZarrNode.read(store, path: path) else {
            throw CubeError(.notFound, "no Zarr array here", context: StoreKey.join(store.location, path))
        }
        guard case .array(let metadata) = node.kind else {
            throw CubeError(.invalidInput, "this is a group, not an array", context: StoreKey.join(store.location, path))
        }
        return try ZarrArray(store: store, path: path, metadata: metadata)
    }

    /// Writes the metadata of a new array and returns it. Refuses to replace an existing node
    /// unless `overwrite`, in which case the old node's keys are deleted first, and refuses
    /// (`.unsupported`) structured data types in format 3, whose specification has none.
    public static func create(_ store: any Store, path: String, metadata: ArrayMetadata,
                              overwrite: Bool = false, writeEmptyChunks: Bool = false) throws -> ZarrArray {
        let context = StoreKey.join(store.location, path)
        if metadata.format == .v3, case .structured = metadata.dataType {
            throw CubeError(.unsupported, "structured data types cannot be written to Zarr v3 (its specification has none)",
                            context: context)
        }
        if try ZarrNode.read(store, path: path) != nil {
            guard overwrite else { throw CubeError(.conflict, "a Zarr node already exists here", context: context) }
            try store.deleteAll(under: path)
        }
        let array = try ZarrArray(store: store, path: path, metadata: metadata, writeEmptyChunks: writeEmptyChunks)
        try ZarrNode(path: path, kind: .array(metadata)).write(to: store)
        return array
    }

    /// A short location for messages: `store/path`.
    public var location: String { StoreKey.join(store.location, path) }

    /// The array's shape.
    public var shape: [Int] { metadata.shape }

    /// The store key of the grid chunk at `coords`.
    public func chunkKey(_ coords: [Int]) -> String {
        StoreKey.join(path, metadata.chunkKeyEncoding.key(for: coords))
    }

    var chunkSpec: ChunkSpec {
        ChunkSpec(shape: metadata.chunkShape, dataType: metadata.dataType, fill: fill)
    }

    /// The sharding codec when the array is sharded with nothing around it (partial reads possible).
    var directSharding: ShardingCodec? {
        guard codecs.arrayToArray.isEmpty, codecs.bytesToBytes.isEmpty else { return nil }
        return codecs.arrayToBytes as? ShardingCodec
    }

    /// Decodes the stored chunk at `coords` (full chunk shape), or returns `nil` if it is absent.
    public func readChunk(_ coords: [Int]) throws -> ArrayBuffer? {
        let key = chunkKey(coords)
        guard let bytes = try store.get(key) else { return nil }
        return try decodeRecycling(bytes, key: key)
    }

    /// ``decodeChunk(_:key:)``, then the stored bytes go back to the thread's cache unless the
    /// chunk is made of them.
    private func decodeRecycling(_ bytes: [UInt8], key: String) throws -> ArrayBuffer {
        let chunk = try decodeChunk(bytes, key: key)
        BufferCache.recycle(bytes, unlessSharedWith: [chunk.bytes])
        return chunk
    }

    /// Decodes stored chunk bytes, attaching the key to errors.
    public func decodeChunk(_ bytes: [UInt8], key: String) throws -> ArrayBuffer {
        try CubeError.annotating(StoreKey.join(store.location, key)) {
            let chunk = try codecs.decode(bytes, spec: chunkSpec)
            guard chunk.shape == metadata.chunkShape, chunk.elementCount == ShapeMath.product(metadata.chunkShape) else {
                throw CubeError(.corrupt, "chunk decoded to shape \(chunk.shape), expected \(metadata.chunkShape)")
            }
            if let strings = chunk.strings, strings.count != chunk.elementCount {
                throw CubeError(.corrupt, "chunk decoded to \(strings.count) strings, expected \(chunk.elementCount)")
            }
            return chunk
        }
    }

    /// Reads `region` of the array; missing chunks read as the fill value.
    ///
    /// Every part of the output is written exactly once: by a stored chunk, or with the fill
    /// value where none is stored.
    public func read(_ region: Region) throws -> ArrayBuffer {
        try read(region, concurrency: 1)
    }

    /// How far a region read asks the store to fetch ahead (``ReadableStore/prefetch(_:)``):
    /// a window of this many decoded bytes' worth of chunks, at most ``prefetchChunks``.
    static let prefetchBytes = 16 << 20
    /// The most chunks in one prefetch window.
    static let prefetchChunks = 64

    /// Reads `region` with up to `concurrency` threads, each fetching, decoding and placing
    /// whole chunks in turn (one stored and one decoded chunk each, from a cache of its own),
    /// while the store fetches the next chunks ahead of them. One thread reads on the
    /// caller's thread with the caller's ``BufferCache``. Strings and sharded arrays are read
    /// chunk by chunk on the caller's thread.
    public func read(_ region: Region, concurrency: Int) throws -> ArrayBuffer {
        try region.validate(within: shape, context: location)
        guard !metadata.dataType.isVariableLength, directSharding == nil else { return try readChunkByChunk(region) }
        var collected: [ChunkGrid.Selection] = []
        grid.forEachChunk(in: region) { collected.append($0) }
        let selections = collected
        let keys = selections.map { chunkKey($0.chunk) }
        var output = ArrayBuffer(uninitialized: metadata.dataType, shape: region.count)
        let state = RegionReadState()
        let threads = max(1, min(concurrency, selections.count))
        // Keep the store fetching between one and two windows of chunks ahead of the reads.
        let window = max(1, min(Self.prefetchChunks, Self.prefetchBytes / max(1, chunkSpec.byteCount)))
        if keys.count > 1 { store.prefetch(Array(keys.prefix(2 * window))) }
        output.withUnsafeMutableBytes { raw in
            let destination = RegionReadState.Bytes(raw)
            let work: @Sendable () -> Void = {
                while let index = state.next(below: selections.count) {
                    if index > 0 && index % window == 0 && index + window < keys.count {
                        store.prefetch(Array(keys[(index + window)..<min(keys.count, index + 2 * window)]))
                    }
                    do {
                        try readSelection(selections[index], key: keys[index], into: destination.raw, shape: region.count, state: state)
                    } catch {
                        state.fail(error)
                    }
                }
            }
            guard threads > 1 else { return work() }
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                BufferCache.withCurrent(BufferCache(limit: 2 * (chunkSpec.byteCount + BufferCache.minimumSize)), work)
            }
        }
        if let error = state.error { throw error }
        for part in state.missing { output.fill(part, with: fill) }
        return output
    }

    /// One chunk's share of a read of fixed-size elements, placed through `output` (of shape
    /// `outputShape`): decoded straight into it where the whole chunk is one run of it.
    private func readSelection(_ selection: ChunkGrid.Selection, key: String, into output: UnsafeMutableRawBufferPointer,
                               shape outputShape: [Int], state: RegionReadState) throws {
        guard let bytes = try store.get(key) else {
            state.add(Region(start: selection.outputStart, count: selection.withinChunk.count))
            return
        }
        let itemSize = metadata.dataType.itemSize
        // A selection of the whole chunk shape is the whole chunk.
        if selection.withinChunk.count == metadata.chunkShape,
           let offset = RegionCopy.singleRunOffset(count: selection.withinChunk.count, at: selection.outputStart, in: outputShape) {
            let start = offset * itemSize
            let slice = UnsafeMutableRawBufferPointer(rebasing: output[start..<(start + chunkSpec.byteCount)])
            if try CubeError.annotating(StoreKey.join(store.location, key), { try codecs.decode(bytes, spec: chunkSpec, into: slice) }) {
                BufferCache.recycle(bytes)
                return
            }
        }
        let chunk = try decodeRecycling(bytes, key: key)
        chunk.bytes?.withUnsafeBytes { source in
            RegionCopy.copy(count: selection.withinChunk.count, itemSize: itemSize,
                            from: source, sourceShape: chunk.shape, sourceStart: selection.withinChunk.start,
                            to: output, destinationShape: outputShape, destinationStart: selection.outputStart)
        }
        chunk.recycle()
    }

    /// Reads `region` of a string or sharded array one chunk (or shard part) at a time.
    private func readChunkByChunk(_ region: Region) throws -> ArrayBuffer {
        var output = ArrayBuffer(uninitialized: metadata.dataType, shape: region.count)
        var missing: [Region] = []
        try grid.forEachChunk(in: region) { selection in
            try readSelection(selection, into: &output, missing: &missing)
        }
        if !metadata.dataType.isVariableLength || fill != .string("") {
            for part in missing { output.fill(part, with: fill) }
        }
        return output
    }

    /// Reads the whole array.
    public func readAll() throws -> ArrayBuffer {
        try read(Region(shape: shape))
    }

    /// Copies one chunk's (or shard's) share of a region read into `output`; records output
    /// regions no stored chunk covers in `missing`.
    private func readSelection(_ selection: ChunkGrid.Selection, into output: inout ArrayBuffer, missing: inout [Region]) throws {
        if let sharding = directSharding, !selection.isComplete {
            try readShardPart(selection, sharding: sharding, into: &output, missing: &missing)
            return
        }
        let key = chunkKey(selection.chunk)
        guard let bytes = try store.get(key) else {
            missing.append(Region(start: selection.outputStart, count: selection.withinChunk.count))
            return
        }
        let chunk = try decodeRecycling(bytes, key: key)
        output.copy(from: chunk, sourceStart: selection.withinChunk.start, count: selection.withinChunk.count,
                    to: selection.outputStart)
        chunk.recycle()
    }

    /// Reads only the inner chunks of one shard that `selection` needs, by byte ranges.
    private func readShardPart(_ selection: ChunkGrid.Selection, sharding: ShardingCodec, into output: inout ArrayBuffer,
                               missing: inout [Region]) throws {
        let key = chunkKey(selection.chunk)
        let context = StoreKey.join(store.location, key)
        let whole = Region(start: selection.outputStart, count: selection.withinChunk.count)
        guard let shardSize = try store.size(of: key) else { missing.append(whole); return }
        let indexRange: ByteRange = switch try sharding.indexRange(metadata.chunkShape) {
        case .prefix(let n): .bounded(offset: 0, length: n)
        case .suffix(let n): .suffix(length: n)
        }
        guard let indexBytes = try store.get(key, range: indexRange) else { missing.append(whole); return }
        let index = try CubeError.annotating(context) {
            guard indexBytes.count == (try sharding.indexByteCount(metadata.chunkShape)) else {
                throw CubeError(.corrupt, "shard of \(shardSize) bytes is shorter than its index")
            }
            return try sharding.decodeIndex(indexBytes, shardShape: metadata.chunkShape, shardSize: shardSize)
        }
        let innerGrid = try ChunkGrid(shape: metadata.chunkShape, chunkShape: sharding.innerChunkShape, context: context)
        try innerGrid.forEachChunk(in: selection.withinChunk) { inner in
            guard let entry = index.entry(at: inner.chunk) else {
                missing.append(Region(start: zip(inner.outputStart, selection.outputStart).map { $0 + $1 }, count: inner.withinChunk.count))
                return
            }
            guard let bytes = try store.get(key, range: .bounded(offset: entry.offset, length: entry.length)),
                  bytes.count == entry.length else {
                throw CubeError(.corrupt, "shard is shorter than its index says", context: context)
            }
            let chunk = try CubeError.annotating(context) { try sharding.decodeInner(bytes, spec: chunkSpec) }
            let outputStart = zip(inner.outputStart, selection.outputStart).map { $0 + $1 }
            output.copy(from: chunk, sourceStart: inner.withinChunk.start, count: inner.withinChunk.count, to: outputStart)
            BufferCache.recycle(bytes, unlessSharedWith: [chunk.bytes])
            chunk.recycle()
        }
    }

    /// Writes `data` into the array at `start`. Partly covered chunks are read, merged and
    /// rewritten; chunks that end up entirely equal to the fill value are deleted instead of
    /// written unless ``writeEmptyChunks``.
    public func write(_ data: ArrayBuffer, at start: [Int]) throws {
        let region = Region(start: start, count: data.shape)
        try region.validate(within: shape, context: location)
        guard data.dataType == metadata.dataType else {
            throw CubeError(.invalidInput, "cannot write \(data.dataType) data into a \(metadata.dataType) array", context: location)
        }
        try grid.forEachChunk(in: region) { selection in
            var chunk: ArrayBuffer
            if selection.isComplete {
                chunk = ArrayBuffer(filledWith: fill, dataType: metadata.dataType, shape: metadata.chunkShape)
            } else {
                chunk = try readChunk(selection.chunk)
                    ?? ArrayBuffer(filledWith: fill, dataType: metadata.dataType, shape: metadata.chunkShape)
            }
            chunk.copy(from: data, sourceStart: selection.outputStart, count: selection.withinChunk.count,
                       to: selection.withinChunk.start)
            try writeChunk(selection.chunk, chunk)
            chunk.recycle()
        }
    }

    /// Encodes and stores one whole grid chunk (or deletes it when it is all fill value).
    public func writeChunk(_ coords: [Int], _ chunk: ArrayBuffer) throws {
        let writable = try writableStore()
        let encoded = try encodeChunk(coords, chunk)
        guard let bytes = encoded.bytes else { return try writable.delete(encoded.key) }
        try writable.set(encoded.key, bytes)
        BufferCache.recycle(bytes, unlessSharedWith: [chunk.bytes])
    }

    /// The store, which must be writable.
    public func writableStore() throws -> any WritableStore {
        guard let writable = store as? any WritableStore else {
            throw CubeError(.io, "store is read-only", context: location)
        }
        return writable
    }

    /// The key of one whole grid chunk and what to store there: its encoded bytes, or `nil`
    /// when the chunk is all fill value and not written, so its key is to be deleted.
    /// ``writeChunk(_:_:)`` is this followed by the store's `set` or `delete`.
    public func encodeChunk(_ coords: [Int], _ chunk: ArrayBuffer) throws -> (key: String, bytes: [UInt8]?) {
        guard grid.contains(chunk: coords) else {
            throw CubeError(.invalidInput, "chunk \(coords) is outside the chunk grid \(grid.chunkCounts)", context: location)
        }
        guard chunk.shape == metadata.chunkShape else {
            throw CubeError(.invalidInput, "chunk of shape \(chunk.shape) written to an array with chunks \(metadata.chunkShape)", context: location)
        }
        let key = chunkKey(coords)
        if !writeEmptyChunks && chunk.isEntirely(fill) { return (key, nil) }
        let bytes = try CubeError.annotating(StoreKey.join(store.location, key)) { try codecs.encode(chunk) }
        return (key, bytes)
    }
}

extension ZarrArray: ArraySource {
    /// The dimension names, `dim_N` where the metadata names none.
    public var dimensionNames: [String] {
        (0..<shape.count).map { metadata.dimensionNames?[$0] ?? "dim_\($0)" }
    }

    /// The element type.
    public var dataType: DataType { metadata.dataType }

    /// The grid chunk (the shard, for sharded arrays): the unit stored as one object.
    public var chunkShape: [Int]? { metadata.chunkShape }

    /// Empty: Zarr attributes are JSON, in ``metadata``'s `attributes`.
    public var attributes: [Attribute] { [] }
}

/// What the threads of one region read (one thread or several) share: the next chunk to
/// take, the regions no stored chunk covers, and the first failure.
final class RegionReadState: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private var uncovered: [Region] = []
    private var failure: (any Error)?

    /// The output's bytes, handed to the threads (each writes only its chunks' parts).
    struct Bytes: @unchecked Sendable {
        let raw: UnsafeMutableRawBufferPointer
        init(_ raw: UnsafeMutableRawBufferPointer) { self.raw = raw }
    }

    /// The next selection index, or `nil` when all are taken or a read failed.
    func next(below count: Int) -> Int? {
        lock.withLock {
            guard failure == nil, cursor < count else { return nil }
            defer { cursor += 1 }
            return cursor
        }
    }

    /// Records an output region that no stored chunk covers.
    func add(_ region: Region) { lock.withLock { uncovered.append(region) } }
    /// Records a failure (the first one is kept) and stops handing out chunks.
    func fail(_ error: any Error) { lock.withLock { if failure == nil { failure = error } } }
    /// The regions no stored chunk covers.
    var missing: [Region] { lock.withLock { uncovered } }
    /// The first failure.
    var error: (any Error)? { lock.withLock { failure } }
}
