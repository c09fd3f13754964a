import CubeCodecs
import CubeCore
import FuzzSupport

/// Decoding stored chunks with every codec, through a ``CodecChain`` as readers do.
///
/// Input: an 11-byte header, then the stored bytes. The header picks the codec (byte 0), the
/// element type (byte 1), options (byte 2: bit 0 also decode in place, bit 1 big-endian
/// elements, bit 2 shard index first, bit 3 shard index without crc32c, bits 4–5 the inner
/// chunks' compressor, bit 6 inner chunks transposed), the chunk shape (two little-endian
/// 16-bit lengths d0, d1: `[d0]`, or `[d0, d1]` when d1 > 0) and the inner chunk shape of a
/// shard (two more, same rank). Chunk shapes come from metadata, so decoders may allocate
/// what they say; the target itself allocates a chunk (to decode into) or a whole shard only
/// up to ``ZarrFuzzing/maxChunkBytes``.
/// `fuzz/make-corpus` writes the fixtures' chunks with this header.
@main enum FuzzCodecs: FuzzTarget {
    /// The codec under test (header byte 0, modulo the count).
    enum Codec: Int, CaseIterable {
        case none, blosc, zstd, gzip, zlib, lz4, shuffle, crc32c, delta, transpose, sharding, shardIndex
    }

    /// Element types by header byte 1 (modulo the count); strings use `vlen-utf8`.
    static let dataTypes: [DataType] = [
        .bool, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float16, .float32, .float64,
        .complex64, .complex128, .bytes(5), .unicode(4), .string,
    ]

    static func test(_ input: [UInt8]) throws {
        var reader = FuzzInput(input)
        let codec = Codec.allCases[Int(reader.byte()) % Codec.allCases.count]
        let dataType = dataTypes[Int(reader.byte()) % dataTypes.count]
        let flags = reader.byte()
        let d0 = reader.uint16(), d1 = reader.uint16(), i0 = reader.uint16(), i1 = reader.uint16()
        let shape = d1 > 0 ? [d0, d1] : [d0]
        let innerShape = d1 > 0 ? [i0, i1] : [i0]
        let stored = Array(reader.rest)
        let spec = ChunkSpec(shape: shape, dataType: dataType, fill: .zero(for: dataType))

        let serializer: any ArrayToBytesCodec = dataType.isVariableLength
            ? VLenUTF8Codec() : BytesCodec(endian: flags & 2 != 0 ? .big : .little)
        let typesize = max(dataType.itemSize, 1)
        let reversed = try TransposeCodec(order: Array((0..<shape.count).reversed()))
        let chain: CodecChain
        switch codec {
        case .none: chain = CodecChain(arrayToBytes: serializer)
        case .blosc: chain = CodecChain(arrayToBytes: serializer, bytesToBytes: [try BloscCodec(typesize: typesize)])
        case .zstd: chain = CodecChain(arrayToBytes: serializer, bytesToBytes: [try ZstdCodec()])
        case .gzip: chain = CodecChain(arrayToBytes: serializer, bytesToBytes: [try GzipCodec()])
        case .zlib: chain = CodecChain(arrayToBytes: serializer, bytesToBytes: [try ZlibCodec()])
        case .lz4: chain = CodecChain(arrayToBytes: serializer, bytesToBytes: [try LZ4Codec()])
        case .shuffle: chain = CodecChain(arrayToBytes: serializer, bytesToBytes: [try ShuffleCodec(elementSize: typesize)])
        case .crc32c: chain = CodecChain(arrayToBytes: serializer, bytesToBytes: [CRC32CCodec()])
        case .delta: chain = CodecChain(arrayToArray: [try DeltaCodec(dataType: dataType)], arrayToBytes: serializer)
        case .transpose: chain = CodecChain(arrayToArray: [reversed], arrayToBytes: serializer)
        case .sharding, .shardIndex:
            let compressor: [any BytesToBytesCodec] = switch (flags >> 4) & 3 {
            case 1: [try ZstdCodec()]
            case 2: [try GzipCodec()]
            case 3: [try BloscCodec(typesize: typesize)]
            default: []
            }
            let sharding = ShardingCodec(
                innerChunkShape: innerShape,
                codecs: CodecChain(arrayToArray: flags & 64 != 0 ? [reversed] : [], arrayToBytes: serializer,
                                   bytesToBytes: compressor),
                indexCodecs: CodecChain(arrayToBytes: BytesCodec(endian: .little), bytesToBytes: flags & 8 != 0 ? [] : [CRC32CCodec()]),
                indexLocation: flags & 4 != 0 ? .start : .end, fill: spec.fill)
            if codec == .shardIndex { return try readIndex(stored, sharding: sharding, spec: spec) }
            // A shard decodes into a buffer of its whole shape, filled first: a size the metadata gives.
            guard ZarrFuzzing.decodedBytes(spec) <= ZarrFuzzing.maxChunkBytes else { return }
            chain = CodecChain(arrayToBytes: sharding)
        }

        var inPlace: [UInt8]?
        if flags & 1 != 0, !dataType.isVariableLength, spec.byteCount <= ZarrFuzzing.maxChunkBytes {
            var destination = [UInt8](repeating: 0, count: spec.byteCount)
            if (try? destination.withUnsafeMutableBytes({ try chain.decode(stored, spec: spec, into: $0) })) == true {
                inPlace = destination
            }
        }
        let decoded = try chain.decode(stored, spec: spec)
        let elements = decoded.strings?.count ?? (decoded.bytes?.count ?? -1) / typesize
        FuzzCheck.require(decoded.shape == shape && decoded.dataType == dataType && elements == ShapeMath.product(shape),
                          "\(codec) decoded \(elements) \(decoded.dataType) of shape \(decoded.shape), expected \(dataType) of shape \(shape)")
        if let inPlace {
            FuzzCheck.require(inPlace == decoded.bytes, "\(codec): decoding in place differs from decoding")
        }
    }

    /// Reads a shard's index as partial shard reads do, from the stored shard's first or last
    /// bytes; every entry must lie inside the shard.
    static func readIndex(_ shard: [UInt8], sharding: ShardingCodec, spec: ChunkSpec) throws {
        let shardShape = spec.shape
        let indexBytes = switch try sharding.indexRange(shardShape) {
        case .prefix(let n): Array(shard.prefix(n))
        case .suffix(let n): Array(shard.suffix(n))
        }
        let index = try sharding.decodeIndex(indexBytes, shardShape: shardShape, shardSize: shard.count)
        let grid = try ChunkGrid(shape: shardShape, chunkShape: sharding.innerChunkShape)
        grid.forEachChunkCoordinate { coordinates in
            guard let entry = index.entry(at: coordinates) else { return }
            FuzzCheck.require(entry.offset >= 0 && entry.length >= 0 && entry.offset <= shard.count - entry.length,
                              "index entry \(entry) at \(coordinates) lies outside the \(shard.count)-byte shard")
            _ = try? sharding.decodeInner(Array(shard[entry.offset..<(entry.offset + entry.length)]), spec: spec)
        }
    }
}
