import ArgumentParser
import CubeCore
import CubeEngine
import CubeZarr
import Foundation

/// `cube-info`: what is in a dataset, and what each access pattern costs.
public struct InfoCommand: CubeCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cube-info",
        abstract: "Show the groups, arrays, chunking, codecs and access costs of a Zarr store or a NetCDF/HDF5 file.",
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

        EXIT STATUS
        0 on success, also when nodes are marked unsupported; 1 when the store cannot be \
        read, or with --strict when anything is unsupported; 64 on a usage error.

        EXAMPLES
          cube-info era5.zarr
          cube-info era5.zarr --along time --attrs
          cube-info era5.zarr --json | jq '.arrays[] | {path, access}'
          cube-info era5.zarr --strict > /dev/null || echo "some arrays cannot be read"
          cube-info era5_2000-01.nc --attrs
        """,
        version: "cube-info \(cubeVersion)")

    @Argument(help: "A Zarr directory store (v2 or v3), or a NetCDF or HDF5 file.", completion: .file())
    var store: String

    @Option(help: ArgumentHelp("The dimension the access-pattern estimates run along.", valueName: "dim"))
    var along: String?

    @Flag(help: "Also print group and array attributes.")
    var attrs = false

    @Flag(help: "Print the report as JSON (attributes always included).")
    var json = false

    @Flag(help: "Exit with status 1 when any node or variable is unsupported (it is still marked and the rest reported).")
    var strict = false

    public init() {}

    public func execute() throws -> Int32 {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: store, isDirectory: &isDirectory), !isDirectory.boolValue {
            let report = try DatasetReport.inspect(store, along: along)
            try checkAlong(report.variables.map(\.dimensions))
            Terminal.print(json ? report.json().serialized(.init(indent: 2)) : report.text(includeAttributes: attrs))
            return status(unsupported: report.dataset.unsupported.count)
        }
        let report = try InfoReport.inspect(try StoreLocation.openDirectory(store), along: along)
        try checkAlong(report.arrays.map(\.dimensions))
        Terminal.print(json ? report.json().serialized(.init(indent: 2)) : report.text(includeAttributes: attrs))
        return status(unsupported: report.unsupported.count)
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
