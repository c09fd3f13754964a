import CubeCore
import CubeEngine
import CubeZarr
import Foundation
import Testing

/// Stage tasks of one size reuse the same buffers task after task: only the first task of
/// each worker allocates, so the allocations do not grow with the number of tasks.
@Suite struct BufferReuseTests {
    /// Buffer takes that allocated, copying a `lat`-long map-chunked array into zstd
    /// time-series chunks (64 KiB each, so the cache keeps them) through one worker.
    static func misses(lat: Int) throws -> (misses: Int, tasks: Int) {
        let source = SyntheticSource(shape: [256, lat, 64], chunkShape: [1, lat, 64])
        var metadata = ArrayMetadata(format: .v3, shape: source.shape, chunkShape: [256, 4, 16], dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: ["time", "lat", "lon"])
        try CodecSpec.zstd(level: 1).apply(to: &metadata)
        let plan = try CopyPlanning.plan(source: source, target: metadata, memoryBudget: 3 << 20, jobs: 1)
        let root = temporaryPath("reuse")
        let store = try DirectoryStore(path: root + "/out.zarr", create: true)
        let target = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        let intermediates = try IntermediateStores(path: root + "/scratch", keep: false)
        let executor = Executor(jobs: 1, memoryBudget: plan.memoryBudget)
        try StagedCopy.run([ArrayCopyJob(source: source, target: target, plan: plan)], executor: executor,
                           intermediates: intermediates)
        #expect(try target.readAll() == (try source.expected()))
        return (executor.bufferTakes.misses, plan.stages.reduce(0) { $0 + $1.taskCount })
    }

    @Test func allocationsDoNotGrowWithTheTaskCount() throws {
        let few = try Self.misses(lat: 32)
        let many = try Self.misses(lat: 128)
        #expect(many.tasks > few.tasks)
        #expect(many.misses == few.misses)
    }
}
