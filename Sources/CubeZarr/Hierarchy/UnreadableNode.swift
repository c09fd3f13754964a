import CubeCore

/// A node of a Zarr hierarchy that is there but cannot be read: its metadata does not parse,
/// names a data type or codec cube does not know, has an invalid codec chain, or is not a file.
///
/// Listings report such nodes instead of failing on the whole store or leaving them out.
public struct UnreadableNode: Sendable, Equatable {
    /// The node's path (`""` for the root, `a/b` below it).
    public var path: String
    /// Why it cannot be read; the error's context names the metadata document.
    public var error: CubeError

    /// Creates a record of an unreadable node.
    public init(path: String, error: CubeError) {
        self.path = path
        self.error = error
    }

    /// Why the node cannot be read, in one line (without the store location).
    public var reason: String { error.message }
}

/// What opening a hierarchy does with a node it cannot read.
public enum UnreadableNodePolicy: Sendable {
    /// Throw the node's error, which names its metadata document: for tools that must read
    /// every array (copying a store must not drop one).
    case fail
    /// Record the node in ``ZarrHierarchy/unreadable`` and go on with the rest: for listings.
    /// Arrays are also checked to open (their codec chain is built), so every array left in
    /// ``ZarrHierarchy/nodes`` can be read.
    case collect
}

/// Reads the nodes of one hierarchy under an ``UnreadableNodePolicy``, keeping the failures
/// the policy lets through.
struct NodeCollector {
    /// The policy applied to each failure.
    let policy: UnreadableNodePolicy
    /// The store arrays are checked to open in (under `.collect`).
    let store: (any ReadableStore)?
    /// The nodes that failed, in the order met.
    private(set) var unreadable: [UnreadableNode] = []

    /// A collector that throws every failure.
    static var failing: NodeCollector { NodeCollector(.fail, store: nil) }

    /// A collector applying `policy` to the nodes of `store`.
    init(_ policy: UnreadableNodePolicy, store: (any ReadableStore)?) {
        self.policy = policy
        self.store = store
    }

    /// Runs `read` for the node at `path` and returns its node (`nil` when there is none).
    /// A failure is thrown under `.fail`; under `.collect` it is recorded and `nil` returned,
    /// and an array must also open in the store to count as read.
    mutating func read(_ path: String, _ read: () throws -> ZarrNode?) throws -> ZarrNode? {
        do {
            guard let node = try read() else { return nil }
            if policy == .collect, let store, case .array(let metadata) = node.kind {
                _ = try ZarrArray(store: store, path: path, metadata: metadata)
            }
            return node
        } catch let error as CubeError where policy == .collect {
            unreadable.append(UnreadableNode(path: path, error: error))
            return nil
        }
    }

    /// The failures, sorted by path.
    var sortedUnreadable: [UnreadableNode] { unreadable.sorted { $0.path < $1.path } }
}
