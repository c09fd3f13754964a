/// A small deterministic pseudo-random generator (SplitMix64), so `cube-bench --seed N` picks
/// the same points on every machine and every Swift version.
///
/// The system generator is not used: its algorithm is not specified, and the points must
/// be reproducible to compare stores and runs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state; advanced by a fixed odd constant per value.
    public private(set) var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (0 for a bound below 1), from the high half of a 128-bit
    /// product: defined by this code alone, not by the standard library.
    public mutating func index(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A value in `0...1` with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / Double(UInt64(1) << 53))
    }

    /// A generator for one named stream of `seed` (such as the points of one pattern), so
    /// streams do not depend on the order in which they are used.
    public static func stream(_ name: String, seed: UInt64) -> SplitMix64 {
        SplitMix64(seed: seed ^ stableHash(name))
    }

    /// FNV-1a of the UTF-8 bytes: stable across processes, unlike `Hasher`.
    public static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
