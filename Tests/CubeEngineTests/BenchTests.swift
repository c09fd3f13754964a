import CubeCore
import CubeEngine
import CubeZarr
import Foundation
import Testing

@Suite struct BenchPatternTests {
    let layout = BenchLayout(shape: BenchFixtures.shape, dimensions: BenchFixtures.dimensions, itemSize: 4,
                             chunkShape: BenchFixtures.mapChunks)

    @Test func splitMix64IsTheReferenceSequence() {
        // The first outputs of SplitMix64 seeded with 0, as in the reference implementation.
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
        var bounded = SplitMix64(seed: 42)
        for _ in 0..<1000 { #expect((0..<7).contains(bounded.index(below: 7))) }
    }

    @Test func pointsAreReproducibleFromTheSeed() throws {
        var settings = BenchFixtures.settings(points: 8, seed: 7)
        for pattern in BenchPattern.allCases {
            let first = try layout.reads(pattern, settings: settings)
            #expect(first == (try layout.reads(pattern, settings: settings)))
            for read in first {
                for region in read { try region.validate(within: layout.shape) }
            }
        }
        let seven = try layout.reads(.series, settings: settings)
        settings.seed = 8
        #expect(seven != (try layout.reads(.series, settings: settings)))
        // Another layout of the same shape is read at the same points.
        let other = BenchLayout(shape: layout.shape, dimensions: layout.dimensions, itemSize: 4, chunkShape: BenchFixtures.seriesChunks)
        #expect(try other.reads(.box, settings: settings) == (try layout.reads(.box, settings: settings)))
    }

    @Test func readShapesFollowTheSettings() throws {
        var settings = BenchSettings()
        #expect(try layout.readShape(.series, settings: settings) == [24, 1, 1])
        #expect(try layout.readShape(.slice, settings: settings) == [1, 8, 10])
        // Default box: 10 along the others (clipped), a window of 30 (clipped).
        #expect(try layout.readShape(.box, settings: settings) == [24, 8, 10])
        settings.box = ["lat": 3, "lon": -1]
        settings.window = 5
        #expect(try layout.readShape(.box, settings: settings) == [5, 3, 10])
        settings.along = "lon"
        #expect(try layout.readShape(.series, settings: settings) == [1, 1, 10])
        #expect(try layout.readShape(.box, settings: settings) == [10, 3, 5])
        settings.along = "depth"
        #expect(throws: CubeError.self) { try layout.readShape(.series, settings: settings) }
        #expect(try layout.reads(.scan, settings: BenchSettings()).first?.count == 24)
        // One chunk is read whole; contiguous data in slabs of at most 16 MiB.
        let single = BenchLayout(shape: [3000, 1000, 1000], dimensions: ["time", "y", "x"], itemSize: 4, chunkShape: [3000, 1000, 1000])
        #expect(try single.reads(.scan, settings: BenchSettings()).first?.count == 1)
        var contiguous = single
        contiguous.contiguous = true
        let slabs = try #require(try contiguous.reads(.scan, settings: BenchSettings()).first)
        #expect(slabs.count == 750 && slabs.allSatisfy { $0.count == [4, 1000, 1000] })
        #expect(try BenchPattern.parseList("scan,series") == [.series, .scan])
        #expect(throws: CubeError.self) { try BenchPattern.parseList("series,diagonal") }
    }

    @Test func axisCostIsTheExactAverage() {
        // n=10, chunks of 4, windows of 3 at starts 0...7: 1,1,2,2,1,1,2,2 chunks covering
        // 4,4,8,8,4,4,6,6 elements.
        let cost = ChunkAdvisor.axisCost(length: 10, chunk: 4, window: 3)
        #expect(cost.chunks == 1.5)
        #expect(cost.covered == 5.5)
        #expect(ChunkAdvisor.axisCost(length: 10, chunk: 4, window: 10) == (3, 10))
        #expect(ChunkAdvisor.axisCost(length: 10, chunk: 1, window: 1) == (1, 1))
    }
}

@Suite struct BenchMeasureTests {
    /// The classic trade-off, counted: a series touches every map chunk and one series chunk;
    /// a slice one map chunk and every tile of the series layout.
    @Test func mapAndSeriesChunksTradeSeriesAgainstSlices() throws {
        let settings = BenchFixtures.settings()
        let maps = try BenchFixtures.measure(try BenchFixtures.store(chunks: BenchFixtures.mapChunks), settings: settings)
        let series = try BenchFixtures.measure(try BenchFixtures.store(chunks: BenchFixtures.seriesChunks), settings: settings)

        let m = try #require(maps[.series]), s = try #require(series[.series])
        #expect(m.reads == 5 && m.perRead(m.chunks) == 24 && m.perRead(m.objects) == 24)
        #expect(m.bytesRead == 5 * 24 * 320 && m.bytesReadMeasured)
        #expect(s.perRead(s.chunks) == 1 && s.perRead(s.objects) == 1 && s.bytesRead == 5 * 1920)
        #expect(m.bytesReturned == 5 * 24 * 4 && s.bytesReturned == m.bytesReturned)

        let mapSlice = try #require(maps[.slice]), seriesSlice = try #require(series[.slice])
        #expect(mapSlice.perRead(mapSlice.chunks) == 1 && mapSlice.bytesRead == 5 * 320)
        #expect(seriesSlice.perRead(seriesSlice.chunks) == 4 && seriesSlice.bytesRead == 5 * 4 * 1920)

        // The box (window 4 × 2 × 2) touches 4 map chunks, and 1 to 4 tiles depending on the point.
        let mapBox = try #require(maps[.box]), seriesBox = try #require(series[.box])
        #expect(mapBox.perRead(mapBox.chunks) == 4 && mapBox.bytesRead == 5 * 4 * 320)
        #expect((1...4).contains(seriesBox.perRead(seriesBox.chunks)))
        #expect(Double(seriesBox.bytesRead ?? 0) == Double(seriesBox.chunks) * 1920)

        let mapScan = try #require(maps[.scan]), seriesScan = try #require(series[.scan])
        #expect(mapScan.reads == 1 && mapScan.chunks == 24 && mapScan.bytesRead == 7680)
        #expect(seriesScan.chunks == 4 && seriesScan.bytesRead == 7680 && seriesScan.requests == 4)
    }

    @Test func predictionsMatchWhatIsCounted() throws {
        let settings = BenchFixtures.settings()
        for chunks in [BenchFixtures.mapChunks, BenchFixtures.seriesChunks] {
            let measured = try BenchFixtures.measure(try BenchFixtures.store(chunks: chunks), settings: settings)
            var request = SuggestRequest(shape: BenchFixtures.shape, dimensions: BenchFixtures.dimensions, dataType: .float32)
            request.settings = settings
            for pattern in [BenchPattern.series, .slice, .scan] {
                let predicted = try ChunkAdvisor.predict(pattern, request: request, chunks: chunks, weight: 1)
                let m = try #require(measured[pattern])
                #expect(predicted.chunks == m.perRead(m.chunks), "\(pattern) on \(chunks)")
                #expect(predicted.bytesRead == m.perRead(m.bytesRead ?? -1), "\(pattern) on \(chunks)")
            }
        }
    }

    @Test func zarrV2IsCountedTheSameWay() throws {
        let measured = try BenchFixtures.measure(try BenchFixtures.store(format: .v2, chunks: BenchFixtures.mapChunks),
                                                 settings: BenchFixtures.settings())
        let series = try #require(measured[.series])
        #expect(series.perRead(series.chunks) == 24 && series.perRead(series.bytesRead ?? 0) == 24 * 320)
    }

    /// Sharded: inner chunks decoded and shards touched, and the bytes of the index and of the
    /// inner chunks read by range.
    @Test func shardedArraysCountInnerChunksAndShards() throws {
        // Inner chunks 4 × 4 × 5 (320 bytes) in one 24 × 8 × 10 shard of 6 × 2 × 2 inner chunks;
        // its index holds 24 entries of 16 bytes and a crc32c.
        let path = try BenchFixtures.store(chunks: [4, 4, 5], shards: [24, 8, 10])
        let measured = try BenchFixtures.measure(path, settings: BenchFixtures.settings())
        let index = 24 * 16 + 4
        let series = try #require(measured[.series])
        #expect(series.perRead(series.chunks) == 6 && series.perRead(series.objects) == 1)
        #expect(series.perRead(series.bytesRead ?? 0) == Double(index + 6 * 320))
        #expect(series.perRead(series.requests ?? 0) == 7)
        let slice = try #require(measured[.slice])
        #expect(slice.perRead(slice.chunks) == 4 && slice.perRead(slice.objects) == 1)
        #expect(slice.perRead(slice.bytesRead ?? 0) == Double(index + 4 * 320))
        let scan = try #require(measured[.scan])
        #expect(scan.chunks == 24 && scan.objects == 1 && scan.requests == 1)
        #expect(scan.bytesRead == 24 * 320 + index)

        let input = try BenchInput.open(path + "/t2m")
        #expect(input.arrays.map(\.path) == ["t2m"])
        #expect(input.arrays.first?.shardShape == [24, 8, 10])
        #expect(input.arrays.first?.layout.chunkShape == [4, 4, 5])
    }

    @Test func netCDFVariablesUseTheChunkGrid() throws {
        let file = DatasetOpenerTests.nc4
        let measured = try BenchFixtures.measure(file, settings: BenchFixtures.settings())
        // t2m is 3 × 4 × 5 in chunks of 1 × 2 × 5.
        let series = try #require(measured[.series]), slice = try #require(measured[.slice]), scan = try #require(measured[.scan])
        #expect(series.perRead(series.chunks) == 3 && slice.perRead(slice.chunks) == 2 && scan.chunks == 6)
        #expect(series.requests == nil && !series.bytesReadMeasured)
        #expect(scan.bytesRead != nil)
        let whole = try BenchInput.open(file)
        #expect(whole.kind == .netcdf)
        #expect(whole.arrays.allSatisfy { $0.layout.shape.count >= 2 })
        #expect(whole.arrays.contains { $0.path == "forecast/t2m" })
        #expect(throws: CubeError.self) { try BenchInput.open(file, array: "nothing") }
        #expect(try BenchInput.open(file + "/t2m").arrays.map(\.path) == ["t2m"])
    }

    @Test func storesSelectArraysOfTwoOrMoreDimensions() throws {
        let path = try BenchFixtures.store(chunks: BenchFixtures.mapChunks)
        #expect(try BenchInput.open(path).arrays.map(\.path) == ["t2m"])
        #expect(try BenchInput.open(path, array: "time").arrays.map(\.path) == ["time"])
        let missing = #expect(throws: CubeError.self) { try BenchInput.open(path, array: "tp") }
        #expect(missing?.kind == .invalidArgument)
        #expect(try PageCacheDropper(path: path).files.count >= 4)
    }

    @Test func warmReadsCountTheSame() throws {
        var settings = BenchFixtures.settings(points: 3)
        settings.cold = false
        settings.repeats = 2
        let measured = try BenchFixtures.measure(try BenchFixtures.store(chunks: BenchFixtures.mapChunks), settings: settings)
        let series = try #require(measured[.series])
        #expect(series.reads == 6 && series.perRead(series.chunks) == 24)
    }
}

@Suite struct BenchSuggestTests {
    func best(_ workload: String, shape: [Int] = [2920, 181, 360]) throws -> ChunkCandidate {
        var request = SuggestRequest(shape: shape, dimensions: ["time", "lat", "lon"], dataType: .float32)
        request.workload = try Workload(parsing: workload)
        return try #require(try ChunkAdvisor.suggest(request).ranked.first)
    }

    @Test func seriesHeavyWorkloadsGetSeriesShapedChunksAndSliceHeavyOnesMaps() throws {
        #expect(try best("series=1").chunkShape[0] == 2920)
        #expect(try best("slice=1").chunkShape[0] == 1)
        let seriesHeavy = try best("series=0.8,slice=0.2"), sliceHeavy = try best("series=0.2,slice=0.8")
        #expect(seriesHeavy.chunkShape[0] > sliceHeavy.chunkShape[0])
        #expect(seriesHeavy.chunkShape[1] * seriesHeavy.chunkShape[2] < sliceHeavy.chunkShape[1] * sliceHeavy.chunkShape[2])
        // A scan favours the largest chunks.
        #expect(try best("scan=1").chunkBytes > 3 << 20)
    }

    @Test func candidatesStayWithinTheLimits() throws {
        var request = SuggestRequest(shape: [2920, 181, 360], dimensions: ["time", "lat", "lon"], dataType: .float32)
        request.maxObjects = 500
        request.chunkBytes = 2 << 20
        request.currentChunks = [1, 181, 360]
        let suggestion = try ChunkAdvisor.suggest(request)
        #expect(!suggestion.ranked.isEmpty && suggestion.excluded > 0)
        for candidate in suggestion.ranked {
            #expect(candidate.objects <= 500)
            #expect(candidate.chunkBytes <= 2 << 20)
            #expect(candidate.predictions.map(\.pattern) == [.series, .slice])
        }
        #expect(zip(suggestion.ranked, suggestion.ranked.dropFirst()).allSatisfy { $0.cost <= $1.cost })
        #expect(suggestion.current?.candidate.origin == "current")
        let origins = Set(suggestion.ranked.map { $0.origin.split(separator: " ").first.map(String.init) ?? "" })
        #expect(origins.isSuperset(of: ["grid"]))
        request.maxObjects = 1
        request.chunkBytes = 1 << 20
        #expect(throws: CubeError.self) { try ChunkAdvisor.suggest(request) }
    }

    @Test func workloadsParseAndNormalize() throws {
        let workload = try Workload(parsing: "series=3,slice=1,box=0")
        #expect(workload.weight(.series) == 0.75 && workload.weight(.slice) == 0.25 && workload.patterns == [.series, .slice])
        for bad in ["series", "series=-1", "diagonal=1", "series=0", "series=1,series=2"] {
            #expect(throws: CubeError.self) { try Workload(parsing: bad) }
        }
    }

    @Test func trialWritesMeasuresAndDeletes() throws {
        var request = SuggestRequest(shape: [40, 12, 12], dimensions: ["time", "lat", "lon"], dataType: .int16)
        request.chunkBytes = 2048
        request.workload = try Workload(parsing: "series=1,scan=0.1")
        let suggestion = try ChunkAdvisor.suggest(request)
        let scratch = temporaryPath("trial")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var settings = BenchSettings()
        settings.points = 3
        let trial = try ChunkTrial.run(suggestion, source: nil, settings: settings, sampleLimit: 4096, temporaryDirectory: scratch)
        #expect(trial.outcomes.count == 3)
        #expect(ShapeMath.product(trial.sampleShape) * 2 <= 4096)
        for outcome in trial.outcomes {
            #expect(outcome.result.measurements.map(\.pattern) == [.series, .scan])
            let layout = outcome.result.array.layout
            let series = try #require(outcome.result.measurements.first)
            #expect(series.perRead(series.chunks) == Double(ShapeMath.ceilDiv(layout.shape[0], layout.chunkShape[0])))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
    }

    @Test func syntheticDataIsDeterministic() throws {
        for type in DataType.numericTypes {
            let a = try ChunkTrial.synthetic(type, shape: [3, 4], seed: 5)
            #expect(a == (try ChunkTrial.synthetic(type, shape: [3, 4], seed: 5)))
            #expect(a.bytes?.count == 12 * type.itemSize)
        }
        #expect(ChunkTrial.sampleShape([2920, 181, 360], itemSize: 4, limit: 64 << 20).reduce(4, *) <= 64 << 20)
        #expect(ChunkTrial.sampleShape([10, 10], itemSize: 4, limit: 1 << 20) == [10, 10])
    }
}
