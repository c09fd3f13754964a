import CubeCore

/// A range of bytes within a stored value.
public enum ByteRange: Sendable, Hashable {
    /// `length` bytes starting at `offset`.
    case bounded(offset: Int, length: Int)
    /// Everything from `offset` to the end.
    case from(offset: Int)
    /// The last `length` bytes.
    case suffix(length: Int)
}

/// A flat key → bytes store that can be read. Keys are `/`-separated relative paths
/// such as `"t2m/c/0/3/7"` or `"group/.zarray"`.
///
/// Every store validates keys with ``StoreKey`` and reports refused keys as
/// ``CubeError/Kind/invalidInput`` with ``location`` as context (keys come from metadata as
/// often as from the caller, so a bad one is a data problem). The empty key names
/// the root: it is a valid prefix for listing but never a value.
public protocol ReadableStore: Sendable {
    /// A short description of the store (a path), used in messages.
    var location: String { get }
    /// The whole value at `key`, or `nil` if there is none.
    func get(_ key: String) throws -> [UInt8]?
    /// Part of the value at `key`, or `nil` if there is none. A range reaching past the
    /// end is clipped to the value (see ``ByteRange/clipped(toCount:)``); a range with a
    /// negative offset or length is refused with ``CubeError/Kind/invalidInput``.
    func get(_ key: String, range: ByteRange) throws -> [UInt8]?
    /// The size of the value at `key`, or `nil` if there is none.
    func size(of key: String) throws -> Int?
    /// Says that the values at `keys` are about to be read, in this order, so a store whose
    /// reads wait for a device or a network can start fetching them now and several at
    /// once. A hint only: it changes no value, reports nothing, and skips bad or missing keys.
    func prefetch(_ keys: [String])
}

extension ReadableStore {
    /// Does nothing: the store has no reads worth starting early.
    public func prefetch(_ keys: [String]) {}
}

/// A store whose values can be written and deleted.
public protocol WritableStore: ReadableStore {
    /// Writes (replaces) the value at `key`; the write is atomic for readers.
    func set(_ key: String, _ bytes: [UInt8]) throws
    /// Deletes the value at `key`; deleting a missing key is not an error.
    func delete(_ key: String) throws
    /// Deletes every key under `prefix` (a key path without trailing `/`; `""` is everything).
    /// A value stored at exactly `prefix` is not under it and stays.
    func deleteAll(under prefix: String) throws
}

/// A store whose keys can be listed.
public protocol ListableStore: ReadableStore {
    /// Every key under `prefix` (`""` for all), at any depth, sorted: full keys such as
    /// `"t2m/c/0/1"`, never a value stored at exactly `prefix`.
    func keys(under prefix: String) throws -> [String]
    /// The immediate children of `prefix`: value keys and sub-prefixes (names only, sorted).
    func children(of prefix: String) throws -> (keys: [String], prefixes: [String])
}

/// A store that can be read, written and listed.
public typealias Store = WritableStore & ListableStore

/// Checks and normalizes store keys.
public enum StoreKey {
    /// Validates `key`: relative, `/`-separated, no empty, `.` or `..` segments, no NUL or
    /// backslash. Returns the segments.
    public static func segments(of key: String, store: String) throws -> [Substring] {
        if key.isEmpty { return [] }
        guard !key.hasPrefix("/") else {
            throw CubeError(.invalidInput, "absolute key '\(key)' refused: keys are relative to the store root", context: store)
        }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        for part in parts {
            guard !part.isEmpty, part != ".", part != "..", !part.contains("\0"), !part.contains("\\") else {
                throw CubeError(.invalidInput, "key '\(key)' refused: it could escape the store root or is malformed", context: store)
            }
        }
        return parts
    }

    /// `a/b` joined, skipping empty parts.
    public static func join(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "/")
    }
}
