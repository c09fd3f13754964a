import Foundation
import Testing
import CubeCLI
import CubeCore

@Suite struct InfoCommandTests {
    @Test(arguments: ["zarr2-v2.zarr", "zarr3-v2.zarr", "zarr3-v3.zarr", "zarr3-v3-unconsolidated.zarr"])
    func jsonCoversEveryArray(_ name: String) throws {
        let result = InfoCommand.runCapturing([CLITestSupport.fixture(name), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["schema"] == 1)
        let manifest = try CLITestSupport.readJSON(CLITestSupport.repositoryRoot.appendingPathComponent("fixtures/zarr/manifest.json").path)
        let expected = Set((manifest["arrays"]?.arrayValue ?? []).filter { $0["store"]?.stringValue == name }.compactMap { $0["path"]?.stringValue })
        let listed = Set((report["arrays"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue })
        #expect(!expected.isEmpty)
        #expect(listed == expected)
        #expect(report["consolidated"] == (name.contains("unconsolidated") ? "absent" : "current"))
    }

    @Test func accessCostsFollowTheLayout() throws {
        // A 3-d array with chunks (1, 4, 4) over shape (10, 8, 8): a series along time touches
        // 10 chunks, a map touches 4.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-info-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/t2m", withIntermediateDirectories: true)
        let zgroup: JSON = ["zarr_format": 2]
        try Data(zgroup.serializedBytes()).write(to: URL(fileURLWithPath: directory + "/.zgroup"))
        let zarray: JSON = ["zarr_format": 2, "shape": [10, 8, 8], "chunks": [1, 4, 4], "dtype": "<f4",
                            "compressor": nil, "fill_value": "NaN", "order": "C", "filters": nil]
        try Data(zarray.serializedBytes()).write(to: URL(fileURLWithPath: directory + "/t2m/.zarray"))
        let zattrs: JSON = ["_ARRAY_DIMENSIONS": ["time", "lat", "lon"], "units": "K"]
        try Data(zattrs.serializedBytes()).write(to: URL(fileURLWithPath: directory + "/t2m/.zattrs"))
        try Data(count: 64).write(to: URL(fileURLWithPath: directory + "/t2m/0.0.0"))

        let result = InfoCommand.runCapturing([directory, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let array = try #require(try JSON.parse(result.stdout)["arrays"]?.arrayValue?.first)
        #expect(array["dimensions"] == ["time", "lat", "lon"])
        #expect(array["objects_initialized"] == 1)
        #expect(array["objects_total"] == 40)
        #expect(array["stored_bytes"] == 64)
        #expect(array["attributes"] == ["units": "K"])
        let access = try #require(array["access"]?.arrayValue)
        #expect(access[0]["pattern"] == "series" && access[0]["dimension"] == "time" && access[0]["chunks"] == 10)
        #expect(access[1]["pattern"] == "slice" && access[1]["chunks"] == 4)
        #expect(access[0]["decoded_bytes"] == 640)

        let along = InfoCommand.runCapturing([directory, "--json", "--along", "lon"])
        let byLon = try #require(try JSON.parse(along.stdout)["arrays"]?.arrayValue?.first?["access"]?.arrayValue)
        #expect(byLon[0]["chunks"] == 2 && byLon[1]["chunks"] == 20)

        let text = InfoCommand.runCapturing([directory, "--attrs"])
        #expect(text.stdout.contains("array /t2m  float32 (time=10, lat=8, lon=8)"))
        #expect(text.stdout.contains("@units = \"K\""))

        let badDimension = InfoCommand.runCapturing([directory, "--along", "depth"])
        #expect(badDimension.status == 64)
        #expect(badDimension.stderr.contains("no array has a dimension named 'depth'"))
    }

    @Test func shardedArraysReportShards() throws {
        let result = InfoCommand.runCapturing([CLITestSupport.fixture("zarr3-v3.zarr"), "--json"])
        let arrays = try #require(try JSON.parse(result.stdout)["arrays"]?.arrayValue)
        let sharded = arrays.filter { $0["shard_shape"] != nil && $0["shard_shape"] != .null }
        #expect(!sharded.isEmpty)
        for array in sharded {
            #expect(array["chunk_shape"] != array["shard_shape"])
        }
    }

    @Test func notAStoreIsAOneLineError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = InfoCommand.runCapturing([directory])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("cube-info: error: \(directory): no Zarr group or array at the root"))
    }

    /// A v3 array document over `[4]` int32 with these codecs and data type.
    static func zarrJSON(codecs: String = #"[{"name": "bytes", "configuration": {"endian": "little"}}]"#,
                         dataType: String = #""int32""#) -> String {
        #"{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": \#(dataType), "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": \#(codecs)}"#
    }

    /// A v2 `.zarray` over `[4]` with this dtype and these filters.
    static func zarray(dtype: String = "<i4", filters: String = "null") -> String {
        #"{"zarr_format": 2, "shape": [4], "chunks": [2], "dtype": "\#(dtype)", "compressor": null, "fill_value": 0, "filters": \#(filters), "order": "C"}"#
    }

    /// Every node of a store that cube cannot read, with a word its reason must contain.
    static let unreadableV3: [(path: String, document: String?, reason: String)] = [
        ("no_serializer", zarrJSON(codecs: #"[{"name": "transpose", "configuration": {"order": [0]}}]"#), "no array→bytes codec"),
        ("two_serializers", zarrJSON(codecs: #"[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "vlen-utf8"}]"#),
         "more than one array→bytes codec"),
        ("unknown_codec", zarrJSON(codecs: #"[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "lzma9"}]"#),
         "unknown codec 'lzma9'"),
        ("unknown_type", zarrJSON(dataType: #""int128""#), "unknown data type 'int128'"),
        ("bad_json", #"{"zarr_format": 3, "node_type": "array", "#, "malformed JSON"),
        ("directory", nil, "zarr.json' is a directory"),
        ("sub/deep", zarrJSON(codecs: #"[{"name": "lzma9"}]"#), "unknown codec 'lzma9'"),
    ]

    /// A v3 store with a readable group `sub`, a readable array `good` and every node of
    /// ``unreadableV3``; with `consolidated`, the root records them all inline.
    static func unreadableV3Store(consolidated: Bool) throws -> String {
        var files = ["good/zarr.json": zarrJSON(), "sub/zarr.json": #"{"zarr_format": 3, "node_type": "group"}"#]
        var directories: [String] = []
        for node in unreadableV3 {
            if let document = node.document { files["\(node.path)/zarr.json"] = document } else { directories.append("\(node.path)/zarr.json") }
        }
        var root = #"{"zarr_format": 3, "node_type": "group", "attributes": {}}"#
        if consolidated {
            let entries = files.filter { !$0.key.hasPrefix("bad_json") }.map { key, value in
                "\"\(key.dropLast("/zarr.json".count))\": \(value)"
            }
            root = #"{"zarr_format": 3, "node_type": "group", "attributes": {}, "consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": {"#
                + entries.joined(separator: ", ") + "}}}"
        }
        files["zarr.json"] = root
        return try writeStore(files, directories: directories)
    }

    /// A fresh directory holding `files` (relative path → text) and empty `directories`.
    static func writeStore(_ files: [String: String], directories: [String] = []) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cube-info-\(UUID().uuidString)").path
        for directory in directories {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    /// Every unreadable node is marked with its reason in text and JSON, the readable ones
    /// are listed as before, and only --strict turns the marks into exit status 1.
    @Test(arguments: [false, true])
    func unreadableNodesAreMarkedNotDropped(consolidated: Bool) throws {
        let store = try Self.unreadableV3Store(consolidated: consolidated)
        let text = InfoCommand.runCapturing([store])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("array /good  int32"))
        #expect(text.stdout.contains("group /sub"))
        for node in Self.unreadableV3 {
            let line = text.stdout.split(separator: "\n").first { $0.hasPrefix("node /\(node.path)  unsupported: ") }
            #expect(line?.contains(node.reason) == true, "\(node.path): \(text.stdout)")
            #expect(!text.stdout.contains("array /\(node.path) "), "\(node.path) listed as if readable")
        }

        let json = InfoCommand.runCapturing([store, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSON.parse(json.stdout)
        #expect(report["arrays"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == ["good"])
        let unsupported = try #require(report["unsupported"]?.arrayValue)
        #expect(unsupported.compactMap { $0["path"]?.stringValue } == Self.unreadableV3.map(\.path).sorted())
        for node in Self.unreadableV3 {
            let entry = unsupported.first { $0["path"]?.stringValue == node.path }
            #expect(entry?["reason"]?.stringValue?.contains(node.reason) == true, "\(node.path): \(json.stdout)")
        }

        for arguments in [[store, "--strict"], [store, "--strict", "--json"]] {
            let strict = InfoCommand.runCapturing(arguments)
            #expect(strict.status == 1, "\(arguments)")
            #expect(strict.stdout.contains("lzma9"), "the report is still printed")
        }
    }

    /// v2 object arrays without a `vlen-*` filter, unknown dtypes, unparsable and directory
    /// `.zarray` documents are marked the same way.
    @Test func unreadableV2NodesAreMarked() throws {
        let store = try Self.writeStore([
            ".zgroup": #"{"zarr_format": 2}"#,
            "good/.zarray": Self.zarray(),
            "object/.zarray": Self.zarray(dtype: "|O"),
            "strings/.zarray": Self.zarray(dtype: "|O", filters: #"[{"id": "vlen-utf8"}]"#),
            "quad/.zarray": Self.zarray(dtype: "<f16"),
            "broken/.zarray": "{\"zarr_format\": 2,",
        ], directories: ["folder/.zarray"])
        let json = InfoCommand.runCapturing([store, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSON.parse(json.stdout)
        #expect(report["arrays"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == ["good", "strings"])
        let reasons = Dictionary(uniqueKeysWithValues: (report["unsupported"]?.arrayValue ?? []).compactMap { entry in
            entry["path"]?.stringValue.map { ($0, entry["reason"]?.stringValue ?? "") }
        })
        #expect(reasons.keys.sorted() == ["broken", "folder", "object", "quad"])
        #expect(reasons["object"]?.contains("vlen-utf8") == true)
        #expect(reasons["quad"]?.contains("unknown data type '<f16'") == true)
        #expect(reasons["broken"]?.contains("malformed JSON") == true)
        #expect(reasons["folder"]?.contains(".zarray' is a directory") == true)
        #expect(InfoCommand.runCapturing([store, "--strict"]).status == 1)
        #expect(InfoCommand.runCapturing([CLITestSupport.fixture("zarr2-v2.zarr"), "--strict"]).status == 0)
    }

    @Test func versionIsPrinted() {
        let result = InfoCommand.runCapturing(["--version"])
        #expect(result.status == 0)
        #expect(ConvertCommand.runCapturing(["--version"]).stdout.hasPrefix("cube-convert "))
    }
}
