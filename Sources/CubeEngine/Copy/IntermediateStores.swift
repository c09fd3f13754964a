import CubeCore
import CubeZarr

/// Where a plan's intermediate arrays live: Zarr v3 arrays with a fast codec (blosc lz4,
/// level 1) in a scratch directory, each deleted as soon as the next stage has read it.
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

    /// The node path of stage `stage`'s output for the array at `arrayPath`.
    static func path(array arrayPath: String, stage: Int) -> String {
        StoreKey.join(arrayPath.isEmpty ? "_root" : arrayPath, "stage-\(stage)")
    }

    /// The intermediate array written by `stage` (created if missing, reopened if a resumed
    /// run already made it).
    func array(for job: ArrayCopyJob, stage: RechunkStage) throws -> ZarrArray {
        let path = Self.path(array: job.target.path, stage: stage.index)
        if let node = try ZarrNode.read(store, path: path), case .array(let metadata) = node.kind {
            return try ZarrArray(store: store, path: path, metadata: metadata)
        }
        var metadata = ArrayMetadata(format: .v3, shape: job.target.shape, chunkShape: stage.writeChunks,
                                     dataType: job.target.metadata.dataType,
                                     fillValueJSON: job.target.metadata.format == .v3 ? job.target.metadata.fillValueJSON
                                        : ElementJSON.fillJSON(job.target.fill, dataType: job.target.metadata.dataType))
        try CodecSpec.blosc(cname: "lz4", clevel: 1, shuffle: "shuffle").apply(to: &metadata)
        return try ZarrArray.create(store, path: path, metadata: metadata)
    }

    /// Deletes the intermediate of `stage` for the array at `arrayPath`, unless kept.
    func remove(array arrayPath: String, stage: Int) throws {
        guard !keep else { return }
        try store.deleteAll(under: Self.path(array: arrayPath, stage: stage))
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
