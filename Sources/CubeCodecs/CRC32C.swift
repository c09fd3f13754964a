import CubeCore

/// CRC-32C (Castagnoli, reflected polynomial `0x82F63B78`), as used by the Zarr v3
/// `crc32c` codec and the sharding index.
///
/// Computed in Swift with slicing-by-8 tables (eight bytes per step).
public enum CRC32C {
    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78

    /// Eight 256-entry tables, table `k` at offset `256 * k`.
    static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC-32C of `bytes`.
    public static func checksum<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        update(0, with: bytes)
    }

    /// The CRC-32C of the bytes in `buffer`.
    public static func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
        update(0, with: buffer)
    }

    /// Continues a checksum: the CRC-32C of the data already summed to `crc`, followed by
    /// `bytes`. Start with `crc == 0`.
    public static func update<Bytes: Collection>(_ crc: UInt32, with bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable({ update(crc, with: UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { update(crc, with: $0) }
    }

    /// Continues a checksum: the CRC-32C of the data already summed to `crc`, followed by
    /// the bytes in `buffer`. Start with `crc == 0`.
    public static func update(_ crc: UInt32, with buffer: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return crc }
        let count = buffer.count
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            var offset = 0
            while count - offset >= 8 {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let lo = UInt32(truncatingIfNeeded: word) ^ c
                let hi = UInt32(truncatingIfNeeded: word >> 32)
                let a = t[0x700 | Int(lo & 0xFF)] ^ t[0x600 | Int((lo >> 8) & 0xFF)]
                let b = t[0x500 | Int((lo >> 16) & 0xFF)] ^ t[0x400 | Int(lo >> 24)]
                let d = t[0x300 | Int(hi & 0xFF)] ^ t[0x200 | Int((hi >> 8) & 0xFF)]
                let e = t[0x100 | Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                c = (a ^ b) ^ (d ^ e)
                offset += 8
            }
            while offset < count {
                let byte = base.load(fromByteOffset: offset, as: UInt8.self)
                c = t[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8)
                offset += 1
            }
        }
        return ~c
    }
}

/// The Zarr v3 `crc32c` codec: appends the CRC-32C of the data as 4 little-endian bytes;
/// decoding verifies and strips it.
public struct CRC32CCodec: BytesToBytesCodec {
    /// Creates a `crc32c` codec (it has no configuration).
    public init() {}

    /// The Zarr name, `crc32c`.
    public var name: String { "crc32c" }

    /// Returns `bytes` followed by their CRC-32C, little-endian.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 4)
        out.append(contentsOf: bytes)
        CodecSupport.appendUInt32LE(CRC32C.checksum(bytes), to: &out)
        return out
    }

    /// Checks the trailing checksum and returns the data before it.
    public func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8] {
        try CodecSupport.checkExpected(name, decodedSize)
        guard bytes.count >= 4 else {
            throw CodecSupport.corrupt(name, "buffer of \(bytes.count) bytes is too short to hold a checksum")
        }
        let dataCount = bytes.count - 4
        try CodecSupport.checkDecodedSize(name, dataCount, decodedSize)
        let (stored, computed) = bytes.withUnsafeBytes { buffer in
            (CodecSupport.loadUInt32LE(buffer, at: dataCount),
             CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[0..<dataCount])))
        }
        guard stored == computed else {
            throw CubeError(.corrupt, "crc32c checksum mismatch: stored \(hex(stored)), computed \(hex(computed))")
        }
        return Array(bytes[0..<dataCount])
    }

    /// `byteCount + 4`.
    public func encodedSizeBound(_ byteCount: Int) -> Int { ShapeMath.saturatingSum(byteCount, 4) }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
