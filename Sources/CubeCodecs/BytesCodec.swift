import CubeCore

/// The `bytes` codec: fixed-size elements in a given byte order (v3 `bytes`, v2 dtype order).
public struct BytesCodec: ArrayToBytesCodec {
    /// Byte order of the stored elements; `nil` only for single-byte types.
    public var endian: ByteOrder?

    /// Creates a `bytes` codec.
    public init(endian: ByteOrder? = .little) { self.endian = endian }

    public var name: String { "bytes" }

    public func encode(_ chunk: ArrayBuffer) throws -> [UInt8] {
        guard var bytes = chunk.bytes else {
            throw CubeError(.unsupported, "the bytes codec cannot encode variable-length strings (use vlen-utf8)")
        }
        if let endian, endian != .native {
            ByteSwap.swapInPlace(&bytes, unit: chunk.dataType.swapUnit)
        }
        return bytes
    }

    public func decode(_ bytes: [UInt8], spec: ChunkSpec) throws -> ArrayBuffer {
        guard !spec.dataType.isVariableLength else {
            throw CubeError(.unsupported, "the bytes codec cannot decode variable-length strings (use vlen-utf8)")
        }
        var raw = bytes
        if let endian, endian != .native {
            ByteSwap.swapInPlace(&raw, unit: spec.dataType.swapUnit)
        }
        return try ArrayBuffer(dataType: spec.dataType, shape: spec.shape, bytes: raw)
    }

    public func encodedSizeBound(_ spec: ChunkSpec) -> Int? {
        spec.dataType.isVariableLength ? nil : spec.byteCount
    }
}

/// Byte-order reversal of fixed-size units.
public enum ByteSwap {
    /// Reverses the bytes of every `unit`-sized group of `bytes`.
    public static func swapInPlace(_ bytes: inout [UInt8], unit: Int) {
        guard unit > 1 else { return }
        bytes.withUnsafeMutableBytes { buf in
            switch unit {
            case 2:
                let p = buf.bindMemory(to: UInt16.self)
                for i in p.indices { p[i] = p[i].byteSwapped }
            case 4:
                let p = buf.bindMemory(to: UInt32.self)
                for i in p.indices { p[i] = p[i].byteSwapped }
            case 8:
                let p = buf.bindMemory(to: UInt64.self)
                for i in p.indices { p[i] = p[i].byteSwapped }
            default:
                var offset = 0
                while offset + unit <= buf.count {
                    var lo = offset, hi = offset + unit - 1
                    while lo < hi { buf.swapAt(lo, hi); lo += 1; hi -= 1 }
                    offset += unit
                }
            }
        }
    }
}
