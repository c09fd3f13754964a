import CubeCore
import CubeEngine
import CubeZarr
import Foundation

/// Small uncompressed stores for the bench tests, so bytes read are exact: `t2m` of
/// 24 × 8 × 10 float32 (`time`, `lat`, `lon`) in the layout asked for.
enum BenchFixtures {
    static let shape = [24, 8, 10]
    static let dimensions = ["time", "lat", "lon"]
    /// One time step per chunk: 320 bytes each.
    static let mapChunks = [1, 8, 10]
    /// The whole series of a 4 × 5 tile: 1920 bytes each.
    static let seriesChunks = [24, 4, 5]

    /// A store at a fresh temporary path with `t2m` chunked `chunks` (sharded into `shards` if
    /// given), no compression, and a 1-d `time` coordinate.
    static func store(format: ZarrFormat = .v3, chunks: [Int], shards: [Int]? = nil) throws -> String {
        let path = temporaryPath("bench.zarr")
        let store = try DirectoryStore(path: path, create: true)
        try ZarrNode(path: "", kind: .group(GroupMetadata(format: format))).write(to: store)
        var metadata = ArrayMetadata(format: format, shape: shape, chunkShape: chunks, dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: dimensions)
        try CodecSpec.none.apply(to: &metadata, shardShape: shards)
        let array = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        let values = (0..<ShapeMath.product(shape)).map { Float($0) }
        try array.write(try ArrayBuffer(dataType: .float32, shape: shape, bytes: values.withUnsafeBytes { Array($0) }),
                        at: [0, 0, 0])
        var time = ArrayMetadata(format: format, shape: [24], chunkShape: [24], dataType: .float64, fillValueJSON: "NaN",
                                 dimensionNames: ["time"])
        try CodecSpec.none.apply(to: &time)
        let coordinate = try ZarrArray.create(store, path: "time", metadata: time)
        try coordinate.write(try ArrayBuffer(dataType: .float64, shape: [24],
                                             bytes: (0..<24).map { Double($0) }.withUnsafeBytes { Array($0) }), at: [0])
        return path
    }

    /// Settings with few points and a small box, cold.
    static func settings(points: Int = 5, seed: UInt64 = 1) -> BenchSettings {
        var settings = BenchSettings()
        settings.points = points
        settings.seed = seed
        settings.box = ["lat": 2, "lon": 2]
        settings.window = 4
        return settings
    }

    /// Measures the only array of `path` (`t2m` unless named).
    static func measure(_ path: String, array: String = "t2m", settings: BenchSettings) throws -> [BenchPattern: BenchMeasurement] {
        let input = try BenchInput.open(path, array: array)
        let dropper = try PageCacheDropper(path: input.location)
        guard let first = input.arrays.first else { throw CubeError(.notFound, "no array", context: path) }
        let results = try BenchRunner.run(first, settings: settings, dropper: dropper)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.pattern, $0) })
    }
}

