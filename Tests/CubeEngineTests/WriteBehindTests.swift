import CubeCore
@testable import CubeEngine
import CubeZarr
import Foundation
import Testing

/// ``WriteBehind``: chunks stored from a second thread, failures never lost.
@Suite struct WriteBehindTests {
    @Test func everyWriteLandsInOrderAndDeletesToo() throws {
        let store = MemoryStore()
        try store.set("gone", [9])
        let writer = WriteBehind()
        for i in 0..<20 {
            try writer.submit([UInt8](repeating: UInt8(i), count: 100_000), key: "k\(i)", to: store, recycle: true)
        }
        try writer.submit(nil, key: "gone", to: store, recycle: false)
        try writer.finish()
        for i in 0..<20 { #expect(try store.get("k\(i)") == [UInt8](repeating: UInt8(i), count: 100_000)) }
        #expect(try store.get("gone") == nil)
        try writer.finish()  // finishing twice is fine
    }

    @Test func aFailedWriteIsThrownByTheNextCallAndEveryOneAfter() throws {
        let store = ObservingStore.failing(at: "k3")
        let writer = WriteBehind()
        var thrown: CubeError?
        do {
            for i in 0..<10 { try writer.submit([UInt8(i)], key: "k\(i)", to: store, recycle: false) }
            try writer.finish()
        } catch let error as CubeError {
            thrown = error
        }
        #expect(thrown?.message.contains("'k3'") == true)
        #expect(try store.get("k9") == nil, "no write is submitted after a failure is seen")
        #expect(throws: CubeError.self) { try writer.finish() }
        #expect(throws: CubeError.self) { try writer.submit([1], key: "later", to: store, recycle: false) }
    }

    /// A copy task whose chunk write fails fails the run, and its task is never journaled
    /// as done, so a resumed run redoes it.
    @Test func aFailedChunkWriteFailsTheTaskBeforeItIsJournaled() throws {
        let source = SyntheticSource(shape: [24, 8, 8], chunkShape: [1, 8, 8])
        var metadata = ArrayMetadata(format: .v3, shape: source.shape, chunkShape: [24, 2, 2], dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: ["time", "lat", "lon"])
        try CodecSpec.none.apply(to: &metadata)
        let store = ObservingStore.failing(at: "t2m/c/0/1/1")
        let target = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        let plan = try CopyPlanning.plan(source: source, target: metadata, memoryBudget: 1 << 20, jobs: 1)
        #expect(plan.isDirect)
        let root = temporaryPath("write-behind")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let journal = try Journal(path: root + "/journal")
        var thrown: (any Error)?
        do {
            try StagedCopy.run([ArrayCopyJob(source: source, target: target, plan: plan)],
                               executor: Executor(jobs: 1, memoryBudget: plan.memoryBudget), intermediates: nil, journal: journal)
        } catch {
            thrown = error
        }
        #expect("\(thrown.map { "\($0)" } ?? "nothing thrown")".contains("t2m/c/0/1/1"))
        #expect(journal.count(prefix: "task") == 0, "the failing task (the only one) must not be journaled")
        #expect(journal.count(prefix: "stage-done") == 0)
    }
}
