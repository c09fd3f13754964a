import Foundation
import Testing
import CubeCore
import CubeCodecs
@testable import CubeZarr

/// Malformed metadata and damaged chunks: every failure is a ``CubeError`` (never a crash)
/// whose description names the file or key involved.
@Suite struct BadInputTests {
    /// A memory store named `mem` holding `contents`.
    func store(_ contents: [String: String]) throws -> MemoryStore {
        try MemoryStore(contents: contents.mapValues { Array($0.utf8) }, location: "mem")
    }

    /// Expects `body` to throw a ``CubeError`` whose description contains every one of `needles`.
    func expectError(_ what: String, naming needles: [String], kind: CubeError.Kind? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        guard let error = expectCubeError(what, sourceLocation: sourceLocation, body) else { return }
        for needle in needles {
            #expect(error.description.contains(needle), "\(what): '\(needle)' missing from: \(error.description)",
                    sourceLocation: sourceLocation)
        }
        if let kind {
            #expect(error.kind == kind, "\(what): \(error.description)", sourceLocation: sourceLocation)
        }
    }

    static let goodZarray = #"{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "<i4", "compressor": null, "fill_value": 0, "filters": null, "order": "C"}"#
    static let goodZarrJSON = #"{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int32", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}"#

    @Test func theGoodDocumentsParse() throws {
        let s = try store(["a/.zarray": Self.goodZarray, "b/zarr.json": Self.goodZarrJSON])
        #expect(try ZarrArray.open(s, path: "a").shape == [4])
        #expect(try ZarrArray.open(s, path: "b").shape == [4])
    }

    @Test(arguments: ["{", "{\"zarr_format\": 2,", "[1, 2", "", "{\"a\": tru}", "\u{FF}"])
    func malformedZarray(_ text: String) throws {
        let s = try store(["grp/arr/.zarray": text])
        expectError("open", naming: ["mem/grp/arr/.zarray"], kind: .invalidInput) { _ = try ZarrArray.open(s, path: "grp/arr") }
        expectError("read node", naming: ["mem/grp/arr/.zarray"]) { _ = try ZarrNode.read(s, path: "grp/arr") }
    }

    @Test(arguments: ["{", "{\"zarr_format\": 3, \"node_type\": \"array\"", "nul", "{\"zarr_format\": 3,}"])
    func malformedZarrJSON(_ text: String) throws {
        let s = try store(["grp/zarr.json": text])
        expectError("open", naming: ["mem/grp/zarr.json"], kind: .invalidInput) { _ = try ZarrArray.open(s, path: "grp") }
    }

    @Test func malformedAttributesAndGroups() throws {
        expectError("zattrs", naming: ["mem/a/.zattrs"]) {
            _ = try ZarrArray.open(try store(["a/.zarray": Self.goodZarray, "a/.zattrs": "{\"x\": }"]), path: "a")
        }
        expectError("zattrs not an object", naming: ["mem/a/.zarray", ".zattrs"]) {
            _ = try ZarrArray.open(try store(["a/.zarray": Self.goodZarray, "a/.zattrs": "[1]"]), path: "a")
        }
        expectError("zgroup", naming: ["mem/g/.zgroup"]) { _ = try ZarrNode.read(try store(["g/.zgroup": "{"]), path: "g") }
        expectError("zmetadata", naming: ["mem/.zmetadata"]) {
            _ = try ZarrHierarchy.open(try store([".zgroup": #"{"zarr_format": 2}"#, ".zmetadata": "{\"metadata\": "]))
        }
        expectError("wrong zarr_format", naming: ["mem/a/.zarray", "zarr_format"]) {
            _ = try ZarrArray.open(try store(["a/.zarray": Self.goodZarray.replacingOccurrences(of: "\"zarr_format\": 2", with: "\"zarr_format\": 3")]), path: "a")
        }
        expectError("missing key", naming: ["mem/a/zarr.json", "fill_value"]) {
            _ = try ZarrArray.open(try store(["a/zarr.json": Self.goodZarrJSON.replacingOccurrences(of: "\"fill_value\": 0, ", with: "")]), path: "a")
        }
        expectError("bad node type", naming: ["mem/a/zarr.json", "node_type"]) {
            _ = try ZarrNode.read(try store(["a/zarr.json": #"{"zarr_format": 3, "node_type": "table"}"#]), path: "a")
        }
        expectError("rank mismatch", naming: ["mem/a/.zarray"]) {
            _ = try ZarrArray.open(try store(["a/.zarray": Self.goodZarray.replacingOccurrences(of: "\"chunks\": [2]", with: "\"chunks\": [2, 2]")]), path: "a")
        }
        expectError("zero chunk", naming: ["mem/a/.zarray"]) {
            _ = try ZarrArray.open(try store(["a/.zarray": Self.goodZarray.replacingOccurrences(of: "\"chunks\": [2]", with: "\"chunks\": [0]")]), path: "a")
        }
        expectError("bad fill", naming: ["mem/a/.zarray", "fill value"]) {
            _ = try ZarrArray.open(try store(["a/.zarray": Self.goodZarray.replacingOccurrences(of: "\"fill_value\": 0", with: "\"fill_value\": \"abc\"")]), path: "a")
        }
        expectError("not found", naming: ["mem/nothing"], kind: .notFound) { _ = try ZarrArray.open(try store([:]), path: "nothing") }
    }

    @Test func unknownCodecIsNamed() throws {
        let v3 = Self.goodZarrJSON.replacingOccurrences(
            of: #"[{"name": "bytes", "configuration": {"endian": "little"}}]"#,
            with: #"[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "frobnicate", "configuration": {}}]"#)
        expectError("v3 codec", naming: ["frobnicate", "mem/a/zarr.json"], kind: .unsupported) {
            _ = try ZarrArray.open(try store(["a/zarr.json": v3]), path: "a")
        }
        let v2 = Self.goodZarray.replacingOccurrences(of: "\"compressor\": null", with: "\"compressor\": {\"id\": \"frobnicate\"}")
        expectError("v2 compressor", naming: ["frobnicate", "mem/a"], kind: .unsupported) {
            _ = try ZarrArray.open(try store(["a/.zarray": v2]), path: "a")
        }
        let v2Filter = Self.goodZarray.replacingOccurrences(of: "\"filters\": null", with: "\"filters\": [{\"id\": \"quantize-ish\"}]")
        expectError("v2 filter", naming: ["quantize-ish", "mem/a"]) {
            _ = try ZarrArray.open(try store(["a/.zarray": v2Filter]), path: "a")
        }
        let inner = Self.goodZarrJSON.replacingOccurrences(
            of: #"[{"name": "bytes", "configuration": {"endian": "little"}}]"#,
            with: #"[{"name": "sharding_indexed", "configuration": {"chunk_shape": [1], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "mystery"}], "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}], "index_location": "end"}}]"#)
        expectError("codec inside a shard", naming: ["mystery", "mem/a/zarr.json"]) {
            _ = try ZarrArray.open(try store(["a/zarr.json": inner]), path: "a")
        }
    }

    @Test func unknownDataTypeIsNamed() throws {
        let v2 = Self.goodZarray.replacingOccurrences(of: "\"<i4\"", with: "\"<x4\"")
        expectError("v2 dtype", naming: ["<x4", "mem/a/.zarray"]) { _ = try ZarrArray.open(try store(["a/.zarray": v2]), path: "a") }
        let v3 = Self.goodZarrJSON.replacingOccurrences(of: "\"int32\"", with: "\"float128\"")
        expectError("v3 data type", naming: ["float128", "mem/a/zarr.json"]) { _ = try ZarrArray.open(try store(["a/zarr.json": v3]), path: "a") }
        // Structured dtypes are read, except with variable-length fields.
        let structured = Self.goodZarray.replacingOccurrences(of: "\"<i4\"", with: #"[["a", "|O"]]"#)
        expectError("structured dtype", naming: ["structured", "'a'", "mem/a/.zarray"]) { _ = try ZarrArray.open(try store(["a/.zarray": structured]), path: "a") }
    }

    @Test func shapeWhoseByteSizeOverflows() throws {
        let big = Self.goodZarray
            .replacingOccurrences(of: "\"shape\": [4]", with: "\"shape\": [4611686018427387904, 4]")
            .replacingOccurrences(of: "\"chunks\": [2]", with: "\"chunks\": [4611686018427387904, 4]")
        expectError("v2 overflow", naming: ["mem/a/.zarray"], kind: .invalidInput) { _ = try ZarrArray.open(try store(["a/.zarray": big]), path: "a") }
        // Chunks fit, but the byte size of a chunk of 8-byte items does not.
        let chunkBytes = Self.goodZarrJSON
            .replacingOccurrences(of: "\"int32\"", with: "\"float64\"")
            .replacingOccurrences(of: "\"shape\": [4]", with: "\"shape\": [2305843009213693952]")
            .replacingOccurrences(of: "\"chunk_shape\": [2]", with: "\"chunk_shape\": [2305843009213693952]")
        expectError("v3 chunk bytes", naming: ["mem/a/zarr.json"], kind: .invalidInput) { _ = try ZarrArray.open(try store(["a/zarr.json": chunkBytes]), path: "a") }
        // A number too large for Int at all.
        let huge = Self.goodZarrJSON.replacingOccurrences(of: "\"shape\": [4]", with: "\"shape\": [18446744073709551615]")
        expectError("v3 huge", naming: ["mem/a/zarr.json"]) { _ = try ZarrArray.open(try store(["a/zarr.json": huge]), path: "a") }
        let negative = Self.goodZarrJSON.replacingOccurrences(of: "\"shape\": [4]", with: "\"shape\": [-4]")
        expectError("v3 negative", naming: ["mem/a/zarr.json"]) { _ = try ZarrArray.open(try store(["a/zarr.json": negative]), path: "a") }
    }

    // MARK: Chunks

    /// An int32 array of shape [8], chunks [4], in a memory store, written with `metadata`.
    func writtenArray(_ metadata: ArrayMetadata) throws -> (MemoryStore, ZarrArray) {
        let s = MemoryStore(location: "mem")
        let array = try ZarrArray.create(s, path: "arr", metadata: metadata)
        try array.write(try buffer(metadata.dataType, shape: [8], values: (1...8).map { JSON($0) }), at: [0])
        return (s, array)
    }

    @Test(arguments: ZarrFormat.allCases)
    func truncatedChunk(_ format: ZarrFormat) throws {
        let metadata = format == .v2 ? v2Metadata(.int32, shape: [8], chunks: [4]) : v3Metadata(.int32, shape: [8], chunks: [4])
        let (s, array) = try writtenArray(metadata)
        let key = array.chunkKey([1])
        let stored = try #require(try s.get(key))
        try s.set(key, Array(stored.prefix(15)))
        expectError("truncated", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
        try s.set(key, [])
        expectError("empty", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.read(Region(start: [5], count: [1])) }
        // Too long is as wrong as too short.
        try s.set(key, stored + [0])
        expectError("too long", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
        // The other chunk still reads.
        #expect(elementsJSON(try array.read(Region(start: [0], count: [4]))) == [1, 2, 3, 4])
    }

    struct Compressor: Sendable, CustomTestStringConvertible {
        var name: String
        var v2: JSON
        var testDescription: String { name }
        static let all = [
            Compressor(name: "zlib", v2: ["id": "zlib", "level": 1]),
            Compressor(name: "gzip", v2: ["id": "gzip", "level": 1]),
            Compressor(name: "zstd", v2: ["id": "zstd", "level": 1]),
            Compressor(name: "blosc", v2: ["id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0]),
            Compressor(name: "blosc-zstd", v2: ["id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 2, "blocksize": 0]),
            Compressor(name: "lz4", v2: ["id": "lz4", "acceleration": 1]),
        ]
    }

    @Test(arguments: Compressor.all)
    func corruptCompressedChunk(_ c: Compressor) throws {
        let (s, array) = try writtenArray(v2Metadata(.int32, shape: [8], chunks: [4], compressor: c.v2))
        let key = array.chunkKey([0])
        let stored = try #require(try s.get(key))
        var damaged: [[UInt8]] = [
            [],
            [0x00],
            Array(stored.prefix(stored.count / 2)),
            Array(stored.prefix(4)),
            stored.map { $0 ^ 0x5A },
            (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) },
            Array(repeating: 0xFF, count: 40),
        ]
        // Keep the header, scramble the payload.
        var scrambled = stored
        for i in min(16, scrambled.count)..<scrambled.count { scrambled[i] = scrambled[i] &* 31 &+ 7 }
        damaged.append(scrambled)
        for (n, bytes) in damaged.enumerated() where bytes != stored {
            try s.set(key, bytes)
            do {
                let result = try array.read(Region(start: [0], count: [4]))
                // A damaged stream that still decodes to the right size cannot be detected
                // without a checksum; it must at least have the right shape.
                #expect(result.shape == [4], "\(c.name) damage \(n)")
            } catch let error as CubeError {
                #expect(error.description.contains("mem/\(key)"), "\(c.name) damage \(n): \(error.description)")
            } catch {
                Issue.record("\(c.name) damage \(n): not a CubeError: \(error)")
            }
        }
        // Garbage that is certainly not a valid stream is an error.
        try s.set(key, Array(repeating: 0xFF, count: 40))
        expectError("\(c.name) garbage", naming: ["mem/\(key)"]) { _ = try array.readAll() }
    }

    /// A chunk that decompresses cleanly to the wrong number of bytes.
    @Test(arguments: Compressor.all)
    func decodedSizeMismatch(_ c: Compressor) throws {
        let name = c.name
        let (s, array) = try writtenArray(v2Metadata(.int32, shape: [8], chunks: [4], compressor: c.v2))
        let key = array.chunkKey([1])
        let chain = try CodecRegistry.chain(for: array.metadata, fill: array.fill)
        for count in [0, 12, 20, 1000] {
            let wrong = try chain.bytesToBytes.reduce((0..<count).map { UInt8(truncatingIfNeeded: $0) }) { try $1.encode($0) }
            try s.set(key, wrong)
            expectError("\(name) decoded to \(count) bytes", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
        }
    }

    @Test func stringChunkWithTheWrongCount() throws {
        let (s, array) = try { () throws -> (MemoryStore, ZarrArray) in
            let s = MemoryStore(location: "mem")
            let array = try ZarrArray.create(s, path: "arr", metadata: v3Metadata(.string, shape: [4], chunks: [2]))
            try array.write(try buffer(.string, shape: [4], values: ["a", "b", "c", "d"]), at: [0])
            return (s, array)
        }()
        let key = array.chunkKey([1])
        // vlen-utf8: a 4-byte count, then length-prefixed items. Claim 3 items, hold 2.
        var three: [UInt8] = [3, 0, 0, 0]
        for item in ["x", "y"] { three += [1, 0, 0, 0] + Array(item.utf8) }
        try s.set(key, three)
        expectError("vlen count", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
        try s.set(key, [2, 0, 0, 0, 200, 0, 0, 0, 0x41])
        expectError("vlen length", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
        try s.set(key, [2, 0, 0, 0])
        expectError("vlen truncated", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
    }

    @Test func crc32cMismatch() throws {
        let metadata = v3Metadata(.int32, shape: [8], chunks: [4], codecs: [bytesCodec(), ["name": "crc32c"]])
        let (s, array) = try writtenArray(metadata)
        let key = array.chunkKey([0])
        var stored = try #require(try s.get(key))
        stored[2] ^= 0x01
        try s.set(key, stored)
        expectError("crc32c", naming: ["mem/\(key)", "crc32c"], kind: .corrupt) { _ = try array.readAll() }
        try s.set(key, [1, 2, 3])
        expectError("crc32c short", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
    }

    // MARK: Shards

    /// A sharded int16 array [8] with shards of [4] and inner chunks of [2].
    func shardedArray(crc: Bool, location: String = "end") throws -> (MemoryStore, ZarrArray) {
        let metadata = v3Metadata(.int16, shape: [8], chunks: [4],
                                  codecs: [shardingCodec(inner: [2], codecs: [bytesCodec()], indexLocation: location, crc: crc)])
        let s = MemoryStore(location: "mem")
        let array = try ZarrArray.create(s, path: "arr", metadata: metadata)
        try array.write(try buffer(.int16, shape: [8], values: (1...8).map { JSON($0) }), at: [0])
        return (s, array)
    }

    /// Sets index entry `entry` (offset, length) of a shard stored with its index at the end.
    func patchIndex(_ shard: inout [UInt8], entry: Int, offset: UInt64, length: UInt64, entries: Int, crc: Bool) {
        let indexStart = shard.count - (16 * entries + (crc ? 4 : 0))
        for (k, value) in [offset, length].enumerated() {
            withUnsafeBytes(of: value.littleEndian) { bytes in
                for b in 0..<8 { shard[indexStart + 16 * entry + 8 * k + b] = bytes[b] }
            }
        }
        if crc {
            let sum = CRC32C.checksum(shard[indexStart..<(indexStart + 16 * entries)])
            withUnsafeBytes(of: sum.littleEndian) { bytes in
                for b in 0..<4 { shard[shard.count - 4 + b] = bytes[b] }
            }
        }
    }

    @Test(arguments: [true, false])
    func shardIndexPointingOutside(_ crc: Bool) throws {
        let (s, array) = try shardedArray(crc: crc)
        let key = array.chunkKey([1])
        let stored = try #require(try s.get(key))
        let cases: [(UInt64, UInt64)] = [(1000, 4), (0, 1000), (UInt64.max - 1, 4), (4, UInt64.max - 2), (UInt64(stored.count), 1)]
        for (offset, length) in cases {
            var shard = stored
            patchIndex(&shard, entry: 1, offset: offset, length: length, entries: 2, crc: crc)
            try s.set(key, shard)
            // Whole-shard and partial reads both refuse it.
            expectError("whole shard, entry (\(offset), \(length))", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
            expectError("partial shard, entry (\(offset), \(length))", naming: ["mem/\(key)"], kind: .corrupt) {
                _ = try array.read(Region(start: [6], count: [1]))
            }
        }
        #expect(elementsJSON(try array.read(Region(start: [0], count: [4]))) == [1, 2, 3, 4])
    }

    @Test func shardIndexChecksumMismatchAndTruncatedShard() throws {
        let (s, array) = try shardedArray(crc: true)
        let key = array.chunkKey([0])
        let stored = try #require(try s.get(key))
        var bad = stored
        bad[bad.count - 10] ^= 0x40
        try s.set(key, bad)
        expectError("index crc, whole", naming: ["mem/\(key)", "crc32c"], kind: .corrupt) { _ = try array.readAll() }
        expectError("index crc, partial", naming: ["mem/\(key)", "crc32c"], kind: .corrupt) { _ = try array.read(Region(start: [1], count: [1])) }
        try s.set(key, Array(stored.prefix(10)))
        expectError("shorter than the index, whole", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
        expectError("shorter than the index, partial", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.read(Region(start: [1], count: [1])) }
        // An inner chunk of the wrong size.
        var short = stored
        patchIndex(&short, entry: 0, offset: 0, length: 3, entries: 2, crc: true)
        try s.set(key, short)
        expectError("inner chunk size, whole", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.readAll() }
        expectError("inner chunk size, partial", naming: ["mem/\(key)"], kind: .corrupt) { _ = try array.read(Region(start: [1], count: [1])) }
    }

    // MARK: Keys

    @Test(arguments: ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/./b", "a\\b", "..", "a/.."])
    func keysEscapingTheStoreAreRefused(_ key: String) throws {
        let dir = try TemporaryDirectory()
        let directory = try DirectoryStore(path: dir.sub("root"), create: true)
        let memory = MemoryStore(location: "mem")
        for s in [directory as any Store, memory] {
            expectError("get \(key)", naming: [s.location], kind: .invalidInput) { _ = try s.get(key) }
            expectError("range \(key)", naming: [s.location], kind: .invalidInput) { _ = try s.get(key, range: .bounded(offset: 0, length: 1)) }
            expectError("size \(key)", naming: [s.location], kind: .invalidInput) { _ = try s.size(of: key) }
            expectError("set \(key)", naming: [s.location], kind: .invalidInput) { try s.set(key, [1]) }
            expectError("delete \(key)", naming: [s.location], kind: .invalidInput) { try s.delete(key) }
            expectError("open array \(key)", naming: [s.location]) { _ = try ZarrArray.open(s, path: key) }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.sub("x")))
        #expect(try directory.keys(under: "").isEmpty)
    }

    @Test func symbolicLinkOutOfTheStoreIsRefused() throws {
        let dir = try TemporaryDirectory()
        let outside = dir.sub("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/x"))
        let root = dir.sub("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: outside)
        let s = try DirectoryStore(path: root)
        expectError("link escape", naming: [root], kind: .invalidInput) { _ = try s.get("link/x") }
        expectError("link escape write", naming: [root], kind: .invalidInput) { try s.set("link/y", [1]) }
        #expect(!FileManager.default.fileExists(atPath: outside + "/y"))
    }

    /// Found with the fuzz-metadata target: sizes near `Int.max` in metadata trapped on integer
    /// overflow when counting chunks (`ceilDiv`), sizing a shard's index, or bounding encoded
    /// chunk sizes. Opening, sizing and reading such arrays now works or throws.
    @Test(arguments: [
        #"{"zarr_format": 2, "shape": [9223372036854775807], "chunks": [2], "dtype": "|u1", "compressor": null, "fill_value": 0, "filters": null, "order": "C"}"#,
        #"{"zarr_format": 2, "shape": [9223372036854775807], "chunks": [9223372036854775807], "dtype": "|u1", "compressor": {"id": "zlib"}, "fill_value": 0, "filters": null, "order": "C"}"#,
        #"{"zarr_format": 3, "node_type": "array", "shape": [4611686018427387904], "data_type": "uint8", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4611686018427387904]}}, "fill_value": 0, "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [1], "codecs": [{"name": "bytes"}]}}]}"#,
    ])
    func hugeSizesInMetadataDoNotTrap(_ document: String) throws {
        let key = document.contains("\"zarr_format\": 3") ? "a/zarr.json" : "a/.zarray"
        let store = try store([key: document])
        let array = try ZarrArray.open(store, path: "a")
        #expect(array.grid.chunkCount >= 1)
        _ = array.codecs.encodedSizeBound(ChunkSpec(shape: array.metadata.chunkShape, dataType: .uint8, fill: array.fill))
        let last = array.grid.chunkCounts.map { $0 - 1 }
        try store.set(array.chunkKey(last), [UInt8](repeating: 0, count: 64))
        let corner = Region(start: array.shape.map { $0 - 1 }, count: array.shape.map { _ in 1 })
        _ = try? array.read(corner)
    }
}
