import ArgumentParser
import CubeCore
import CubeEngine
import CubeZarr
import Foundation

/// `cube-info`: what is in a dataset, and what each access pattern costs.
public struct InfoCommand: CubeCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cube-info",
        abstract: "Show the groups, arrays, chunking, codecs and access costs of a Zarr store or a NetCDF/HDF5 file, or verify every chunk.",
        discussion: """
        cube-info walks a Zarr v2 or v3 hierarchy (using consolidated metadata when it is \
        present and saying whether it is current) and prints, per array: dimension names, \
        shape, data type, chunk shape (and shard shape), codecs, fill value, how many chunks \
        are stored out of how many the grid allows, stored bytes and compression ratio.

        It also estimates what two classic access patterns cost on this layout: one full \
        series along a dimension at one point (default: the dimension named time, or the \
        first) and one full slice at one index of that dimension, as chunks decoded, objects \
        touched and bytes read.

        Given a NetCDF (classic, 64-bit offset, CDF5, NetCDF-4) or HDF5 file, it prints the \
        file format, each group's dimensions (unlimited ones marked), and per variable its \
        dimensions, type, layout, chunk shape, filters, sizes and the same access costs.

        UNSUPPORTED NODES
        A node that is there but cannot be read is marked, never listed as if it were fine \
        nor left out: metadata that does not parse or is a directory rather than a file, an \
        unknown data type, an invalid codec chain (no array-to-bytes codec, two of them, an \
        unknown codec), a v2 object (|O) array without a vlen-utf8 filter. The text shows \
        'node /PATH  unsupported: REASON' (NetCDF and HDF5 variables of unsupported types: \
        'variable /PATH  unsupported: REASON'), the JSON an unsupported [{path, reason}] \
        entry, and the rest of the hierarchy is reported as usual. A node unreadable in the \
        store or in its consolidated record counts as unsupported.

        JSON OUTPUT
        --json prints one object: schema (1), store, zarr_format, consolidated \
        (current|stale|absent), groups [{path, attributes}], arrays [{path, dimensions, shape, \
        data_type, chunk_shape, shard_shape, codecs, fill_value, objects_initialized, \
        objects_total, stored_bytes, decoded_bytes, compression_ratio, access [{pattern, \
        dimension, chunks, objects, decoded_bytes, stored_bytes}], attributes}] and \
        unsupported [{path, reason}]. Keys are only ever added, never renamed, within a \
        schema version. For NetCDF/HDF5 files the object has schema (1), kind (netcdf|hdf5), \
        file, format, groups [{path, dimensions [{name, length, unlimited}], attributes}], \
        variables [{path, dimensions, shape, data_type, layout, chunk_shape, filters, \
        stored_bytes, decoded_bytes, access, attributes}] and unsupported [{path, reason}].

        VERIFYING
        --verify reads and decodes every stored chunk of every array (every chunk of every \
        variable of a NetCDF or HDF5 file) on --jobs threads inside --max-mem, and reports \
        each damaged one by its key: corrupt (it does not decode), truncated (it ends before \
        the length its format or its shard index records, such as a cut-off file or a shard \
        index entry reaching past the end of the shard), mismatched (it decodes to the wrong \
        size or shape), checksum (a crc32c codec or a shard index checksum does not match), \
        unreadable (the store cannot read it) or unsupported (the array cannot be read at \
        all). A chunk that is not stored is not a problem: Zarr writers leave out chunks that \
        hold only the fill value, and readers read them as the fill value, so absent chunks \
        (and inner chunks a shard index marks absent) are only counted, per array. Only what \
        a shard index records must be there. NetCDF and HDF5 chunks are checked by decoding \
        them through the file's own readers. Text output is one line per problem (kind, key, \
        detail) and a summary line; --json prints schema (1), store and verify \
        {arrays_checked, chunks_read, bytes_read, chunks_absent, arrays [{path, chunks_total, \
        chunks_read, chunks_absent, bytes_read}], problems [{path, key, kind, detail}]}, where \
        bytes are stored bytes for Zarr and decoded bytes for NetCDF/HDF5. A progress bar \
        shows on a terminal unless -q. --jobs, --max-mem and -q apply to --verify only.

        EXIT STATUS
        0 on success, also when nodes are marked unsupported; 1 when the store cannot be \
        read, with --strict when anything is unsupported, or with --verify when any chunk has \
        a problem; 64 on a usage error.

        EXAMPLES
          cube-info era5.zarr
          cube-info era5.zarr --along time --attrs
          cube-info era5.zarr --json | jq '.arrays[] | {path, access}'
          cube-info era5.zarr --strict > /dev/null || echo "some arrays cannot be read"
          cube-info era5.zarr --verify --max-mem 1GiB -j 8
          cube-info era5.zarr --verify --json | jq '.verify.problems[] | {key, kind}'
          cube-info era5_2000-01.nc --attrs
          AWS_PROFILE=lab cube-info s3://climate/era5.zarr --verify -j 32
        """,
        version: "cube-info \(cubeVersion)")

    @Argument(help: "A Zarr store (v2 or v3): a directory or s3://BUCKET/PREFIX; or a NetCDF or HDF5 file.", completion: .file())
    var store: String

    @Option(help: ArgumentHelp("The dimension the access-pattern estimates run along.", valueName: "dim"))
    var along: String?

    @Flag(help: "Also print group and array attributes.")
    var attrs = false

    @Flag(help: "Print the report as JSON (attributes always included).")
    var json = false

    @Flag(help: "Exit with status 1 when any node or variable is unsupported (it is still marked and the rest reported).")
    var strict = false

    @Flag(help: ArgumentHelp("""
        Read and decode every chunk of every array instead of listing them, and report damaged \
        chunks (see VERIFYING); exit with status 1 if any.
        """))
    var verify = false

    @OptionGroup(title: "With --verify") var run: RunOptions

    public init() {}

    public func validate() throws {
        if verify && (along != nil || attrs) {
            throw ValidationError("--along and --attrs shape the listing, which --verify does not print.")
        }
    }

    /// Whether the argument is a file (NetCDF or HDF5) rather than a directory store.
    private var isFile: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: store, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    public func execute() throws -> Int32 {
        if verify { return try executeVerify() }
        if isFile {
            let report = try DatasetReport.inspect(store, along: along)
            try checkAlong(report.variables.map(\.dimensions))
            Terminal.print(json ? report.json().serialized(.init(indent: 2)) : report.text(includeAttributes: attrs))
            return status(unsupported: report.dataset.unsupported.count)
        }
        let report = try InfoReport.inspect(try StoreLocation.open(store), along: along)
        try checkAlong(report.arrays.map(\.dimensions))
        Terminal.print(json ? report.json().serialized(.init(indent: 2)) : report.text(includeAttributes: attrs))
        return status(unsupported: report.unsupported.count)
    }

    /// Reads every chunk, prints the problems and a summary, and fails if there are problems.
    private func executeVerify() throws -> Int32 {
        let progress = TerminalProgress.make(label: "verifying", quiet: run.quiet)
        let report = isFile
            ? try DatasetVerifier.verify(store, jobs: run.workerCount, memoryBudget: run.maxMem.bytes, progress: progress)
            : try ZarrVerifier.verify(try StoreLocation.open(store), jobs: run.workerCount,
                                      memoryBudget: run.maxMem.bytes, progress: progress)
        Terminal.print(json ? report.json().serialized(.init(indent: 2)) : report.text())
        return report.problems.isEmpty ? CubeExit.success : CubeExit.failure
    }

    /// Success, unless --strict and something was unsupported.
    private func status(unsupported: Int) -> Int32 {
        strict && unsupported > 0 ? CubeExit.failure : CubeExit.success
    }

    /// A dimension named with --along must exist somewhere, or it is a typo.
    private func checkAlong(_ dimensions: [[String]]) throws {
        if let along, !dimensions.isEmpty, !dimensions.contains(where: { $0.contains(along) }) {
            throw CubeError(.invalidArgument, "no array has a dimension named '\(along)'", context: store)
        }
    }
}
