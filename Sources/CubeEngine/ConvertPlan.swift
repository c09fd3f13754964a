import CubeCore
import CubeZarr

/// What `cube-convert` is asked to do.
public struct ConvertOptions: Sendable {
    /// Input files (several with `concatDimension`).
    public var inputs: [String]
    /// The Zarr store to create.
    public var output: String
    /// Output Zarr format.
    public var format: ZarrFormat = .v3
    /// Requested chunk lengths.
    public var chunks = ChunkRequest()
    /// Requested shard lengths (v3 only), in the same syntax as chunks.
    public var shards: ChunkRequest?
    /// Compressor; `nil` for zarr-python's default for the format.
    public var codec: CodecSpec?
    /// The dimension to concatenate several inputs along.
    public var concatDimension: String?
    /// Worker threads.
    public var jobs: Int = 1
    /// Memory budget for buffers in flight, in bytes.
    public var memoryBudget: Int = 256 << 20
    /// Replace an existing output.
    public var overwrite = false
    /// Write the output's chunks through the page cache instead of past it
    /// (``DirectoryStore/bypassPageCache``).
    public var bufferedWrites = false
    /// Skip variables of unsupported types with a warning instead of failing.
    public var skipUnsupported = false

    /// Options for `inputs` → `output` with defaults for everything else.
    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }
}

/// One array to write: where its data comes from and how it is stored.
public struct PlannedArray: Sendable {
    /// The data.
    public var source: any ArraySource
    /// Node path in the output store.
    public var path: String
    /// Its Zarr metadata (chunks, codecs, fill value, attributes).
    public var metadata: ArrayMetadata
    /// How the data moves from the source's chunks to the output's.
    public var plan: RechunkPlan
}

/// Everything a conversion will write, decided before any data moves.
public struct ConvertPlan: Sendable {
    /// Groups (root first) and their attributes.
    public var groups: [(path: String, attributes: JSON)]
    /// Arrays in path order.
    public var arrays: [PlannedArray]
    /// Things the user should know (skipped variables, ...).
    public var warnings: [String]

    /// Decoded bytes of all arrays (0 for strings).
    public var decodedBytes: Int {
        arrays.reduce(0) { $0 + ShapeMath.product($1.metadata.shape) * $1.metadata.dataType.itemSize }
    }
}
