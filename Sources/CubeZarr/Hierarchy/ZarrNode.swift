import CubeCore

/// The metadata of a Zarr group.
public struct GroupMetadata: Sendable, Equatable {
    /// The format the group is written in.
    public var format: ZarrFormat
    /// User attributes (a JSON object).
    public var attributes: JSON
    /// v3 only: the root's inline `consolidated_metadata` member, as stored (or `nil`).
    public var consolidated: JSON?

    /// Creates group metadata.
    public init(format: ZarrFormat, attributes: JSON = .object([]), consolidated: JSON? = nil) {
        self.format = format
        self.attributes = attributes
        self.consolidated = consolidated
    }

    /// The v3 `zarr.json` of the group.
    public func v3JSON(includeConsolidated: Bool = true) -> JSON {
        var members: [(String, JSON)] = [("attributes", attributes), ("zarr_format", 3), ("node_type", "group")]
        if includeConsolidated, let consolidated { members.append(("consolidated_metadata", consolidated)) }
        return .object(members)
    }
}

/// One node of a Zarr hierarchy: an array or a group at a path.
public struct ZarrNode: Sendable, Equatable {
    /// What the node is.
    public enum Kind: Sendable, Equatable {
        case array(ArrayMetadata)
        case group(GroupMetadata)
    }

    /// The node's path (`""` for the root, `a/b` below it).
    public var path: String
    /// The node's metadata.
    public var kind: Kind
    /// The metadata documents exactly as read from the store, when the node was read from one.
    public var storedDocuments: [(key: String, json: JSON)]?

    /// Creates a node.
    public init(path: String, kind: Kind, storedDocuments: [(key: String, json: JSON)]? = nil) {
        self.path = path
        self.kind = kind
        self.storedDocuments = storedDocuments
    }

    public static func == (a: ZarrNode, b: ZarrNode) -> Bool {
        a.path == b.path && a.kind == b.kind
    }

    /// The node's format.
    public var format: ZarrFormat {
        switch kind {
        case .array(let m): m.format
        case .group(let g): g.format
        }
    }

    /// The node's user attributes.
    public var attributes: JSON {
        switch kind {
        case .array(let m): m.attributes
        case .group(let g): g.attributes
        }
    }

    /// The node's name: the last path segment (`""` for the root).
    public var name: String { path.split(separator: "/").last.map(String.init) ?? "" }

    /// Reads the node at `path`: v3 `zarr.json` first, then v2 `.zarray` / `.zgroup`.
    /// Returns `nil` when there is no node.
    public static func read(_ store: any ReadableStore, path: String) throws -> ZarrNode? {
        let v3Key = StoreKey.join(path, "zarr.json")
        if let bytes = try store.get(v3Key) {
            let context = StoreKey.join(store.location, v3Key)
            let json = try JSON.parse(bytes, context: context)
            var node = try parseV3(json, path: path, context: context)
            node.storedDocuments = [(v3Key, json)]
            return node
        }
        let zattrsKey = StoreKey.join(path, ".zattrs")
        let zattrs = try store.get(zattrsKey).map { try JSON.parse($0, context: StoreKey.join(store.location, zattrsKey)) }
        let zarrayKey = StoreKey.join(path, ".zarray")
        let zgroupKey = StoreKey.join(path, ".zgroup")
        var node: ZarrNode
        var stored: [(key: String, json: JSON)]
        if let bytes = try store.get(zarrayKey) {
            let context = StoreKey.join(store.location, zarrayKey)
            let json = try JSON.parse(bytes, context: context)
            node = ZarrNode(path: path, kind: .array(try ArrayMetadata.parseV2(zarray: json, zattrs: zattrs, context: context)))
            stored = [(zarrayKey, json)]
        } else if let bytes = try store.get(zgroupKey) {
            let context = StoreKey.join(store.location, zgroupKey)
            let json = try JSON.parse(bytes, context: context)
            node = try parseV2Group(json, zattrs: zattrs, path: path, context: context)
            stored = [(zgroupKey, json)]
        } else {
            return nil
        }
        if let zattrs { stored.append((zattrsKey, zattrs)) }
        node.storedDocuments = stored
        return node
    }

    /// Parses a v3 `zarr.json` document.
    public static func parseV3(_ json: JSON, path: String, context: String) throws -> ZarrNode {
        guard json.objectValue != nil else { throw CubeError(.invalidInput, "zarr.json must be a JSON object", context: context) }
        guard json["zarr_format"]?.intValue == 3 else {
            throw CubeError(.invalidInput, "zarr_format must be 3 in zarr.json", context: context)
        }
        switch json["node_type"]?.stringValue {
        case "array":
            return ZarrNode(path: path, kind: .array(try ArrayMetadata.parseV3(json, context: context)))
        case "group":
            let attributes = json["attributes"] ?? .object([])
            guard attributes.objectValue != nil else {
                throw CubeError(.invalidInput, "attributes must be a JSON object", context: context)
            }
            let consolidated = json["consolidated_metadata"].flatMap { $0.isNull ? nil : $0 }
            return ZarrNode(path: path, kind: .group(GroupMetadata(format: .v3, attributes: attributes, consolidated: consolidated)))
        case let other:
            throw CubeError(.invalidInput, "node_type must be \"array\" or \"group\", got \(other.map { "\"\($0)\"" } ?? "nothing")", context: context)
        }
    }

    /// Parses a v2 `.zgroup` document and its `.zattrs`.
    public static func parseV2Group(_ json: JSON, zattrs: JSON?, path: String, context: String) throws -> ZarrNode {
        guard json["zarr_format"]?.intValue == 2 else {
            throw CubeError(.invalidInput, "zarr_format must be 2 in .zgroup", context: context)
        }
        let attributes = zattrs ?? .object([])
        guard attributes.objectValue != nil else { throw CubeError(.invalidInput, ".zattrs must be a JSON object", context: context) }
        return ZarrNode(path: path, kind: .group(GroupMetadata(format: .v2, attributes: attributes)))
    }

    /// The metadata documents of this node, keyed by store key.
    /// v2 nodes always get a `.zattrs`, as zarr-python writes one.
    public func documents() -> [(key: String, json: JSON)] {
        switch kind {
        case .array(let m) where m.format == .v2:
            return [(StoreKey.join(path, ".zarray"), m.v2ArrayJSON()), (StoreKey.join(path, ".zattrs"), m.v2AttributesJSON())]
        case .array(let m):
            return [(StoreKey.join(path, "zarr.json"), m.v3JSON())]
        case .group(let g) where g.format == .v2:
            return [(StoreKey.join(path, ".zgroup"), .object([("zarr_format", 2)])), (StoreKey.join(path, ".zattrs"), g.attributes)]
        case .group(let g):
            return [(StoreKey.join(path, "zarr.json"), g.v3JSON())]
        }
    }

    /// Writes the node's metadata documents.
    public func write(to store: any WritableStore) throws {
        for (key, json) in documents() {
            try store.set(key, json.serializedBytes(format == .v2 ? .zarrV2 : .zarrV3))
        }
    }
}
