/// Splitting and reading raw fuzz inputs.
public struct FuzzInput {
    /// The bytes not yet consumed.
    public private(set) var rest: ArraySlice<UInt8>

    /// Wraps one input.
    public init(_ bytes: [UInt8]) { rest = bytes[...] }

    /// The next byte, or 0 when the input is used up.
    public mutating func byte() -> UInt8 {
        rest.popFirst() ?? 0
    }

    /// The next two bytes as a little-endian integer.
    public mutating func uint16() -> Int {
        Int(byte()) | Int(byte()) << 8
    }

    /// The input cut at its first `count - 1` NUL bytes into at most `count` parts (JSON text
    /// never holds a raw NUL, so it separates documents); missing parts are `nil`.
    public static func parts(_ bytes: [UInt8], count: Int) -> [[UInt8]?] {
        let parts = bytes.split(separator: 0, maxSplits: count - 1, omittingEmptySubsequences: false).map { Array($0) }
        return (0..<count).map { $0 < parts.count ? parts[$0] : nil }
    }
}
