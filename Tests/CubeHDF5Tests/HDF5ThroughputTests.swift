import CHDF5
import CubeCore
import CubeHDF5
import Dispatch
import Foundation
import Testing

/// Decode throughput of the raw-chunk path against `H5Dread`, printed to the test log.
///
/// Off by default (it writes a ~50 MB file); run it in a release build with
/// `CUBE_HDF5_BENCH=1 swift test -c release --filter HDF5ThroughputTests`.
@Suite("HDF5 throughput", .enabled(if: ProcessInfo.processInfo.environment["CUBE_HDF5_BENCH"] != nil))
struct HDF5ThroughputTests {
    @Test("raw-chunk decoding vs H5Dread on a deflate+shuffle float32 dataset")
    func throughput() throws {
        let shape = [50, 512, 512]
        let chunks = [10, 128, 128]
        let count = ShapeMath.product(shape)
        // A smooth field with two-decimal noise: compresses about as well as model output.
        var data = [Float](repeating: 0, count: count)
        for t in 0..<shape[0] {
            for y in 0..<shape[1] {
                for x in 0..<shape[2] {
                    let smooth = 273.15 + 20 * sin(Double(y) / 30) * cos(Double(x) / 40) + Double(t) * 0.1
                    let noise = Double((t &* 7919 &+ y &* 104_729 &+ x &* 1_299_709) % 100) * 0.01
                    data[(t * shape[1] + y) * shape[2] + x] = Float(((smooth + noise) * 100).rounded() / 100)
                }
            }
        }
        let builder = try H5Builder("throughput")
        try builder.dataset("t", type: h5(cube_H5T_IEEE_F32LE), shape: shape, chunks: chunks, filters: [.shuffle, .deflate(4)],
                            data: rawBytes(data), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        builder.close()
        let file = try HDF5File(path: builder.path)
        let dataset = try file.dataset(atPath: "t")
        #expect(dataset.decodesChunksDirectly)
        let megabytes = Double(count * 4) / 1_000_000
        let stored = Double(dataset.storage.storedBytes ?? 0) / 1_000_000

        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        func best(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
            var result = Double.infinity
            for _ in 0..<runs { result = min(result, try seconds(body)) }
            return result
        }
        let whole = Region(shape: shape)
        let expected = ArrayBuffer(dataType: .float32, shape: shape, storage: .fixed(rawBytes(data)))
        #expect(try dataset.read(whole) == expected)

        let rawWhole = try best { _ = try dataset.read(whole) }
        let libraryWhole = try best { _ = try dataset.readThroughLibrary(whole) }

        // Chunk-aligned reads of one chunk each, from 8 threads at once (what the copy engine does).
        let grid = try ChunkGrid(shape: shape, chunkShape: chunks)
        var regions: [Region] = []
        grid.forEachChunkCoordinate { regions.append(grid.region(ofChunk: $0)) }
        let allRegions = regions
        func threaded(_ threads: Int, _ read: @escaping @Sendable (Region) throws -> ArrayBuffer) -> Double {
            seconds {
                DispatchQueue.concurrentPerform(iterations: threads) { worker in
                    for index in stride(from: worker, to: allRegions.count, by: threads) { _ = try? read(allRegions[index]) }
                }
            }
        }
        let rawSingle = [threaded(1, dataset.read), threaded(1, dataset.read)].min() ?? 0
        let librarySingle = [threaded(1, dataset.readThroughLibrary), threaded(1, dataset.readThroughLibrary)].min() ?? 0
        let rawThreaded = [threaded(8, dataset.read), threaded(8, dataset.read), threaded(8, dataset.read)].min() ?? 0
        let libraryThreaded = [threaded(8, dataset.readThroughLibrary), threaded(8, dataset.readThroughLibrary)].min() ?? 0

        func rate(_ s: Double) -> String { String(format: "%7.1f MB/s (%.3f s)", megabytes / s, s) }
        print("""
        HDF5 throughput: \(shape) float32, chunks \(chunks), shuffle+deflate(4), \
        \(String(format: "%.1f", megabytes)) MB decoded from \(String(format: "%.1f", stored)) MB stored, \
        \(ProcessInfo.processInfo.activeProcessorCount) cores
          whole array, raw chunks + libdeflate (parallel):   \(rate(rawWhole))
          whole array, H5Dread:                              \(rate(libraryWhole))
          per chunk, one thread, raw chunks + libdeflate:    \(rate(rawSingle))
          per chunk, one thread, H5Dread:                    \(rate(librarySingle))
          per chunk from 8 threads, raw chunks + libdeflate: \(rate(rawThreaded))
          per chunk from 8 threads, H5Dread (serialized):    \(rate(libraryThreaded))
        """)
        try? FileManager.default.removeItem(atPath: builder.path)
    }
}
