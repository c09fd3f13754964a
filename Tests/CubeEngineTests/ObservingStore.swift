import CubeCore
import CubeZarr

/// A memory store that calls `onSet` with the key before each write; a write whose
/// `onSet` throws fails and stores nothing.
final class ObservingStore: Store, @unchecked Sendable {
    private let inner = MemoryStore()
    private let onSet: (String) throws -> Void
    let location: String

    init(location: String = "memory", onSet: @escaping (String) throws -> Void) {
        self.location = location
        self.onSet = onSet
    }

    /// A store whose writes of `failingKey` fail as a full device would.
    static func failing(at failingKey: String) -> ObservingStore {
        ObservingStore(location: "failing-store") { key in
            if key == failingKey { throw CubeError(.io, "device full while writing '\(key)'", context: "failing-store") }
        }
    }

    func get(_ key: String) throws -> [UInt8]? { try inner.get(key) }
    func get(_ key: String, range: ByteRange) throws -> [UInt8]? { try inner.get(key, range: range) }
    func size(of key: String) throws -> Int? { try inner.size(of: key) }
    func set(_ key: String, _ bytes: [UInt8]) throws {
        try onSet(key)
        try inner.set(key, bytes)
    }
    func delete(_ key: String) throws { try inner.delete(key) }
    func deleteAll(under prefix: String) throws { try inner.deleteAll(under: prefix) }
    func keys(under prefix: String) throws -> [String] { try inner.keys(under: prefix) }
    func children(of prefix: String) throws -> (keys: [String], prefixes: [String]) { try inner.children(of: prefix) }
}
