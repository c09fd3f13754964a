import ArgumentParser
import CubeCore
import CubeEngine
import CubeZarr
import Foundation

/// `cube-convert`: NetCDF and HDF5 to Zarr.
public struct ConvertCommand: CubeCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cube-convert",
        abstract: "Convert NetCDF 3/4 and HDF5 files to Zarr v3 or v2, faithful to what xarray writes.",
        discussion: """
        cube-convert copies every group, variable and attribute of a NetCDF (classic, 64-bit \
        offset, CDF5, NetCDF-4) or HDF5 file into a Zarr store, laid out as xarray's to_zarr \
        would: dimension names, fill values (v2 fill_value; v3 _FillValue attribute), packed \
        variables kept packed, times kept raw with units and calendar, library-internal \
        attributes dropped, groups as Zarr groups, consolidated metadata written last. \
        Character (NC_CHAR) variables become fixed-width strings where xarray reads them as \
        strings (their last dimension is used by character variables only, and only as their \
        last dimension) and stay arrays of characters elsewhere.

        Compound (structured) variables become Zarr v2 structured dtypes, their fields side by \
        side as zarr-python writes them. Zarr v3 cannot hold everything v2 can: it has no \
        structured type, and xarray cannot read a _FillValue on characters back from it. Such \
        variables are refused by name unless --zarr-format 2 is given, or --skip-unsupported \
        leaves them out. Compounds with string, vlen or nested compound fields, and opaque and \
        vlen variables, are not supported in either format.

        Chunks default to the source's; variables stored without chunks get chunks of about \
        4 MiB shaped like the array. Several files with the same structure are joined along \
        a dimension with --concat, after checking that their other coordinates agree and that \
        the joined coordinate is monotonic.

        Work runs on --jobs threads inside --max-mem.

        RESUMING
        The output is written in place and marked incomplete (a .cube-convert directory and \
        the root attribute _cube_convert_incomplete) until the end, when consolidated \
        metadata is written. After an interruption (kill -9, a full disk, a lost mount), \
        running the same command again continues where it stopped and produces the same \
        bytes as an uninterrupted run. A different command on the same output is refused \
        (use --overwrite to start over); while one run writes an output, another refuses it.

        The output may not be, lie inside, or contain an input, however the paths are \
        spelled (links, .., bind mounts): such a run is refused before anything is touched.

        EXIT STATUS
        0 on success, 1 on a runtime error (unreadable input, unsupported type, a variable the \
        chosen Zarr format cannot hold, I/O, another run holding the output, an output from a \
        different command), 64 on a usage error (including an output that overlaps an input).

        EXAMPLES
          cube-convert era5_2000.nc -o era5.zarr
          cube-convert era5_*.nc --concat time -o era5.zarr --chunks time=24
          cube-convert model.nc -o model.zarr --zarr-format 2 --codec blosc:zstd:3:bitshuffle
          cube-convert model.nc -o model.zarr --chunks time=1,lat=-1,lon=-1 --shards time=100
        """,
        version: "cube-convert \(cubeVersion)")

    @Argument(help: ArgumentHelp("NetCDF or HDF5 files; several need --concat.", valueName: "input"),
              completion: .file(extensions: ["nc", "nc4", "h5", "hdf5", "he5", "cdf"]))
    var inputs: [String]

    @OptionGroup var output: OutputOptions
    @OptionGroup var run: RunOptions

    @Option(help: ArgumentHelp("Join several inputs along this dimension.", valueName: "dim"))
    var concat: String?

    @Flag(name: .customLong("skip-unsupported"), help: "Skip variables that cannot be converted (opaque and vlen types; in Zarr v3 also compounds and characters with a _FillValue) with a warning instead of failing.")
    var skipUnsupported = false

    public init() {}

    public func validate() throws {
        if inputs.count > 1 && concat == nil {
            throw ValidationError("Several inputs need --concat DIM to say which dimension joins them.")
        }
    }

    /// The engine's options for what was typed (for callers that run the conversion themselves).
    public func convertOptions() -> ConvertOptions {
        var options = ConvertOptions(inputs: inputs, output: output.output)
        options.format = output.zarrFormat ?? .v3
        options.chunks = output.chunkRequest
        options.shards = output.shardRequest
        options.codec = output.codec
        options.concatDimension = concat
        options.jobs = run.workerCount
        options.memoryBudget = run.maxMem.bytes
        options.overwrite = output.overwrite
        options.bufferedWrites = output.bufferedWrites
        options.skipUnsupported = skipUnsupported
        return options
    }

    public func execute() throws -> Int32 {
        let quiet = run.quiet
        let summary = try Converter.convert(convertOptions(), progress: TerminalProgress.make(label: "converting", quiet: quiet),
                                            warn: { if !quiet { Terminal.error("cube-convert: warning: \($0)") } })
        if !quiet {
            let rate = summary.seconds > 0 ? Double(summary.bytes) / summary.seconds : 0
            Terminal.error(String(format: "cube-convert: %@%d arrays, %@ in %.2fs (%@/s) → %@", summary.resumed ? "resumed; " : "", summary.arrays,
                                  ByteCount.format(summary.bytes), summary.seconds, ByteCount.format(Int(rate)), output.output))
        }
        return CubeExit.success
    }
}
