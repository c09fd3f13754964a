import ArgumentParser
import CubeCore
import CubeZarr

/// `cube-consolidate`: write, check or remove consolidated metadata.
public struct ConsolidateCommand: CubeCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cube-consolidate",
        abstract: "Write, check or remove the consolidated metadata of a Zarr store.",
        discussion: """
        Consolidated metadata gathers every group's and array's metadata into one document \
        so readers open a hierarchy with one read. For Zarr v2 it is the .zmetadata key; for \
        Zarr v3 it is the consolidated_metadata member of the root zarr.json. The format is \
        detected from the store. What cube-consolidate writes is equivalent to what \
        zarr.consolidate_metadata writes for the same store, and it covers every node at every depth.

        --check compares the consolidated metadata with the store and lists nodes that are \
        missing from it, no longer in the store, or changed. It writes nothing.

        EXIT STATUS
        0 on success (with --check: the consolidated metadata is current), 1 when it is \
        missing or stale or the store cannot be read, 64 on a usage error.

        EXAMPLES
          cube-consolidate era5.zarr
          cube-consolidate --check -q era5.zarr || cube-consolidate era5.zarr
          cube-consolidate --check --json era5.zarr
          cube-consolidate --remove era5.zarr
          AWS_ENDPOINT_URL=https://minio.lab:9000 cube-consolidate s3://climate/era5.zarr
        """,
        version: "cube-consolidate \(cubeVersion)")

    @Argument(help: "A Zarr store (v2 or v3): a directory or s3://BUCKET/PREFIX.", completion: .directory)
    var store: String

    @Flag(help: "Check that consolidated metadata is present and current; write nothing.")
    var check = false

    @Flag(help: "Remove the consolidated metadata.")
    var remove = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(name: [.short, .long], help: "Print nothing; the exit status tells (for scripts).")
    var quiet = false

    public init() {}

    public func validate() throws {
        if check && remove { throw ValidationError("--check and --remove cannot be combined.") }
    }

    public func execute() throws -> Int32 {
        let store = try StoreLocation.open(self.store)
        let print: (String) -> Void = { text in if !quiet { Terminal.print(text) } }
        if check {
            let result = try ConsolidatedMetadata.check(store)
            let state = result.isCurrent ? "current" : result.present ? "stale" : "absent"
            if json {
                let out: JSON = ["schema": 1, "store": .string(self.store), "state": .string(state),
                                 "missing": .array(result.missing.map(JSON.string)),
                                 "extra": .array(result.extra.map(JSON.string)),
                                 "changed": .array(result.changed.map(JSON.string))]
                print(out.serialized(.init(indent: 2)))
            } else if result.isCurrent {
                print("\(self.store): consolidated metadata is current")
            } else {
                var lines = ["\(self.store): consolidated metadata is \(state)"]
                lines += result.missing.map { "  missing  /\($0)" }
                lines += result.extra.map { "  extra    /\($0)" }
                lines += result.changed.map { "  changed  /\($0)" }
                print(lines.joined(separator: "\n"))
            }
            return result.isCurrent ? CubeExit.success : CubeExit.failure
        }
        if remove {
            let removed = try ConsolidatedMetadata.remove(store)
            if json {
                print((["schema": 1, "store": .string(self.store), "removed": .bool(removed)] as JSON).serialized(.init(indent: 2)))
            } else {
                print(removed ? "\(self.store): consolidated metadata removed" : "\(self.store): no consolidated metadata")
            }
            return CubeExit.success
        }
        let nodes = try ConsolidatedMetadata.write(store)
        if json {
            print((["schema": 1, "store": .string(self.store), "nodes": JSON(nodes.count)] as JSON).serialized(.init(indent: 2)))
        } else {
            print("\(self.store): consolidated metadata written for \(nodes.count) nodes")
        }
        return CubeExit.success
    }
}
