import CubeCore
import CubeZarr

/// What `cube-rechunk` is asked to do.
public struct RechunkOptions: Sendable {
    /// A Zarr store (or one array's directory) or a NetCDF/HDF5 file.
    public var source: String
    /// The Zarr store to write.
    public var output: String
    /// Requested chunk lengths.
    public var chunks = ChunkRequest()
    /// A chunk-shape preset for the selected variables, instead of or before `chunks`.
    public var preset: ChunkPreset?
    /// The chunk size presets aim at.
    public var chunkSize = ChunkPreset.defaultTargetBytes
    /// Variables to rechunk (`nil`: every data variable); others are copied as they are.
    public var variables: [String]?
    /// Output format (`nil`: the source's; a NetCDF/HDF5 source gets v3).
    public var format: ZarrFormat?
    /// Compressor (`nil`: the source's codecs, or zarr-python's default).
    public var codec: CodecSpec?
    /// Shard lengths (v3).
    public var shards: ChunkRequest?
    /// Memory budget for all buffers in flight.
    public var memoryBudget = 256 << 20
    /// Worker threads.
    public var jobs = 1
    /// Where intermediate stores go (default: beside the output).
    public var temp: String?
    /// Keep intermediates instead of deleting them.
    public var keepTemp = false
    /// Replace an existing output (or start an interrupted one over).
    public var overwrite = false
    /// Write the output's chunks through the page cache instead of past it
    /// (``DirectoryStore/bypassPageCache``).
    public var bufferedWrites = false

    /// Options for `source` → `output` with defaults for everything else.
    public init(source: String, output: String) {
        self.source = source
        self.output = output
    }
}

/// One array of a rechunk: where it comes from, what it becomes, and how.
public struct RechunkArray: Sendable {
    /// Node path in the output.
    public var path: String
    /// The data.
    public var source: any ArraySource
    /// The output array's metadata.
    public var metadata: ArrayMetadata
    /// The plan.
    public var plan: RechunkPlan
    /// Whether the array's chunks change (false: copied as it is).
    public var rechunked: Bool

    /// What the shared copy path (``TransactionalCopy``) needs of it.
    public var copy: CopyArray { CopyArray(path: path, source: source, metadata: metadata, plan: plan) }
}

/// Everything a rechunk will do, decided before anything is written.
public struct RechunkJob: Sendable {
    /// The options it was made from.
    public var options: RechunkOptions
    /// Groups (root first) and their attributes, in the output's format.
    public var groups: [(path: String, attributes: JSON)]
    /// Arrays in path order.
    public var arrays: [RechunkArray]
    /// The output's format.
    public var format: ZarrFormat
    /// The memory the plans and the executor use: `options.memoryBudget`, or less where
    /// more would barely save store operations (``CopyPlanning/leanest(budget:plan:)``).
    public var memoryBudget: Int
    /// Identifies the job: a resumed run must have the same.
    public var fingerprint: String
}
