import Testing
@testable import CubeCore

// MARK: - ChunkGrid

@Suite struct ChunkGridTests {
    @Test func countsAndEdgeChunkRegions() throws {
        let grid = try ChunkGrid(shape: [10, 7], chunkShape: [4, 3])
        #expect(grid.rank == 2)
        #expect(grid.chunkCounts == [3, 3])
        #expect(grid.chunkCount == 9)
        #expect(grid.region(ofChunk: [0, 0]) == Region(start: [0, 0], count: [4, 3]))
        // Edge chunks are clipped to the array.
        #expect(grid.region(ofChunk: [2, 2]) == Region(start: [8, 6], count: [2, 1]))
        #expect(grid.region(ofChunk: [1, 2]) == Region(start: [4, 6], count: [4, 1]))
        #expect(grid.contains(chunk: [2, 2]))
        #expect(!grid.contains(chunk: [3, 0]))
        #expect(!grid.contains(chunk: [0, -1]))
        #expect(!grid.contains(chunk: [0]))
    }

    @Test func selectionsOfARegionCrossingChunks() throws {
        let grid = try ChunkGrid(shape: [10, 7], chunkShape: [4, 3])
        let selections = grid.selections(in: Region(start: [3, 2], count: [5, 4]))
        #expect(selections.map(\.chunk) == [[0, 0], [0, 1], [1, 0], [1, 1]])
        let first = selections[0]
        #expect(first.withinChunk == Region(start: [3, 2], count: [1, 1]))
        #expect(first.outputStart == [0, 0])
        #expect(!first.isComplete)
        let last = selections[3]
        #expect(last.withinChunk == Region(start: [0, 0], count: [4, 3]))
        #expect(last.outputStart == [1, 1])
        #expect(last.isComplete)
        // Every output element is covered exactly once.
        var covered = [Int](repeating: 0, count: 5 * 4)
        for s in selections {
            for i in 0..<s.withinChunk.count[0] {
                for j in 0..<s.withinChunk.count[1] {
                    covered[(s.outputStart[0] + i) * 4 + s.outputStart[1] + j] += 1
                }
            }
        }
        #expect(covered.allSatisfy { $0 == 1 })
    }

    @Test func edgeChunksAreCompleteWhenEverythingInsideTheArrayIsSelected() throws {
        let grid = try ChunkGrid(shape: [10, 7], chunkShape: [4, 3])
        let all = grid.selections(in: Region(shape: [10, 7]))
        #expect(all.count == 9)
        #expect(all.allSatisfy { $0.isComplete })
        let corner = try #require(all.last)
        #expect(corner.chunk == [2, 2])
        #expect(corner.withinChunk == Region(start: [0, 0], count: [2, 1]))
        #expect(corner.outputStart == [8, 6])
        // Missing the last row of the edge chunk makes it incomplete.
        let partial = grid.selections(in: Region(start: [8, 6], count: [1, 1]))
        #expect(partial.count == 1)
        #expect(partial[0].isComplete == false)
        let edgeOnly = grid.selections(in: Region(start: [8, 6], count: [2, 1]))
        #expect(edgeOnly.count == 1)
        #expect(edgeOnly[0].isComplete)
    }

    @Test func zeroDimensionalArrayHasOneChunk() throws {
        let grid = try ChunkGrid(shape: [], chunkShape: [])
        #expect(grid.chunkCount == 1)
        let selections = grid.selections(in: Region(shape: []))
        #expect(selections.count == 1)
        #expect(selections[0].chunk == [])
        #expect(selections[0].isComplete)
        #expect(selections[0].withinChunk == Region(start: [], count: []))
        var coords: [[Int]] = []
        grid.forEachChunkCoordinate { coords.append($0) }
        #expect(coords == [[]])
        #expect(grid.region(ofChunk: []) == Region(start: [], count: []))
    }

    @Test func zeroLengthDimensionsHaveNoChunks() throws {
        let grid = try ChunkGrid(shape: [0, 5], chunkShape: [2, 2])
        #expect(grid.chunkCounts == [0, 3])
        #expect(grid.chunkCount == 0)
        #expect(grid.selections(in: Region(shape: [0, 5])).isEmpty)
        var visited = 0
        grid.forEachChunkCoordinate { _ in visited += 1 }
        #expect(visited == 0)
        // An empty region of a non-empty grid selects nothing either.
        let other = try ChunkGrid(shape: [4, 4], chunkShape: [2, 2])
        #expect(other.selections(in: Region(start: [1, 1], count: [2, 0])).isEmpty)
    }

    @Test func forEachChunkCoordinateIsCOrder() throws {
        let grid = try ChunkGrid(shape: [3, 5], chunkShape: [2, 2])
        var coords: [[Int]] = []
        grid.forEachChunkCoordinate { coords.append($0) }
        #expect(coords == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]])
    }

    @Test func rejectsBadGrids() {
        #expect(throws: CubeError.self) { try ChunkGrid(shape: [4, 4], chunkShape: [2]) }
        #expect(throws: CubeError.self) { try ChunkGrid(shape: [4], chunkShape: [0]) }
        #expect(throws: CubeError.self) { try ChunkGrid(shape: [-1], chunkShape: [1]) }
        #expect(throws: CubeError.self) { try ChunkGrid(shape: [Int.max, Int.max], chunkShape: [1, 1]) }
    }

    /// Exhaustive check over small shapes: every region is covered exactly once and the
    /// complete flag agrees with a direct definition.
    @Test(arguments: [[5], [4], [1], [7, 3], [4, 6], [3, 2, 5]])
    func selectionsCoverEveryRegionExactlyOnce(_ shape: [Int]) throws {
        let chunkChoices = shape.map { n in Array(Set([1, 2, 3, max(n, 1), n + 1])).sorted() }
        for chunkShape in cartesian(chunkChoices) {
            let grid = try ChunkGrid(shape: shape, chunkShape: chunkShape)
            for region in allRegions(shape, maxPerAxis: 4) {
                var covered = [Int](repeating: 0, count: region.elementCount)
                let outStrides = ShapeMath.strides(region.count)
                for s in grid.selections(in: region) {
                    let chunkRegion = grid.region(ofChunk: s.chunk)
                    #expect(s.isComplete == (s.withinChunk.start.allSatisfy { $0 == 0 } && s.withinChunk.count == chunkRegion.count))
                    for index in allIndices(s.withinChunk.count) {
                        var out = 0
                        for axis in 0..<shape.count {
                            let global = chunkRegion.start[axis] + s.withinChunk.start[axis] + index[axis]
                            #expect(global - region.start[axis] == s.outputStart[axis] + index[axis])
                            out += (s.outputStart[axis] + index[axis]) * outStrides[axis]
                        }
                        covered[out] += 1
                    }
                }
                #expect(covered.allSatisfy { $0 == 1 }, "shape \(shape) chunks \(chunkShape) region \(region)")
            }
        }
    }
}

// MARK: - RegionCopy

/// One box copy between two C-ordered arrays.
struct CopyCase: Sendable, CustomTestStringConvertible {
    var sourceShape: [Int]
    var destinationShape: [Int]

    var testDescription: String { "\(sourceShape) → \(destinationShape)" }

    static let all: [CopyCase] = [
        CopyCase(sourceShape: [], destinationShape: []),
        CopyCase(sourceShape: [6], destinationShape: [6]),
        CopyCase(sourceShape: [6], destinationShape: [3]),
        CopyCase(sourceShape: [3, 4], destinationShape: [3, 4]),
        CopyCase(sourceShape: [3, 4], destinationShape: [2, 4]),
        CopyCase(sourceShape: [4, 3], destinationShape: [5, 2]),
        CopyCase(sourceShape: [2, 3, 4], destinationShape: [2, 3, 4]),
        CopyCase(sourceShape: [2, 3, 4], destinationShape: [3, 3, 4]),
        CopyCase(sourceShape: [3, 2, 4], destinationShape: [2, 2, 3]),
        CopyCase(sourceShape: [2, 2, 2, 3], destinationShape: [2, 2, 2, 3]),
        CopyCase(sourceShape: [2, 1, 3, 2], destinationShape: [3, 1, 3, 2]),
    ]
}

@Suite struct RegionCopyTests {
    /// Compares `forEachRun` with a naive per-element copy for every box that fits in
    /// both arrays at every pair of start positions.
    @Test(arguments: CopyCase.all)
    func matchesNaivePerElementCopy(_ c: CopyCase) {
        let rank = c.sourceShape.count
        var failures = 0
        var checked = 0
        defer { if failures == 0 { #expect(checked > 0) } }
        let maxCount = zip(c.sourceShape, c.destinationShape).map { min($0, $1) }
        // Non-empty boxes only (empty ones are covered by `zeroDimensionalAndEmptyCopies`).
        let source = (0..<ShapeMath.product(c.sourceShape)).map { $0 + 1 }
        for count in allIndices(maxCount).map({ $0.map { $0 + 1 } }) {
            for sourceStart in allIndices(zip(c.sourceShape, count).map { $0 - $1 + 1 }) {
                for destinationStart in allIndices(zip(c.destinationShape, count).map { $0 - $1 + 1 }) {
                    var expected = [Int](repeating: 0, count: ShapeMath.product(c.destinationShape))
                    let ss = ShapeMath.strides(c.sourceShape), ds = ShapeMath.strides(c.destinationShape)
                    for index in allIndices(count) {
                        var s = 0, d = 0
                        for axis in 0..<rank {
                            s += (sourceStart[axis] + index[axis]) * ss[axis]
                            d += (destinationStart[axis] + index[axis]) * ds[axis]
                        }
                        expected[d] = source[s]
                    }
                    var actual = [Int](repeating: 0, count: expected.count)
                    var runs = 0
                    var total = 0
                    RegionCopy.forEachRun(count: count, sourceShape: c.sourceShape, sourceStart: sourceStart,
                                          destinationShape: c.destinationShape, destinationStart: destinationStart) { s, d, n in
                        runs += 1
                        total += n
                        for k in 0..<n { actual[d + k] = source[s + k] }
                    }
                    // Plain comparisons: #expect per combination would dominate the run time.
                    let label = "count \(count) from \(sourceStart) to \(destinationStart)"
                    if actual != expected { Issue.record("wrong elements: \(label)"); failures += 1 }
                    if total != ShapeMath.product(count) { Issue.record("wrong total \(total): \(label)"); failures += 1 }
                    let expectedRuns = expectedRunCount(count: count, c.sourceShape, c.destinationShape)
                    if runs != expectedRuns { Issue.record("\(runs) runs, expected \(expectedRuns): \(label)"); failures += 1 }

                    // The byte-level copy agrees too.
                    let itemSize = 3
                    let sourceBytes = source.flatMap { v in (0..<itemSize).map { UInt8(truncatingIfNeeded: v * 7 + $0) } }
                    var destinationBytes = [UInt8](repeating: 0, count: expected.count * itemSize)
                    sourceBytes.withUnsafeBytes { src in
                        destinationBytes.withUnsafeMutableBytes { dst in
                            RegionCopy.copy(count: count, itemSize: itemSize, from: src, sourceShape: c.sourceShape,
                                            sourceStart: sourceStart, to: dst, destinationShape: c.destinationShape,
                                            destinationStart: destinationStart)
                        }
                    }
                    let expectedBytes = expected.flatMap { v in
                        (0..<itemSize).map { v == 0 ? 0 : UInt8(truncatingIfNeeded: v * 7 + $0) }
                    }
                    if destinationBytes != expectedBytes { Issue.record("wrong bytes: \(label)"); failures += 1 }
                    if failures > 10 { return }
                    checked += 1
                }
            }
        }
    }

    /// Splitting a box's last axis over several destinations in one pass gives each
    /// destination what a separate copy of its piece gives.
    @Test(arguments: [([7, 5, 9], [1, 0, 2], [3, 4, 7], [2, 1, 4]), ([6, 11], [2, 3], [4, 8], [3, 3, 2]),
                      ([13], [1], [12], [5, 5, 2]), ([4, 3, 2, 20], [1, 1, 0, 0], [2, 2, 2, 20], [10, 10])])
    func splittingTheLastAxisMatchesOneCopyPerPiece(sourceShape: [Int], start: [Int], count: [Int], lengths: [Int]) {
        for itemSize in [1, 2, 4, 8, 12] {
            let source = (0..<(ShapeMath.product(sourceShape) * itemSize)).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }
            var destinationShape = count
            destinationShape[count.count - 1] = lengths.max() ?? 0
            destinationShape[0] += 1  // destinations larger than the pieces keep their other bytes
            let byteCount = ShapeMath.product(destinationShape) * itemSize
            var split = lengths.map { _ in [UInt8](repeating: 0xEE, count: byteCount) }
            var expected = split
            var offset = 0
            for (i, length) in lengths.enumerated() {
                var piece = count
                piece[count.count - 1] = length
                var pieceStart = start
                pieceStart[count.count - 1] += offset
                source.withUnsafeBytes { src in
                    expected[i].withUnsafeMutableBytes { dst in
                        RegionCopy.copy(count: piece, itemSize: itemSize, from: src, sourceShape: sourceShape, sourceStart: pieceStart,
                                        to: dst, destinationShape: destinationShape, destinationStart: count.map { _ in 0 })
                    }
                }
                offset += length
            }
            let pointers = (0..<lengths.count).map { i in UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 8) }
            defer { pointers.forEach { $0.deallocate() } }
            for pointer in pointers { pointer.initializeMemory(as: UInt8.self, repeating: 0xEE, count: byteCount) }
            source.withUnsafeBytes { src in
                RegionCopy.copySplittingLastAxis(count: count, itemSize: itemSize, from: src, sourceShape: sourceShape,
                                                 sourceStart: start, to: pointers, lengths: lengths, destinationShape: destinationShape)
            }
            for i in lengths.indices {
                split[i] = Array(UnsafeRawBufferPointer(start: pointers[i], count: byteCount))
            }
            #expect(split == expected, "item size \(itemSize)")
        }
    }

    /// Runs expected when maximal: trailing axes copied whole in both arrays merge with the
    /// axis before them (defined independently of the implementation's loop).
    func expectedRunCount(count: [Int], _ source: [Int], _ destination: [Int]) -> Int {
        if count.contains(0) { return 0 }
        let rank = count.count
        if rank == 0 { return 1 }
        var firstMerged = rank - 1  // the outermost axis that is part of one run
        for axis in stride(from: rank - 1, to: 0, by: -1) {
            if count[axis] == source[axis] && count[axis] == destination[axis] {
                firstMerged = axis - 1
            } else {
                break
            }
        }
        return ShapeMath.product(Array(count[..<firstMerged]))
    }

    @Test func wholeArraysCopyInOneRun() {
        var runs: [[Int]] = []
        RegionCopy.forEachRun(count: [2, 3, 4], sourceShape: [2, 3, 4], sourceStart: [0, 0, 0],
                              destinationShape: [2, 3, 4], destinationStart: [0, 0, 0]) { runs.append([$0, $1, $2]) }
        #expect(runs == [[0, 0, 24]])
    }

    @Test func mergesWholeTrailingAxesOnly() {
        var runs: [[Int]] = []
        // Rows 1..2 of a 4×5 array: the last axis is whole, so one run of 10.
        RegionCopy.forEachRun(count: [2, 5], sourceShape: [4, 5], sourceStart: [1, 0],
                              destinationShape: [2, 5], destinationStart: [0, 0]) { runs.append([$0, $1, $2]) }
        #expect(runs == [[5, 0, 10]])
        runs = []
        // A column block: no merging.
        RegionCopy.forEachRun(count: [3, 2], sourceShape: [4, 5], sourceStart: [1, 2],
                              destinationShape: [3, 2], destinationStart: [0, 0]) { runs.append([$0, $1, $2]) }
        #expect(runs == [[7, 0, 2], [12, 2, 2], [17, 4, 2]])
        runs = []
        // Whole in the source but not in the destination: no merging either.
        RegionCopy.forEachRun(count: [2, 3], sourceShape: [2, 3], sourceStart: [0, 0],
                              destinationShape: [2, 4], destinationStart: [0, 1]) { runs.append([$0, $1, $2]) }
        #expect(runs == [[0, 1, 3], [3, 5, 3]])
    }

    @Test func zeroDimensionalAndEmptyCopies() {
        var runs: [[Int]] = []
        RegionCopy.forEachRun(count: [], sourceShape: [], sourceStart: [], destinationShape: [], destinationStart: []) {
            runs.append([$0, $1, $2])
        }
        #expect(runs == [[0, 0, 1]])
        runs = []
        RegionCopy.forEachRun(count: [2, 0], sourceShape: [2, 3], sourceStart: [0, 0],
                              destinationShape: [2, 3], destinationStart: [0, 0]) { runs.append([$0, $1, $2]) }
        #expect(runs.isEmpty)
    }
}

// MARK: - ArrayBuffer

@Suite struct ArrayBufferTests {
    @Test func extractAndCopyStrings() {
        let source = ArrayBuffer(dataType: .string, shape: [2, 3], storage: .strings(["a", "b", "c", "d", "e", "f"]))
        let part = source.extracting(Region(start: [0, 1], count: [2, 2]))
        #expect(part.strings == ["b", "c", "e", "f"])
        var target = ArrayBuffer(filledWith: .string("-"), dataType: .string, shape: [3, 3])
        target.copy(from: part, sourceStart: [0, 0], count: [2, 2], to: [1, 0])
        #expect(target.strings == ["-", "-", "-", "b", "c", "-", "e", "f", "-"])
        #expect(!target.isEntirely(.string("-")))
        #expect(ArrayBuffer(filledWith: .string("x"), dataType: .string, shape: [4]).isEntirely(.string("x")))
    }

    @Test func fillAndIsEntirely() throws {
        let fill = FillValue.element([1, 2, 3, 4])
        var buffer = ArrayBuffer(filledWith: fill, dataType: .int32, shape: [3, 5])
        #expect(buffer.bytes?.count == 60)
        #expect(buffer.isEntirely(fill))
        #expect(!buffer.isEntirely(.zero(for: .int32)))
        let one = try ArrayBuffer(dataType: .int32, shape: [1, 1], bytes: [9, 9, 9, 9])
        buffer.copy(from: one, sourceStart: [0, 0], count: [1, 1], to: [2, 4])
        #expect(!buffer.isEntirely(fill))
        #expect(buffer.bytes.map { Array($0[56..<60]) } == [9, 9, 9, 9])
        #expect(buffer.bytes.map { Array($0[52..<56]) } == [1, 2, 3, 4])
        #expect(FillValue.replicate([1, 2, 3], count: 5) == Array(repeating: [UInt8]([1, 2, 3]), count: 5).flatMap { $0 })
        #expect(FillValue.replicate([7], count: 3) == [7, 7, 7])
        #expect(FillValue.replicate([1, 2], count: 0) == [])
    }

    @Test func rawBytesMustMatchTheShape() {
        #expect(throws: CubeError.self) { try ArrayBuffer(dataType: .int16, shape: [3], bytes: [0, 0, 0, 0, 0]) }
        #expect(throws: CubeError.self) { try ArrayBuffer(dataType: .int16, shape: [Int.max, 2], bytes: []) }
    }
}

// MARK: - ByteCount

@Suite struct ByteCountTests {
    @Test(arguments: [
        ("256MiB", 268_435_456), ("1GB", 1_000_000_000), ("512M", 536_870_912), ("4096", 4096),
        ("1.5GiB", 1_610_612_736), ("10k", 10_240), ("10kB", 10_000), ("2T", 2_199_023_255_552),
        ("3tb", 3_000_000_000_000), (" 64 MiB ", 67_108_864), ("0", 0), ("7B", 7), ("1g", 1_073_741_824),
    ])
    func parses(_ text: String, _ bytes: Int) {
        #expect(ByteCount(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "abc", "MiB", "-5", "-1GB", "12XB", "1.5.5M", "1e3", "9999999T", "1 2", "0x10", ".", "5 M B"])
    func rejects(_ text: String) {
        #expect(ByteCount(parsing: text) == nil)
    }

    @Test func formats() {
        #expect(ByteCount(268_435_456).description == "256MiB")
        #expect(ByteCount(1_610_612_736).description == "1.5GiB")
        #expect(ByteCount(900).description == "900B")
        #expect(ByteCount(1024).description == "1KiB")
        #expect(ByteCount(1) < ByteCount(2))
        for text in ["256MiB", "1.5GiB", "900B", "3KiB"] {
            #expect(ByteCount(parsing: text)?.description == text)
        }
    }
}

// MARK: - ShapeMath and Region

@Suite struct ShapeMathTests {
    @Test func countsAndStrides() throws {
        #expect(try ShapeMath.elementCount([]) == 1)
        #expect(try ShapeMath.elementCount([3, 0, 5]) == 0)
        #expect(try ShapeMath.elementCount([3, 4, 5]) == 60)
        #expect(try ShapeMath.byteCount([3, 4], itemSize: 8) == 96)
        #expect(ShapeMath.strides([3, 4, 5]) == [20, 5, 1])
        #expect(ShapeMath.strides([]) == [])
        #expect(ShapeMath.ceilDiv(10, 4) == 3)
        #expect(ShapeMath.ceilDiv(0, 4) == 0)
        #expect(ShapeMath.ceilDiv(8, 4) == 2)
    }

    /// Found by fuzz-metadata: counting the chunks of an array of `Int.max` elements trapped.
    @Test func ceilDivAndChunkCountsDoNotOverflow() throws {
        #expect(ShapeMath.ceilDiv(Int.max, 2) == Int.max / 2 + 1)
        #expect(ShapeMath.ceilDiv(Int.max, Int.max) == 1)
        #expect(ShapeMath.ceilDiv(Int.max, 1) == Int.max)
        let grid = try ChunkGrid(shape: [Int.max], chunkShape: [2])
        #expect(grid.chunkCounts == [Int.max / 2 + 1])
        #expect(grid.contains(chunk: [Int.max / 2]))
        #expect(ShapeMath.saturatingSum(Int.max, 1) == Int.max)
        #expect(ShapeMath.saturatingProduct(Int.max / 2 + 1, 2) == Int.max)
        #expect(ShapeMath.saturatingProduct(3, 4) == 12)
    }

    @Test func overflowIsAnErrorNamingTheContext() throws {
        do {
            _ = try ShapeMath.elementCount([Int.max / 2 + 1, 2], context: "store/x/.zarray")
            Issue.record("expected an overflow error")
        } catch let error as CubeError {
            #expect(error.kind == .invalidInput)
            #expect(error.description.hasPrefix("store/x/.zarray: "))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: CubeError.self) { try ShapeMath.byteCount([Int.max / 4 + 1], itemSize: 4) }
        #expect(throws: CubeError.self) { try ShapeMath.byteCount([1 << 32, 1 << 31], itemSize: 2) }
        #expect(throws: CubeError.self) { try ShapeMath.elementCount([4, -1]) }
        #expect(try ShapeMath.byteCount([Int.max / 4], itemSize: 4) == (Int.max / 4) * 4)
        // A zero dimension makes any shape fit.
        #expect(try ShapeMath.byteCount([0, Int.max, Int.max], itemSize: 16) == 0)
    }

    @Test func regionValidation() throws {
        try Region(start: [1, 2], count: [3, 0]).validate(within: [4, 2])
        #expect(throws: CubeError.self) { try Region(start: [1, 2], count: [4, 0]).validate(within: [4, 2]) }
        #expect(throws: CubeError.self) { try Region(start: [-1], count: [1]).validate(within: [4]) }
        #expect(throws: CubeError.self) { try Region(start: [0], count: [1]).validate(within: [4, 4]) }
        #expect(throws: CubeError.self) { try Region(start: [Int.max], count: [Int.max]).validate(within: [4]) }
        #expect(Region(start: [1, 2], count: [3, 4]).description == "[1:4, 2:6]")
        #expect(Region(start: [1, 2], count: [3, 4]).end == [4, 6])
    }
}

// MARK: - Helpers

/// Every index of a box of `shape`, in C order (one empty index for rank 0).
func allIndices(_ shape: [Int]) -> [[Int]] {
    if shape.contains(where: { $0 <= 0 }) { return [] }
    var result: [[Int]] = []
    var index = [Int](repeating: 0, count: shape.count)
    while true {
        result.append(index)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
        if axis < 0 { return result }
    }
}

/// Every combination taking one value per axis.
func cartesian(_ choices: [[Int]]) -> [[Int]] {
    allIndices(choices.map(\.count)).map { index in index.enumerated().map { choices[$0.offset][$0.element] } }
}

/// Regions of an array of `shape` (all of them for small shapes; starts and counts
/// limited to `maxPerAxis` choices per axis otherwise), including empty ones.
func allRegions(_ shape: [Int], maxPerAxis: Int) -> [Region] {
    var perAxis: [[(Int, Int)]] = []
    for n in shape {
        var pairs: [(Int, Int)] = []
        for start in 0...n {
            for count in 0...(n - start) { pairs.append((start, count)) }
        }
        if pairs.count > maxPerAxis * maxPerAxis {
            let step = pairs.count / (maxPerAxis * maxPerAxis) + 1
            pairs = stride(from: 0, to: pairs.count, by: step).map { pairs[$0] } + [(0, n)]
        }
        perAxis.append(pairs)
    }
    return allIndices(perAxis.map(\.count)).map { index in
        Region(start: index.enumerated().map { perAxis[$0.offset][$0.element].0 },
               count: index.enumerated().map { perAxis[$0.offset][$0.element].1 })
    }
}
