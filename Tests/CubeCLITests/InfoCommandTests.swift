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

    @Test func versionIsPrinted() {
        let result = InfoCommand.runCapturing(["--version"])
        #expect(result.status == 0)
        #expect(ConvertCommand.runCapturing(["--version"]).stdout.hasPrefix("cube-convert "))
    }
}
