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

    /// Encodes one chunk.
    public func encode(_ chunk: ArrayBuffer) throws -> [UInt8] {
        var array = chunk
        for codec in arrayToArray { array = try codec.encode(array) }
        var bytes = try arrayToBytes.encode(array)
        for codec in bytesToBytes { bytes = try codec.encode(bytes) }
        return bytes
    }

    /// The specs seen by each array→array codec and by the serializer, in encoding order.
    public func specs(for spec: ChunkSpec) throws -> [ChunkSpec] {
        var specs = [spec]
        for codec in arrayToArray { specs.append(try codec.encodedSpec(specs[specs.count - 1])) }
        return specs
    }

    /// Decodes one chunk described by `spec`.
    public func decode(_ bytes: [UInt8], spec: ChunkSpec) throws -> ArrayBuffer {
        let specs = try specs(for: spec)
        let serializedSpec = specs[specs.count - 1]
        // Sizes along the bytes→bytes codecs are only known at the serializer's end.
        let serializedSize = serializedSpec.dataType.isVariableLength ? nil : arrayToBytes.fixedEncodedSize(serializedSpec)
        var data = bytes
        for (i, codec) in bytesToBytes.enumerated().reversed() {
            data = try codec.decode(data, decodedSize: i == 0 ? serializedSize : nil)
        }
        var array = try arrayToBytes.decode(data, spec: serializedSpec)
        for (i, codec) in arrayToArray.enumerated().reversed() {
            array = try codec.decode(array, decodedSpec: specs[i])
        }
        return array
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
