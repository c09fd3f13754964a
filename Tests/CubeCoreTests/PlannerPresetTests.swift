import Testing
@testable import CubeCore

/// `--for time-series | maps | balanced` chunk shapes.
@Suite struct PlannerPresetTests {
    static let mib4 = ChunkPreset.defaultTargetBytes

    @Test func timeSeriesTakesTheWholeTimeAxisAndSquareTiles() throws {
        let chunks = try RechunkPlanner.chunkPreset(shape: [2920, 181, 360], itemSize: 4, dimensions: ["time", "lat", "lon"],
                                                    preset: .timeSeries)
        #expect(chunks[0] == 2920)
        #expect(ShapeMath.product(chunks) * 4 <= Self.mib4)
        #expect(abs(chunks[1] - chunks[2]) <= 1)
        // As full as square-ish tiles allow: one more along either axis would not fit.
        #expect(2920 * (chunks[1] + 1) * chunks[2] * 4 > Self.mib4)
    }

    @Test func theTimeAxisIsFoundByName() throws {
        let chunks = try RechunkPlanner.chunkPreset(shape: [181, 360, 2920], itemSize: 4, dimensions: ["lat", "lon", "Time"],
                                                    preset: .timeSeries)
        #expect(chunks[2] == 2920)
        #expect(RechunkPlanner.timeAxis(dimensions: ["x", "y"]) == 0)
        #expect(RechunkPlanner.timeAxis(dimensions: []) == 0)
        #expect(try RechunkPlanner.chunkPreset(shape: [181, 360, 2920], itemSize: 4, dimensions: ["lat", "lon", "time"],
                                               preset: .maps) == [181, 360, 1])
    }

    @Test func aTimeSeriesLongerThanTheTargetStillSpansTime() throws {
        let chunks = try RechunkPlanner.chunkPreset(shape: [2_000_000, 50, 50], itemSize: 8, dimensions: [], preset: .timeSeries)
        #expect(chunks == [2_000_000, 1, 1])
    }

    @Test func mapsTakeOneStepAndWholeMapsWhenTheyFit() throws {
        #expect(try RechunkPlanner.chunkPreset(shape: [2920, 181, 360], itemSize: 4, dimensions: ["time", "lat", "lon"],
                                               preset: .maps) == [1, 181, 360])
        // A 20000×20000 float64 map is 3GiB: square tiles of 4MiB.
        #expect(try RechunkPlanner.chunkPreset(shape: [10, 20000, 20000], itemSize: 8, dimensions: [], preset: .maps)
                == [1, 724, 724])
    }

    @Test func evenTilesTakeShortAxesWholeAndShareTheRest() {
        #expect(RechunkPlanner.evenTile([3, 5000, 5000], maxElements: 1_000_000) == [3, 577, 577])
        #expect(RechunkPlanner.evenTile([10, 20], maxElements: 1_000) == [10, 20])
        #expect(RechunkPlanner.evenTile([7, 1000], maxElements: 50) == [7, 7])
        #expect(RechunkPlanner.evenTile([1000, 1000], maxElements: 0) == [1, 1])
        #expect(RechunkPlanner.evenTile([], maxElements: 10) == [])
    }

    static let balancedShapes: [[Int]] = [
        [2920, 181, 360], [8760, 721, 1440], [365, 180, 360], [100_000, 10, 10], [120, 1000, 1000],
        [1000, 50, 100, 200], [100_000, 500], [50, 4000, 4000], [2_000_000, 3, 3], [12, 12, 12],
    ]

    /// Balanced chunks: a time series and a map touch about the same number of chunks
    /// (within a factor of 2), near `√N` each, and the chunk stays within the target.
    @Test(arguments: balancedShapes)
    func balancedChunksServeSeriesAndMapsAlike(shape: [Int]) throws {
        for itemSize in [4, 8] {
            let chunks = try RechunkPlanner.chunkPreset(shape: shape, itemSize: itemSize, dimensions: [], preset: .balanced)
            let bytes = ShapeMath.product(chunks) * itemSize
            #expect(bytes <= Self.mib4)
            let series = (shape[0] + chunks[0] - 1) / chunks[0]
            let map = zip(shape, chunks).dropFirst().reduce(1) { $0 * (($1.0 + $1.1 - 1) / $1.1) }
            #expect(max(series, map) <= 2 * min(series, map), "\(shape) → \(chunks): series \(series), map \(map)")
            // Not wastefully small: the worse count is within 2× of √N (N = chunks of the target size).
            let n = (ShapeMath.product(shape) * itemSize + Self.mib4 - 1) / Self.mib4
            let root = RechunkPlanner.integerRoot(n, 2) + 1
            #expect(max(series, map) <= 2 * root, "\(shape) → \(chunks): series \(series), map \(map), √N ≈ \(root)")
        }
    }

    @Test func aSmallArrayIsOneChunkForEveryPreset() throws {
        #expect(try RechunkPlanner.chunkPreset(shape: [10, 20, 30], itemSize: 4, dimensions: [], preset: .balanced) == [10, 20, 30])
        #expect(try RechunkPlanner.chunkPreset(shape: [10, 20, 30], itemSize: 4, dimensions: [], preset: .timeSeries) == [10, 20, 30])
        #expect(try RechunkPlanner.chunkPreset(shape: [10, 20, 30], itemSize: 4, dimensions: [], preset: .maps) == [1, 20, 30])
    }

    @Test func oneDimensionalAndEmptyArrays() throws {
        #expect(try RechunkPlanner.chunkPreset(shape: [10_000_000], itemSize: 8, dimensions: ["time"], preset: .balanced) == [500_000])  // 20 equal chunks
        #expect(try RechunkPlanner.chunkPreset(shape: [10_000_000], itemSize: 8, dimensions: ["time"], preset: .timeSeries) == [10_000_000])
        #expect(try RechunkPlanner.chunkPreset(shape: [10_000_000], itemSize: 8, dimensions: ["time"], preset: .maps) == [1])
        #expect(try RechunkPlanner.chunkPreset(shape: [0, 5], itemSize: 8, dimensions: [], preset: .balanced) == [1, 5])
        #expect(try RechunkPlanner.chunkPreset(shape: [], itemSize: 8, dimensions: [], preset: .maps) == [])
    }

    @Test func theTargetSizeIsHonoured() throws {
        for preset in ChunkPreset.allCases {
            for target in [1 << 10, 1 << 16, 1 << 20, 64 << 20] {
                let chunks = try RechunkPlanner.chunkPreset(shape: [8760, 721, 1440], itemSize: 4, dimensions: [],
                                                            preset: preset, targetBytes: target)
                let bytes = ShapeMath.product(chunks) * 4
                if preset == .timeSeries {
                    #expect(chunks[0] == 8760)
                    #expect(bytes <= max(target, 8760 * 4))
                } else {
                    #expect(bytes <= target, "\(preset) \(target) → \(chunks)")
                }
            }
        }
    }

    @Test func presetNamesMatchTheCommandLine() {
        #expect(ChunkPreset(rawValue: "time-series") == .timeSeries)
        #expect(ChunkPreset.allCases.map(\.rawValue) == ["time-series", "maps", "balanced"])
    }

    @Test func invalidPresetArguments() {
        #expect(throws: CubeError.self) {
            try RechunkPlanner.chunkPreset(shape: [10, 10], itemSize: 4, dimensions: ["time"], preset: .maps)
        }
        #expect(throws: CubeError.self) {
            try RechunkPlanner.chunkPreset(shape: [10, -1], itemSize: 4, dimensions: [], preset: .maps)
        }
        #expect(throws: CubeError.self) {
            try RechunkPlanner.chunkPreset(shape: [10, 10], itemSize: 4, dimensions: [], preset: .maps, targetBytes: 0)
        }
    }
}
