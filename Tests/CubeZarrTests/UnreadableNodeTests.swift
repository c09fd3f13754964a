import CubeCore
import Testing
@testable import CubeZarr

/// Opening a hierarchy with nodes it cannot read: listings collect them per node, tools that
/// copy every array fail on the first, naming it.
@Suite struct UnreadableNodeTests {
    static let good = #"{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int32", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}"#

    /// A memory store `mem` with a root group, a readable array `good`, an array `codec`
    /// whose codec is unknown, and a node `folder` whose `zarr.json` is a directory.
    func store() throws -> MemoryStore {
        try MemoryStore(contents: [
            "zarr.json": #"{"zarr_format": 3, "node_type": "group"}"#,
            "good/zarr.json": Self.good,
            "codec/zarr.json": Self.good.replacingOccurrences(of: #"{"name": "bytes", "configuration": {"endian": "little"}}"#, with: #"{"name": "lzma9"}"#),
            "folder/zarr.json/stray": "x",
        ].mapValues { Array($0.utf8) }, location: "mem")
    }

    @Test func collectingKeepsTheReadableNodesAndNamesTheOthers() throws {
        let hierarchy = try ZarrHierarchy.open(try store(), unreadable: .collect)
        #expect(hierarchy.nodes.map(\.path) == ["", "good"])
        #expect(hierarchy.unreadable.map(\.path) == ["codec", "folder"])
        #expect(hierarchy.unreadable[0].reason == "unknown codec 'lzma9'")
        #expect(hierarchy.unreadable[0].error.context == "mem/codec/zarr.json")
        #expect(hierarchy.unreadable[1].reason == "zarr.json is a directory, not a file")
        #expect(hierarchy.unreadable[1].error.context == "mem/folder/zarr.json")
    }

    /// Under `.fail` a metadata document that is a directory stops the walk like any other
    /// unreadable node, instead of the node being skipped.
    @Test func failingNamesAMetadataDirectory() throws {
        let store = try MemoryStore(contents: [
            "zarr.json": Array(#"{"zarr_format": 3, "node_type": "group"}"#.utf8), "folder/zarr.json/stray": [1],
        ], location: "mem")
        let error = expectCubeError("walk") { try ZarrHierarchy.open(store) }
        #expect(error?.description == "mem/folder/zarr.json: zarr.json is a directory, not a file")
        #expect(expectCubeError("check") { try ConsolidatedMetadata.check(store) } == error)
    }
}
