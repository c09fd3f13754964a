import ArgumentParser
import CubeCore
import CubeEngine
import CubeZarr

/// `cube-info`: what is in a dataset, and what each access pattern costs.
public struct InfoCommand: CubeCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cube-info",
        abstract: "Show the groups, arrays, chunking, codecs and access costs of a Zarr store.",
        discussion: """
        cube-info walks a Zarr v2 or v3 hierarchy (using consolidated metadata when it is \
        present and saying whether it is current) and prints, per array: dimension names, \
        shape, data type, chunk shape (and shard shape), codecs, fill value, how many chunks \
        are stored out of how many the grid allows, stored bytes and compression ratio.

        It also estimates what two classic access patterns cost on this layout: one full \
        series along a dimension at one point (default: the dimension named time, or the \
        first) and one full slice at one index of that dimension, as chunks decoded, objects \
        touched and bytes read.

        JSON OUTPUT
        --json prints one object: schema (1), store, zarr_format, consolidated \
        (current|stale|absent), groups [{path, attributes}], arrays [{path, dimensions, shape, \
        data_type, chunk_shape, shard_shape, codecs, fill_value, objects_initialized, \
        objects_total, stored_bytes, decoded_bytes, compression_ratio, access [{pattern, \
        dimension, chunks, objects, decoded_bytes, stored_bytes}], attributes}]. Keys are only \
        ever added, never renamed, within a schema version.

        EXIT STATUS
        0 on success, 1 when the store cannot be read, 64 on a usage error.

        EXAMPLES
          cube-info era5.zarr
          cube-info era5.zarr --along time --attrs
          cube-info era5.zarr --json | jq '.arrays[] | {path, access}'
        """,
        version: cubeVersion)

    @Argument(help: "A Zarr directory store (v2 or v3).")
    var store: String

    @Option(help: ArgumentHelp("The dimension the access-pattern estimates run along.", valueName: "dim"))
    var along: String?

    @Flag(help: "Also print group and array attributes.")
    var attrs = false

    @Flag(help: "Print the report as JSON (attributes always included).")
    var json = false

    public init() {}

    public func execute() throws -> Int32 {
        let store = try StoreLocation.openDirectory(self.store)
        let report = try InfoReport.inspect(store, along: along)
        if let along, !report.arrays.isEmpty, !report.arrays.contains(where: { $0.dimensions.contains(along) }) {
            throw CubeError(.invalidArgument, "no array has a dimension named '\(along)'", context: self.store)
        }
        Terminal.print(json ? report.json().serialized(.init(indent: 2)) : report.text(includeAttributes: attrs))
        return CubeExit.success
    }
}
