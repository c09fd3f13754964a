/// The value of elements never written: one element, decoded.
public enum FillValue: Sendable, Hashable {
    /// One fixed-size element in native byte order.
    case element([UInt8])
    /// A variable-length string.
    case string(String)

    /// All-zero bytes (or the empty string) for `dataType`.
    public static func zero(for dataType: DataType) -> FillValue {
        dataType.isVariableLength ? .string("") : .element([UInt8](repeating: 0, count: dataType.itemSize))
    }

    /// `item` repeated `count` times, built by doubling copies.
    public static func replicate(_ item: [UInt8], count: Int) -> [UInt8] {
        let n = item.count
        guard n > 0, count > 0 else { return [] }
        if item.allSatisfy({ $0 == 0 }) { return [UInt8](repeating: 0, count: n * count) }
        if n == 1 { return [UInt8](repeating: item[0], count: count) }
        var out = [UInt8](repeating: 0, count: n * count)
        out.withUnsafeMutableBytes { dst in
            let base = dst.baseAddress!
            item.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: n) }
            var filled = n
            let total = n * count
            while filled < total {
                let chunk = min(filled, total - filled)
                (base + filled).copyMemory(from: base, byteCount: chunk)
                filled += chunk
            }
        }
        return out
    }
}
