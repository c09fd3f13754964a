/// RegionCopy: the box-copy kernel that moves decoded data between chunks and blocks,
/// `ArrayBuffer.copy(from:sourceStart:count:to:)` over `RegionCopy.copy` (CubeCore), in the
/// shapes of a map-chunks → time-series rechunk.
///
/// - **map chunks → series block**: fill a 2500×10×10 float32 time-series block with one
///   1×10×10 box from each of 2500 map chunks of the reanalysis grid (1×181×360, cycling
///   through 16 of them): 2500 calls of ten 40-byte runs, the kernel's worst case.
/// - **map chunks → contiguous block**: put 16 map chunks 1×125×125 whole into a 16×125×125
///   block, as reading a block of source chunks does: one 62,500-byte run per call.
/// - **block → series chunks**: cut that 16×125×125 block into its 169 series chunks
///   16×10×10 (the edge ones 16×5×10, 16×10×5, 16×5×5), as a task writing its output chunks
///   does: 16 runs of 10 or 5 elements per call.
///
/// Each iteration copies exactly 1,000,000 bytes into destinations allocated once in setup, so
/// with `scalingFactor: .mega` throughput reads as bytes per second (M = MB/s, G = GB/s) and
/// the malloc count is the kernel's own (its stride and index arrays), not the buffers'.
import Benchmark
import BenchmarkFixtures
import CubeCore

/// Destination buffers written in place each iteration (a class, so the benchmark closure
/// mutates them without copying the setup's value first).
private final class Destinations {
    var buffers: [ArrayBuffer]
    init(_ buffers: [ArrayBuffer]) { self.buffers = buffers }
}

/// The stage-2 block of the reanalysis rechunk at 256 MiB (2920×20×360 float32, 84 MB) cut
/// into its 72 series chunks 2920×10×10, either chunk by chunk or in groups of `group`
/// neighbours along the last axis with `RegionCopy.copySplittingLastAxis`.
private func cutSeriesChunks(_ block: [UInt8], into chunks: Destinations, group: Int) {
    let blockShape = [2920, 20, 360], chunkShape = [2920, 10, 10]
    var index = 0
    for y in stride(from: 0, to: 20, by: 10) {
        for x in stride(from: 0, to: 360, by: 10 * group) {
            let members = min(group, (360 - x) / 10)
            var pointers: [UnsafeMutableRawPointer] = []
            for member in 0..<members {
                _ = chunks.buffers[index + member].withUnsafeMutableBytes { pointers.append($0.baseAddress!) }
            }
            block.withUnsafeBytes { source in
                RegionCopy.copySplittingLastAxis(count: [2920, 10, 10 * members], itemSize: 4, from: source, sourceShape: blockShape,
                                                 sourceStart: [0, y, x], to: pointers, lengths: Array(repeating: 10, count: members),
                                                 destinationShape: chunkShape)
            }
            index += members
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 4, scalingFactor: .mega, maxDuration: .seconds(1), maxIterations: 2000)

    Benchmark("map chunks 1x181x360 -> series block 2500x10x10", configuration: configuration) {
        (benchmark, setup: (sources: [ArrayBuffer], block: Destinations)) in
        for step in 0..<2500 {
            setup.block.buffers[0].copy(from: setup.sources[step % setup.sources.count], sourceStart: [0, 80, 200],
                                        count: [1, 10, 10], to: [step, 0, 0])
        }
        blackHole(setup.block)
    } setup: {
        let sources = (0..<16).map {
            SyntheticField.temperature(origin: [$0, 0, 0], count: [1, SyntheticField.latitudes, SyntheticField.longitudes])
        }
        return (sources, Destinations([ArrayBuffer(uninitialized: .float32, shape: [2500, 10, 10])]))
    }

    Benchmark("map chunks 1x125x125 -> contiguous block 16x125x125", configuration: configuration) {
        (benchmark, setup: (sources: [ArrayBuffer], block: Destinations)) in
        for (step, chunk) in setup.sources.enumerated() {
            setup.block.buffers[0].copy(from: chunk, sourceStart: [0, 0, 0], count: chunk.shape, to: [step, 0, 0])
        }
        blackHole(setup.block)
    } setup: {
        let sources = (0..<16).map { SyntheticField.temperature(origin: [$0, 20, 100], count: [1, 125, 125]) }
        return (sources, Destinations([ArrayBuffer(uninitialized: .float32, shape: [16, 125, 125])]))
    }

    for group in [1, 4, 12, 36] {
        Benchmark("series block 2920x20x360 -> 72 chunks 2920x10x10, \(group) at a time",
                  configuration: .init(metrics: [.wallClock, .throughput], warmupIterations: 1, scalingFactor: .one,
                                       maxDuration: .seconds(2), maxIterations: 20)) {
            (benchmark, setup: (block: [UInt8], chunks: Destinations)) in
            cutSeriesChunks(setup.block, into: setup.chunks, group: group)
            blackHole(setup.chunks)
        } setup: {
            let block = [UInt8](repeating: 1, count: 2920 * 20 * 360 * 4)
            return (block, Destinations((0..<72).map { _ in ArrayBuffer(uninitialized: .float32, shape: [2920, 10, 10]) }))
        }
    }

    Benchmark("block 16x125x125 -> 169 series chunks 16x10x10", configuration: configuration) {
        (benchmark, setup: (block: ArrayBuffer, chunks: Destinations)) in
        var index = 0
        for y in stride(from: 0, to: 125, by: 10) {
            for x in stride(from: 0, to: 125, by: 10) {
                setup.chunks.buffers[index].copy(from: setup.block, sourceStart: [0, y, x],
                                                 count: [16, min(10, 125 - y), min(10, 125 - x)], to: [0, 0, 0])
                index += 1
            }
        }
        blackHole(setup.chunks)
    } setup: {
        let chunks = (0..<169).map { _ in ArrayBuffer(uninitialized: .float32, shape: [16, 10, 10]) }
        return (SyntheticField.temperature(origin: [0, 20, 100], count: [16, 125, 125]), Destinations(chunks))
    }
}
