import CubeCore
import CubeZarr
import FuzzSupport

/// Zarr v2 `.zarray` / `.zgroup` and v3 `zarr.json` parsing, then what opening and reading
/// the node does, and a write-and-read-back check. Input: the document, then optionally a NUL
/// and the v2 `.zattrs` (may be empty), then a NUL and the bytes of a stored chunk.
@main enum FuzzMetadata: FuzzTarget {
    static func test(_ input: [UInt8]) throws {
        let parts = FuzzInput.parts(input, count: 3)
        let json = try JSON.parse(parts[0] ?? [])
        let zattrs = try parts[1].flatMap { $0.isEmpty ? nil : try JSON.parse($0) }
        let chunk = parts[2]
        // Each parser on its own: one refusing the document must not hide another's crash.
        var nodes: [ZarrNode] = []
        if let node = try? ZarrNode.parseV3(json, path: "g/a", context: "fuzz") { nodes.append(node) }
        if let metadata = try? ArrayMetadata.parseV2(zarray: json, zattrs: zattrs, context: "fuzz") {
            nodes.append(ZarrNode(path: "g/a", kind: .array(metadata)))
        }
        if let node = try? ZarrNode.parseV2Group(json, zattrs: zattrs, path: "g/a", context: "fuzz") { nodes.append(node) }
        for node in nodes { ZarrFuzzing.exercise(node, chunk: chunk) }
    }
}
