import CubeCore

/// The `vlen-utf8` codec (Zarr v3 `vlen-utf8`, numcodecs `vlen-utf8`): variable-length
/// strings serialized as a little-endian `UInt32` item count, then per item a `UInt32`
/// byte length and that many UTF-8 bytes.
///
/// Decoding checks every count and length against the buffer and the chunk's element
/// count; invalid UTF-8 decodes with replacement characters (U+FFFD).
public struct VLenUTF8Codec: ArrayToBytesCodec {
    /// Creates a `vlen-utf8` codec (it has no configuration).
    public init() {}

    /// The codec id, `vlen-utf8`.
    public var name: String { "vlen-utf8" }

    /// Serializes the strings of `chunk`.
    public func encode(_ chunk: ArrayBuffer) throws -> [UInt8] {
        guard let strings = chunk.strings else {
            throw CubeError(.invalidInput, "vlen-utf8: can only encode variable-length strings, got \(chunk.dataType)")
        }
        guard strings.count <= Int(UInt32.max) else {
            throw CubeError(.unsupported, "vlen-utf8: \(strings.count) strings are more than one chunk can hold (2^32 - 1)")
        }
        var total = 4
        for string in strings {
            let length = string.utf8.count
            guard length <= Int(UInt32.max) else {
                throw CubeError(.unsupported, "vlen-utf8: a string of \(length) bytes is longer than 2^32 - 1 bytes")
            }
            total += 4 + length
        }
        var out = [UInt8]()
        out.reserveCapacity(total)
        CodecSupport.appendUInt32LE(UInt32(strings.count), to: &out)
        for string in strings {
            CodecSupport.appendUInt32LE(UInt32(string.utf8.count), to: &out)
            out.append(contentsOf: string.utf8)
        }
        return out
    }

    /// Deserializes the strings of a chunk described by `spec`.
    public func decode(_ bytes: [UInt8], spec: ChunkSpec) throws -> ArrayBuffer {
        guard spec.dataType.isVariableLength else {
            throw CubeError(.unsupported, "vlen-utf8: cannot decode \(spec.dataType) elements (variable-length strings only)")
        }
        let expected = try ShapeMath.elementCount(spec.shape)
        let strings = try bytes.withUnsafeBytes { buffer -> [String] in
            guard buffer.count >= 4 else {
                throw CodecSupport.corrupt(name, "buffer of \(buffer.count) bytes is too short for the item count")
            }
            let count = Int(CodecSupport.loadUInt32LE(buffer, at: 0))
            guard count == expected else {
                throw CodecSupport.corrupt(name, "buffer holds \(count) items, expected \(expected) for shape \(spec.shape)")
            }
            // Each item needs at least its 4-byte length: check before allocating.
            guard count <= (buffer.count - 4) / 4 else {
                throw CodecSupport.corrupt(name, "\(count) items cannot fit in \(buffer.count) bytes")
            }
            var strings = [String]()
            strings.reserveCapacity(count)
            var offset = 4
            for index in 0..<count {
                guard buffer.count - offset >= 4 else {
                    throw CodecSupport.corrupt(name, "buffer ends before the length of item \(index)")
                }
                let length = Int(CodecSupport.loadUInt32LE(buffer, at: offset))
                offset += 4
                guard length <= buffer.count - offset else {
                    throw CodecSupport.corrupt(name, "item \(index) of \(length) bytes runs past the end of the \(buffer.count)-byte buffer")
                }
                strings.append(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]), as: UTF8.self))
                offset += length
            }
            guard offset == buffer.count else {
                throw CodecSupport.corrupt(name, "\(buffer.count - offset) unexpected bytes after the last item")
            }
            return strings
        }
        return ArrayBuffer(dataType: spec.dataType, shape: spec.shape, storage: .strings(strings))
    }

    /// `nil`: the size of strings is not known in advance.
    public func encodedSizeBound(_ spec: ChunkSpec) -> Int? { nil }
}
