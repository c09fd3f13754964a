import CubeCore
import CubeZarr
import Foundation

/// A read-only view of a store that counts what is fetched through it: requests, bytes and
/// the distinct objects (keys) read, for `cube-bench`.
///
/// Metadata reads count too; callers open the array first and ``reset()`` before the reads
/// they measure.
public final class CountingStore: ListableStore, @unchecked Sendable {
    /// What has been fetched since the last reset.
    public struct Counts: Sendable, Equatable {
        /// `get` calls that found a value (whole or ranged).
        public var requests = 0
        /// Bytes returned by those calls.
        public var bytes = 0
        /// Distinct keys read.
        public var objects = 0
        /// Size lookups (`stat`), which fetch no data.
        public var sizeLookups = 0

        /// No reads.
        public init() {}
    }

    /// The store read through.
    public let base: any ListableStore
    private let lock = NSLock()
    private var counts = Counts()
    private var keys = Set<String>()

    /// Wraps `base`.
    public init(_ base: any ListableStore) {
        self.base = base
    }

    /// The wrapped store's location.
    public var location: String { base.location }

    /// What has been fetched since creation or the last ``reset()``.
    public var snapshot: Counts { lock.withLock { counts } }

    /// Forgets everything counted so far.
    public func reset() {
        lock.withLock {
            counts = Counts()
            keys.removeAll()
        }
    }

    private func record(_ key: String, _ value: [UInt8]?) -> [UInt8]? {
        guard let value else { return nil }
        lock.withLock {
            counts.requests += 1
            counts.bytes += value.count
            if keys.insert(key).inserted { counts.objects += 1 }
        }
        return value
    }

    /// The whole value at `key`, counted.
    public func get(_ key: String) throws -> [UInt8]? {
        record(key, try base.get(key))
    }

    /// Part of the value at `key`, counted.
    public func get(_ key: String, range: ByteRange) throws -> [UInt8]? {
        record(key, try base.get(key, range: range))
    }

    /// Passes the hint on (a prefetch fetches nothing through this view, so counts nothing).
    public func prefetch(_ keys: [String]) {
        base.prefetch(keys)
    }

    /// The size of the value at `key` (counted as a lookup, not as bytes).
    public func size(of key: String) throws -> Int? {
        lock.withLock { counts.sizeLookups += 1 }
        return try base.size(of: key)
    }

    /// Every key under `prefix`, from the wrapped store.
    public func keys(under prefix: String) throws -> [String] {
        try base.keys(under: prefix)
    }

    /// The children of `prefix`, from the wrapped store.
    public func children(of prefix: String) throws -> (keys: [String], prefixes: [String]) {
        try base.children(of: prefix)
    }
}
