/// A number of bytes, parsed from and printed as `256MiB`, `1GB`, `512M`, `4096`.
public struct ByteCount: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number of bytes.
    public var bytes: Int

    /// Wraps a byte count.
    public init(_ bytes: Int) { self.bytes = bytes }

    /// Parses `N`, `N[kKMGT]`, `N[KMGT]B` (powers of 1000) and `N[KMGT]iB` (powers of 1024);
    /// a bare letter suffix (`512M`) means the binary unit, as in `sort -S` and `ulimit`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        guard let firstUnit = trimmed.firstIndex(where: { !($0.isNumber || $0 == ".") }) else {
            guard let n = Int(trimmed), n >= 0 else { return nil }
            self.bytes = n
            return
        }
        let number = String(trimmed[..<firstUnit])
        let unit = trimmed[firstUnit...].trimmingSpaces.lowercased()
        guard let value = Double(number), value >= 0 else { return nil }
        let multipliers: [String: Double] = [
            "b": 1,
            "k": 1024, "kib": 1024, "kb": 1e3,
            "m": Double(1 << 20), "mib": Double(1 << 20), "mb": 1e6,
            "g": Double(1 << 30), "gib": Double(1 << 30), "gb": 1e9,
            "t": Double(1 << 40), "tib": Double(1 << 40), "tb": 1e12,
        ]
        guard let m = multipliers[unit] else { return nil }
        let total = (value * m).rounded()
        guard total < 9.0e18 else { return nil }
        self.bytes = Int(total)
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    /// The size with a binary unit and up to one decimal: `256MiB`, `1.5GiB`, `900B`.
    public var description: String { ByteCount.format(bytes) }

    /// Formats a byte count with a binary unit.
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes)B" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return "\(Int(rounded))\(units[unit])" }
        return "\(rounded)\(units[unit])"
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
