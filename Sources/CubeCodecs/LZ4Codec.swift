import CLZ4
import CubeCore

/// The numcodecs `lz4` codec: the uncompressed size as a 4-byte little-endian integer,
/// followed by one LZ4 block.
public struct LZ4Codec: BytesToBytesCodec {
    /// LZ4 acceleration: 1 is the default; larger is faster and compresses less.
    /// Values below 1 act as 1 (as in numcodecs), values above 65537 as 65537.
    public var acceleration: Int

    /// Creates an `lz4` codec (numcodecs default acceleration 1); throws when
    /// `acceleration` does not fit LZ4's 32-bit parameter.
    public init(acceleration: Int = 1) throws {
        guard Int(Int32.min)...Int(Int32.max) ~= acceleration else {
            throw CubeError(.invalidArgument, "lz4: acceleration \(acceleration) is out of range")
        }
        self.acceleration = acceleration
    }

    /// The codec id, `lz4`.
    public var name: String { "lz4" }

    /// Size of the header holding the uncompressed size.
    static let headerSize = 4
    /// The largest input LZ4 accepts (`LZ4_MAX_INPUT_SIZE`).
    public static let maxInputSize = 0x7E00_0000
    /// The most output one compressed byte can yield (a 255 length-extension byte), plus slack.
    static let maxRatio = 255

    /// Compresses `bytes` into a size header and one LZ4 block.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count <= Self.maxInputSize else {
            throw CubeError(.unsupported, "lz4: cannot compress \(bytes.count) bytes; the limit is \(Self.maxInputSize) bytes (use smaller chunks)")
        }
        let capacity = encodedSizeBound(bytes.count)
        let accel = Int32(clamping: acceleration)
        return try CodecSupport.withInput(bytes) { source, count in
            try CodecSupport.produce(capacity: capacity) { destination, capacity in
                destination.storeBytes(of: UInt32(count).littleEndian, as: UInt32.self)
                let written = LZ4_compress_fast(source.assumingMemoryBound(to: CChar.self),
                                                (destination + Self.headerSize).assumingMemoryBound(to: CChar.self),
                                                Int32(count), Int32(clamping: capacity - Self.headerSize), accel)
                guard written > 0 else { throw CubeError(.io, "lz4: compression of \(count) bytes failed") }
                return Self.headerSize + Int(written)
            }
        }
    }

    /// Decompresses a size header and one LZ4 block.
    public func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8] {
        try CodecSupport.checkExpected(name, decodedSize)
        guard bytes.count > Self.headerSize else {
            throw CodecSupport.corrupt(name, "buffer of \(bytes.count) bytes is too short for a size header and a block")
        }
        let blockSize = bytes.count - Self.headerSize
        guard blockSize <= Int(Int32.max) else {
            throw CubeError(.unsupported, "lz4: compressed block of \(blockSize) bytes is larger than LZ4 supports")
        }
        let size = bytes.withUnsafeBytes { Int(CodecSupport.loadUInt32LE($0, at: 0)) }
        if let decodedSize, size != decodedSize {
            throw CodecSupport.corrupt(name, "header records \(size) bytes, expected \(decodedSize)")
        }
        guard size <= Int(Int32.max), size <= blockSize * Self.maxRatio + 64 else {
            throw CodecSupport.corrupt(name, "header records \(size) bytes, more than \(blockSize) compressed bytes can hold")
        }
        return try bytes.withUnsafeBytes { source in
            let block = (source.baseAddress.unsafelyUnwrapped + Self.headerSize).assumingMemoryBound(to: CChar.self)
            return try CodecSupport.produce(capacity: size) { destination, capacity in
                let written = LZ4_decompress_safe(block, destination.assumingMemoryBound(to: CChar.self),
                                                  Int32(blockSize), Int32(capacity))
                guard written >= 0 else {
                    throw CodecSupport.corrupt(name, "invalid or truncated LZ4 block (error \(written))")
                }
                try CodecSupport.checkDecodedSize(name, Int(written), size)
                return Int(written)
            }
        }
    }

    /// `LZ4_compressBound` plus the 4-byte header.
    public func encodedSizeBound(_ byteCount: Int) -> Int {
        // LZ4_COMPRESSBOUND; valid beyond LZ4_MAX_INPUT_SIZE too, where encoding refuses anyway.
        ShapeMath.saturatingSum(byteCount, Self.headerSize + byteCount / 255 + 16)
    }
}
