import CubeCLI
import CubeCodecs
import CubeCore
import CubeZarr
import Foundation
import Testing

/// Small Zarr stores written with cube's own arrays, in a fresh temporary directory, whose
/// chunk files the tests then damage.
struct VerifyFixture {
    let root: String

    /// 4096 int32 values (a ramp, so no chunk is all fill value, and chunks compress).
    static let values = try? ArrayBuffer(dataType: .int32, shape: [4096], bytes: (0..<4096).flatMap { withUnsafeBytes(of: Int32($0 + 1).littleEndian, Array.init) })

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cube-verify-\(UUID().uuidString)").path
    }

    /// A store at `name` with a root group and, per entry, an array of 4096 int32 in 4 chunks
    /// with those codecs (2 per shard where given), written in full or only its first chunk.
    func store(_ name: String, format: ZarrFormat, arrays: [(path: String, codec: CodecSpec, shards: [Int]?, checksum: Bool, full: Bool)]) throws -> String {
        let path = root + "/" + name
        let store = try DirectoryStore(path: path, create: true)
        try ZarrNode(path: "", kind: .group(GroupMetadata(format: format))).write(to: store)
        let values = try #require(Self.values)
        for entry in arrays {
            var metadata = ArrayMetadata(format: format, shape: [4096], chunkShape: [1024], dataType: .int32, fillValueJSON: 0)
            try entry.codec.apply(to: &metadata, shardShape: entry.shards)
            if entry.checksum { metadata.codecs.append(["name": "crc32c"]) }
            let array = try ZarrArray.create(store, path: entry.path, metadata: metadata)
            try array.write(entry.full ? values : values.extracting(Region(start: [0], count: [1024])), at: [0])
        }
        return path
    }

    /// The bytes of the file at `path`.
    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Replaces the file at `path` with `bytes`.
    static func write(_ path: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// Inverts `count` bytes of the file at `path` from `offset` (from the end when negative).
    static func flip(_ path: String, at offset: Int, count: Int = 1) throws {
        var bytes = try read(path)
        let start = offset < 0 ? bytes.count + offset : offset
        for i in start..<(start + count) { bytes[i] ^= 0xFF }
        try write(path, bytes)
    }

    /// Cuts the file at `path` to `fraction` of its length.
    static func truncate(_ path: String, keeping fraction: Double) throws {
        let bytes = try read(path)
        try write(path, Array(bytes.prefix(Int(Double(bytes.count) * fraction))))
    }

    /// Makes the shard index entry `entry` of the shard at `path` (index at the end, with a
    /// crc32c) point past the shard's end, with a valid checksum.
    static func pointPastTheEnd(_ path: String, entry: Int, innerChunks: Int) throws {
        var bytes = try read(path)
        let indexStart = bytes.count - (16 * innerChunks + 4)
        let offset = UInt64(bytes.count - 8)
        withUnsafeBytes(of: offset.littleEndian) { bytes.replaceSubrange((indexStart + 16 * entry)..<(indexStart + 16 * entry + 8), with: $0) }
        let checksum = CRC32C.checksum(bytes[indexStart..<(bytes.count - 4)])
        withUnsafeBytes(of: checksum.littleEndian) { bytes.replaceSubrange((bytes.count - 4)..<bytes.count, with: $0) }
        try write(path, bytes)
    }
}

@Suite struct InfoVerifyTests {
    /// (key, kind) of every problem in a `--verify --json` report.
    static func problems(_ stdout: String) throws -> [String: String] {
        let report = try JSON.parse(stdout)
        return Dictionary(uniqueKeysWithValues: (report["verify"]?["problems"]?.arrayValue ?? []).compactMap { problem in
            problem["key"]?.stringValue.map { ($0, problem["kind"]?.stringValue ?? "") }
        })
    }

    @Test func damagedV3ChunksAreReportedByKeyAndKind() throws {
        let fixture = try VerifyFixture()
        let store = try fixture.store("v3.zarr", format: .v3, arrays: [
            ("zstd", .zstd(level: 3), nil, false, true),
            ("blosc", .blosc(cname: "lz4", clevel: 5, shuffle: "shuffle"), nil, false, true),
            ("crc", .zstd(level: 3), nil, true, true),
            ("sharded", .zstd(level: 3), [2048], false, true),
            ("sparse", .zstd(level: 3), nil, false, false),
        ])
        let clean = InfoCommand.runCapturing([store, "--verify", "--json", "-j", "2"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(try Self.problems(clean.stdout).isEmpty)

        try VerifyFixture.flip(store + "/zstd/c/1", at: 0, count: 4)
        try VerifyFixture.flip(store + "/blosc/c/0", at: 16, count: 4)
        try VerifyFixture.truncate(store + "/blosc/c/2", keeping: 0.5)
        try VerifyFixture.flip(store + "/crc/c/3", at: 5)
        try VerifyFixture.flip(store + "/sharded/c/0", at: -10)
        try VerifyFixture.pointPastTheEnd(store + "/sharded/c/1", entry: 1, innerChunks: 2)
        // A directory where a chunk should be is not a chunk left out.
        try FileManager.default.removeItem(atPath: store + "/zstd/c/2")
        try FileManager.default.createDirectory(atPath: store + "/zstd/c/2", withIntermediateDirectories: false)
        let expected = ["zstd/c/1": "corrupt", "zstd/c/2": "unreadable", "blosc/c/0": "corrupt", "blosc/c/2": "truncated",
                        "crc/c/3": "checksum", "sharded/c/0": "checksum", "sharded/c/1": "truncated"]

        let json = InfoCommand.runCapturing([store, "--verify", "--json", "--max-mem", "1MiB", "-j", "2"])
        #expect(json.status == 1, "\(json.stderr)")
        #expect(try Self.problems(json.stdout) == expected)
        let verify = try #require(try JSON.parse(json.stdout)["verify"])
        #expect(verify["arrays_checked"] == 5)
        let sparse = verify["arrays"]?.arrayValue?.first { $0["path"] == "sparse" }
        #expect(sparse?["chunks_absent"] == 3 && sparse?["chunks_read"] == 1, "absent chunks are counted, not problems")
        let details = (verify["problems"]?.arrayValue ?? []).compactMap { $0["detail"]?.stringValue }
        #expect(details.contains { $0.hasPrefix("shard index: crc32c checksum mismatch") }, "\(details)")
        #expect(details.contains { $0.hasPrefix("inner chunk [1]: bytes ") && $0.contains("reach past the end of the") }, "\(details)")

        let text = InfoCommand.runCapturing([store, "--verify", "-q"])
        #expect(text.status == 1)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == expected.count + 1)
        for (key, kind) in expected {
            #expect(lines.contains { $0.hasPrefix(kind) && $0.contains("  \(key)  ") }, "\(key) \(kind): \(text.stdout)")
        }
        #expect(lines.last?.hasPrefix("\(store): 5 arrays, ") == true)
        #expect(lines.last?.contains(": 7 problems; 4 chunks not stored, read as the fill value") == true, "\(lines.last ?? "")")
    }

    @Test func damagedV2ChunksAreReported() throws {
        let fixture = try VerifyFixture()
        let store = try fixture.store("v2.zarr", format: .v2, arrays: [
            ("blosc", .blosc(cname: "zstd", clevel: 5, shuffle: "bitshuffle"), nil, false, true),
            ("plain", .none, nil, false, true),
        ])
        #expect(InfoCommand.runCapturing([store, "--verify", "-q"]).status == 0)
        try VerifyFixture.truncate(store + "/blosc/1", keeping: 0.9)
        try VerifyFixture.write(store + "/plain/2", try VerifyFixture.read(store + "/plain/2") + [0, 0, 0, 0])
        try VerifyFixture.truncate(store + "/plain/3", keeping: 0.5)
        let result = InfoCommand.runCapturing([store, "--verify", "--json"])
        #expect(result.status == 1)
        #expect(try Self.problems(result.stdout) == ["blosc/1": "truncated", "plain/2": "mismatched", "plain/3": "truncated"])
    }

    /// A node that cannot be read is a problem for verification: nothing of it was checked.
    @Test func unreadableArraysFailVerification() throws {
        let fixture = try VerifyFixture()
        let store = try fixture.store("v3.zarr", format: .v3, arrays: [("zstd", .zstd(level: 3), nil, false, true)])
        try VerifyFixture.write(store + "/zstd/zarr.json", Array("{".utf8))
        let result = InfoCommand.runCapturing([store, "--verify", "--json"])
        #expect(result.status == 1)
        #expect(try Self.problems(result.stdout) == ["zstd/zarr.json": "unsupported"])
    }

    @Test(arguments: ["nc4.nc", "classic.nc", "plain.h5"])
    func netCDFAndHDF5FilesPassClean(_ name: String) throws {
        let file = CLITestSupport.repositoryRoot.appendingPathComponent("fixtures/netcdf/\(name)").path
        let result = InfoCommand.runCapturing([file, "--verify", "--json", "-j", "2"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let verify = try #require(try JSON.parse(result.stdout)["verify"])
        #expect((verify["arrays_checked"]?.intValue ?? 0) > 0)
        #expect((verify["chunks_read"]?.intValue ?? 0) > 0)
        #expect(verify["problems"] == [])
    }

    @Test(arguments: ["zarr2-v2.zarr", "zarr3-v2.zarr", "zarr3-v3.zarr", "zarr3-v3-unconsolidated.zarr"])
    func fixtureStoresPassClean(_ name: String) {
        let result = InfoCommand.runCapturing([CLITestSupport.fixture(name), "--verify", "-q"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(": no problems"))
    }

    @Test func listingOptionsDoNotGoWithVerify() {
        let result = InfoCommand.runCapturing([CLITestSupport.fixture("zarr3-v3.zarr"), "--verify", "--attrs"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--along and --attrs shape the listing"))
    }
}
