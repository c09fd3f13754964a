import CubeCore

/// The numcodecs `zlib` codec: one zlib stream (RFC 1950) holding deflated data.
public struct ZlibCodec: BytesToBytesCodec {
    /// Compression level, 0 (store) to 9 (smallest); -1 is zlib's default (6).
    public var level: Int

    /// Creates a `zlib` codec (numcodecs default level 1).
    public init(level: Int = 1) throws {
        try Deflate.checkLevel(level, codec: "zlib")
        self.level = level
    }

    /// The codec id, `zlib`.
    public var name: String { "zlib" }

    /// Deflates `bytes` into a zlib stream.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        try Deflate.compress(bytes, level: level, windowBits: Deflate.zlibWindowBits, codec: name)
    }

    /// Inflates a zlib stream; bytes after the end of the stream are ignored.
    public func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8] {
        try Deflate.decompress(bytes, windowBits: Deflate.zlibWindowBits, multiMember: false,
                               expected: decodedSize, codec: name)
    }

    /// zlib's `compressBound`.
    public func encodedSizeBound(_ byteCount: Int) -> Int { Deflate.bound(byteCount, gzip: false) }
}
