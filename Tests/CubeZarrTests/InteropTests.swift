import Foundation
import Testing
import CubeCore
import CubeCodecs
import CubeTestSupport
@testable import CubeZarr

/// Stores written by cube, read back by zarr-python 2 and 3 through `interop/check_store.py`.
///
/// The matrix mirrors the fixture matrix (`fixtures/make_zarr_fixtures.py`): every data type,
/// every codec, filter and compressor the fixtures cover, both memory orders, both key
/// separators, sharding with the index at either end, every fill-value encoding, 0-d arrays,
/// partial edge chunks, missing chunks, nested groups with attributes and dimension names.
/// Codec JSON is spelled as zarr-python writes it.
@Suite struct InteropTests {
    // MARK: Environment

    static let requireInterop = ProcessInfo.processInfo.environment["CUBE_REQUIRE_INTEROP"] == "1"
    static func installed(_ python: String) -> Bool { FileManager.default.isExecutableFile(atPath: python) }

    // MARK: Tests

    /// Our own reader agrees with the manifest we write (no Python needed).
    @Test func ourStoresMatchOurManifest() throws {
        let written = try InteropMatrix.write()
        let manifest = try JSON.parse(try #require(FileManager.default.contents(atPath: written.manifest)).map { $0 })
        let entries = manifest["arrays"]?.arrayValue ?? []
        #expect(entries.count == InteropMatrix.v2Arrays().count + InteropMatrix.v3Arrays().count)
        for entry in entries {
            let storeName = try #require(entry["store"]?.stringValue)
            let path = try #require(entry["path"]?.stringValue)
            let store = try DirectoryStore(path: written.root + "/" + storeName)
            for useConsolidated in [true, false] {
                let hierarchy = try ZarrHierarchy.open(store, useConsolidated: useConsolidated)
                #expect(hierarchy.fromConsolidated == useConsolidated)
                try FixtureTests().check(try hierarchy.array(at: path), against: entry, mode: "\(storeName)/\(path) \(useConsolidated)")
            }
        }
        for store in ["cube-v2.zarr", "cube-v3.zarr"] {
            #expect(try ConsolidatedMetadata.check(try DirectoryStore(path: written.root + "/" + store)).isCurrent)
        }
    }

    @Test(.enabled(if: installed(Repo.zarr2Python) || requireInterop,
                   "zarr-python 2 is not installed in .venv/zarr2 (run scripts/setup-python; CUBE_REQUIRE_INTEROP=1 makes this a failure)"))
    func zarrPython2ReadsOurV2Stores() throws {
        try runChecker(Repo.zarr2Python, extraArguments: ["--only-format", "2"])
    }

    @Test(.enabled(if: installed(Repo.zarr3Python) || requireInterop,
                   "zarr-python 3 is not installed in .venv/zarr3 (run scripts/setup-python; CUBE_REQUIRE_INTEROP=1 makes this a failure)"))
    func zarrPython3ReadsOurStores() throws {
        try runChecker(Repo.zarr3Python, extraArguments: [])
    }

    func runChecker(_ python: String, extraArguments: [String]) throws {
        guard Self.installed(python) else {
            Issue.record("CUBE_REQUIRE_INTEROP=1 but \(python) does not exist: run scripts/setup-python")
            return
        }
        let written = try InteropMatrix.write()
        let script = Repo.path("interop/check_store.py")
        let (status, output) = try PythonClients.run(python, [script, written.manifest, written.root, "--consolidated"] + extraArguments)
        if status != 0 { written.directory.keep = true }
        #expect(status == 0, "check_store.py exited with \(status); stores kept in \(written.root)\n\(output)")
        // The checker must actually have checked something.
        #expect(output.contains(" passed, 0 failed"), "\(output)")
        #expect(!output.contains("\n0 passed"), "\(output)")
    }

}

// MARK: - The matrix

/// One array of the interop matrix.
struct InteropArray {
    var path: String
    var metadata: ArrayMetadata
    /// Chunks (inner chunks when sharded) that are never written, by grid index.
    var skip: [[Int]] = []
    var description: String
    /// Whether the manifest records the byte order (left out where readers may normalize it).
    var recordByteOrder = true
}

enum InteropMatrix {
    static let rootAttributes: JSON = [
        "title": "cube Zarr interop output", "version": 1, "scale": 0.25,
        "flags": [true, false, nil], "nested": ["a": [1, 2, 3], "b": ["c": "dé"]],
    ]

    static let numeric: [DataType] = DataType.numericTypes

    // MARK: v2

    static func v2Groups() -> [(String, JSON)] {
        [("", rootAttributes),
         ("dtypes", ["description": "one array per data type"]),
         ("dtypes/bigendian", ["description": "big-endian data types"]),
         ("codecs", ["description": "compressors"]),
         ("codecs/blosc", ["description": "blosc"]),
         ("codecs/filters", ["description": "numcodecs filters"]),
         ("layout", ["description": "orders, separators, scalars, missing chunks"]),
         ("fills", ["description": "fill-value encodings"])]
    }

    static func blosc2(_ cname: String, _ clevel: Int, _ shuffle: Int) -> JSON {
        ["blocksize": 0, "clevel": JSON(clevel), "cname": .string(cname), "id": "blosc", "shuffle": JSON(shuffle)]
    }

    static func v2Arrays() -> [InteropArray] {
        func a(_ path: String, _ type: DataType, _ shape: [Int], _ chunks: [Int], fill: JSON? = nil,
               compressor: JSON = .null, filters: [JSON] = [], order: String = "C", separator: Character = ".",
               byteOrder: ByteOrder = .little, dims: [String?]? = nil, attrs: [(String, JSON)] = [],
               skip: [[Int]] = [], _ description: String) -> InteropArray {
            let metadata = v2Metadata(type, shape: shape, chunks: chunks, fill: fill, compressor: compressor, filters: filters,
                                      order: order, separator: separator, byteOrder: byteOrder, dimensionNames: dims,
                                      attributes: .object([("description", .string(description))] + attrs))
            return InteropArray(path: path, metadata: metadata, skip: skip, description: description)
        }
        var arrays: [InteropArray] = numeric.map { a("dtypes/\($0)", $0, [30], [8], "\($0), last chunk partial") }
        arrays += [
            a("dtypes/bytes5", .bytes(5), [12], [5], "fixed-length bytes"),
            a("dtypes/unicode4", .unicode(4), [12], [5], "fixed-length UTF-32"),
            a("dtypes/string", .string, [12], [5], compressor: ["id": "zlib", "level": 1], "vlen-utf8 strings"),
            a("dtypes/bigendian/int32", .int32, [6, 7], [4, 4], byteOrder: .big, "big-endian int32"),
            a("dtypes/bigendian/float64", .float64, [20], [6], compressor: ["checksum": false, "id": "zstd", "level": 1],
              byteOrder: .big, "big-endian float64"),
            a("dtypes/bigendian/uint16", .uint16, [9], [4], compressor: blosc2("lz4", 5, 1), byteOrder: .big, "big-endian uint16"),
            a("dtypes/bigendian/complex128", .complex128, [5], [2], byteOrder: .big, "big-endian complex128"),
            a("dtypes/bigendian/unicode4", .unicode(4), [7], [3], byteOrder: .big, "big-endian UTF-32"),
            a("codecs/blosc/lz4_noshuffle", .float32, [40], [16], compressor: blosc2("lz4", 5, 0), "blosc lz4, shuffle 0"),
            a("codecs/blosc/lz4hc_byteshuffle", .int32, [40], [16], compressor: blosc2("lz4hc", 5, 1), "blosc lz4hc, shuffle 1"),
            a("codecs/blosc/blosclz_bitshuffle", .uint16, [40], [16], compressor: blosc2("blosclz", 5, 2), "blosc blosclz, shuffle 2"),
            a("codecs/blosc/zstd_autoshuffle", .float64, [40], [16], compressor: blosc2("zstd", 3, -1), "blosc zstd, shuffle -1"),
            a("codecs/blosc/zlib_byteshuffle", .int64, [40], [16], compressor: blosc2("zlib", 5, 1), "blosc zlib, shuffle 1"),
            a("codecs/zlib", .int16, [40], [16], compressor: ["id": "zlib", "level": 1], "zlib"),
            a("codecs/gzip", .float32, [40], [16], compressor: ["id": "gzip", "level": 6], "gzip"),
            a("codecs/zstd", .uint32, [40], [16], compressor: ["checksum": false, "id": "zstd", "level": 3], "zstd"),
            a("codecs/zstd_v3_spelling", .uint32, [40], [16], compressor: ["id": "zstd", "level": 3], "zstd without checksum key"),
            a("codecs/lz4", .int32, [40], [16], compressor: ["acceleration": 1, "id": "lz4"], "lz4"),
            a("codecs/none", .uint8, [40], [16], "no compressor"),
            a("codecs/filters/shuffle", .int32, [30], [10], compressor: ["id": "zlib", "level": 1],
              filters: [["elementsize": 4, "id": "shuffle"]], "shuffle then zlib"),
            a("codecs/filters/delta", .int32, [30], [10], compressor: ["checksum": false, "id": "zstd", "level": 1],
              filters: [["astype": "<i4", "dtype": "<i4", "id": "delta"]], "delta then zstd"),
            a("codecs/filters/delta_shuffle", .int64, [30], [10], compressor: ["id": "gzip", "level": 1],
              filters: [["astype": "<i8", "dtype": "<i8", "id": "delta"], ["elementsize": 8, "id": "shuffle"]],
              "delta, shuffle, gzip"),
            a("layout/order_c", .int32, [7, 5], [3, 2], compressor: ["id": "zlib", "level": 1], "order C, partial chunks"),
            a("layout/order_f", .int32, [7, 5], [3, 2], compressor: ["id": "zlib", "level": 1], order: "F", "order F, partial chunks"),
            a("layout/order_f_3d", .float64, [4, 3, 5], [2, 2, 2], order: "F", separator: "/", "order F, 3-d, '/' separator"),
            a("layout/order_f_strings", .string, [5, 3], [2, 2], order: "F", "order F strings"),
            a("layout/sep_dot", .uint16, [6, 6], [4, 4], "separator '.'"),
            a("layout/sep_slash", .int16, [5, 4, 3], [2, 2, 2], separator: "/", "separator '/'"),
            a("layout/scalar", .float64, [], [], "0-d array"),
            a("layout/scalar_unwritten", .int32, [], [], fill: 42, skip: [[]], "0-d array never written"),
            a("layout/missing_chunks", .float32, [20], [5], fill: "NaN", skip: [[1], [3]], "chunks 1 and 3 never written"),
            a("layout/missing_chunks_2d", .uint8, [6, 8], [3, 3], fill: 7, skip: [[0, 1], [1, 2]], "two chunks never written"),
            a("layout/dimension_names", .float32, [4, 6], [2, 3], dims: ["y", "x"],
              attrs: [("units", "m"), ("scale_factor", 0.5)], "_ARRAY_DIMENSIONS"),
            a("fills/nan", .float32, [10], [4], fill: "NaN", skip: [[1]], "fill NaN"),
            a("fills/inf", .float64, [10], [4], fill: "Infinity", skip: [[0]], "fill Infinity"),
            a("fills/neg_inf", .float16, [10], [4], fill: "-Infinity", skip: [[2]], "fill -Infinity"),
            a("fills/null_int", .int32, [10], [4], fill: .null, "fill null, all chunks written"),
            a("fills/zero", .uint8, [10], [4], fill: 0, skip: [[1]], "fill 0"),
            a("fills/number", .int16, [10], [4], fill: -7, skip: [[1]], "fill -7"),
            a("fills/float_number", .float64, [10], [4], fill: 1.5, skip: [[1]], "fill 1.5"),
            a("fills/bool_true", .bool, [10], [4], fill: true, skip: [[1]], "fill true"),
            a("fills/complex", .complex64, [10], [4], fill: [1.5, -2.0], skip: [[1]], "fill [1.5, -2]"),
            a("fills/bytes", .bytes(5), [10], [4], fill: "YWI=", skip: [[1]], "bytes fill, base64"),
            a("fills/unicode", .unicode(4), [10], [4], fill: "zz", skip: [[1]], "unicode fill"),
            a("fills/string", .string, [10], [4], fill: "n/a", skip: [[1]], "string fill"),
            a("fills/uint64_max", .uint64, [10], [4], fill: .uint(UInt64.max), skip: [[1]], "fill 2^64-1"),
            a("fills/int64_min", .int64, [10], [4], fill: .int(Int64.min), skip: [[1]], "fill -2^63"),
        ]
        return arrays
    }

    // MARK: v3

    static func v3Groups() -> [(String, JSON)] {
        [("", rootAttributes),
         ("dtypes", ["description": "one array per data type"]),
         ("dtypes/extension", ["description": "zarr-python extension data types"]),
         ("codecs", ["description": "codec pipelines"]),
         ("codecs/blosc", ["description": "blosc"]),
         ("sharding", ["description": "sharding_indexed"]),
         ("layout", ["description": "key encodings, scalars, missing chunks"]),
         ("fills", ["description": "fill-value encodings"]),
         ("deep", ["description": "nesting"]),
         ("deep/er", ["level": 2, "list": [1.5, "x", nil]])]
    }

    /// The `bytes` codec as zarr-python 3 writes it: no configuration for one-byte types.
    static func bytes3(_ type: DataType, _ endian: String = "little") -> JSON {
        if type.isVariableLength { return ["name": "vlen-utf8", "configuration": .object([])] }
        return type.swapUnit > 1 ? bytesCodec(endian) : ["name": "bytes"]
    }

    static func blosc3(_ cname: String, _ clevel: Int, _ shuffle: String, typesize: Int) -> JSON {
        ["name": "blosc", "configuration": ["typesize": JSON(typesize), "cname": .string(cname), "clevel": JSON(clevel),
                                            "shuffle": .string(shuffle), "blocksize": 0]]
    }

    static func zstd3(_ level: Int, checksum: Bool = false) -> JSON {
        ["name": "zstd", "configuration": ["level": JSON(level), "checksum": .bool(checksum)]]
    }

    static func gzip3(_ level: Int) -> JSON { ["name": "gzip", "configuration": ["level": JSON(level)]] }
    static let crc: JSON = ["name": "crc32c"]
    static func transpose3(_ order: [Int]) -> JSON { ["name": "transpose", "configuration": ["order": JSON(order)]] }

    static func v3Arrays() -> [InteropArray] {
        func a(_ path: String, _ type: DataType, _ shape: [Int], _ chunks: [Int], fill: JSON? = nil,
               codecs: [JSON]? = nil, keys: ChunkKeyEncoding = .v3Default, dims: [String?]? = nil,
               attrs: [(String, JSON)] = [], skip: [[Int]] = [], recordByteOrder: Bool = true, _ description: String) -> InteropArray {
            let metadata = v3Metadata(type, shape: shape, chunks: chunks, fill: fill,
                                      codecs: codecs ?? [bytes3(type)] + (type.isVariableLength ? [zstd3(0)] : []),
                                      keyEncoding: keys, dimensionNames: dims,
                                      attributes: .object([("description", .string(description))] + attrs))
            return InteropArray(path: path, metadata: metadata, skip: skip, description: description, recordByteOrder: recordByteOrder)
        }
        /// A sharded array: `inner` chunks inside `shards`; `skip` is in inner chunks.
        func s(_ path: String, _ type: DataType, _ shape: [Int], inner: [Int], shards: [Int], fill: JSON? = nil,
               codecs: [JSON], indexCodecs: [JSON]? = nil, location: String, skip: [[Int]] = [], _ description: String) -> InteropArray {
            let sharding: JSON = ["name": "sharding_indexed", "configuration": [
                "chunk_shape": JSON(inner), "codecs": .array(codecs),
                "index_codecs": .array(indexCodecs ?? [bytesCodec("little"), crc]), "index_location": .string(location)]]
            return a(path, type, shape, shards, fill: fill, codecs: [sharding], skip: skip, description)
        }
        var arrays: [InteropArray] = numeric.map { a("dtypes/\($0)", $0, [30], [8], "\($0), last chunk partial") }
        arrays += [
            a("dtypes/string", .string, [12], [5], codecs: [bytes3(.string), zstd3(1)], "string (vlen-utf8 codec)"),
            a("dtypes/extension/bytes5", .bytes(5), [12], [5], "null_terminated_bytes"),
            a("dtypes/extension/unicode4", .unicode(4), [12], [5], "fixed_length_utf32"),
            a("dtypes/uint8_explicit_endian", .uint8, [9], [4], codecs: [bytesCodec("little")], recordByteOrder: false,
              "one-byte type with an explicit endian"),
            a("codecs/bytes_big_int32", .int32, [6, 7], [4, 4], codecs: [bytesCodec("big")], "bytes, big endian"),
            a("codecs/bytes_big_float64", .float64, [20], [6], codecs: [bytesCodec("big")], "bytes, big endian"),
            a("codecs/bytes_big_complex64", .complex64, [9], [4], codecs: [bytesCodec("big")], "bytes, big endian"),
            a("codecs/bytes_big_unicode4", .unicode(4), [9], [4], codecs: [bytesCodec("big")], "bytes, big endian UTF-32"),
            a("codecs/transpose_2d", .int32, [5, 7], [3, 4], codecs: [transpose3([1, 0]), bytes3(.int32)], "transpose [1, 0]"),
            a("codecs/transpose_3d", .uint16, [3, 4, 5], [2, 3, 4], codecs: [transpose3([2, 0, 1]), bytes3(.uint16), gzip3(1)],
              "transpose [2, 0, 1] then gzip"),
            a("codecs/blosc/lz4_bitshuffle", .float32, [40], [16], codecs: [bytes3(.float32), blosc3("lz4", 5, "bitshuffle", typesize: 4)], "blosc lz4 bitshuffle"),
            a("codecs/blosc/zstd_shuffle", .int64, [40], [16], codecs: [bytes3(.int64), blosc3("zstd", 3, "shuffle", typesize: 8)], "blosc zstd shuffle"),
            a("codecs/blosc/blosclz_noshuffle", .uint8, [40], [16], codecs: [bytes3(.uint8), blosc3("blosclz", 5, "noshuffle", typesize: 1)], "blosc blosclz"),
            a("codecs/blosc/lz4hc_shuffle", .int16, [40], [16], codecs: [bytes3(.int16), blosc3("lz4hc", 5, "shuffle", typesize: 2)], "blosc lz4hc"),
            a("codecs/blosc/zlib_bitshuffle", .float64, [40], [16], codecs: [bytes3(.float64), blosc3("zlib", 5, "bitshuffle", typesize: 8)], "blosc zlib"),
            a("codecs/gzip", .float32, [40], [16], codecs: [bytes3(.float32), gzip3(6)], "gzip"),
            a("codecs/zstd", .int32, [40], [16], codecs: [bytes3(.int32), zstd3(3)], "zstd"),
            a("codecs/zstd_checksum", .uint32, [40], [16], codecs: [bytes3(.uint32), zstd3(1, checksum: true)], "zstd with checksum"),
            a("codecs/crc32c", .float64, [20], [8], codecs: [bytes3(.float64), crc], "crc32c only"),
            a("codecs/gzip_crc32c", .int16, [20], [8], codecs: [bytes3(.int16), gzip3(1), crc], "gzip then crc32c"),
            a("codecs/none", .int16, [20], [8], "bytes only"),
            a("codecs/chain", .complex128, [6, 5], [4, 3], fill: [0.0, 1.0],
              codecs: [transpose3([1, 0]), bytes3(.complex128, "big"), blosc3("lz4", 5, "shuffle", typesize: 16), crc],
              skip: [[1, 1]], "transpose, big-endian bytes, blosc, crc32c"),
            s("sharding/index_end", .int16, [11, 10], inner: [2, 3], shards: [4, 6], fill: -1,
              codecs: [bytes3(.int16), zstd3(1)], location: "end",
              skip: [[0, 1], [1, 0], [4, 2], [4, 3], [5, 2], [5, 3]], "index at end, absent inner chunks and shard"),
            s("sharding/index_start", .float32, [23], inner: [5], shards: [10], fill: "NaN",
              codecs: [bytes3(.float32), gzip3(1)], location: "start", skip: [[1], [3]], "index at start"),
            s("sharding/index_no_crc32c", .uint32, [5, 6, 4], inner: [2, 2, 2], shards: [4, 4, 4],
              codecs: [bytes3(.uint32), blosc3("lz4", 5, "shuffle", typesize: 4)], indexCodecs: [bytesCodec("little")],
              location: "end", "index without crc32c"),
            s("sharding/inner_transpose_big", .int32, [8, 8], inner: [4, 4], shards: [8, 8], fill: 3,
              codecs: [transpose3([1, 0]), bytes3(.int32, "big"), zstd3(1)], location: "start", skip: [[1, 1]],
              "transpose + big-endian inside"),
            s("sharding/strings", .string, [14], inner: [3], shards: [6], fill: "n/a",
              codecs: [bytes3(.string), zstd3(1)], location: "end", skip: [[1]], "strings inside shards"),
            s("sharding/bytes_only", .float64, [7, 9], inner: [2, 4], shards: [4, 8], fill: 0.5,
              codecs: [bytes3(.float64)], location: "start", skip: [[0, 0]], "uncompressed inner chunks"),
            a("layout/chunk_key_default_slash", .int32, [6, 6], [4, 4], keys: ChunkKeyEncoding(separator: "/", prefixed: true), "default '/'"),
            a("layout/chunk_key_default_dot", .int32, [6, 6], [4, 4], keys: ChunkKeyEncoding(separator: ".", prefixed: true), "default '.'"),
            a("layout/chunk_key_v2_dot", .int32, [6, 6, 3], [4, 4, 2], keys: ChunkKeyEncoding(separator: ".", prefixed: false), "v2 '.'"),
            a("layout/chunk_key_v2_slash", .int32, [6, 6, 3], [4, 4, 2], keys: ChunkKeyEncoding(separator: "/", prefixed: false), "v2 '/'"),
            a("layout/scalar", .float64, [], [], "0-d array"),
            a("layout/scalar_unwritten", .int32, [], [], fill: 42, skip: [[]], "0-d array never written"),
            a("layout/scalar_v2_key", .int16, [], [], keys: ChunkKeyEncoding(separator: ".", prefixed: false), "0-d, v2 key"),
            a("layout/partial_chunks", .uint16, [7, 5], [3, 2], "partial chunks"),
            a("layout/missing_chunks", .float32, [20], [5], fill: "NaN", skip: [[1], [3]], "chunks 1 and 3 never written"),
            a("layout/dimension_names", .float32, [4, 6], [2, 3], dims: ["y", "x"],
              attrs: [("units", "m"), ("scale_factor", 0.5)], "dimension_names"),
            a("layout/dimension_names_partial", .int16, [3, 4], [2, 2], dims: ["time", nil], "a null dimension name"),
            a("fills/nan", .float32, [10], [4], fill: "NaN", skip: [[1]], "fill NaN"),
            a("fills/inf", .float64, [10], [4], fill: "Infinity", skip: [[0]], "fill Infinity"),
            a("fills/neg_inf", .float16, [10], [4], fill: "-Infinity", skip: [[2]], "fill -Infinity"),
            a("fills/zero", .uint8, [10], [4], fill: 0, skip: [[1]], "fill 0"),
            a("fills/number", .int16, [10], [4], fill: -7, skip: [[1]], "fill -7"),
            a("fills/float_number", .float64, [10], [4], fill: 1.5, skip: [[1]], "fill 1.5"),
            a("fills/bool_true", .bool, [10], [4], fill: true, skip: [[1]], "fill true"),
            a("fills/complex", .complex64, [10], [4], fill: [1.5, -2.0], skip: [[1]], "fill [1.5, -2]"),
            a("fills/complex_nan", .complex128, [10], [4], fill: ["NaN", 1.0], skip: [[1]], "fill [NaN, 1]"),
            a("fills/uint64_max", .uint64, [10], [4], fill: .uint(UInt64.max), skip: [[1]], "fill 2^64-1"),
            a("fills/int64_min", .int64, [10], [4], fill: .int(Int64.min), skip: [[1]], "fill -2^63"),
            a("fills/string", .string, [10], [4], fill: "n/a", skip: [[1]], "string fill"),
            a("fills/bytes", .bytes(5), [10], [4], fill: "YWI=", skip: [[1]], "bytes fill"),
            a("fills/unicode", .unicode(4), [10], [4], fill: "zz", skip: [[1]], "unicode fill"),
            a("fills/hex_nan_float32", .float32, [10], [4], fill: "0x7fc00000", skip: [[1]], "hex NaN fill"),
            a("fills/hex_float64", .float64, [10], [4], fill: "0xc004000000000000", skip: [[1]], "hex -2.5 fill"),
            a("fills/hex_float16", .float16, [10], [4], fill: "0x3c00", skip: [[1]], "hex 1.0 fill"),
            a("deep/er/values", .int32, [10], [4], fill: -1, codecs: [bytes3(.int32), gzip3(1)], skip: [[1]], "nested array"),
        ]
        return arrays
    }

    // MARK: Writing

    /// What ``write()`` produced.
    struct Written {
        var directory: TemporaryDirectory
        var root: String { directory.path }
        var manifest: String
    }

    /// Writes `cube-v2.zarr` and `cube-v3.zarr` with consolidated metadata, and their manifest.
    static func write() throws -> Written {
        let directory = try TemporaryDirectory("cube-interop")
        // CUBE_KEEP_INTEROP=1 keeps the stores for inspection.
        if ProcessInfo.processInfo.environment["CUBE_KEEP_INTEROP"] == "1" {
            directory.keep = true
            print("cube interop stores: \(directory.path)")
        }
        var arrays: [JSON] = []
        var groups: [JSON] = []
        var stores: [JSON] = []
        for (name, format, groupList, arrayList) in [("cube-v2.zarr", ZarrFormat.v2, v2Groups(), v2Arrays()),
                                                     ("cube-v3.zarr", ZarrFormat.v3, v3Groups(), v3Arrays())] {
            let store = try DirectoryStore(path: directory.sub(name), create: true)
            for (path, attributes) in groupList {
                try ZarrNode(path: path, kind: .group(GroupMetadata(format: format, attributes: attributes))).write(to: store)
                groups.append(["store": .string(name), "path": .string(path), "zarr_format": JSON(format.rawValue),
                               "attributes": attributes])
            }
            for (i, spec) in arrayList.enumerated() {
                arrays.append(try writeArray(spec, store: store, storeName: name, seed: 7919 * i))
            }
            try ConsolidatedMetadata.write(store)
            stores.append(["store": .string(name), "zarr_format": JSON(format.rawValue), "writer": "cube", "consolidated": true])
        }
        let key: (JSON) -> String = { ($0["store"]?.stringValue ?? "") + "\u{0}" + ($0["path"]?.stringValue ?? "") }
        let manifest: JSON = [
            "arrays": .array(arrays.sorted { key($0) < key($1) }),
            "groups": .array(groups.sorted { key($0) < key($1) }),
            "stores": .array(stores),
        ]
        let manifestPath = directory.sub("manifest.json")
        try Data(manifest.serializedBytes(JSON.Format(indent: 1, sortKeys: false, asciiOnly: false)))
            .write(to: URL(fileURLWithPath: manifestPath))
        return Written(directory: directory, manifest: manifestPath)
    }

    /// Writes one array chunk by chunk, leaving out skipped chunks; returns its manifest entry.
    static func writeArray(_ spec: InteropArray, store: DirectoryStore, storeName: String, seed: Int) throws -> JSON {
        let m = spec.metadata
        let array = try ZarrArray.create(store, path: spec.path, metadata: m)
        var model = try sampleBuffer(m.dataType, shape: m.shape, offset: seed)
        let writeChunks = m.innerChunkShape ?? m.chunkShape
        let writeGrid = try ChunkGrid(shape: m.shape, chunkShape: writeChunks)
        let fillBuffer = { (shape: [Int]) in ArrayBuffer(filledWith: array.fill, dataType: m.dataType, shape: shape) }
        for coords in spec.skip {
            let region = writeGrid.region(ofChunk: coords)
            model.copy(from: fillBuffer(region.count), sourceStart: region.start.map { _ in 0 }, count: region.count, to: region.start)
        }
        var wrote = 0
        try writeGrid.forEachChunkCoordinate { coords in
            guard !spec.skip.contains(coords) else { return }
            let region = writeGrid.region(ofChunk: coords)
            try array.write(model.extracting(region), at: region.start)
            wrote += 1
        }
        let sharded = m.innerChunkShape != nil
        var features: [JSON] = ["cube-writer"]
        if sharded { features.append("sharding") }
        if !spec.skip.isEmpty { features.append("missing-chunks") }
        if m.shape.isEmpty { features.append("scalar") }
        if zip(m.shape, m.chunkShape).contains(where: { $0 % $1 != 0 }) { features.append(sharded ? "partial-shards" : "partial-chunks") }
        if m.dimensionNames != nil { features.append("dimension-names") }
        if m.fillValueJSON.isNull { features.append("fill-null") }
        let order = FixtureTests().byteOrder(of: m)
        if order == "big" { features.append("big-endian") }

        var entry: [(String, JSON)] = [
            ("store", .string(storeName)), ("path", .string(spec.path)), ("zarr_format", JSON(m.format.rawValue)),
            ("writer", "cube"), ("dtype", .string(m.dataType.description)),
        ]
        if spec.recordByteOrder { entry.append(("byte_order", order.map(JSON.string) ?? .null)) }
        entry += [
            ("shape", JSON(m.shape)), ("chunks", JSON(writeChunks)),
            ("shards", sharded ? JSON(m.chunkShape) : .null),
            ("fill_value", m.fillValueJSON.isNull ? .null : fillJSON(array.fill, m.dataType)),
            ("dimension_names", m.dimensionNames.map { .array($0.map { $0.map(JSON.string) ?? .null }) } ?? .null),
            ("attributes", m.attributes),
            ("features", .array(features)),
            ("values", .array(elementsJSON(model))),
        ]
        return .object(entry)
    }
}
