import CubeCLI
import CubeCore
import CubeTestSupport
import CubeZarr
import Foundation
import Testing

/// Two uncompressed Zarr stores of the same `t2m` (24 × 8 × 10 float32): one in map chunks
/// (1 × 8 × 10, 320 bytes), one in series chunks (24 × 4 × 5, 1920 bytes).
struct BenchStores {
    let directory: String
    var maps: String { directory + "/maps.zarr" }
    var series: String { directory + "/series.zarr" }
    static let shape = [24, 8, 10]

    init(format: ZarrFormat = .v3) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-bench-\(UUID().uuidString)").path
        try Self.write(directory + "/maps.zarr", format: format, chunks: [1, 8, 10])
        try Self.write(directory + "/series.zarr", format: format, chunks: [24, 4, 5])
    }

    static func write(_ path: String, format: ZarrFormat, chunks: [Int], shards: [Int]? = nil) throws {
        let store = try DirectoryStore(path: path, create: true)
        try ZarrNode(path: "", kind: .group(GroupMetadata(format: format))).write(to: store)
        var metadata = ArrayMetadata(format: format, shape: shape, chunkShape: chunks, dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: ["time", "lat", "lon"])
        try CodecSpec.none.apply(to: &metadata, shardShape: shards)
        let values = (0..<ShapeMath.product(shape)).map { Float($0) * 0.5 }
        try ZarrArray.create(store, path: "t2m", metadata: metadata)
            .write(try ArrayBuffer(dataType: .float32, shape: shape, bytes: values.withUnsafeBytes { Array($0) }), at: [0, 0, 0])
        try ConsolidatedMetadata.write(store)
    }
}

@Suite struct BenchCommandTests {
    /// The pattern entries of store `index` (1-based) in a JSON report, by pattern name.
    static func patterns(_ report: JSON, store index: Int) -> [String: JSON] {
        let array = report["arrays"]?.arrayValue?.first { $0["store"]?.intValue == index }
        return Dictionary((array?["patterns"]?.arrayValue ?? []).map { ($0["pattern"]?.stringValue ?? "", $0) },
                          uniquingKeysWith: { a, _ in a })
    }

    @Test func mapAndSeriesChunksAreComparedInJSON() throws {
        let stores = try BenchStores()
        let result = BenchCommand.runCapturing([stores.maps, stores.series, "--points", "4", "--box", "lat=2,lon=2",
                                                "--window", "4", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["schema"] == 1 && report["kind"] == "bench")
        #expect(report["settings"]?["points"] == 4 && report["settings"]?["cold"] == true)
        #expect(report["stores"]?.arrayValue?.map { $0["kind"] } == ["zarr", "zarr"])
        let maps = Self.patterns(report, store: 1), series = Self.patterns(report, store: 2)
        #expect(Set(maps.keys) == ["series", "slice", "box", "scan"])
        #expect(maps["series"]?["chunks_per_read"] == 24 && maps["series"]?["bytes_read_per_read"] == 7680)
        #expect(series["series"]?["chunks_per_read"] == 1 && series["series"]?["bytes_read_per_read"] == 1920)
        #expect(maps["slice"]?["chunks_per_read"] == 1 && maps["slice"]?["bytes_read_per_read"] == 320)
        #expect(series["slice"]?["chunks_per_read"] == 4 && series["slice"]?["bytes_read_per_read"] == 7680)
        #expect(maps["scan"]?["chunks_per_read"] == 24 && series["scan"]?["chunks_per_read"] == 4)
        #expect(maps["series"]?["reads"] == 4 && maps["scan"]?["reads"] == 1)
        #expect(maps["series"]?["read_shape"] == [24, 1, 1] && maps["box"]?["read_shape"] == [4, 2, 2])
        #expect(maps["series"]?["bytes_read_measured"] == true)
        #expect(maps["series"]?["seconds"]?.arrayValue?.count == 4)
        // Each timed read's regions: one 24×1×1 series per point, inside the 24×8×10 array.
        let points = try #require(maps["series"]?["points"]?.arrayValue)
        #expect(points.count == 4)
        for point in points {
            let regions = point.arrayValue ?? []
            #expect(regions.count == 1 && regions.first?["count"] == [24, 1, 1])
            let start = regions.first?["start"]?.arrayValue?.compactMap(\.intValue) ?? []
            #expect(start.count == 3 && start[0] == 0 && (0..<8).contains(start[1]) && (0..<10).contains(start[2]))
        }
        for key in ["median_seconds", "p95_seconds", "mean_seconds", "mb_per_second", "objects_per_read", "requests_per_read"] {
            #expect(maps["series"]?[key]?.numberValue != nil, "\(key)")
        }
        let comparisons = try #require(report["comparisons"]?.arrayValue)
        #expect(comparisons.count == 4)
        #expect(comparisons.allSatisfy { $0["store"] == 2 && $0["baseline"] == 1 && $0["median_ratio"]?.numberValue != nil })
    }

    /// Reading each region's chunks on several threads reads the same chunks and bytes.
    @Test func jobsReadTheSameChunks() throws {
        let stores = try BenchStores()
        var reports: [JSON] = []
        for jobs in ["1", "3"] {
            let result = BenchCommand.runCapturing([stores.maps, "--points", "3", "--json", "--jobs", jobs])
            #expect(result.status == 0, "\(result.stderr)")
            reports.append(try JSON.parse(result.stdout))
        }
        #expect(reports[0]["settings"]?["jobs"] == 1 && reports[1]["settings"]?["jobs"] == 3)
        let one = Self.patterns(reports[0], store: 1), three = Self.patterns(reports[1], store: 1)
        for pattern in ["series", "slice", "box", "scan"] {
            for key in ["chunks_per_read", "bytes_read_per_read", "objects_per_read", "bytes_per_read"] {
                #expect(one[pattern]?[key] == three[pattern]?[key], "\(pattern) \(key)")
            }
        }
        #expect(BenchCommand.runCapturing([stores.maps, "--jobs", "0"]).status == 64)
    }

    @Test func seedsMakeTheSamePoints() throws {
        let stores = try BenchStores()
        func boxChunks(_ seed: String) throws -> JSON? {
            let run = BenchCommand.runCapturing([stores.series, "--patterns", "box", "--box", "lat=3,lon=3", "--window", "2",
                                                 "--points", "12", "--seed", seed, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            return Self.patterns(try JSON.parse(run.stdout), store: 1)["box"]?["chunks_per_read"]
        }
        let first = try boxChunks("11")
        #expect(first != nil)
        #expect(try boxChunks("11") == first)
    }

    @Test func csvHasOneRowPerStoreArrayAndPattern() throws {
        let stores = try BenchStores()
        let result = BenchCommand.runCapturing([stores.maps, stores.series, "--points", "2", "--csv", "--warm", "--repeat", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 2 * 4)
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.first == "store_index" && header.contains("median_seconds") && header.last == "median_ratio")
        for line in lines.dropFirst() { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == header.count) }
        let seriesOnMaps = try #require(lines.first { $0.hasPrefix("1,") && $0.contains(",t2m,series,") })
        let fields = seriesOnMaps.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(fields[header.firstIndex(of: "reads")!] == "4")
        #expect(fields[header.firstIndex(of: "chunks_per_read")!] == "24")
        #expect(fields[header.firstIndex(of: "median_ratio")!] == "")
        #expect(lines.contains { $0.hasPrefix("2,") && !$0.hasSuffix(",") })
    }

    @Test func textTableHasARowPerPatternAndRatios() throws {
        let stores = try BenchStores()
        let result = BenchCommand.runCapturing([stores.maps + "/t2m", stores.series + "/t2m", "--points", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        for needle in ["t2m  float32  time=24 × lat=8 × lon=10", "[1] chunks 1 × 8 × 10", "[2] chunks 24 × 4 × 5",
                       "series along time", "slice of time", "box 24×8×10", "scan", "[2]/[1]"] {
            #expect(result.stdout.contains(needle), "missing \(needle) in\n\(result.stdout)")
        }
        let seriesRow = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("series along time") })
        #expect(seriesRow.hasSuffix("×"))
    }

    @Test func zarrV2ShardedV3AndNetCDFInputsAreMeasured() throws {
        let v2 = try BenchStores(format: .v2)
        let sharded = v2.directory + "/sharded.zarr"
        try BenchStores.write(sharded, format: .v3, chunks: [4, 4, 5], shards: [24, 8, 10])
        let netcdf = PythonClients.path("fixtures/netcdf/nc4.nc")
        let result = BenchCommand.runCapturing([v2.maps, sharded, netcdf + "/t2m", "--points", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["stores"]?.arrayValue?.map { $0["format"] } == ["Zarr v2", "Zarr v3", "NetCDF netCDF-4"])
        #expect(Self.patterns(report, store: 1)["series"]?["chunks_per_read"] == 24)
        let shardedSeries = Self.patterns(report, store: 2)["series"]
        #expect(shardedSeries?["chunks_per_read"] == 6 && shardedSeries?["objects_per_read"] == 1)
        #expect(shardedSeries?["bytes_read_per_read"] == .int(Int64(6 * 320 + 24 * 16 + 4)))
        let arrays = try #require(report["arrays"]?.arrayValue)
        #expect(arrays[1]["shard_shape"] == [24, 8, 10] && arrays[1]["chunk_shape"] == [4, 4, 5])
        let nc = Self.patterns(report, store: 3)
        #expect(nc["series"]?["chunks_per_read"] == 3 && nc["slice"]?["chunks_per_read"] == 2)
        #expect(nc["series"]?["bytes_read_measured"] == false && nc["series"]?["requests_per_read"] == .null)
        // Different shapes are not compared.
        #expect(report["comparisons"]?.arrayValue?.allSatisfy { $0["store"] == 2 } == true)

        let fixture = BenchCommand.runCapturing([CLITestSupport.fixture("zarr2-v2.zarr"), "--array", "layout/sep_slash", "--points", "2"])
        #expect(fixture.status == 0, "\(fixture.stderr)")
        #expect(fixture.stdout.contains("layout/sep_slash  int16"))
        let shardFixture = BenchCommand.runCapturing([CLITestSupport.fixture("zarr3-v3.zarr") + "/sharding/index_end", "--points", "2"])
        #expect(shardFixture.status == 0, "\(shardFixture.stderr)")
        #expect(shardFixture.stdout.contains("in shards 4 × 6"))
    }

    @Test func suggestPrefersSeriesChunksForSeriesAndMapsForSlices() throws {
        func best(_ workload: String) throws -> [Int] {
            let run = BenchCommand.runCapturing(["--suggest", "--shape", "2920,181,360", "--dtype", "float32", "--dims", "time,lat,lon",
                                                 "--workload", workload, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let first = try JSON.parse(run.stdout)["arrays"]?.arrayValue?.first?["candidates"]?.arrayValue?.first
            return (first?["chunk_shape"]?.arrayValue ?? []).compactMap(\.intValue)
        }
        #expect(try best("series=1").first == 2920)
        #expect(try best("slice=1").first == 1)
        let seriesHeavy = try best("series=0.9,slice=0.1"), sliceHeavy = try best("series=0.1,slice=0.9")
        #expect(seriesHeavy[0] > sliceHeavy[0])

        let text = BenchCommand.runCapturing(["--suggest", "--shape", "2920,181,360", "--dtype", "float32", "--dims", "time,lat,lon",
                                              "--workload", "series=0.8,slice=0.2", "--top", "3", "--max-objects", "2000"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("predicted time per read = chunks × 1.00ms + bytes read / 200MB/s"))
        #expect(text.stdout.contains("to apply the best: cube-rechunk SOURCE -o OUTPUT.zarr --chunks time="))
        #expect(text.stdout.split(separator: "\n").filter { $0.hasPrefix("    ") && $0.contains(" × ") }.count == 3)
    }

    @Test func suggestFromAStoreRanksItsCurrentLayout() throws {
        let stores = try BenchStores()
        let run = BenchCommand.runCapturing([stores.maps, "--suggest", "--workload", "series=1", "--chunk-size", "2KiB", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let entry = try #require(try JSON.parse(run.stdout)["arrays"]?.arrayValue?.first)
        #expect(entry["path"] == "t2m" && entry["source"] == .string(stores.maps))
        #expect(entry["current"]?["chunk_shape"] == [1, 8, 10])
        #expect(entry["candidates"]?.arrayValue?.first?["chunk_shape"]?.arrayValue?.first == 24)
        #expect(entry["trial"] == .null)
        #expect(!FileManager.default.fileExists(atPath: stores.directory + "/out.zarr"))
    }

    @Test func trialRunsOnATinyShapeAndCleansUp() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cube-bench-trial-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let run = BenchCommand.runCapturing(["--suggest", "--trial", "--shape", "30,10,12", "--dtype", "float32", "--dims", "time,lat,lon",
                                             "--chunk-size", "4KiB", "--workload", "series=0.5,slice=0.5", "--points", "3",
                                             "--temp", scratch, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let trial = try #require(try JSON.parse(run.stdout)["arrays"]?.arrayValue?.first?["trial"])
        #expect(trial["sample_shape"] == [30, 10, 12] && trial["data"] == "synthetic")
        let candidates = try #require(trial["candidates"]?.arrayValue)
        #expect(candidates.map { $0["rank"] } == [1, 2, 3])
        for candidate in candidates {
            #expect(candidate["patterns"]?.arrayValue?.map { $0["pattern"] } == ["series", "slice"])
            #expect(candidate["measured_cost_seconds"]?.numberValue != nil)
            #expect((candidate["stored_bytes"]?.intValue ?? 0) > 0)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "trial stores must be deleted")

        let stores = try BenchStores()
        let fromStore = BenchCommand.runCapturing([stores.series, "--suggest", "--trial", "--chunk-size", "2KiB", "--points", "2",
                                                   "--temp", scratch])
        #expect(fromStore.status == 0, "\(fromStore.stderr)")
        #expect(fromStore.stdout.contains("trial: a 24 × 8 × 10 sample (7.5KiB, read from t2m)"))
        #expect(fromStore.stdout.contains("fastest on the sample: [#"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
    }

    @Test(arguments: [
        [String](),
        ["STORE", "--json", "--csv"],
        ["STORE", "--trial"],
        ["STORE", "--workload", "series=1"],
        ["STORE", "--points", "0"],
        ["STORE", "--patterns", "diagonal"],
        ["STORE", "--box", "lat=0"],
        ["--suggest"],
        ["--suggest", "--shape", "10,10"],
        ["--suggest", "--shape", "10,10", "--dtype", "float33"],
        ["--suggest", "--shape", "10,x", "--dtype", "float32"],
        ["--suggest", "--shape", "10,10", "--dtype", "float32", "--dims", "time"],
        ["STORE", "--suggest", "--shape", "10,10", "--dtype", "float32"],
        ["STORE", "--suggest", "--workload", "series=0"],
        ["STORE", "--suggest", "--csv"],
        ["STORE", "--along", "depth"],
        ["STORE", "--array", "tp"],
        ["STORE", "--box", "depth=3"],
        ["STORE/t2m", "--array", "t2m"],
    ])
    func usageErrorsExit64(arguments: [String]) throws {
        let stores = try BenchStores()
        let resolved = arguments.map { $0.replacingOccurrences(of: "STORE", with: stores.maps) }
        let result = BenchCommand.runCapturing(resolved)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func runtimeErrorsAreOneLineAndExit1() throws {
        let missing = BenchCommand.runCapturing(["/nonexistent/cube-bench.zarr"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "cube-bench: error: /nonexistent/cube-bench.zarr: no such file or directory\n")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-bench-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let empty = BenchCommand.runCapturing([directory])
        #expect(empty.status == 1)
        #expect(empty.stderr.hasPrefix("cube-bench: error: \(directory): no Zarr group or array here"))
        #expect(empty.stderr.split(separator: "\n").count == 1)
    }

    @Test func versionIsPrinted() {
        let result = BenchCommand.runCapturing(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "cube-bench \(cubeVersion)\n")
    }
}
