import Foundation
import Testing
import CubeCore
import CubeCodecs
@testable import CubeZarr

/// One data type in one format, for parameterized round trips.
struct TypeCase: Sendable, CustomTestStringConvertible {
    var format: ZarrFormat
    var dataType: DataType
    var testDescription: String { "\(format) \(dataType)" }

    static let all: [TypeCase] = ZarrFormat.allCases.flatMap { f in allDataTypes.map { TypeCase(format: f, dataType: $0) } }
}

/// A compressor (v2) or bytes→bytes codec list (v3), for parameterized round trips.
struct CodecCase: Sendable, CustomTestStringConvertible {
    var name: String
    var format: ZarrFormat
    var dataType: DataType
    /// v2: the compressor; v3: ignored.
    var compressor: JSON = .null
    /// v2: filters.
    var filters: [JSON] = []
    /// v3: the whole codec list.
    var codecs: [JSON] = []
    var testDescription: String { "\(format) \(name)" }

    static let all: [CodecCase] = [
        CodecCase(name: "zlib", format: .v2, dataType: .int16, compressor: ["id": "zlib", "level": 1]),
        CodecCase(name: "gzip", format: .v2, dataType: .float32, compressor: ["id": "gzip", "level": 6]),
        CodecCase(name: "zstd", format: .v2, dataType: .uint32, compressor: ["id": "zstd", "level": 3]),
        CodecCase(name: "lz4", format: .v2, dataType: .int32, compressor: ["id": "lz4", "acceleration": 1]),
        CodecCase(name: "blosc lz4 noshuffle", format: .v2, dataType: .float32,
                  compressor: ["id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 0, "blocksize": 0]),
        CodecCase(name: "blosc zstd bitshuffle", format: .v2, dataType: .float64,
                  compressor: ["id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0]),
        CodecCase(name: "blosc zlib byteshuffle", format: .v2, dataType: .int64,
                  compressor: ["id": "blosc", "cname": "zlib", "clevel": 5, "shuffle": 1, "blocksize": 0]),
        CodecCase(name: "shuffle + zlib", format: .v2, dataType: .int32, compressor: ["id": "zlib", "level": 1],
                  filters: [["id": "shuffle", "elementsize": 4]]),
        CodecCase(name: "delta + zstd", format: .v2, dataType: .int32, compressor: ["id": "zstd", "level": 1],
                  filters: [["id": "delta", "dtype": "<i4"]]),
        CodecCase(name: "string + zlib", format: .v2, dataType: .string, compressor: ["id": "zlib", "level": 1],
                  filters: [["id": "vlen-utf8"]]),
        CodecCase(name: "gzip", format: .v3, dataType: .float32,
                  codecs: [bytesCodec(), ["name": "gzip", "configuration": ["level": 6]]]),
        CodecCase(name: "zstd checksum", format: .v3, dataType: .uint32,
                  codecs: [bytesCodec(), ["name": "zstd", "configuration": ["level": 1, "checksum": true]]]),
        CodecCase(name: "crc32c", format: .v3, dataType: .float64, codecs: [bytesCodec(), ["name": "crc32c"]]),
        CodecCase(name: "blosc", format: .v3, dataType: .int16,
                  codecs: [bytesCodec(), ["name": "blosc", "configuration": [
                      "typesize": 2, "cname": "lz4hc", "clevel": 5, "shuffle": "shuffle", "blocksize": 0]]]),
        CodecCase(name: "transpose + big endian + blosc + crc32c", format: .v3, dataType: .complex128,
                  codecs: [["name": "transpose", "configuration": ["order": [1, 0]]], bytesCodec("big"),
                           ["name": "blosc", "configuration": ["typesize": 16, "cname": "zstd", "clevel": 3,
                                                                "shuffle": "bitshuffle", "blocksize": 0]],
                           ["name": "crc32c"]]),
        CodecCase(name: "string + zstd", format: .v3, dataType: .string,
                  codecs: [serializer(.string), ["name": "zstd", "configuration": ["level": 0, "checksum": false]]]),
    ]
}

@Suite struct ArrayRoundTripTests {
    /// Writes the whole array, then overwrites a region crossing chunk boundaries, and reads
    /// back the whole array and several sub-regions.
    @Test(arguments: TypeCase.all)
    func everyDataType(_ c: TypeCase) throws {
        let shape = [7, 5], chunks = [3, 2]
        let metadata = c.format == .v2
            ? v2Metadata(c.dataType, shape: shape, chunks: chunks)
            : v3Metadata(c.dataType, shape: shape, chunks: chunks)
        try checkRoundTrip(metadata)
    }

    @Test(arguments: CodecCase.all)
    func everyCodec(_ c: CodecCase) throws {
        let shape = [9, 7], chunks = [4, 3]
        let metadata = c.format == .v2
            ? v2Metadata(c.dataType, shape: shape, chunks: chunks, compressor: c.compressor, filters: c.filters)
            : v3Metadata(c.dataType, shape: shape, chunks: chunks, codecs: c.codecs)
        try checkRoundTrip(metadata)
    }

    @Test(arguments: ZarrFormat.allCases)
    func zeroDimensional(_ format: ZarrFormat) throws {
        let store = MemoryStore()
        let metadata = format == .v2
            ? v2Metadata(.float64, shape: [], chunks: [], fill: 1.5)
            : v3Metadata(.float64, shape: [], chunks: [], fill: 1.5)
        let array = try ZarrArray.create(store, path: "s", metadata: metadata)
        #expect(elementsJSON(try array.readAll()) == [1.5])
        try array.write(try buffer(.float64, shape: [], values: [-2.25]), at: [])
        #expect(try store.keys(under: "s").contains(format == .v2 ? "s/0" : "s/c"))
        let reopened = try ZarrArray.open(store, path: "s")
        #expect(reopened.shape == [])
        #expect(elementsJSON(try reopened.readAll()) == [-2.25])
        #expect(try reopened.read(Region(start: [], count: [])).elementCount == 1)
    }

    @Test(arguments: ZarrFormat.allCases)
    func zeroLengthDimension(_ format: ZarrFormat) throws {
        let store = MemoryStore()
        let metadata = format == .v2
            ? v2Metadata(.int32, shape: [0, 4], chunks: [2, 2])
            : v3Metadata(.int32, shape: [0, 4], chunks: [2, 2])
        let array = try ZarrArray.create(store, path: "e", metadata: metadata)
        let all = try array.readAll()
        #expect(all.shape == [0, 4])
        #expect(all.elementCount == 0)
        try array.write(try sampleBuffer(.int32, shape: [0, 4]), at: [0, 0])
        #expect(try store.keys(under: "e").allSatisfy { $0.hasSuffix("zarr.json") || $0.hasSuffix(".zarray") || $0.hasSuffix(".zattrs") })
    }

    @Test(arguments: ZarrFormat.allCases)
    func edgeChunksAreStoredWholeAndPaddedWithFill(_ format: ZarrFormat) throws {
        let store = MemoryStore()
        let metadata = format == .v2
            ? v2Metadata(.int16, shape: [5], chunks: [4], fill: -9)
            : v3Metadata(.int16, shape: [5], chunks: [4], fill: -9)
        let array = try ZarrArray.create(store, path: "a", metadata: metadata)
        try array.write(try buffer(.int16, shape: [5], values: [1, 2, 3, 4, 5]), at: [0])
        let key = array.chunkKey([1])
        let raw = try #require(try store.get(key))
        #expect(raw.count == 8, "an edge chunk is stored with the full chunk shape")
        let chunk = try #require(try array.readChunk([1]))
        #expect(elementsJSON(chunk) == [5, -9, -9, -9])
        #expect(elementsJSON(try array.readAll()) == [1, 2, 3, 4, 5])
        #expect(elementsJSON(try array.read(Region(start: [3], count: [2]))) == [4, 5])
    }

    @Test(arguments: ZarrFormat.allCases)
    func missingChunksReadAsFillValue(_ format: ZarrFormat) throws {
        let store = MemoryStore()
        let metadata = format == .v2
            ? v2Metadata(.int32, shape: [4, 6], chunks: [2, 3], fill: 42)
            : v3Metadata(.int32, shape: [4, 6], chunks: [2, 3], fill: 42)
        let array = try ZarrArray.create(store, path: "m", metadata: metadata)
        #expect(elementsJSON(try array.readAll()) == Array(repeating: 42, count: 24))
        try array.write(try buffer(.int32, shape: [1, 2], values: [7, 8]), at: [2, 2])
        let expected: [JSON] = [42, 42, 42, 42, 42, 42,
                                42, 42, 42, 42, 42, 42,
                                42, 42, 7, 8, 42, 42,
                                42, 42, 42, 42, 42, 42]
        #expect(elementsJSON(try array.readAll()) == expected)
        #expect(try array.readChunk([0, 0]) == nil)
        let chunkKeys = try store.keys(under: "m").filter { !$0.hasSuffix("zarr.json") && !$0.contains(".z") }
        #expect(chunkKeys.count == 2, "only the two chunks touched were written: \(chunkKeys)")
    }

    @Test(arguments: ZarrFormat.allCases)
    func chunksEqualToFillAreNotWritten(_ format: ZarrFormat) throws {
        let metadata = format == .v2
            ? v2Metadata(.float32, shape: [8], chunks: [4], fill: "NaN")
            : v3Metadata(.float32, shape: [8], chunks: [4], fill: "NaN")
        let values: [JSON] = ["NaN", "NaN", "NaN", "NaN", 1, "NaN", 2, "NaN"]

        let store = MemoryStore()
        let array = try ZarrArray.create(store, path: "f", metadata: metadata)
        try array.write(try buffer(.float32, shape: [8], values: values), at: [0])
        #expect(try store.get(array.chunkKey([0])) == nil, "an all-NaN chunk with NaN fill is not written")
        #expect(try store.get(array.chunkKey([1])) != nil)
        #expect(zip(elementsJSON(try array.readAll()), values).allSatisfy { sameValue($0, $1) })
        // Overwriting a stored chunk with fill values deletes it.
        try array.write(try buffer(.float32, shape: [2], values: ["NaN", "NaN"]), at: [4])
        try array.write(try buffer(.float32, shape: [1], values: ["NaN"]), at: [6])
        #expect(try store.get(array.chunkKey([1])) == nil)

        let eager = MemoryStore()
        let written = try ZarrArray.create(eager, path: "f", metadata: metadata, writeEmptyChunks: true)
        try written.write(try buffer(.float32, shape: [8], values: values), at: [0])
        #expect(try eager.get(written.chunkKey([0])) != nil, "writeEmptyChunks stores all-fill chunks")
        #expect(try eager.get(written.chunkKey([1])) != nil)
        #expect(zip(elementsJSON(try written.readAll()), values).allSatisfy { sameValue($0, $1) })
    }

    /// Several threads reading one region: missing chunks read as the fill value, and a
    /// chunk that does not decode fails the read with its key.
    @Test func concurrentReadsFillMissingChunksAndReportBadOnes() throws {
        let store = MemoryStore()
        let shape = [10, 9, 8]
        let array = try ZarrArray.create(store, path: "a", metadata: v3Metadata(.float32, shape: shape, chunks: [1, 4, 3], fill: -1))
        let model = try sampleBuffer(.float32, shape: shape)
        try array.write(model, at: [0, 0, 0])
        try store.delete("a/c/2/1/1")
        try store.delete("a/c/7/0/2")
        let sequential = try array.read(Region(start: [1, 1, 1], count: [8, 8, 7]))
        for threads in [2, 3, 16] {
            #expect(try array.read(Region(start: [1, 1, 1], count: [8, 8, 7]), concurrency: threads) == sequential)
        }
        let hole = try array.read(Region(start: [2, 4, 3], count: [1, 4, 3]), concurrency: 4)
        #expect(hole == ArrayBuffer(filledWith: array.fill, dataType: .float32, shape: [1, 4, 3]))
        try store.set("a/c/5/1/1", [1, 2, 3])
        var thrown: CubeError?
        do { _ = try array.read(Region(shape: shape), concurrency: 4) } catch let error as CubeError { thrown = error }
        #expect(thrown?.context?.contains("a/c/5/1/1") == true, "\(String(describing: thrown))")
    }

    @Test func v2OrderFStoresChunksTransposed() throws {
        let store = MemoryStore()
        let metadata = v2Metadata(.int32, shape: [3, 4], chunks: [2, 3], order: "F")
        let array = try ZarrArray.create(store, path: "f", metadata: metadata)
        let data = try buffer(.int32, shape: [3, 4], values: (0..<12).map { JSON($0) })
        try array.write(data, at: [0, 0])
        // Chunk (0, 0) holds rows 0–1, columns 0–2; stored in Fortran order: column by column.
        let raw = try #require(try store.get("f/0.0"))
        let stored = raw.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }.map { Int32(littleEndian: $0) }
        #expect(stored == [0, 4, 1, 5, 2, 6])
        #expect(try array.readAll() == data)
        #expect(try ZarrArray.open(store, path: "f").readAll() == data)
        let zarray = try JSON.parse(try #require(try store.get("f/.zarray")))
        #expect(zarray["order"] == "F")
        try checkRoundTrip(v2Metadata(.float64, shape: [4, 3, 5], chunks: [2, 2, 2], order: "F", separator: "/"))
    }

    @Test func v2SlashSeparator() throws {
        let store = MemoryStore()
        let metadata = v2Metadata(.int16, shape: [5, 4], chunks: [2, 2], separator: "/")
        let array = try ZarrArray.create(store, path: "g/a", metadata: metadata)
        try array.write(try sampleBuffer(.int16, shape: [5, 4]), at: [0, 0])
        let keys = try store.keys(under: "g/a")
        #expect(keys.contains("g/a/2/1"))
        #expect(keys.contains("g/a/0/0"))
        #expect(!keys.contains("g/a/0.0"))
        let zarray = try JSON.parse(try #require(try store.get("g/a/.zarray")))
        #expect(zarray["dimension_separator"] == "/")
        #expect(try ZarrArray.open(store, path: "g/a").readAll() == (try sampleBuffer(.int16, shape: [5, 4])))
    }

    @Test(arguments: [Character("."), Character("/")])
    func v3V2StyleKeyEncoding(_ separator: Character) throws {
        let store = MemoryStore()
        let metadata = v3Metadata(.int32, shape: [6, 6, 3], chunks: [4, 4, 2],
                                  keyEncoding: ChunkKeyEncoding(separator: separator, prefixed: false))
        let array = try ZarrArray.create(store, path: "k", metadata: metadata)
        let data = try sampleBuffer(.int32, shape: [6, 6, 3])
        try array.write(data, at: [0, 0, 0])
        let keys = try store.keys(under: "k")
        let s = String(separator)
        #expect(keys.contains("k/1\(s)1\(s)1"), "\(keys)")
        #expect(!keys.contains { $0.hasPrefix("k/c") })
        let document = try JSON.parse(try #require(try store.get("k/zarr.json")))
        #expect(document["chunk_key_encoding"]?["name"] == "v2")
        #expect(document["chunk_key_encoding"]?["configuration"]?["separator"] == .string(s))
        #expect(try ZarrArray.open(store, path: "k").readAll() == data)
        // Default encoding with '.' separators.
        let dotted = v3Metadata(.int32, shape: [6, 6], chunks: [4, 4], keyEncoding: ChunkKeyEncoding(separator: ".", prefixed: true))
        let other = try ZarrArray.create(store, path: "d", metadata: dotted)
        try other.write(try sampleBuffer(.int32, shape: [6, 6]), at: [0, 0])
        #expect(try store.keys(under: "d").contains("d/c.1.1"))
    }

    @Test(arguments: ["little", "big"])
    func byteOrder(_ endian: String) throws {
        // v2: the dtype carries the byte order.
        let store = MemoryStore()
        let v2 = v2Metadata(.int32, shape: [3], chunks: [3], byteOrder: endian == "big" ? .big : .little)
        let a = try ZarrArray.create(store, path: "v2", metadata: v2)
        try a.write(try buffer(.int32, shape: [3], values: [1, 256, -2]), at: [0])
        let expected: [UInt8] = endian == "big"
            ? [0, 0, 0, 1, 0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFE]
            : [1, 0, 0, 0, 0, 1, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF]
        #expect(try store.get("v2/0") == expected)
        let zarray = try JSON.parse(try #require(try store.get("v2/.zarray")))
        #expect(zarray["dtype"] == .string(endian == "big" ? ">i4" : "<i4"))
        #expect(elementsJSON(try ZarrArray.open(store, path: "v2").readAll()) == [1, 256, -2])

        // v3: the bytes codec carries it.
        let v3 = v3Metadata(.int32, shape: [3], chunks: [3], codecs: [bytesCodec(endian)])
        let b = try ZarrArray.create(store, path: "v3", metadata: v3)
        try b.write(try buffer(.int32, shape: [3], values: [1, 256, -2]), at: [0])
        #expect(try store.get("v3/c/0") == expected)
        #expect(elementsJSON(try ZarrArray.open(store, path: "v3").readAll()) == [1, 256, -2])

        // Every multi-byte type round-trips in this byte order.
        for type in allDataTypes where type.swapUnit > 1 {
            try checkRoundTrip(v2Metadata(type, shape: [5, 3], chunks: [2, 2], byteOrder: endian == "big" ? .big : .little))
            try checkRoundTrip(v3Metadata(type, shape: [5, 3], chunks: [2, 2], codecs: [bytesCodec(endian)]))
        }
    }

    @Test func attributesAndDimensionNamesRoundTrip() throws {
        let store = MemoryStore()
        let attributes: JSON = ["units": "m", "scale": 0.5, "nested": ["a": [1, 2]]]
        _ = try ZarrArray.create(store, path: "v2", metadata: v2Metadata(.float32, shape: [2, 3], chunks: [1, 3],
                                                                          dimensionNames: ["y", "x"], attributes: attributes))
        _ = try ZarrArray.create(store, path: "v3", metadata: v3Metadata(.float32, shape: [2, 3], chunks: [1, 3],
                                                                          dimensionNames: ["time", nil], attributes: attributes))
        let a = try ZarrArray.open(store, path: "v2")
        #expect(a.metadata.dimensionNames == ["y", "x"])
        #expect(a.metadata.attributes == attributes)
        let zattrs = try JSON.parse(try #require(try store.get("v2/.zattrs")))
        #expect(zattrs["_ARRAY_DIMENSIONS"] == ["y", "x"])
        let b = try ZarrArray.open(store, path: "v3")
        #expect(b.metadata.dimensionNames == ["time", nil])
        #expect(b.metadata.attributes == attributes)
    }

    @Test func refusesToReplaceNodesAndWrongTypes() throws {
        let store = MemoryStore()
        let array = try ZarrArray.create(store, path: "a", metadata: v3Metadata(.int32, shape: [4], chunks: [2]))
        try array.write(try sampleBuffer(.int32, shape: [4]), at: [0])
        expectCubeError("create over an existing array") {
            try ZarrArray.create(store, path: "a", metadata: v3Metadata(.int16, shape: [4], chunks: [2]))
        }
        let replaced = try ZarrArray.create(store, path: "a", metadata: v3Metadata(.int16, shape: [4], chunks: [2]), overwrite: true)
        #expect(elementsJSON(try replaced.readAll()) == [0, 0, 0, 0], "old chunks are gone")
        expectCubeError("wrong data type") { try replaced.write(try sampleBuffer(.int32, shape: [4]), at: [0]) }
        expectCubeError("region outside") { try replaced.write(try sampleBuffer(.int16, shape: [3]), at: [2]) }
        expectCubeError("read outside") { try replaced.read(Region(start: [3], count: [2])) }
        expectCubeError("wrong rank") { try replaced.read(Region(start: [0, 0], count: [1, 1])) }
    }
}

// MARK: - Sharding

struct ShardCase: Sendable, CustomTestStringConvertible {
    var indexLocation: String
    var crc: Bool
    var inner: [JSON]
    var dataType: DataType = .int16
    var testDescription: String { "index at \(indexLocation)\(crc ? " + crc32c" : "") \(inner.compactMap { $0["name"]?.stringValue })" }

    static let all: [ShardCase] = [
        ShardCase(indexLocation: "end", crc: true, inner: [bytesCodec()]),
        ShardCase(indexLocation: "start", crc: true, inner: [bytesCodec()]),
        ShardCase(indexLocation: "end", crc: false, inner: [bytesCodec(), ["name": "zstd", "configuration": ["level": 1, "checksum": false]]]),
        ShardCase(indexLocation: "start", crc: false, inner: [bytesCodec(), ["name": "gzip", "configuration": ["level": 1]]]),
        ShardCase(indexLocation: "start", crc: true,
                  inner: [["name": "transpose", "configuration": ["order": [1, 0]]], bytesCodec("big"),
                          ["name": "zstd", "configuration": ["level": 1, "checksum": false]]]),
        ShardCase(indexLocation: "end", crc: true, inner: [serializer(.string)], dataType: .string),
    ]
}

@Suite struct ShardingTests {
    @Test(arguments: ShardCase.all)
    func roundTrip(_ c: ShardCase) throws {
        let metadata = v3Metadata(c.dataType, shape: [11, 10], chunks: [4, 6],
                                  codecs: [shardingCodec(inner: [2, 3], codecs: c.inner, indexLocation: c.indexLocation, crc: c.crc)])
        try checkRoundTrip(metadata)
        #expect(metadata.innerChunkShape == [2, 3])
    }

    @Test(arguments: ["start", "end"])
    func indexPositionAndAbsentInnerChunks(_ location: String) throws {
        let store = MemoryStore()
        let metadata = v3Metadata(.int16, shape: [8, 6], chunks: [4, 6], fill: -1,
                                  codecs: [shardingCodec(inner: [2, 3], codecs: [bytesCodec()], indexLocation: location)])
        let array = try ZarrArray.create(store, path: "s", metadata: metadata)
        var data = ArrayBuffer(filledWith: .element(try ElementJSON.decode(-1, as: .int16)), dataType: .int16, shape: [8, 6])
        // Only inner chunk (1, 1) of shard 0 holds data.
        data.copy(from: try buffer(.int16, shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), sourceStart: [0, 0], count: [2, 3], to: [2, 3])
        try array.write(data, at: [0, 0])
        #expect(try store.get(array.chunkKey([1, 0])) == nil, "an all-fill shard is not written")
        let shard = try #require(try store.get(array.chunkKey([0, 0])))
        // Index: 4 inner chunks × 16 bytes + crc32c; one 12-byte inner chunk.
        #expect(shard.count == 4 * 16 + 4 + 12)
        let indexBytes = location == "start" ? Array(shard[0..<68]) : Array(shard[12...])
        let entries = indexBytes.withUnsafeBytes { buf in (0..<8).map { UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) } }
        let empty = UInt64.max
        #expect(entries[0] == empty && entries[1] == empty)
        #expect(entries[6] == (location == "start" ? 68 : 0) && entries[7] == 12)
        let crc = CRC32C.checksum(indexBytes[0..<64])
        #expect(indexBytes[64..<68].elementsEqual(withUnsafeBytes(of: crc.littleEndian) { Array($0) }))
        #expect(try array.readAll() == data)
        #expect(elementsJSON(try array.read(Region(start: [2, 2], count: [2, 3]))) == [-1, 1, 2, -1, 4, 5])
    }

    /// A read of part of a shard fetches the index and the inner chunks it needs by byte
    /// ranges, never the whole shard.
    @Test(arguments: ["start", "end"])
    func partialReadsFetchOnlyWhatTheyNeed(_ location: String) throws {
        let memory = MemoryStore()
        let metadata = v3Metadata(.float64, shape: [16, 16], chunks: [8, 8],
                                  codecs: [shardingCodec(inner: [2, 2], codecs: [bytesCodec()], indexLocation: location)])
        let writer = try ZarrArray.create(memory, path: "p", metadata: metadata)
        let data = try sampleBuffer(.float64, shape: [16, 16])
        try writer.write(data, at: [0, 0])
        let key = writer.chunkKey([1, 1])
        let shardSize = try #require(try memory.size(of: key))

        let counting = CountingStore(memory)
        let reader = try ZarrArray(store: counting, path: "p", metadata: metadata)
        // One element inside inner chunk (1, 2) of shard (1, 1).
        let region = Region(start: [10, 13], count: [1, 1])
        #expect(try reader.read(region) == data.extracting(region))
        let reads = counting.reads(of: key)
        #expect(reads.allSatisfy { $0.range != nil }, "the shard is never read whole: \(reads)")
        #expect(reads.count == 2, "index plus one inner chunk: \(reads)")
        let fetched = reads.reduce(0) { $0 + $1.byteCount }
        #expect(fetched == 16 * 16 + 4 + 2 * 2 * 8)
        #expect(fetched < shardSize)
        #expect(counting.reads.filter { $0.key != key }.isEmpty, "no other shard is touched")

        // A region spanning two shards, partly each: only the inner chunks needed.
        counting.reset()
        let wide = Region(start: [6, 7], count: [3, 2])
        #expect(try reader.read(wide) == data.extracting(wide))
        let innerReads = counting.reads.filter { if case .bounded = $0.range { return $0.byteCount == 32 } else { return false } }
        // Rows 6–8 × columns 7–8 touch inner chunks: shard (0,0): (3,3); shard (0,1): (3,0);
        // shard (1,0): (0,3); shard (1,1): (0,0).
        #expect(innerReads.count == 4)
        #expect(counting.reads.allSatisfy { $0.range != nil })
    }
}

// MARK: - Elements, half floats, base64

@Suite struct ElementCodingTests {
    @Test(arguments: allDataTypes)
    func sampleElementsRoundTripThroughJSON(_ type: DataType) throws {
        guard !type.isVariableLength else { return }
        for i in 0..<40 {
            let json = sampleJSON(type, i)
            let bytes = try ElementJSON.decode(json, as: type)
            #expect(bytes.count == type.itemSize)
            #expect(sameValue(ElementJSON.encode(bytes, as: type), json), "\(type) element \(i): \(json.serialized())")
        }
    }

    @Test func fillValueEncodings() throws {
        #expect(try ElementJSON.decode("0x7fc00000", as: .float32) == withUnsafeBytes(of: UInt32(0x7FC0_0000)) { Array($0) })
        #expect(ElementJSON.encode(try ElementJSON.decode("0xc004000000000000", as: .float64), as: .float64) == -2.5)
        #expect(ElementJSON.encode(try ElementJSON.decode("0x3c00", as: .float16), as: .float16) == 1.0)
        #expect(ElementJSON.encode(try ElementJSON.decode([1.5, -2], as: .complex64), as: .complex64) == [1.5, -2.0])
        #expect(sameValue(ElementJSON.encode(try ElementJSON.decode(["NaN", 1], as: .complex128), as: .complex128), ["NaN", 1.0]))
        #expect(ElementJSON.encode(try ElementJSON.decode(.uint(UInt64.max), as: .uint64), as: .uint64) == .uint(UInt64.max))
        #expect(ElementJSON.encode(try ElementJSON.decode(.int(Int64.min), as: .int64), as: .int64) == .int(Int64.min))
        #expect(ElementJSON.encode(try ElementJSON.decode("YWI=", as: .bytes(5)), as: .bytes(5)) == "YWIAAAA=")
        #expect(ElementJSON.encode(try ElementJSON.decode("zz", as: .unicode(4)), as: .unicode(4)) == "zz")
        #expect(ElementJSON.encode(try ElementJSON.decode(true, as: .bool), as: .bool) == true)
        for bad: JSON in ["abc", 1.5, 300, .null, [1, 2, 3]] {
            #expect(throws: CubeError.self) { try ElementJSON.decode(bad, as: .uint8) }
        }
        #expect(throws: CubeError.self) { try ElementJSON.decode("toolong", as: .unicode(4)) }
        #expect(throws: CubeError.self) { try ElementJSON.decode("YWJjZGVmZ2g=", as: .bytes(5)) }
    }

    @Test func halfFloatRoundTripsEveryBitPattern() {
        for bits in 0...UInt16.max {
            let value = Half.toFloat(bits)
            let back = Half.fromFloat(value)
            if value.isNaN {
                #expect(Half.toFloat(back).isNaN, "NaN \(bits) stays NaN")
                #expect(back & 0x8000 == bits & 0x8000)
            } else {
                #expect(back == bits, "half \(String(bits, radix: 16)) → \(value) → \(String(back, radix: 16))")
            }
        }
    }

    @Test func halfFloatRounding() {
        #expect(Half.fromFloat(1) == 0x3C00)
        #expect(Half.fromFloat(-2) == 0xC000)
        #expect(Half.fromFloat(65504) == 0x7BFF)
        #expect(Half.fromFloat(65520) == 0x7C00, "rounds up to infinity")
        #expect(Half.fromFloat(65519) == 0x7BFF)
        #expect(Half.fromFloat(.infinity) == 0x7C00)
        #expect(Half.fromFloat(-.infinity) == 0xFC00)
        #expect(Half.toFloat(Half.fromFloat(.nan)).isNaN)
        #expect(Half.fromFloat(0x1p-24) == 0x0001, "smallest subnormal")
        #expect(Half.fromFloat(0x1p-25) == 0x0000, "ties to even: zero")
        #expect(Half.fromFloat(0x1.8p-24) == 0x0002, "ties to even: 2")
        #expect(Half.fromFloat(0x1.000002p-25) == 0x0001, "just above half rounds up")
        #expect(Half.fromFloat(-0.0) == 0x8000)
        #expect(Half.fromFloat(1 + 0x1p-11) == 0x3C00, "tie rounds to even")
        #expect(Half.fromFloat(1 + 0x1.8p-11) == 0x3C01)
        #expect(Half.fromFloat(0x1.ff8p-15) == 0x03FF, "largest subnormal")
        #expect(Half.fromFloat(0x1.ffcp-15) == 0x0400, "tie between the largest subnormal and the smallest normal: even")
        #expect(Half.fromFloat(0x1.ffap-15) == 0x03FF, "below the tie")
        #expect(Half.fromFloat(0x1.ffep-15) == 0x0400, "rounds up into the normals")
        #expect(Half.toFloat(0x0001) == 0x1p-24)
        #expect(Half.toFloat(0x7BFF) == 65504)
        #expect(Half.toFloat(0x8000).sign == .minus)
    }

    #if !(os(macOS) && arch(x86_64))
    /// Agrees with the hardware/stdlib conversion over a sweep of floats.
    @Test func halfFloatMatchesFloat16() {
        var bits: UInt32 = 0
        while bits < 0x8000_0000 {
            for sign in [UInt32(0), 0x8000_0000] {
                let value = Float(bitPattern: bits | sign)
                let expected = Float16(value).bitPattern
                let actual = Half.fromFloat(value)
                if value.isNaN {
                    #expect(Half.toFloat(actual).isNaN)
                } else if actual != expected {
                    Issue.record("\(value): \(String(actual, radix: 16)) != \(String(expected, radix: 16))")
                    return
                }
            }
            bits &+= 0x1F31  // a stride that visits every exponent and many mantissas
        }
    }
    #endif

    @Test func base64Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(all)) == all)
        for n in 0..<10 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 89 + 250) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.decode("Zm9v!") == nil)
        #expect(Base64.decode("Z") == nil)
        #expect(Base64.decode("Zm 9v") == nil)
        #expect(Base64.decode("-_8=") == [0xFB, 0xFF], "URL-safe alphabet is accepted")
    }
}

// MARK: - Helpers

/// Creates an array in a memory store, writes it whole, overwrites a region crossing chunk
/// boundaries, and compares reads of the whole array and of sub-regions against a model.
func checkRoundTrip(_ metadata: ArrayMetadata, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let store = MemoryStore()
    let array = try ZarrArray.create(store, path: "x/y", metadata: metadata)
    let shape = metadata.shape
    let type = metadata.dataType
    var model = try sampleBuffer(type, shape: shape)
    try array.write(model, at: shape.map { _ in 0 })
    #expect(try array.readAll() == model, "whole read after a whole write", sourceLocation: sourceLocation)

    // Overwrite a box that starts and ends inside chunks.
    let patchStart = shape.map { $0 > 2 ? 1 : 0 }
    let patchCount = zip(shape, patchStart).map { max(0, min($0 - $1, $0 > 3 ? $0 - 2 : $0)) }
    let patch = try sampleBuffer(type, shape: patchCount, offset: 1000)
    try array.write(patch, at: patchStart)
    model.copy(from: patch, sourceStart: patchCount.map { _ in 0 }, count: patchCount, to: patchStart)

    let reopened = try ZarrArray.open(store, path: "x/y")
    #expect(reopened.metadata == metadata, sourceLocation: sourceLocation)
    let all = try reopened.readAll()
    #expect(all == model, "whole read after a patch", sourceLocation: sourceLocation)
    if all != model {
        let diff = (0..<model.elementCount).first { elementJSON(all, $0).serialized() != elementJSON(model, $0).serialized() }
        if let i = diff {
            Issue.record("first difference at \(i): \(elementJSON(all, i).serialized()) != \(elementJSON(model, i).serialized())",
                         sourceLocation: sourceLocation)
        }
    }
    #expect(try reopened.read(Region(shape: shape), concurrency: 3) == model, "whole read, 3 threads", sourceLocation: sourceLocation)
    for region in sampleRegions(shape) {
        #expect(try reopened.read(region) == model.extracting(region), "region \(region)", sourceLocation: sourceLocation)
        #expect(try reopened.read(region, concurrency: 4) == model.extracting(region), "region \(region), 4 threads",
                sourceLocation: sourceLocation)
    }
}

/// A few regions of an array of `shape`: single elements at corners, boxes crossing chunk
/// boundaries, an empty box.
func sampleRegions(_ shape: [Int]) -> [Region] {
    guard !shape.isEmpty, !shape.contains(0) else { return [Region(shape: shape)] }
    var regions: [Region] = [
        Region(start: shape.map { _ in 0 }, count: shape.map { _ in 1 }),
        Region(start: shape.map { $0 - 1 }, count: shape.map { _ in 1 }),
        Region(start: shape.map { $0 / 3 }, count: shape.map { $0 - $0 / 3 - $0 / 4 }),
        Region(start: shape.map { $0 / 2 }, count: shape.map { _ in 0 }),
    ]
    regions.append(Region(start: shape.map { _ in 1 }.enumerated().map { $0.offset == 0 ? 0 : min(1, shape[$0.offset] - 1) },
                          count: shape.enumerated().map { $0.offset == 0 ? $0.element : 1 }))
    return regions.filter { r in zip(zip(r.start, r.count), shape).allSatisfy { $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 } }
}

@Suite struct DecodeIntoOutputTests {
    /// Reads of whole map chunks (each a contiguous run of the output) decode straight into
    /// the output; the result must equal composing the chunks one by one, for every codec
    /// (those that cannot decode in place fall back).
    @Test(arguments: CodecCase.all.filter { !$0.name.contains("transpose") })
    func wholeChunksReadLikeChunkByChunk(_ c: CodecCase) throws {
        let shape = [7, 5, 6], chunks = [1, 5, 6]
        let metadata = c.format == .v2
            ? v2Metadata(c.dataType, shape: shape, chunks: chunks, compressor: c.compressor, filters: c.filters)
            : v3Metadata(c.dataType, shape: shape, chunks: chunks, codecs: c.codecs)
        let array = try ZarrArray.create(MemoryStore(), path: "a", metadata: metadata)
        try array.write(try sampleBuffer(c.dataType, shape: shape), at: [0, 0, 0])
        for region in [Region(start: [0, 0, 0], count: shape), Region(start: [2, 0, 0], count: [4, 5, 6])] {
            var expected = ArrayBuffer(uninitialized: c.dataType, shape: region.count)
            for step in 0..<region.count[0] {
                let chunk = try #require(try array.readChunk([region.start[0] + step, 0, 0]))
                expected.copy(from: chunk, sourceStart: [0, 0, 0], count: chunks, to: [step, 0, 0])
            }
            #expect(try array.read(region) == expected, "\(region)")
        }
    }

    @Test func contiguousPlacementsAreRecognized() {
        func offset(_ count: [Int], at start: [Int], in shape: [Int]) -> Int? {
            RegionCopy.singleRunOffset(count: count, at: start, in: shape)
        }
        #expect(offset([1, 5, 6], at: [3, 0, 0], in: [7, 5, 6]) == 90)
        #expect(offset([2, 5, 6], at: [3, 0, 0], in: [7, 5, 6]) == 90)
        #expect(offset([1, 2, 6], at: [3, 1, 0], in: [7, 5, 6]) == 96)
        #expect(offset([7, 5, 6], at: [0, 0, 0], in: [7, 5, 6]) == 0)
        #expect(offset([2, 2, 6], at: [0, 0, 0], in: [7, 5, 6]) == nil, "two runs")
        #expect(offset([1, 5, 3], at: [0, 0, 0], in: [7, 5, 6]) == nil, "five runs")
        #expect(offset([1, 1, 3], at: [6, 4, 3], in: [7, 5, 6]) == 207)
    }

    @Test func writingAChunkOutsideTheGridIsAnError() throws {
        let array = try ZarrArray.create(MemoryStore(), path: "a", metadata: v3Metadata(.int16, shape: [4, 4], chunks: [2, 2]))
        let chunk = try sampleBuffer(.int16, shape: [2, 2])
        #expect(throws: CubeError.self) { try array.writeChunk([2, 0], chunk) }
        #expect(throws: CubeError.self) { try array.writeChunk([0, -1], chunk) }
    }
}
