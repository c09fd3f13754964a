import CubeCore
import CubeZarr

/// The whole of what `cube-info` says about a Zarr store, as text or stable JSON.
public struct InfoReport: Sendable {
    /// The store's location.
    public var store: String
    /// The hierarchy's format.
    public var format: ZarrFormat
    /// `current`, `stale` or `absent`.
    public var consolidated: String
    /// Groups: path and attributes.
    public var groups: [(path: String, attributes: JSON)]
    /// Arrays, in path order.
    public var arrays: [ArrayReport]
    /// Nodes that are there but cannot be read, in path order: reported instead of listed.
    public var unsupported: [UnreadableNode]

    /// Inspects every node of the store's hierarchy. A node that cannot be read, in the store
    /// or in its consolidated record, is reported in ``unsupported`` and the rest are listed.
    public static func inspect(_ store: any ListableStore, along: String? = nil) throws -> InfoReport {
        let walked = try ZarrHierarchy.open(store, useConsolidated: false, unreadable: .collect)
        let opened = try ZarrHierarchy.open(store, useConsolidated: true, unreadable: .collect)
        let hierarchy = opened.fromConsolidated ? opened : walked
        let check = ConsolidatedMetadata.compare(consolidated: opened.fromConsolidated ? opened : nil, walked: walked)
        var unsupported = walked.unreadable
        for node in hierarchy.unreadable where !unsupported.contains(where: { $0.path == node.path }) {
            unsupported.append(node)
        }
        let left = Set(unsupported.map(\.path))
        var groups: [(String, JSON)] = []
        var arrays: [ArrayReport] = []
        for node in hierarchy.nodes where !left.contains(node.path) {
            switch node.kind {
            case .group(let g): groups.append((node.path, g.attributes))
            case .array(let m): arrays.append(try Inspector.report(store: store, path: node.path, metadata: m, along: along))
            }
        }
        return InfoReport(store: store.location, format: hierarchy.root.format,
                          consolidated: check.isCurrent ? "current" : check.present ? "stale" : "absent",
                          groups: groups, arrays: arrays, unsupported: unsupported.sorted { $0.path < $1.path })
    }

    /// The report as JSON (schema version 1, documented in cube-info's man page).
    public func json(includeAttributes: Bool = true) -> JSON {
        let arrayEntries: [JSON] = arrays.map { a in
            var members: [(String, JSON)] = [
                ("path", .string(a.path)),
                ("dimensions", .array(a.dimensions.map(JSON.string))),
                ("shape", JSON(a.metadata.shape)),
                ("data_type", .string(a.metadata.dataType.description)),
                ("chunk_shape", JSON(a.chunkShape)),
                ("shard_shape", a.shardShape.map { JSON($0) } ?? .null),
                ("codecs", .array(a.metadata.codecSummary.map(JSON.string))),
                ("fill_value", a.metadata.fillValueJSON),
                ("objects_initialized", JSON(a.objectsInitialized)),
                ("objects_total", JSON(a.objectsTotal)),
                ("stored_bytes", JSON(a.storedBytes)),
                ("decoded_bytes", JSON(a.decodedBytes)),
                ("compression_ratio", a.compressionRatio.map { .double(($0 * 1000).rounded() / 1000) } ?? .null),
                ("access", .array(a.access.map(\.json))),
            ]
            if includeAttributes { members.append(("attributes", a.metadata.attributes)) }
            return .object(members)
        }
        let groupEntries: [JSON] = groups.map { g in
            includeAttributes ? ["path": .string(g.path), "attributes": g.attributes] : ["path": .string(g.path)]
        }
        return [
            "schema": 1, "store": .string(store), "zarr_format": JSON(format.rawValue),
            "consolidated": .string(consolidated), "groups": .array(groupEntries), "arrays": .array(arrayEntries),
            "unsupported": .array(unsupported.map { InfoText.unsupportedJSON(path: $0.path, reason: $0.reason) }),
        ]
    }

    /// The report as text for a terminal.
    public func text(includeAttributes: Bool) -> String {
        var lines: [String] = []
        lines.append("\(store)  (Zarr \(format), consolidated metadata: \(consolidated))")
        for group in groups {
            lines.append("")
            lines.append("group /\(group.path)")
            if includeAttributes { lines += InfoText.attributeLines(group.attributes) }
        }
        for a in arrays {
            let m = a.metadata
            lines.append("")
            lines.append("array /\(a.path)  \(m.dataType) (" + zip(a.dimensions, m.shape).map { "\($0)=\($1)" }.joined(separator: ", ") + ")")
            lines.append("  chunks      \(InfoText.shape(a.chunkShape))" + (a.shardShape.map { "   shards \(InfoText.shape($0))" } ?? ""))
            lines.append("  codecs      \(m.codecSummary.isEmpty ? "none" : m.codecSummary.joined(separator: " → "))")
            lines.append("  fill value  \(m.fillValueJSON.serialized())")
            let what = a.shardShape == nil ? "chunks" : "shards"
            lines.append("  stored      \(a.objectsInitialized) / \(a.objectsTotal) \(what), \(ByteCount.format(a.storedBytes))"
                         + (a.compressionRatio.map { ", ratio \(format2($0))" } ?? ""))
            lines += a.access.map { InfoText.accessLine($0, sharded: a.shardShape != nil) }
            if includeAttributes { lines += InfoText.attributeLines(m.attributes) }
        }
        lines += unsupported.flatMap { InfoText.unsupportedLines("node", path: $0.path, reason: $0.reason) }
        return lines.joined(separator: "\n")
    }

    private func format2(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return "\(r)"
    }
}
