import CubeCodecs
import CubeCore
import CubeZarr

/// What the metadata targets do with every node they parse: what opening and reading an
/// array does (fill value, codec chain, size bounds, chunk keys, a read of its far corner),
/// then a write-and-read-back check.
public enum ZarrFuzzing {
    /// Context string for parse errors; the targets ignore the messages.
    static let context = "fuzz"

    /// Stored chunks are read only where a chunk (an inner chunk, for sharded arrays) decodes
    /// to at most this many bytes: a size the metadata gives, which reading any chunk needs.
    public static let maxChunkBytes = 64 << 20

    /// The memory a decoded chunk of `spec` takes (a string counted at its inline size).
    public static func decodedBytes(_ spec: ChunkSpec) -> Int {
        let itemSize = spec.dataType.isVariableLength ? MemoryLayout<String>.size : spec.dataType.itemSize
        return spec.shape.reduce(itemSize) { ShapeMath.saturatingProduct($0, $1) }
    }

    /// Uses `node` as cube's readers and writers would; `chunk`, if any, is stored as the
    /// array's last chunk before its far corner is read.
    public static func exercise(_ node: ZarrNode, chunk: [UInt8]? = nil) {
        if case .array(let metadata) = node.kind { try? exercise(metadata, chunk: chunk) }
        roundTrip(node)
    }

    /// Opens the array described by `metadata` as ``ZarrArray`` does, sizes its chunks, and
    /// reads its far corner: from an empty store, then with `chunk` stored there.
    static func exercise(_ metadata: ArrayMetadata, chunk: [UInt8]?) throws {
        _ = metadata.codecSummary
        let store = MemoryStore(location: context)
        let array = try ZarrArray(store: store, path: "a", metadata: metadata)
        _ = array.codecs.name
        _ = array.codecs.encodedSizeBound(ChunkSpec(shape: metadata.chunkShape, dataType: metadata.dataType, fill: array.fill))
        _ = array.grid.chunkCount
        let lastChunk = array.grid.chunkCounts.map { max($0 - 1, 0) }
        let encoding = metadata.chunkKeyEncoding
        FuzzCheck.require(encoding.coordinates(of: encoding.key(for: lastChunk), rank: lastChunk.count) == lastChunk,
                          "the key of chunk \(lastChunk) does not parse back")
        let corner = Region(start: metadata.shape.map { max($0 - 1, 0) }, count: metadata.shape.map { min($0, 1) })
        _ = try array.read(corner)
        let decoded = ChunkSpec(shape: metadata.innerChunkShape ?? metadata.chunkShape, dataType: metadata.dataType, fill: array.fill)
        guard let chunk, decodedBytes(decoded) <= maxChunkBytes else { return }
        try store.set(array.chunkKey(lastChunk), chunk)
        _ = try array.read(corner)
    }

    /// Writes the node's documents as cube writes them and reads them back: they must parse
    /// to the same node.
    static func roundTrip(_ node: ZarrNode) {
        let documents = node.documents()
        let contents: [String: [UInt8]] = Dictionary(
            documents.map { ($0.key, $0.json.serializedBytes(node.format == .v2 ? .zarrV2 : .zarrV3)) },
            uniquingKeysWith: { _, last in last })
        // Paths from consolidated metadata need not be valid store keys; stores refuse those.
        guard let store = try? MemoryStore(contents: contents, location: context) else { return }
        let reread: ZarrNode?
        do {
            reread = try ZarrNode.read(store, path: node.path)
        } catch {
            FuzzCheck.require(false, "cube cannot read back what it writes for \(node.path): \(error)\n\(documents.map { "\($0.key): \($0.json.serialized())" }.joined(separator: "\n"))")
            return
        }
        FuzzCheck.require(reread == node, "metadata changed in a write and read back: \(documents.map { $0.json.serialized() })")
    }
}
