import CubeCore

/// Every node of a Zarr hierarchy, found by walking the store or from consolidated metadata.
public struct ZarrHierarchy: Sendable {
    /// The store.
    public let store: any ListableStore
    /// The nodes, sorted by path, root first.
    public let nodes: [ZarrNode]
    /// Whether `nodes` came from consolidated metadata.
    public let fromConsolidated: Bool

    /// Opens the hierarchy rooted at the store's root: from consolidated metadata when
    /// present and `useConsolidated`, else by walking the store.
    public static func open(_ store: any ListableStore, useConsolidated: Bool = true) throws -> ZarrHierarchy {
        guard let root = try ZarrNode.read(store, path: "") else {
            throw CubeError(.notFound, "no Zarr group or array at the root (no zarr.json, .zgroup or .zarray)", context: store.location)
        }
        if useConsolidated, let nodes = try ConsolidatedMetadata.read(store, root: root) {
            return ZarrHierarchy(store: store, nodes: nodes, fromConsolidated: true)
        }
        return ZarrHierarchy(store: store, nodes: try walk(store, root: root), fromConsolidated: false)
    }

    /// Walks the store from `root`, descending into groups only (never into arrays' chunks).
    public static func walk(_ store: any ListableStore, root: ZarrNode) throws -> [ZarrNode] {
        var nodes = [root]
        var pending: [ZarrNode] = []
        if case .group = root.kind { pending.append(root) }
        while let group = pending.popLast() {
            for name in try store.children(of: group.path).prefixes {
                let path = StoreKey.join(group.path, name)
                guard let node = try ZarrNode.read(store, path: path) else { continue }
                guard node.format == root.format else {
                    throw CubeError(.invalidInput, "node is Zarr \(node.format) inside a \(root.format) hierarchy",
                                    context: StoreKey.join(store.location, path))
                }
                nodes.append(node)
                if case .group = node.kind { pending.append(node) }
            }
        }
        return nodes.sorted { $0.path < $1.path }
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
