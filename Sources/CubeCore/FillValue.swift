#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        let total = n * count
        var out = BufferCache.take(count: total)
        out.withUnsafeMutableBytes { dst in
            guard let base = dst.baseAddress else { return }
            if item.allSatisfy({ $0 == item[0] }) {
                memset(base, Int32(item[0]), total)
                return
            }
            item.withUnsafeBytes { base.copyMemory(from: $0.baseAddress.unsafelyUnwrapped, byteCount: n) }
            var filled = n
            while filled < total {
                let chunk = min(filled, total - filled)
                (base + filled).copyMemory(from: base, byteCount: chunk)
                filled += chunk
            }
        }
        return out
    }
}
