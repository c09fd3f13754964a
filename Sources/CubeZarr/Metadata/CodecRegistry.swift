import CubeCore
import CubeCodecs

/// Builds codec chains from Zarr metadata: v2 `order` + `filters` + `compressor`, and v3
/// `codecs` lists (including `numcodecs.*` names zarr-python uses for v2 codecs in v3).
public enum CodecRegistry {
    /// The codec chain of one grid chunk of an array. A codec setting the codecs refuse (a
    /// zstd level of 99, say) is bad metadata: ``CubeError/Kind/invalidInput``.
    public static func chain(for metadata: ArrayMetadata, fill: FillValue, writeEmptyChunks: Bool = false) throws -> CodecChain {
        do {
            switch metadata.format {
            case .v2: return try v2Chain(metadata)
            case .v3: return try v3Chain(metadata.codecs, dataType: metadata.dataType, fill: fill, writeEmptyChunks: writeEmptyChunks)
            }
        } catch var error as CubeError where error.kind == .invalidArgument {
            error.kind = .invalidInput
            throw error
        }
    }

    // MARK: v2

    static func v2Chain(_ metadata: ArrayMetadata) throws -> CodecChain {
        let rank = metadata.shape.count
        var arrayToArray: [any ArrayToArrayCodec] = []
        if metadata.order == "F", rank > 1 {
            arrayToArray.append(try TransposeCodec(order: Array((0..<rank).reversed())))
        }
        var serializer: (any ArrayToBytesCodec)?
        var bytesToBytes: [any BytesToBytesCodec] = []
        for filter in metadata.filters.arrayValue ?? [] {
            guard let id = filter["id"]?.stringValue else {
                throw CubeError(.invalidInput, "filter without an id: \(filter.serialized())")
            }
            switch try numcodec(id: id, configuration: filter, dataType: metadata.dataType) {
            case .arrayToArray(let codec):
                guard serializer == nil, bytesToBytes.isEmpty else {
                    throw CubeError(.unsupported, "filter '\(id)' after a serializing filter is not supported")
                }
                arrayToArray.append(codec)
            case .arrayToBytes(let codec):
                guard serializer == nil else { throw CubeError(.unsupported, "two serializing filters ('\(id)')") }
                serializer = codec
            case .bytesToBytes(let codec):
                bytesToBytes.append(codec)
            }
        }
        if metadata.dataType.isVariableLength && serializer == nil {
            throw CubeError(.unsupported, "object (|O) arrays need the vlen-utf8 filter; other object codecs are not supported")
        }
        if !metadata.compressor.isNull {
            guard let id = metadata.compressor["id"]?.stringValue else {
                throw CubeError(.invalidInput, "compressor without an id: \(metadata.compressor.serialized())")
            }
            guard case .bytesToBytes(let codec) = try numcodec(id: id, configuration: metadata.compressor, dataType: metadata.dataType) else {
                throw CubeError(.unsupported, "'\(id)' cannot be used as a compressor")
            }
            bytesToBytes.append(codec)
        }
        return CodecChain(arrayToArray: arrayToArray,
                          arrayToBytes: serializer ?? BytesCodec(endian: metadata.byteOrder),
                          bytesToBytes: bytesToBytes)
    }

    /// One built codec, by kind.
    enum Built {
        case arrayToArray(any ArrayToArrayCodec)
        case arrayToBytes(any ArrayToBytesCodec)
        case bytesToBytes(any BytesToBytesCodec)
    }

    /// A numcodecs codec from its id and configuration (v2 style, flat keys).
    static func numcodec(id: String, configuration c: JSON, dataType: DataType) throws -> Built {
        func int(_ key: String, _ fallback: Int) throws -> Int {
            guard let value = c[key], !value.isNull else { return fallback }
            guard let v = value.intValue else {
                throw CubeError(.invalidInput, "codec '\(id)': '\(key)' must be an integer, got \(value.serialized())")
            }
            return v
        }
        switch id {
        case "blosc":
            let shuffle: BloscCodec.Shuffle = switch try int("shuffle", 1) {
            case 0: .none
            case 1: .byte
            case 2: .bit
            case -1: .auto
            case let other: throw CubeError(.invalidInput, "blosc shuffle \(other) is not one of -1, 0, 1, 2")
            }
            return .bytesToBytes(try BloscCodec(cname: c["cname"]?.stringValue ?? "lz4", clevel: try int("clevel", 5),
                                                shuffle: shuffle, typesize: max(dataType.itemSize, 1),
                                                blocksize: try int("blocksize", 0)))
        case "zlib": return .bytesToBytes(try ZlibCodec(level: try int("level", 1)))
        case "gzip": return .bytesToBytes(try GzipCodec(level: try int("level", 1)))
        case "zstd":
            return .bytesToBytes(try ZstdCodec(level: try int("level", 1), checksum: c["checksum"]?.boolValue ?? false))
        case "lz4": return .bytesToBytes(try LZ4Codec(acceleration: try int("acceleration", 1)))
        case "shuffle": return .bytesToBytes(try ShuffleCodec(elementSize: try int("elementsize", max(dataType.itemSize, 1))))
        case "delta":
            let declared = try c["dtype"].map { try DataTypeCoding.parseV2($0).0 } ?? dataType
            let astype = try c["astype"].map { try DataTypeCoding.parseV2($0).0 } ?? declared
            return .arrayToArray(try DeltaCodec(dataType: declared, astype: astype))
        case "vlen-utf8": return .arrayToBytes(VLenUTF8Codec())
        case "crc32c": return .bytesToBytes(CRC32CCodec())
        default:
            throw CubeError(.unsupported, "unknown codec '\(id)'")
        }
    }

    // MARK: v3

    /// The chain for a v3 `codecs` list.
    public static func v3Chain(_ codecs: [JSON], dataType: DataType, fill: FillValue, writeEmptyChunks: Bool = false) throws -> CodecChain {
        var arrayToArray: [any ArrayToArrayCodec] = []
        var serializer: (any ArrayToBytesCodec)?
        var bytesToBytes: [any BytesToBytesCodec] = []
        for codec in codecs {
            let name = codec["name"]?.stringValue ?? codec.stringValue ?? ""
            let configuration = codec["configuration"] ?? .object([])
            let built = try v3Codec(name: name, configuration: configuration, dataType: dataType, fill: fill,
                                    writeEmptyChunks: writeEmptyChunks)
            switch built {
            case .arrayToArray(let c):
                guard serializer == nil else { throw CubeError(.invalidInput, "array→array codec '\(name)' after the array→bytes codec") }
                arrayToArray.append(c)
            case .arrayToBytes(let c):
                guard serializer == nil else { throw CubeError(.invalidInput, "more than one array→bytes codec ('\(name)')") }
                serializer = c
            case .bytesToBytes(let c):
                guard serializer != nil else { throw CubeError(.invalidInput, "bytes→bytes codec '\(name)' before the array→bytes codec") }
                bytesToBytes.append(c)
            }
        }
        guard let serializer else { throw CubeError(.invalidInput, "codecs have no array→bytes codec (such as bytes)") }
        return CodecChain(arrayToArray: arrayToArray, arrayToBytes: serializer, bytesToBytes: bytesToBytes)
    }

    static func v3Codec(name: String, configuration c: JSON, dataType: DataType, fill: FillValue, writeEmptyChunks: Bool) throws -> Built {
        switch name {
        case "bytes":
            let endian: ByteOrder? = switch c["endian"]?.stringValue {
            case "big": .big
            case "little": .little
            case nil: nil
            case let other?: throw CubeError(.invalidInput, "bytes codec endian '\(other)' is not little or big")
            }
            if endian == nil && dataType.swapUnit > 1 {
                throw CubeError(.invalidInput, "bytes codec needs an endian for \(dataType)")
            }
            return .arrayToBytes(BytesCodec(endian: endian))
        case "transpose":
            guard let order = c["order"]?.arrayValue?.compactMap(\.intValue) else {
                throw CubeError(.invalidInput, "transpose codec needs an integer order list")
            }
            return .arrayToArray(try TransposeCodec(order: order))
        case "blosc":
            let shuffle: BloscCodec.Shuffle = switch c["shuffle"]?.stringValue ?? "noshuffle" {
            case "noshuffle": .none
            case "shuffle": .byte
            case "bitshuffle": .bit
            case let other: throw CubeError(.invalidInput, "blosc shuffle '\(other)' is not noshuffle, shuffle or bitshuffle")
            }
            return .bytesToBytes(try BloscCodec(cname: c["cname"]?.stringValue ?? "zstd", clevel: c["clevel"]?.intValue ?? 5,
                                                shuffle: shuffle, typesize: c["typesize"]?.intValue ?? max(dataType.itemSize, 1),
                                                blocksize: c["blocksize"]?.intValue ?? 0))
        case "gzip": return .bytesToBytes(try GzipCodec(level: c["level"]?.intValue ?? 6))
        case "zstd":
            return .bytesToBytes(try ZstdCodec(level: c["level"]?.intValue ?? 0, checksum: c["checksum"]?.boolValue ?? false))
        case "crc32c": return .bytesToBytes(CRC32CCodec())
        case "vlen-utf8": return .arrayToBytes(VLenUTF8Codec())
        case "sharding_indexed":
            guard let inner = c["chunk_shape"]?.arrayValue?.compactMap(\.intValue), !inner.contains(where: { $0 < 1 }) else {
                throw CubeError(.invalidInput, "sharding_indexed needs a positive chunk_shape")
            }
            let codecs = try v3Chain(c["codecs"]?.arrayValue ?? [["name": "bytes"]], dataType: dataType, fill: fill,
                                     writeEmptyChunks: writeEmptyChunks)
            let fullIndex = FillValue.element([UInt8](repeating: 0xFF, count: 8))
            let indexCodecs = try v3Chain(c["index_codecs"]?.arrayValue ?? [["name": "bytes", "configuration": ["endian": "little"]], ["name": "crc32c"]],
                                          dataType: .uint64, fill: fullIndex)
            guard indexCodecs.encodedSizeBound(ChunkSpec(shape: [1, 2], dataType: .uint64, fill: fullIndex)) != nil else {
                throw CubeError(.invalidInput, "sharding index_codecs must be of fixed size")
            }
            let location: ShardingCodec.IndexLocation = switch c["index_location"]?.stringValue ?? "end" {
            case "start": .start
            case "end": .end
            case let other: throw CubeError(.invalidInput, "sharding index_location '\(other)' is not start or end")
            }
            return .arrayToBytes(ShardingCodec(innerChunkShape: inner, codecs: codecs, indexCodecs: indexCodecs,
                                               indexLocation: location, fill: fill, writeEmptyChunks: writeEmptyChunks))
        default:
            if name.hasPrefix("numcodecs.") {
                return try numcodec(id: String(name.dropFirst("numcodecs.".count)), configuration: c, dataType: dataType)
            }
            throw CubeError(.unsupported, "unknown codec '\(name)'")
        }
    }
}
