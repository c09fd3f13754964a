import Testing
@testable import CubeCore

/// The building blocks, against pangeo rechunker's published test vectors.
@Suite struct PlannerAlgorithmTests {
    // MARK: consolidateChunks

    @Test(arguments: [
        (4, 8, [1, 2]),     // same chunks in and out
        (4, 16, [1, 4]),    // double chunks on axis 1
        (4, 17, [1, 4]),    // no difference
        (4, 64, [2, 8]),    // start on axis 0
        (4, 256, [8, 8]),   // maximum size
        (4, 512, [8, 8]),   // cannot exceed the shape
        (8, 256, [4, 8]),
    ])
    func consolidateMatchesRechunker(itemSize: Int, maxBytes: Int, expected: [Int]) throws {
        let chunks = try RechunkPlanner.consolidateChunks(shape: [8, 8], chunks: [1, 2], itemSize: itemSize, maxBytes: maxBytes)
        #expect(chunks == expected)
    }

    @Test func consolidateInAGivenAxisOrder() throws {
        // Rechunker's chunk_limits (-1, None): only axis 0 grows.
        #expect(try RechunkPlanner.consolidateChunks(shape: [8, 8], chunks: [1, 2], itemSize: 4, maxBytes: 16, axisOrder: [0]) == [2, 2])
        #expect(try RechunkPlanner.consolidateChunks(shape: [8, 8], chunks: [1, 2], itemSize: 4, maxBytes: 32, axisOrder: [0]) == [4, 2])
        // Axis 0 first, then axis 1 with what is left.
        #expect(try RechunkPlanner.consolidateChunks(shape: [8, 8], chunks: [1, 2], itemSize: 4, maxBytes: 64, axisOrder: [0, 1]) == [8, 2])
    }

    @Test func consolidateARealisticFourDimensionalArray() throws {
        let shape = [1000, 50, 1800, 3600], chunks = [1, 5, 1800, 3600]
        #expect(try RechunkPlanner.consolidateChunks(shape: shape, chunks: chunks, itemSize: 4, maxBytes: 1_000_000_000) == [1, 35, 1800, 3600])
        #expect(try RechunkPlanner.consolidateChunks(shape: shape, chunks: chunks, itemSize: 4, maxBytes: 3_000_000_000) == [2, 50, 1800, 3600])
    }

    @Test func consolidatedChunksAreMultiplesOrWholeAxes() throws {
        for maxBytes in 8...400 {
            let grown = try RechunkPlanner.consolidateChunks(shape: [7, 10], chunks: [2, 3], itemSize: 1, maxBytes: maxBytes)
            #expect(ShapeMath.product(grown) <= maxBytes)
            #expect((grown[0] % 2 == 0 || grown[0] == 7) && (grown[1] % 3 == 0 || grown[1] == 10))
        }
    }

    @Test func consolidateRejectsAChunkOverTheLimit() {
        #expect(throws: CubeError(.invalidArgument, "a chunk [1, 2] of 4-byte items takes 8B, more than the 7B allowed")) {
            try RechunkPlanner.consolidateChunks(shape: [8, 8], chunks: [1, 2], itemSize: 4, maxBytes: 7)
        }
        #expect(throws: CubeError.self) {
            try RechunkPlanner.consolidateChunks(shape: [8, 8], chunks: [1, 2], itemSize: 4, maxBytes: 64, axisOrder: [1, 1])
        }
        #expect(throws: CubeError.self) {
            try RechunkPlanner.consolidateChunks(shape: [8, 8], chunks: [1], itemSize: 4, maxBytes: 64)
        }
    }

    // MARK: single-stage I/O operations

    @Test func splittingTwentyElementsBetweenChunksOfFiveAndSevenMakesSixPieces() {
        #expect(RechunkPlanner.singleStageIOOperations(shape: [20], readChunks: [5], writeChunks: [7]) == 6)
        #expect(RechunkPlanner.intersectionCount(length: 20, readChunk: 5, writeChunk: 7) == 6)
    }

    @Test(arguments: [
        ([6], [1], [6], 6), ([10], [1], [6], 10), ([6], [2], [3], 4), ([24], [2], [3], 16),
        ([10], [4], [5], 4), ([100], [4], [5], 40),
        ([100, 100], [1, 100], [100, 1], 10_000), ([100, 100], [1, 10], [10, 1], 10_000),
        ([100, 100], [20, 20], [25, 25], 64), ([50, 50], [20, 20], [25, 25], 16),
        ([100], [43], [100], 3), ([100], [43], [51], 4), ([100], [43], [40], 5),
        ([100], [43], [10], 12), ([100], [43], [1], 100),
    ])
    func ioOperationsMatchRechunker(shape: [Int], read: [Int], write: [Int], expected: Int) {
        #expect(RechunkPlanner.singleStageIOOperations(shape: shape, readChunks: read, writeChunks: write) == expected)
    }

    @Test func ioOperationsCountDistinctPairsOfChunks() {
        for n in 0...40 {
            for r in 1...13 {
                for w in 1...13 {
                    let pairs = Set((0..<n).map { [$0 / r, $0 / w] })
                    #expect(RechunkPlanner.intersectionCount(length: n, readChunk: r, writeChunk: w) == pairs.count)
                }
            }
        }
    }

    // MARK: stage chunks

    @Test(arguments: [
        ([100, 1], [1, 100], 1, [[Int]]()),
        ([100, 1], [1, 100], 2, [[10, 10]]),
        ([100, 1], [1, 100], 3, [[21, 4], [4, 21]]),
        ([1_000_000, 1], [1, 1_000_000], 2, [[1000, 1000]]),
        ([1_000_000, 1], [1, 1_000_000], 3, [[10000, 100], [100, 10000]]),
        ([1_000_000, 1], [1, 1_000_000], 4, [[31622, 31], [1000, 1000], [31, 31622]]),
        ([10, 10], [1, 100], 2, [[3, 31]]),
    ])
    func stageChunksMatchRechunker(read: [Int], write: [Int], stages: Int, expected: [[Int]]) {
        #expect(RechunkPlanner.stageChunks(from: read, to: write, stageCount: stages) == expected)
    }

    @Test func geometricPointsAreExactForHugeValues() {
        // (2^62)^(1/2) · 1 ... no overflow, exact floors.
        #expect(PlanMath.geometricPoint(1 << 62, 1, step: 1, of: 2) == 1 << 31)
        #expect(PlanMath.geometricPoint(Int.max, Int.max, step: 2, of: 3) == Int.max)
        #expect(PlanMath.geometricPoint(1, 1_000_000_000_000, step: 1, of: 3) == 10_000)
        #expect(PlanMath.geometricPoint(2, 9, step: 1, of: 2) == 4)  // √18 = 4.24
    }

    // MARK: the cost model

    @Test func codecBounds() {
        #expect(CodecCost.default.bound(255_000) == 255_000 + 1_000 + 64)
        #expect(CodecCost.blosc.bound(1000) == 1016)
        #expect(CodecCost.zstd.bound(1 << 20) == (1 << 20) + (1 << 12))
        #expect(CodecCost.uncompressed.bound(77) == 77)
        #expect(CodecCost.default.bound(Int.max) == Int.max)
        #expect(CodecCost(encodedBound: { _ in -5 }).bound(10) == 0)
    }

    @Test func alignedBlocksAreCommonMultiplesOrWholeAxes() {
        #expect(PlanEvaluator.alignedBlock(4, 6, length: 100) == 12)
        #expect(PlanEvaluator.alignedBlock(4, 6, length: 10) == 10)
        #expect(PlanEvaluator.alignedBlock(181, 10, length: 181) == 181)
        #expect(PlanEvaluator.alignedBlock(1, 2920, length: 2920) == 2920)
        // 2^40 and 3^25 are coprime: their lcm overflows, so the block spans the axis.
        #expect(PlanEvaluator.alignedBlock(1 << 40, 847_288_609_443, length: Int.max) == Int.max)
        #expect(PlanEvaluator.alignedBlock(Int.max / 2, Int.max / 3, length: Int.max) == Int.max - 1)
    }

    @Test func snappingKeepsNeighboursDividingOneAnother() {
        // Growing from a source chunk of 3 toward a target of 12: multiples of 3, and with
        // alignment, divisors of 12.
        #expect(CandidateGenerator.snapAxis(aims: [5, 11], growing: true, source: 3, target: 12, length: 100, alignEnds: false) == [3, 9])
        #expect(CandidateGenerator.snapAxis(aims: [5, 11], growing: true, source: 3, target: 12, length: 100, alignEnds: true) == [3, 6])
        // Shrinking toward a target of 10 from a source chunk of 181: multiples of 10.
        #expect(CandidateGenerator.snapAxis(aims: [45, 24], growing: false, source: 181, target: 10, length: 181, alignEnds: false) == [40, 20])
        // Reaching the axis means the whole axis.
        #expect(CandidateGenerator.snap(500, multipleOf: 7, alignedWith: nil, length: 300) == 300)
    }
}
