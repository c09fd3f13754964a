import CubeCore

/// A compressor chosen on the command line (`--codec`): `none`, `zstd:5`, `gzip:6`, `zlib:4`,
/// `lz4`, `blosc:zstd:3:bitshuffle`. It becomes v2 `compressor`/`filters` or v3 `codecs`.
public enum CodecSpec: Sendable, Hashable, CustomStringConvertible {
    /// No compression.
    case none
    /// zstd at a level (zarr-python's default is level 0, which zstd treats as its default, 3).
    case zstd(level: Int)
    /// gzip at a level.
    case gzip(level: Int)
    /// zlib at a level (v2 only).
    case zlib(level: Int)
    /// lz4 with an acceleration (v2 only).
    case lz4(acceleration: Int)
    /// blosc with an inner compressor, level and shuffle (`noshuffle`, `shuffle`, `bitshuffle`).
    case blosc(cname: String, clevel: Int, shuffle: String)

    /// What zarr-python 3 writes in Zarr v3 when not told otherwise: zstd level 0.
    public static let zarrPythonDefault = CodecSpec.zstd(level: 0)

    /// Parses a `--codec` value.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func level(_ index: Int, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard parts.count > index else { return value }
            guard let n = Int(parts[index]), range.contains(n) else {
                throw CubeError(.invalidArgument, "codec '\(text)': '\(parts[index])' is not a level in \(range.lowerBound)...\(range.upperBound)")
            }
            return n
        }
        func maxParts(_ n: Int) throws {
            guard parts.count <= n else { throw CubeError(.invalidArgument, "codec '\(text)' has too many ':' fields") }
        }
        switch parts[0] {
        case "none":
            try maxParts(1)
            self = .none
        case "zstd":
            try maxParts(2)
            self = .zstd(level: try level(1, default: 0, range: -131072...22))
        case "gzip":
            try maxParts(2)
            self = .gzip(level: try level(1, default: 5, range: 0...9))
        case "zlib":
            try maxParts(2)
            self = .zlib(level: try level(1, default: 1, range: 0...9))
        case "lz4":
            try maxParts(2)
            self = .lz4(acceleration: try level(1, default: 1, range: 1...65537))
        case "blosc":
            try maxParts(4)
            let cname = parts.count > 1 ? parts[1] : "zstd"
            guard ["blosclz", "lz4", "lz4hc", "zlib", "zstd"].contains(cname) else {
                throw CubeError(.invalidArgument, "codec '\(text)': blosc compressor '\(cname)' is not one of blosclz, lz4, lz4hc, zlib, zstd")
            }
            let shuffle = parts.count > 3 ? parts[3] : "shuffle"
            guard ["noshuffle", "shuffle", "bitshuffle"].contains(shuffle) else {
                throw CubeError(.invalidArgument, "codec '\(text)': blosc shuffle '\(shuffle)' is not noshuffle, shuffle or bitshuffle")
            }
            self = .blosc(cname: cname, clevel: try level(2, default: 5, range: 0...9), shuffle: shuffle)
        default:
            throw CubeError(.invalidArgument, "unknown codec '\(text)': use none, zstd[:LEVEL], gzip[:LEVEL], zlib[:LEVEL], lz4[:ACCEL] or blosc[:CNAME[:LEVEL[:SHUFFLE]]]")
        }
    }

    /// The spec written back in `--codec` syntax.
    public var description: String {
        switch self {
        case .none: "none"
        case .zstd(let l): "zstd:\(l)"
        case .gzip(let l): "gzip:\(l)"
        case .zlib(let l): "zlib:\(l)"
        case .lz4(let a): "lz4:\(a)"
        case .blosc(let c, let l, let s): "blosc:\(c):\(l):\(s)"
        }
    }

    /// The v2 `compressor` object (`null` for none).
    public func v2Compressor(itemSize: Int) -> JSON {
        switch self {
        case .none: return .null
        case .zstd(let l): return ["id": "zstd", "level": JSON(l), "checksum": false]
        case .gzip(let l): return ["id": "gzip", "level": JSON(l)]
        case .zlib(let l): return ["id": "zlib", "level": JSON(l)]
        case .lz4(let a): return ["id": "lz4", "acceleration": JSON(a)]
        case .blosc(let c, let l, let s):
            let shuffle = s == "noshuffle" ? 0 : s == "shuffle" ? 1 : 2
            return ["id": "blosc", "cname": .string(c), "clevel": JSON(l), "shuffle": JSON(shuffle), "blocksize": 0]
        }
    }

    /// The v3 bytes→bytes codec objects (empty for none). zlib and lz4 have no v3 codec.
    public func v3Compressors(itemSize: Int) throws -> [JSON] {
        switch self {
        case .none: return []
        case .zstd(let l): return [["name": "zstd", "configuration": ["level": JSON(l), "checksum": false]]]
        case .gzip(let l): return [["name": "gzip", "configuration": ["level": JSON(l)]]]
        case .zlib, .lz4:
            throw CubeError(.invalidArgument, "codec '\(self)' has no Zarr v3 form (Zarr v3 has zstd, gzip and blosc)", remedy: .zarrFormat(2))
        case .blosc(let c, let l, let s):
            return [["name": "blosc", "configuration": ["cname": .string(c), "clevel": JSON(l), "shuffle": .string(s),
                                                        "typesize": JSON(max(itemSize, 1)), "blocksize": 0]]]
        }
    }

    /// Fills the codec fields of `metadata` (v2 compressor and filters, or v3 codecs, sharded
    /// into `shardShape` when given) for this compressor.
    public func apply(to metadata: inout ArrayMetadata, shardShape: [Int]? = nil) throws {
        let type = metadata.dataType
        switch metadata.format {
        case .v2:
            guard shardShape == nil else {
                throw CubeError(.invalidArgument, "shards exist only in Zarr v3", remedy: .zarrFormat(3))
            }
            metadata.compressor = v2Compressor(itemSize: type.itemSize)
            metadata.filters = type.isVariableLength ? [["id": "vlen-utf8"]] : .null
            if metadata.byteOrder == nil && type.swapUnit > 1 { metadata.byteOrder = .little }
        case .v3:
            // zarr-python leaves out the byte order where it means nothing (one-byte types).
            let serializer: JSON = type.isVariableLength ? ["name": "vlen-utf8", "configuration": [:]]
                : type.swapUnit > 1 ? ["name": "bytes", "configuration": ["endian": "little"]] : ["name": "bytes"]
            let chunkCodecs = [serializer] + (try v3Compressors(itemSize: type.itemSize))
            guard let shardShape else {
                metadata.codecs = chunkCodecs
                return
            }
            let inner = metadata.chunkShape
            guard shardShape.count == inner.count, zip(shardShape, inner).allSatisfy({ $0 >= $1 && $0 % $1 == 0 }) else {
                throw CubeError(.invalidArgument, "shard shape \(shardShape) must be a multiple of the chunk shape \(inner)")
            }
            metadata.codecs = [[
                "name": "sharding_indexed",
                "configuration": [
                    "chunk_shape": JSON(inner),
                    "codecs": .array(chunkCodecs),
                    "index_codecs": [["name": "bytes", "configuration": ["endian": "little"]], ["name": "crc32c"]],
                    "index_location": "end",
                ],
            ]]
            metadata.chunkShape = shardShape
        }
    }
}
