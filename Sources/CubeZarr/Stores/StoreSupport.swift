import CubeCore
import Foundation

extension ByteRange: CustomStringConvertible {
    /// Whether the range is well formed: no negative offset or length.
    public var isValid: Bool {
        switch self {
        case .bounded(let offset, let length): return offset >= 0 && length >= 0
        case .from(let offset): return offset >= 0
        case .suffix(let length): return length >= 0
        }
    }

    /// The byte offsets this range selects in a value of `count` bytes, clipped to the
    /// value; `nil` if the range is not valid.
    ///
    /// A range starting at or past the end selects nothing (`count..<count`); a suffix
    /// longer than the value selects all of it.
    public func clipped(toCount count: Int) -> Range<Int>? {
        guard isValid, count >= 0 else { return nil }
        switch self {
        case .bounded(let offset, let length):
            let start = Swift.min(offset, count)
            return start..<(start + Swift.min(length, count - start))
        case .from(let offset):
            return Swift.min(offset, count)..<count
        case .suffix(let length):
            return (count - Swift.min(length, count))..<count
        }
    }

    /// A short human form such as `offset 10, length 4`, used in messages.
    public var description: String {
        switch self {
        case .bounded(let offset, let length): return "offset \(offset), length \(length)"
        case .from(let offset): return "from offset \(offset)"
        case .suffix(let length): return "last \(length) bytes"
        }
    }

    /// Throws ``CubeError/Kind/invalidInput`` about `key` in `store` if the range is not valid.
    public func validate(key: String, store: String) throws {
        guard isValid else {
            throw CubeError(.invalidInput, "byte range (\(self)) of '\(key)' refused: offsets and lengths must not be negative", context: store)
        }
    }
}

extension StoreKey {
    /// Validates `key` as the name of a value: like ``segments(of:store:)``, but the empty
    /// key (the store root) is refused too. Returns the segments (never empty).
    public static func valueSegments(of key: String, store: String) throws -> [Substring] {
        let parts = try segments(of: key, store: store)
        guard !parts.isEmpty else {
            throw CubeError(.invalidInput, "empty key refused: a value needs a name", context: store)
        }
        return parts
    }

    /// Whether `key` lies strictly below `prefix` (`""` is above every key).
    static func isKey(_ key: String, under prefix: String) -> Bool {
        if prefix.isEmpty { return true }
        let rest = key.utf8.dropFirst(prefix.utf8.count)
        return key.utf8.starts(with: prefix.utf8) && rest.count > 1 && rest.first == UInt8(ascii: "/")
    }
}

/// A value guarded by a lock, for sharing mutable state between threads.
final class StoreLockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// Wraps `value`.
    init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
