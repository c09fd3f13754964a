import CubeCore
import CubeZarr

/// A Zarr store in an S3 bucket: key `k` is the object `PREFIX/k`.
///
/// It conforms to the synchronous ``Store`` protocols the engine uses today: each call
/// blocks its thread until the S3 request finishes (``BlockingBridge``), so many engine
/// workers make many requests in flight. Keys are validated like every other store's.
/// Listing uses ListObjectsV2 (`children(of:)` with the `/` delimiter, `keys(under:)`
/// paging through everything), and `deleteAll(under:)` deletes in batches of 1,000.
/// Writes of a whole value are atomic for readers, as S3 makes every PUT.
public final class S3Store: Store, CustomStringConvertible {
    /// The client that sends the requests.
    public let client: S3Client
    /// The bucket and prefix of the store.
    public let root: S3Location

    /// A store at `root` reached through `client`.
    public init(client: S3Client, root: S3Location) {
        self.client = client
        self.root = root
    }

    /// `s3://bucket/prefix`.
    public var location: String { root.description }

    /// `s3://bucket/prefix`.
    public var description: String { location }

    /// The whole value at `key`, or `nil` if there is none.
    public func get(_ key: String) throws -> [UInt8]? {
        let objectKey = try objectKey(key)
        return try BlockingBridge.run { [client, root] in try await client.get(bucket: root.bucket, key: objectKey) }
    }

    /// Part of the value at `key` (clipped to the value), or `nil` if there is none.
    public func get(_ key: String, range: ByteRange) throws -> [UInt8]? {
        let objectKey = try objectKey(key)
        try range.validate(key: key, store: location)
        return try BlockingBridge.run { [client, root] in try await client.get(bucket: root.bucket, key: objectKey, range: range) }
    }

    /// The size of the value at `key`, or `nil` if there is none.
    public func size(of key: String) throws -> Int? {
        let objectKey = try objectKey(key)
        return try BlockingBridge.run { [client, root] in try await client.head(bucket: root.bucket, key: objectKey)?.size }
    }

    /// Stores `bytes` at `key`, replacing any value there.
    public func set(_ key: String, _ bytes: [UInt8]) throws {
        let objectKey = try objectKey(key)
        _ = try BlockingBridge.run { [client, root] in try await client.put(bytes, bucket: root.bucket, key: objectKey) }
    }

    /// Stores `bytes` at `key` only if there is no value there; returns whether it did.
    /// The building block of locks: of several writers creating one key, exactly one wins.
    public func setIfAbsent(_ key: String, _ bytes: [UInt8]) throws -> Bool {
        let objectKey = try objectKey(key)
        return try BlockingBridge.run { [client, root] in try await client.put(bytes, bucket: root.bucket, key: objectKey, ifAbsent: true) }
    }

    /// Removes the value at `key`, if any.
    public func delete(_ key: String) throws {
        let objectKey = try objectKey(key)
        try BlockingBridge.run { [client, root] in try await client.delete(bucket: root.bucket, key: objectKey) }
    }

    /// Removes every key strictly below `prefix` (`""`: every key of the store).
    public func deleteAll(under prefix: String) throws {
        let listing = try listingPrefix(prefix)
        try BlockingBridge.run { [client, root] in
            let keys = try await client.listAll(bucket: root.bucket, prefix: listing).keys
            try await client.deleteObjects(bucket: root.bucket, keys: keys)
        }
    }

    /// Every key strictly below `prefix` (`""` for all), at any depth, sorted.
    public func keys(under prefix: String) throws -> [String] {
        let listing = try listingPrefix(prefix)
        let found = try BlockingBridge.run { [client, root] in try await client.listAll(bucket: root.bucket, prefix: listing).keys }
        return try found.map { try storeKey(of: $0) }.sorted()
    }

    /// The names of the values and of the sub-prefixes directly below `prefix`, each sorted.
    public func children(of prefix: String) throws -> (keys: [String], prefixes: [String]) {
        let listing = try listingPrefix(prefix)
        let found = try BlockingBridge.run { [client, root] in
            try await client.listAll(bucket: root.bucket, prefix: listing, delimiter: "/")
        }
        let names = found.keys.map { String($0.dropFirst(listing.count)) }.filter { !$0.isEmpty }
        let prefixes = found.commonPrefixes.map { String($0.dropFirst(listing.count).dropLast()) }.filter { !$0.isEmpty }
        return (names.sorted(), prefixes.sorted())
    }

    /// The object key of value key `key`, after validating it.
    private func objectKey(_ key: String) throws -> String {
        _ = try StoreKey.valueSegments(of: key, store: location)
        return root.objectKey(key)
    }

    /// The object-key prefix listing everything below `prefix`, after validating it.
    private func listingPrefix(_ prefix: String) throws -> String {
        _ = try StoreKey.segments(of: prefix, store: location)
        return root.listingPrefix(under: prefix)
    }

    /// The store key of a listed object key (its store prefix removed).
    private func storeKey(of objectKey: String) throws -> String {
        let base = root.listingPrefix(under: "")
        guard objectKey.hasPrefix(base) else {
            throw CubeError(.io, "LIST answered a key outside the listed prefix", context: "s3://\(root.bucket)/\(objectKey)")
        }
        return String(objectKey.dropFirst(base.count))
    }
}
