import CubeCore

/// A full codec pipeline: array→array codecs, exactly one array→bytes codec, then
/// bytes→bytes codecs. The chain as a whole is an array→bytes codec.
public struct CodecChain: ArrayToBytesCodec {
    /// Codecs applied first, in order, when encoding.
    public var arrayToArray: [any ArrayToArrayCodec]
    /// The serializer.
    public var arrayToBytes: any ArrayToBytesCodec
    /// Codecs applied last, in order, when encoding.
    public var bytesToBytes: [any BytesToBytesCodec]

    /// Creates a chain.
    public init(arrayToArray: [any ArrayToArrayCodec] = [], arrayToBytes: any ArrayToBytesCodec,
                bytesToBytes: [any BytesToBytesCodec] = []) {
        self.arrayToArray = arrayToArray
        self.arrayToBytes = arrayToBytes
        self.bytesToBytes = bytesToBytes
    }

    /// Names of the codecs in encoding order, for messages and listings.
    public var name: String {
        (arrayToArray.map(\.name) + [arrayToBytes.name] + bytesToBytes.map(\.name)).joined(separator: " → ")
    }

    /// Encodes one chunk. Buffers made along the way go back to the thread's ``BufferCache``.
    public func encode(_ chunk: ArrayBuffer) throws -> [UInt8] {
        let input = chunk.bytes
        var array = chunk
        for codec in arrayToArray {
            let next = try codec.encode(array)
            BufferCache.recycle(array.bytes, unlessSharedWith: [input, next.bytes])
            array = next
        }
        var bytes = try arrayToBytes.encode(array)
        BufferCache.recycle(array.bytes, unlessSharedWith: [input, bytes])
        for codec in bytesToBytes {
            let next = try codec.encode(bytes)
            BufferCache.recycle(bytes, unlessSharedWith: [input, next])
            bytes = next
        }
        return bytes
    }

    /// The specs seen by each array→array codec and by the serializer, in encoding order.
    public func specs(for spec: ChunkSpec) throws -> [ChunkSpec] {
        var specs = [spec]
        for codec in arrayToArray { specs.append(try codec.encodedSpec(specs[specs.count - 1])) }
        return specs
    }

    /// Decodes one chunk described by `spec`; `bytes` stays the caller's, buffers made along
    /// the way go back to the thread's ``BufferCache``.
    public func decode(_ bytes: [UInt8], spec: ChunkSpec) throws -> ArrayBuffer {
        let specs = try specs(for: spec)
        let serializedSpec = specs[specs.count - 1]
        // Sizes along the bytes→bytes codecs are only known at the serializer's end.
        let serializedSize = serializedSpec.dataType.isVariableLength ? nil : arrayToBytes.fixedEncodedSize(serializedSpec)
        var data = bytes
        for (i, codec) in bytesToBytes.enumerated().reversed() {
            let next = try codec.decode(data, decodedSize: i == 0 ? serializedSize : nil)
            BufferCache.recycle(data, unlessSharedWith: [bytes, next])
            data = next
        }
        var array = try arrayToBytes.decode(data, spec: serializedSpec)
        BufferCache.recycle(data, unlessSharedWith: [bytes, array.bytes])
        for (i, codec) in arrayToArray.enumerated().reversed() {
            let next = try codec.decode(array, decodedSpec: specs[i])
            BufferCache.recycle(array.bytes, unlessSharedWith: [bytes, next.bytes])
            array = next
        }
        return array
    }

    /// Decodes one chunk straight into `destination` (exactly the chunk's bytes, native
    /// order) and returns `true` where the chain allows it: no array→array codec, a `bytes`
    /// serializer needing no byte swap, and no compressor or one that decodes in place.
    /// Returns `false`, writing nothing, otherwise.
    public func decode(_ bytes: [UInt8], spec: ChunkSpec, into destination: UnsafeMutableRawBufferPointer) throws -> Bool {
        guard arrayToArray.isEmpty, !spec.dataType.isVariableLength, destination.count == spec.byteCount,
              let serializer = arrayToBytes as? BytesCodec,
              serializer.endian == nil || serializer.endian == .native || spec.dataType.swapUnit <= 1 else { return false }
        switch bytesToBytes.count {
        case 0:
            guard bytes.count == destination.count, let to = destination.baseAddress else { return false }
            bytes.withUnsafeBytes { to.copyMemory(from: $0.baseAddress.unsafelyUnwrapped, byteCount: $0.count) }
            return true
        case 1:
            return try bytesToBytes[0].decode(bytes, into: destination)
        default:
            return false
        }
    }

    /// An upper bound of the encoded size of a chunk, or `nil` for strings.
    public func encodedSizeBound(_ spec: ChunkSpec) -> Int? {
        guard let specs = try? specs(for: spec), var size = arrayToBytes.encodedSizeBound(specs[specs.count - 1]) else {
            return nil
        }
        for codec in bytesToBytes { size = codec.encodedSizeBound(size) }
        return size
    }
}

extension ArrayToBytesCodec {
    /// The exact serialized size where the serializer writes a fixed size (the `bytes` codec).
    public func fixedEncodedSize(_ spec: ChunkSpec) -> Int? {
        (self as? BytesCodec).map { _ in spec.byteCount }
    }
}
