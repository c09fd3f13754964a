import ArgumentParser
import CubeCore
import CubeEngine
import CubeZarr
import Foundation

extension ChunkPreset: ExpressibleByArgument {}

/// `cube-rechunk`: new chunks under a hard memory budget, resumable.
public struct RechunkCommand: CubeCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cube-rechunk",
        abstract: "Rechunk a Zarr store or NetCDF/HDF5 file into a Zarr store under a hard memory budget.",
        discussion: """
        cube-rechunk writes every array of SOURCE into a new Zarr store with the chunks asked \
        for: map-shaped chunks (one time step each) into time-series-shaped chunks (all time \
        steps of a small tile) or the reverse, for data far larger than memory. Variables not \
        named with --variables, and coordinate variables, are copied with their chunking \
        unless --chunks names their dimensions. Attributes, dimension names and fill values \
        carry over; the output keeps the source's Zarr format and codecs unless told \
        otherwise (a NetCDF/HDF5 source gets cube-convert's defaults).

        PLANNING
        Each array gets a plan of one or more stages. A stage reads whole blocks of its input \
        chunks, so each chunk is decoded once, and writes whole output chunks, so none is \
        written twice. When one pass would need too many small reads, intermediate stores with \
        a fast codec (under --temp, default beside the output) hold the data between stages; \
        each of their chunks is deleted as soon as the task of the next stage that reads it is \
        done. Everything every running task holds (decoded and encoded chunks, codec scratch) \
        fits in --max-mem. It is a ceiling: where half the memory (or a quarter, and so on) \
        makes no more passes over the data and at most a tenth more chunk reads and writes, \
        the plans and the run use that instead. --dry-run prints the plan without touching \
        anything, with the bytes each stage writes: where the intermediates fit in memory, a \
        --temp on a memory file system (such as /dev/shm) spares the disk file system's work.

        RESUMING
        The output is written in place and marked incomplete (a .cube-rechunk directory and \
        the root attribute _cube_rechunk_incomplete) until the end, when consolidated \
        metadata is written. After an interruption, even kill -9, running the same command \
        again continues where it stopped and produces the same bytes as an uninterrupted run. \
        If intermediate chunks were lost meanwhile (the --temp directory deleted, or on a file \
        system a reboot emptied), the finished tasks that wrote them run again. \
        A different command on the same output is refused (use --overwrite to start over). \
        Two runs on one output at once: the second refuses. The output (and the directory \
        for intermediates) may not be, lie inside, or contain the source, however the paths \
        are spelled (links, .., bind mounts): such a run is refused before anything is touched.

        PRESETS
        --for time-series: the whole time axis per chunk, small tiles. --for maps: one time \
        step per chunk, whole maps. --for balanced: a series and a map touch about the same \
        number of chunks. All aim at --chunk-size per chunk; --chunks refines the result.

        EXIT STATUS
        0 on success, 1 on a runtime error (unreadable input, I/O, another run holding the \
        output, an output from a different command), 64 on a usage error (including an \
        output that overlaps the source).

        EXAMPLES
          cube-rechunk era5.zarr -o era5-series.zarr --chunks time=-1,lat=10,lon=10
          cube-rechunk era5.zarr -o era5-series.zarr --for time-series --chunk-size 8MiB --max-mem 1GiB
          cube-rechunk era5.zarr -o era5-series.zarr --chunks time=-1,lat=10,lon=10 --dry-run
          cube-rechunk model.nc -o model.zarr --variables t2m,tp --for maps
        """,
        version: "cube-rechunk \(cubeVersion)")

    @Argument(help: ArgumentHelp("A Zarr store (v2 or v3), one array of one, or a NetCDF/HDF5 file.", valueName: "source"),
              completion: .file())
    var source: String

    @OptionGroup var output: OutputOptions
    @OptionGroup var run: RunOptions

    @Option(name: .customLong("for"), help: ArgumentHelp("Chunk shapes for an access pattern: time-series, maps or balanced.", valueName: "preset"))
    var preset: ChunkPreset?

    @Option(name: .customLong("chunk-size"), help: ArgumentHelp("The chunk size presets aim at.", valueName: "size"),
            transform: RunOptions.parseSize)
    var chunkSize = ByteCount(ChunkPreset.defaultTargetBytes)

    @Option(help: ArgumentHelp("Only these variables are rechunked (comma-separated); the rest are copied.", valueName: "names"))
    var variables: String?

    @Option(help: ArgumentHelp("Directory for intermediate stores (default: beside the output).", valueName: "dir"),
            completion: .directory)
    var temp: String?

    @Flag(name: .customLong("keep-temp"), help: "Keep intermediate stores instead of deleting them.")
    var keepTemp = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan (stages, chunk shapes, tasks, bytes, objects, peak memory) and stop.")
    var dryRun = false

    @Flag(help: "With --dry-run, print the plan as JSON.")
    var json = false

    public init() {}

    public func validate() throws {
        if json && !dryRun { throw ValidationError("--json goes with --dry-run.") }
        if output.chunks.isEmpty && preset == nil && output.shards.isEmpty && output.codec == nil && output.zarrFormat == nil {
            throw ValidationError("Say what to change: --chunks, --for, --shards, --codec or --zarr-format.")
        }
    }

    /// The engine's options for what was typed (for callers that run the job themselves).
    public func rechunkOptions() -> RechunkOptions {
        var options = RechunkOptions(source: source, output: output.output)
        options.chunks = output.chunkRequest
        options.preset = preset
        options.chunkSize = chunkSize.bytes
        options.variables = variables.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        options.format = output.zarrFormat
        options.codec = output.codec
        options.shards = output.shardRequest
        options.memoryBudget = run.maxMem.bytes
        options.jobs = run.workerCount
        options.temp = temp
        options.keepTemp = keepTemp
        options.overwrite = output.overwrite
        options.bufferedWrites = output.bufferedWrites
        return options
    }

    public func execute() throws -> Int32 {
        let job = try RechunkJobBuilder.build(rechunkOptions())
        if dryRun {
            Terminal.print(json ? RechunkReport.json(job).serialized(.init(indent: 2)) : RechunkReport.text(job))
            return CubeExit.success
        }
        let summary = try Rechunker.run(job, progress: TerminalProgress.make(label: "rechunking", quiet: run.quiet))
        if !run.quiet {
            let rate = summary.seconds > 0 ? Double(summary.bytes) / summary.seconds : 0
            let resumed = !summary.resumed ? ""
                : summary.redoneTasks == 0 ? "resumed; "
                : "resumed, \(summary.redoneTasks) finished tasks done again (the intermediate chunks they wrote were gone); "
            Terminal.error(String(format: "cube-rechunk: %@%d arrays, %@ moved in %.2fs (%@/s), peak task memory %@ → %@",
                                  resumed, summary.arrays, ByteCount.format(summary.bytes), summary.seconds,
                                  ByteCount.format(Int(rate)), ByteCount.format(summary.peakTaskBytes), output.output))
        }
        return CubeExit.success
    }
}
