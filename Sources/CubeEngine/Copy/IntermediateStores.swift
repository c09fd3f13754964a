import CubeCore
import CubeZarr

/// Where a plan's intermediate arrays live: Zarr v3 arrays with a fast codec (blosc lz4,
/// level 1) in a scratch directory, each chunk deleted as soon as the task of the next stage
/// that reads it is done, and the rest once that stage has ended.
public struct IntermediateStores: Sendable {
    /// The scratch store.
    public let store: DirectoryStore
    /// Whether intermediates are kept (for inspection) instead of deleted.
    public let keep: Bool

    /// Opens (creating) the scratch directory at `path`.
    public init(path: String, keep: Bool) throws {
        store = try DirectoryStore(path: path, create: true, atomicWrites: false)
        self.keep = keep
    }

    /// The node path of intermediate `number` (as the plan numbers them) of the array at `arrayPath`.
    static func path(array arrayPath: String, intermediate number: Int) -> String {
        StoreKey.join(arrayPath.isEmpty ? "_root" : arrayPath, "intermediate-\(number)")
    }

    /// Intermediate `number` of `job`, whose chunks are `chunks` (created if missing, reopened
    /// if a resumed run already made it). Every chunk is written, even one equal to the fill
    /// value, so a missing chunk always means lost data and is reported as such.
    func array(for job: ArrayCopyJob, intermediate number: Int, chunks: [Int]) throws -> ZarrArray {
        let path = Self.path(array: job.target.path, intermediate: number)
        if let node = try ZarrNode.read(store, path: path), case .array(let metadata) = node.kind {
            guard metadata.shape == job.target.shape, metadata.chunkShape == chunks,
                  metadata.dataType == job.target.metadata.dataType else {
                throw CubeError(.corrupt, "intermediate array has shape \(metadata.shape), chunks \(metadata.chunkShape) and type \(metadata.dataType), but the plan needs \(job.target.shape), \(chunks) and \(job.target.metadata.dataType); the scratch directory was changed by another run",
                                context: StoreKey.join(store.location, path), remedy: .replaceOutput)
            }
            return try ZarrArray(store: store, path: path, metadata: metadata, writeEmptyChunks: true)
        }
        var metadata = ArrayMetadata(format: .v3, shape: job.target.shape, chunkShape: chunks,
                                     dataType: job.target.metadata.dataType,
                                     fillValueJSON: job.target.metadata.format == .v3 ? job.target.metadata.fillValueJSON
                                        : ElementJSON.fillJSON(job.target.fill, dataType: job.target.metadata.dataType))
        try CodecSpec.blosc(cname: "lz4", clevel: 1, shuffle: "shuffle").apply(to: &metadata)
        return try ZarrArray.create(store, path: path, metadata: metadata, writeEmptyChunks: true)
    }

    /// Deletes the chunks at `coords` of `array` (an intermediate of this store), unless
    /// kept: a stage's task calls it once it has finished, for the chunks it read, since each
    /// is read by exactly one task. Their disk space and page-cache pages come back as the
    /// stage goes rather than all at its end.
    func removeChunks(_ coords: some Sequence<[Int]>, of array: ZarrArray) throws {
        guard !keep else { return }
        for chunk in coords { try store.delete(array.chunkKey(chunk)) }
    }

    /// Deletes intermediate `number` of the array at `arrayPath`, unless kept.
    func remove(array arrayPath: String, intermediate number: Int) throws {
        guard !keep else { return }
        try store.deleteAll(under: Self.path(array: arrayPath, intermediate: number))
    }
}

extension ElementJSON {
    /// The v3 `fill_value` JSON of a decoded fill value.
    static func fillJSON(_ fill: FillValue, dataType: DataType) -> JSON {
        switch fill {
        case .string(let s): .string(s)
        case .element(let item): encode(item, as: dataType)
        }
    }
}
