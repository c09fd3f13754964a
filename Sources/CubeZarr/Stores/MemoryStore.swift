import CubeCore

/// A store that keeps every value in memory; safe to use from many threads at once.
///
/// Keys are validated exactly as in every other store (``StoreKey/valueSegments(of:store:)``).
/// Unlike a ``DirectoryStore``, a key may hold a value and also have keys below it
/// (`"a"` and `"a/b"`); Zarr never writes such pairs. Values are copied on write, so a
/// value returned by ``get(_:)`` never changes afterwards.
public final class MemoryStore: Store {
    /// Where the store is, for messages: `"memory"` unless named otherwise.
    public let location: String
    private let values: StoreLockedValue<[String: [UInt8]]>

    /// Creates an empty store described as `location` in messages.
    public init(location: String = "memory") {
        self.location = location
        self.values = StoreLockedValue([:])
    }

    /// Creates a store holding `contents`, validating every key.
    public convenience init(contents: [String: [UInt8]], location: String = "memory") throws {
        for key in contents.keys {
            _ = try StoreKey.valueSegments(of: key, store: location)
        }
        self.init(location: location)
        values.withLock { $0 = contents }
    }

    /// The number of values held.
    public var count: Int { values.withLock { $0.count } }

    /// The whole value at `key`, or `nil` if there is none.
    public func get(_ key: String) throws -> [UInt8]? {
        _ = try StoreKey.valueSegments(of: key, store: location)
        return values.withLock { $0[key] }
    }

    /// Part of the value at `key` (clipped to the value), or `nil` if there is none.
    public func get(_ key: String, range: ByteRange) throws -> [UInt8]? {
        _ = try StoreKey.valueSegments(of: key, store: location)
        try range.validate(key: key, store: location)
        guard let value = values.withLock({ $0[key] }) else { return nil }
        guard let selected = range.clipped(toCount: value.count) else { return [] }
        return Array(value[selected])
    }

    /// The size of the value at `key`, or `nil` if there is none.
    public func size(of key: String) throws -> Int? {
        _ = try StoreKey.valueSegments(of: key, store: location)
        return values.withLock { $0[key]?.count }
    }

    /// Stores `bytes` at `key`, replacing any value there.
    public func set(_ key: String, _ bytes: [UInt8]) throws {
        _ = try StoreKey.valueSegments(of: key, store: location)
        values.withLock { $0[key] = bytes }
    }

    /// Removes the value at `key`, if any.
    public func delete(_ key: String) throws {
        _ = try StoreKey.valueSegments(of: key, store: location)
        values.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Removes every key strictly below `prefix` (`""`: every key). A value stored at
    /// exactly `prefix` is not below it and stays.
    public func deleteAll(under prefix: String) throws {
        _ = try StoreKey.segments(of: prefix, store: location)
        values.withLock { values in
            if prefix.isEmpty {
                values.removeAll()
            } else {
                values = values.filter { !StoreKey.isKey($0.key, under: prefix) }
            }
        }
    }

    /// Every key strictly below `prefix` (`""` for all), at any depth, sorted.
    public func keys(under prefix: String) throws -> [String] {
        _ = try StoreKey.segments(of: prefix, store: location)
        let all = values.withLock { Array($0.keys) }
        return all.filter { StoreKey.isKey($0, under: prefix) }.sorted()
    }

    /// The names of the values and of the sub-prefixes directly below `prefix`, each sorted.
    public func children(of prefix: String) throws -> (keys: [String], prefixes: [String]) {
        _ = try StoreKey.segments(of: prefix, store: location)
        let dropCount = prefix.isEmpty ? 0 : prefix.utf8.count + 1
        var names = Set<String>()
        var prefixes = Set<String>()
        for key in try keys(under: prefix) {
            let rest = Substring(key.utf8.dropFirst(dropCount))
            if let slash = rest.firstIndex(of: "/") {
                prefixes.insert(String(rest[..<slash]))
            } else {
                names.insert(String(rest))
            }
        }
        return (names.sorted(), prefixes.sorted())
    }
}
