import CubeCore

/// Every node of a Zarr hierarchy, found by walking the store or from consolidated metadata.
public struct ZarrHierarchy: Sendable {
    /// The store.
    public let store: any ListableStore
    /// The nodes, sorted by path, root first.
    public let nodes: [ZarrNode]
    /// Whether `nodes` came from consolidated metadata.
    public let fromConsolidated: Bool
    /// Nodes found but not readable, sorted by path (only under ``UnreadableNodePolicy/collect``;
    /// they are not in `nodes`).
    public let unreadable: [UnreadableNode]

    /// The metadata documents a node may have.
    static let metadataNames = ["zarr.json", ".zarray", ".zgroup", ".zattrs"]

    /// Opens the hierarchy rooted at the store's root: from consolidated metadata when
    /// present and `useConsolidated`, else by walking the store. The root must be readable;
    /// other nodes that are not are thrown or collected as `unreadable` says.
    public static func open(_ store: any ListableStore, useConsolidated: Bool = true,
                            unreadable policy: UnreadableNodePolicy = .fail) throws -> ZarrHierarchy {
        let root = try readRoot(store)
        var collector = NodeCollector(policy, store: store)
        if policy == .collect, case .array(let metadata) = root.kind {
            // A root array that cannot open leaves no hierarchy to list.
            _ = try ZarrArray(store: store, path: "", metadata: metadata)
        }
        if useConsolidated, let nodes = try ConsolidatedMetadata.read(store, root: root, collector: &collector) {
            return ZarrHierarchy(store: store, nodes: nodes, fromConsolidated: true, unreadable: collector.sortedUnreadable)
        }
        let nodes = try walk(store, root: root, collector: &collector)
        return ZarrHierarchy(store: store, nodes: nodes, fromConsolidated: false, unreadable: collector.sortedUnreadable)
    }

    /// Reads the root node, which must exist and be readable.
    static func readRoot(_ store: any ListableStore) throws -> ZarrNode {
        guard let root = try ZarrNode.read(store, path: "") else {
            try checkNoMetadataDirectory(store, path: "")
            throw CubeError(.notFound, "no Zarr group or array at the root (no zarr.json, .zgroup or .zarray)", context: store.location)
        }
        return root
    }

    /// Walks the store from `root`, descending into groups only (never into arrays' chunks).
    /// Throws on the first node that cannot be read.
    public static func walk(_ store: any ListableStore, root: ZarrNode) throws -> [ZarrNode] {
        var collector = NodeCollector.failing
        return try walk(store, root: root, collector: &collector)
    }

    /// Walks the store from `root`, passing each node's failure to `collector`.
    static func walk(_ store: any ListableStore, root: ZarrNode, collector: inout NodeCollector) throws -> [ZarrNode] {
        var nodes = [root]
        var pending: [ZarrNode] = []
        if case .group = root.kind { pending.append(root) }
        while let group = pending.popLast() {
            for name in try store.children(of: group.path).prefixes {
                let path = StoreKey.join(group.path, name)
                let found = try collector.read(path) { () throws -> ZarrNode? in
                    guard let node = try ZarrNode.read(store, path: path) else {
                        try checkNoMetadataDirectory(store, path: path)
                        return nil
                    }
                    guard node.format == root.format else {
                        throw CubeError(.invalidInput, "node is Zarr \(node.format) inside a \(root.format) hierarchy",
                                        context: StoreKey.join(store.location, path))
                    }
                    return node
                }
                guard let node = found else { continue }
                nodes.append(node)
                if case .group = node.kind { pending.append(node) }
            }
        }
        return nodes.sorted { $0.path < $1.path }
    }

    /// Throws when a metadata document at `path` is a directory rather than a file: the
    /// node is there, but no reader can read it.
    static func checkNoMetadataDirectory(_ store: any ListableStore, path: String) throws {
        let prefixes = try store.children(of: path).prefixes
        if let name = metadataNames.first(where: prefixes.contains) {
            throw CubeError(.invalidInput, "\(name) is a directory, not a file", context: StoreKey.join(store.location, path, name))
        }
    }

    /// The root node.
    public var root: ZarrNode { nodes[0] }

    /// The node at `path`, if any.
    public func node(at path: String) -> ZarrNode? { nodes.first { $0.path == path } }

    /// The arrays of the hierarchy.
    public var arrays: [(path: String, metadata: ArrayMetadata)] {
        nodes.compactMap { node in
            if case .array(let m) = node.kind { return (node.path, m) }
            return nil
        }
    }

    /// Opens the array at `path`.
    public func array(at path: String) throws -> ZarrArray {
        guard let node = node(at: path), case .array(let metadata) = node.kind else {
            throw CubeError(.notFound, "no array at '\(path)'", context: store.location)
        }
        return try ZarrArray(store: store, path: path, metadata: metadata)
    }
}
