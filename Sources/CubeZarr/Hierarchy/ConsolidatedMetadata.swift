import CubeCore

/// Consolidated metadata: v2 `.zmetadata`, v3 inline `consolidated_metadata` in the root `zarr.json`.
public enum ConsolidatedMetadata {
    /// The v2 consolidated metadata key.
    public static let v2Key = ".zmetadata"

    /// The nodes recorded in the store's consolidated metadata (root included), or `nil` if
    /// there is none. Throws on the first entry that cannot be read.
    public static func read(_ store: any ReadableStore, root: ZarrNode) throws -> [ZarrNode]? {
        var collector = NodeCollector.failing
        return try read(store, root: root, collector: &collector)
    }

    /// The nodes recorded in the store's consolidated metadata, passing each entry's failure
    /// to `collector`; a document that is not consolidated metadata at all is thrown.
    static func read(_ store: any ReadableStore, root: ZarrNode, collector: inout NodeCollector) throws -> [ZarrNode]? {
        switch root.format {
        case .v2:
            guard let bytes = try store.get(v2Key) else { return nil }
            let context = StoreKey.join(store.location, v2Key)
            return try parseV2(try JSON.parse(bytes, context: context), context: context, collector: &collector)
        case .v3:
            guard case .group(let group) = root.kind, let consolidated = group.consolidated else { return nil }
            let context = StoreKey.join(store.location, "zarr.json")
            return try [root] + parseV3(consolidated, context: context, collector: &collector)
        }
    }

    /// Parses a `.zmetadata` document into nodes.
    public static func parseV2(_ json: JSON, context: String) throws -> [ZarrNode] {
        var collector = NodeCollector.failing
        return try parseV2(json, context: context, collector: &collector)
    }

    /// Parses a `.zmetadata` document into nodes, passing each entry's failure to `collector`.
    static func parseV2(_ json: JSON, context: String, collector: inout NodeCollector) throws -> [ZarrNode] {
        guard json["zarr_consolidated_format"]?.intValue == 1, let entries = json["metadata"]?.objectValue else {
            throw CubeError(.invalidInput, "not consolidated metadata (need zarr_consolidated_format 1 and a metadata object)", context: context)
        }
        let documents = Dictionary(entries, uniquingKeysWith: { _, last in last })
        var nodes: [ZarrNode] = []
        for (key, json) in entries.sorted(by: { $0.0 < $1.0 }) {
            let isArray = key == ".zarray" || key.hasSuffix("/.zarray")
            let isGroup = key == ".zgroup" || key.hasSuffix("/.zgroup")
            guard isArray || isGroup else { continue }
            let path = String(key.dropLast(isArray ? ".zarray".count : ".zgroup".count)).trimmingSuffix("/")
            let zattrs = documents[StoreKey.join(path, ".zattrs")]
            let entryContext = "\(context)[\(key)]"
            let node = try collector.read(path) {
                isArray ? ZarrNode(path: path, kind: .array(try ArrayMetadata.parseV2(zarray: json, zattrs: zattrs, context: entryContext)))
                    : try ZarrNode.parseV2Group(json, zattrs: zattrs, path: path, context: entryContext)
            }
            if let node { nodes.append(node) }
        }
        return nodes.sorted { $0.path < $1.path }
    }

    /// Parses a v3 inline `consolidated_metadata` member into the nodes below the root.
    public static func parseV3(_ json: JSON, context: String) throws -> [ZarrNode] {
        var collector = NodeCollector.failing
        return try parseV3(json, context: context, collector: &collector)
    }

    /// Parses a v3 inline `consolidated_metadata` member, passing each entry's failure to
    /// `collector`.
    static func parseV3(_ json: JSON, context: String, collector: inout NodeCollector) throws -> [ZarrNode] {
        guard let entries = json["metadata"]?.objectValue else {
            throw CubeError(.invalidInput, "consolidated_metadata has no metadata object", context: context)
        }
        if let kind = json["kind"]?.stringValue, kind != "inline" {
            throw CubeError(.unsupported, "consolidated_metadata kind '\(kind)' is not supported", context: context)
        }
        var nodes: [ZarrNode] = []
        for (path, document) in entries {
            let node = try collector.read(path) {
                try ZarrNode.parseV3(document, path: path, context: "\(context)[consolidated_metadata.\(path)]")
            }
            if let node { nodes.append(node) }
        }
        return nodes.sorted { $0.path < $1.path }
    }

    /// Builds the consolidated document for `nodes` (root first) in the root's format:
    /// the `.zmetadata` JSON for v2, the `consolidated_metadata` member for v3. Documents
    /// read from a store are recorded exactly as stored.
    public static func build(_ nodes: [ZarrNode]) -> JSON {
        guard let root = nodes.first, root.format == .v3 else {
            var entries: [(String, JSON)] = []
            for node in nodes {
                for (key, json) in node.storedDocuments ?? node.documents() { entries.append((key, json)) }
            }
            return .object([("metadata", .object(entries)), ("zarr_consolidated_format", 1)])
        }
        var entries: [(String, JSON)] = []
        for node in nodes.dropFirst() {
            switch node.kind {
            case .array(let m): entries.append((node.path, node.storedDocuments?.first?.json ?? m.v3JSON()))
            case .group(let g):
                // zarr-python records nested groups with an empty inline member of their own.
                var nested = g
                nested.consolidated = ["kind": "inline", "must_understand": false, "metadata": [:]]
                entries.append((node.path, nested.v3JSON()))
            }
        }
        return .object([("kind", "inline"), ("must_understand", false), ("metadata", .object(entries))])
    }

    /// Writes consolidated metadata for the whole hierarchy found by walking the store.
    /// Returns the nodes it covers.
    @discardableResult
    public static func write(_ store: any Store) throws -> [ZarrNode] {
        let nodes = try currentNodes(store)
        let document = build(nodes)
        let root = nodes[0]
        switch root.kind {
        case .group(var group) where root.format == .v3:
            group.consolidated = document
            try ZarrNode(path: "", kind: .group(group)).write(to: store)
        case .array where root.format == .v3:
            throw CubeError(.invalidInput, "the root is an array: only groups hold consolidated metadata", context: store.location)
        default:
            try store.set(v2Key, document.serializedBytes(.zarrV2))
        }
        return nodes
    }

    /// Removes consolidated metadata; returns whether there was any.
    @discardableResult
    public static func remove(_ store: any Store) throws -> Bool {
        guard let root = try ZarrNode.read(store, path: "") else {
            throw CubeError(.notFound, "no Zarr hierarchy here", context: store.location)
        }
        switch root.kind {
        case .group(var group) where root.format == .v3:
            guard group.consolidated != nil else { return false }
            group.consolidated = nil
            try ZarrNode(path: "", kind: .group(group)).write(to: store)
            return true
        default:
            guard try store.size(of: v2Key) != nil else { return false }
            try store.delete(v2Key)
            return true
        }
    }

    /// How consolidated metadata differs from the store.
    public struct Check: Sendable, Equatable {
        /// Whether the store has consolidated metadata at all.
        public var present: Bool
        /// Nodes in the store that the consolidated metadata lacks.
        public var missing: [String]
        /// Nodes in the consolidated metadata that are no longer in the store.
        public var extra: [String]
        /// Nodes whose metadata differs.
        public var changed: [String]

        /// Whether the consolidated metadata is present and matches the store exactly.
        public var isCurrent: Bool { present && missing.isEmpty && extra.isEmpty && changed.isEmpty }
    }

    /// Compares the consolidated metadata with the nodes found by walking the store.
    public static func check(_ store: any ListableStore) throws -> Check {
        let actual = try currentNodes(store)
        return compare(recorded: try read(store, root: actual[0]), actual: actual, leavingOut: [])
    }

    /// Compares a hierarchy opened from consolidated metadata (`nil` when the store has none)
    /// with one opened by walking the store. Nodes that either could not read are left out:
    /// there is nothing to compare them by, and listings report them on their own.
    public static func compare(consolidated: ZarrHierarchy?, walked: ZarrHierarchy) -> Check {
        let unreadable = Set(((consolidated?.unreadable ?? []) + walked.unreadable).map(\.path))
        return compare(recorded: consolidated?.nodes, actual: walked.nodes, leavingOut: unreadable)
    }

    /// Compares recorded nodes (`nil`: no consolidated metadata) with the actual ones,
    /// leaving out the paths in `leavingOut`.
    static func compare(recorded: [ZarrNode]?, actual: [ZarrNode], leavingOut: Set<String>) -> Check {
        let actual = actual.filter { !leavingOut.contains($0.path) }
        guard let recorded = recorded?.filter({ !leavingOut.contains($0.path) }) else {
            return Check(present: false, missing: actual.map(\.path), extra: [], changed: [])
        }
        let recordedByPath = Dictionary(recorded.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let actualByPath = Dictionary(actual.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var check = Check(present: true, missing: [], extra: [], changed: [])
        for node in actual {
            guard let old = recordedByPath[node.path] else { check.missing.append(node.path); continue }
            if !sameMetadata(old, node) { check.changed.append(node.path) }
        }
        check.extra = recorded.map(\.path).filter { actualByPath[$0] == nil }.sorted()
        return check
    }

    /// Whether two nodes have the same metadata documents (ignoring consolidated members).
    static func sameMetadata(_ a: ZarrNode, _ b: ZarrNode) -> Bool {
        func documents(_ node: ZarrNode) -> [String: JSON] {
            var plain = node
            if case .group(var g) = node.kind { g.consolidated = nil; plain.kind = .group(g) }
            return Dictionary(plain.documents().map { ($0.key, $0.json) }, uniquingKeysWith: { a, _ in a })
        }
        return documents(a) == documents(b)
    }

    /// The hierarchy as it is in the store, ignoring consolidated metadata.
    static func currentNodes(_ store: any ListableStore) throws -> [ZarrNode] {
        try ZarrHierarchy.walk(store, root: try ZarrHierarchy.readRoot(store))
    }
}

extension String {
    /// The string without one trailing `suffix`.
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
