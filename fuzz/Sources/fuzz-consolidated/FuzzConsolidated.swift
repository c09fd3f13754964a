import CubeCore
import CubeZarr
import FuzzSupport

/// Consolidated metadata: the input is both a v2 `.zmetadata` (under a root `.zgroup`) and a
/// v3 root `zarr.json` with inline `consolidated_metadata`, opened as a hierarchy. Every node
/// is then used as an opened array would be, and consolidating the nodes again must record
/// the same arrays.
@main enum FuzzConsolidated: FuzzTarget {
    static func test(_ input: [UInt8]) throws {
        open([".zgroup": Array(#"{"zarr_format": 2}"#.utf8), ConsolidatedMetadata.v2Key: input])
        open(["zarr.json": input])
    }

    static func open(_ contents: [String: [UInt8]]) {
        guard let store = try? MemoryStore(contents: contents, location: "fuzz"),
              let hierarchy = try? ZarrHierarchy.open(store), hierarchy.fromConsolidated else { return }
        for node in hierarchy.nodes {
            ZarrFuzzing.exercise(node)
            if case .array = node.kind { _ = try? hierarchy.array(at: node.path) }
        }
        let rebuilt = ConsolidatedMetadata.build(hierarchy.nodes)
        let reread: [ZarrNode]
        do {
            reread = hierarchy.root.format == .v2
                ? try ConsolidatedMetadata.parseV2(rebuilt, context: "fuzz")
                : [hierarchy.root] + (try ConsolidatedMetadata.parseV3(rebuilt, context: "fuzz"))
        } catch {
            FuzzCheck.require(false, "cube cannot read back the consolidated metadata it builds: \(error)\n\(rebuilt.serialized())")
            return
        }
        FuzzCheck.require(arrays(reread) == arrays(hierarchy.nodes),
                          "consolidated arrays changed in a write and read back: \(rebuilt.serialized())")
    }

    /// The arrays among `nodes`, by path.
    static func arrays(_ nodes: [ZarrNode]) -> [String: ArrayMetadata] {
        var arrays: [String: ArrayMetadata] = [:]
        for node in nodes { if case .array(let metadata) = node.kind { arrays[node.path] = metadata } }
        return arrays
    }
}
