import CubeCore

/// The `gzip` codec (Zarr v3 `gzip`, numcodecs `gzip`): one gzip member (RFC 1952).
///
/// Decoding accepts several concatenated members, as `gzip.decompress` does, and skips
/// zero padding between and after them.
public struct GzipCodec: BytesToBytesCodec {
    /// Compression level, 0 (store) to 9 (smallest); -1 is zlib's default (6).
    public var level: Int

    /// Creates a `gzip` codec (numcodecs default level 1; the Zarr v3 spec requires a level).
    public init(level: Int = 1) throws {
        try Deflate.checkLevel(level, codec: "gzip")
        self.level = level
    }

    /// The codec id, `gzip`.
    public var name: String { "gzip" }

    /// Compresses `bytes` into one gzip member.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        try Deflate.compress(bytes, level: level, windowBits: Deflate.gzipWindowBits, codec: name)
    }

    /// Decompresses one or more gzip members.
    public func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8] {
        try Deflate.decompress(bytes, windowBits: Deflate.gzipWindowBits, multiMember: true,
                               expected: decodedSize, codec: name)
    }

    /// zlib's `compressBound` plus the larger gzip header and trailer.
    public func encodedSizeBound(_ byteCount: Int) -> Int { Deflate.bound(byteCount, gzip: true) }
}
