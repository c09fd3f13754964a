import CubeCore
@testable import CubeEngine
import CubeZarr
import Foundation
import Testing

/// ``WriteBehind``: chunks stored from other threads, a bounded number at once, failures
/// never lost, buffers back in the caller's cache; and how many a copy task keeps in flight.
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

    /// With a depth of 3, three writes are stored at once (each store call here waits until
    /// three are inside it, so one at a time would time out), never a fourth.
    @Test func upToDepthWritesAreInFlightAtOnce() throws {
        let inside = Counter()
        let three = DispatchSemaphore(value: 0)
        let store = ObservingStore { _ in
            if inside.add(1) == 3 { for _ in 0..<3 { three.signal() } }
            let met = three.wait(timeout: .now() + 10) == .success
            inside.add(-1)
            if !met { throw CubeError(.io, "fewer than three writes were in flight together") }
        }
        let writer = WriteBehind(depth: 3)
        for i in 0..<6 { try writer.submit([UInt8(i)], key: "k\(i)", to: store, recycle: false) }
        try writer.finish()
        #expect(inside.peak == 3)
        for i in 0..<6 { #expect(try store.get("k\(i)") == [UInt8(i)]) }
    }

    /// Stored buffers go back to the submitting thread's cache, so the next chunks reuse them.
    @Test func storedBuffersComeBackToTheCallersCache() throws {
        let cache = BufferCache(limit: 8 << 20)
        let store = MemoryStore()
        let writer = WriteBehind(depth: 4)
        try BufferCache.withCurrent(cache) {
            for round in 0..<3 {
                // Not written to: the memory store keeps the very array it is given, so
                // writing a reused buffer would make a copy.
                for i in 0..<4 {
                    try writer.submit(BufferCache.take(count: 1 << 20), key: "k\(round)-\(i)", to: store, recycle: true)
                }
                try writer.finish()
            }
        }
        // At most the first round's four are new: a write that finishes before the round's
        // last take hands its buffer to that take already (as under ThreadSanitizer's pace).
        #expect(cache.misses <= 4, "after the first round, every buffer is a reused one")
        #expect(cache.hits >= 8 && cache.hits + cache.misses == 12)
        #expect(try store.keys(under: "").count == 12)
    }

    /// How a copy task spends the room its read side leaves once the block is read, and its
    /// spare room: never more than that, writes in flight first, up to the depth, and cuts
    /// of at most ``StagedCopy/cutBytes`` (one chunk at least).
    @Test func outputRoomStaysWithinTheFreedAndSpareRoom() {
        func memory(input: Int, decoded: Int, encoded: Int) -> TaskMemory {
            TaskMemory(readBlock: 1 << 24, decodedInputChunk: input, encodedInputChunk: input + 64,
                       decodedOutputChunk: decoded, encodedOutputChunk: encoded, scratch: 0)
        }
        #expect(StagedCopy.outputRoom(memory(input: 1000, decoded: 0, encoded: 500), spare: 1 << 20) == (1, 0),
                "a block encoded straight as the one output chunk has nothing to overlap")
        #expect(StagedCopy.outputRoom(memory(input: 100, decoded: 200, encoded: 210), spare: 0) == (1, 0))
        #expect(StagedCopy.outputRoom(memory(input: 100, decoded: 200, encoded: 210), spare: 300) == (1, 1))
        let large = StagedCopy.outputRoom(memory(input: 1 << 20, decoded: 1 << 20, encoded: (1 << 20) + 100), spare: 100 << 20)
        #expect(large == (1, StagedCopy.writeDepth), "a chunk of a mebibyte is cut alone")
        let small = StagedCopy.outputRoom(memory(input: 1 << 20, decoded: 1 << 14, encoded: (1 << 14) + 100), spare: 100 << 20)
        #expect(small == (StagedCopy.cutBytes >> 14, StagedCopy.writeDepth))
        for input in stride(from: 0, through: 4000, by: 500) {
            for decoded in [1, 300, 1000, 3000] {
                for spare in [0, 700, 5000] {
                    let room = StagedCopy.outputRoom(memory(input: input, decoded: decoded, encoded: decoded + 10), spare: spare)
                    #expect(room.group >= 1 && room.writes <= StagedCopy.writeDepth)
                    if room.writes > 0 {
                        #expect(room.writes * (decoded + 10) + room.group * decoded <= 2 * input + 64 + spare,
                                "input \(input), decoded \(decoded), spare \(spare): \(room)")
                    }
                }
            }
        }
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
