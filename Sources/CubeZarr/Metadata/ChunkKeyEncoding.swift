/// How chunk grid coordinates become store keys.
public struct ChunkKeyEncoding: Sendable, Hashable {
    /// The separator between coordinates: `/` or `.`.
    public var separator: Character
    /// Whether keys start with `c` (v3 `default` encoding) rather than being bare (v2 style).
    public var prefixed: Bool

    /// Creates an encoding.
    public init(separator: Character, prefixed: Bool) {
        self.separator = separator
        self.prefixed = prefixed
    }

    /// v3 `default`: `c/0/1/2`, and `c` for a 0-d array.
    public static let v3Default = ChunkKeyEncoding(separator: "/", prefixed: true)
    /// v2 with `.` separators: `0.1.2`, and `0` for a 0-d array.
    public static let v2Dot = ChunkKeyEncoding(separator: ".", prefixed: false)

    /// The key of chunk `coords`, relative to the array's node.
    public func key(for coords: [Int]) -> String {
        let sep = String(separator)
        if prefixed { return coords.isEmpty ? "c" : "c" + sep + coords.map(String.init).joined(separator: sep) }
        return coords.isEmpty ? "0" : coords.map(String.init).joined(separator: sep)
    }

    /// The chunk coordinates named by `key` (relative to the node), or `nil` if it is not a chunk key.
    public func coordinates(of key: String, rank: Int) -> [Int]? {
        var rest = Substring(key)
        if prefixed {
            guard rest.hasPrefix("c") else { return nil }
            rest = rest.dropFirst()
            if rank == 0 { return rest.isEmpty ? [] : nil }
            guard rest.first == separator else { return nil }
            rest = rest.dropFirst()
        } else if rank == 0 {
            return rest == "0" ? [] : nil
        }
        let parts = rest.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == rank else { return nil }
        var coords: [Int] = []
        for part in parts {
            guard let v = Int(part), v >= 0, part.allSatisfy(\.isNumber) else { return nil }
            coords.append(v)
        }
        return coords
    }
}
