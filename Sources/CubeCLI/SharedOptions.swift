import ArgumentParser
import CubeCore
import CubeZarr
import Foundation

/// How the work runs: threads, memory, progress.
public struct RunOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Worker threads (default: all cores).", valueName: "n"))
    public var jobs: Int?

    @Option(name: .customLong("max-mem"),
            help: ArgumentHelp("Memory budget for data in flight, such as 256MiB, 1GB or 512M; peak memory stays within it plus a fixed overhead.", valueName: "size"),
            transform: RunOptions.parseSize)
    public var maxMem = ByteCount(256 << 20)

    /// Parses a size, keeping a message that says what sizes look like.
    static func parseSize(_ text: String) throws -> ByteCount {
        guard let size = ByteCount(parsing: text) else {
            throw ValidationError("'\(text)' is not a size: write it like 256MiB, 1GB, 512M or 4096.")
        }
        return size
    }

    @Flag(name: [.short, .long], help: "No progress bar or notes; errors only.")
    public var quiet = false

    public init() {}

    public func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if maxMem.bytes < 1 << 20 { throw ValidationError("--max-mem must be at least 1MiB.") }
    }

    /// The number of worker threads to use.
    public var workerCount: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// What the output store looks like: location, format, chunks, codecs.
public struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("The Zarr store to write.", valueName: "path"), completion: .directory)
    public var output: String

    @Flag(help: "Replace the output if it exists.")
    public var overwrite = false

    @Flag(help: ArgumentHelp("""
        Write chunks through the page cache. By default chunks of 64 KiB and more bypass it \
        (O_DIRECT) where the file system allows, which saves a copy and keeps the output from \
        filling memory.
        """))
    public var bufferedWrites = false

    @Option(name: .customLong("zarr-format"), help: ArgumentHelp("Zarr format of the output: 3 or 2 for older readers (default: 3 from NetCDF/HDF5, the source's from Zarr).", valueName: "2|3"))
    public var zarrFormat: ZarrFormat?

    @Option(help: ArgumentHelp("""
        Chunk lengths by dimension, such as time=1,lat=-1,lon=-1 (-1: the full length), or for one \
        variable, such as t2m:time=24. Repeat for several.
        """, valueName: "spec"))
    public var chunks: [String] = []

    @Option(help: ArgumentHelp("""
        Compressor: none, zstd[:LEVEL], gzip[:LEVEL], blosc[:CNAME[:LEVEL[:SHUFFLE]]], and for \
        --zarr-format 2 also zlib[:LEVEL], lz4[:ACCEL]. Default: zarr-python's (v3 zstd:0, v2 blosc:lz4:5:shuffle).
        """, valueName: "codec"), completion: .list(["none", "zstd:", "gzip:", "blosc:", "zlib:", "lz4"]), transform: OutputOptions.parseCodec)
    public var codec: CodecSpec?

    /// Parses a codec, keeping the library's explanation of what is wrong.
    static func parseCodec(_ text: String) throws -> CodecSpec {
        do {
            return try CodecSpec(parsing: text)
        } catch let error as CubeError {
            throw ValidationError(error.message)
        }
    }

    @Option(help: ArgumentHelp("Zarr v3 shard lengths by dimension (whole numbers of chunks), same syntax as --chunks.", valueName: "spec"))
    public var shards: [String] = []

    public init() {}

    public func validate() throws {
        if !shards.isEmpty && zarrFormat == .v2 { throw ValidationError("--shards needs Zarr v3 (--zarr-format 3).") }
        do {
            _ = try ChunkRequest(parsing: chunks)
            _ = try ChunkRequest(parsing: shards)
        } catch let error as CubeError {
            throw ValidationError(error.message)
        }
    }

    /// The parsed chunk request.
    public var chunkRequest: ChunkRequest { (try? ChunkRequest(parsing: chunks)) ?? ChunkRequest() }

    /// The parsed shard request, if any.
    public var shardRequest: ChunkRequest? { shards.isEmpty ? nil : try? ChunkRequest(parsing: shards) }
}
