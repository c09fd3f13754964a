import CubeCore
import CubeStoreConformance
import CubeZarr
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``ReadableStore/prefetch(_:)``: directory stores start reading files into the page cache
/// ahead of use, and region reads announce the chunks they are about to fetch.
@Suite struct StorePrefetchTests {
    /// Files dropped from the page cache come back into it after a prefetch, without a read;
    /// missing and refused keys are skipped, and no value changes.
    @Test func prefetchReadsEvictedFilesIntoThePageCache() throws {
        try withStoreTemporaryDirectory { path in
            let store = try DirectoryStore(path: path + "/store", create: true, atomicWrites: false)
            let keys = (0..<3).map { "c/\($0)" }
            for (index, key) in keys.enumerated() { try store.set(key, storeTestBytes(256 << 10, start: index)) }
            let files = try keys.map { try store.filePath(for: $0) }
            for file in files { Self.evict(file) }
            // Where the file system keeps files in memory anyway (tmpfs), there is nothing to see.
            guard try files.allSatisfy({ try StoreDirectIOTests.residentPages($0).resident == 0 }) else { return }

            store.prefetch(keys + ["c/missing", "../outside", "c"])
            let deadline = Date().addingTimeInterval(10)
            var resident = 0
            repeat {
                resident = try files.reduce(0) { total, file in try total + StoreDirectIOTests.residentPages(file).resident }
                if resident == files.count * (256 << 10) / Int(sysconf(Int32(_SC_PAGESIZE))) { break }
                usleep(10_000)
            } while Date() < deadline
            #expect(resident == files.count * (256 << 10) / Int(sysconf(Int32(_SC_PAGESIZE))))
            for (index, key) in keys.enumerated() { #expect(try store.get(key) == storeTestBytes(256 << 10, start: index)) }
        }
    }

    /// With `readOnce`, a file the prefetch brought into the page cache leaves it once read;
    /// a file that was cached before stays cached.
    @Test func readOnceDropsOnlyWhatItBroughtIn() throws {
        try withStoreTemporaryDirectory { path in
            let writer = try DirectoryStore(path: path + "/store", create: true, atomicWrites: false)
            try writer.set("c/cold", storeTestBytes(256 << 10))
            try writer.set("c/warm", storeTestBytes(256 << 10, start: 1))
            let store = try DirectoryStore(path: path + "/store", readOnce: true)
            let cold = try store.filePath(for: "c/cold"), warm = try store.filePath(for: "c/warm")
            Self.evict(cold)
            _ = try writer.get("c/warm")  // read through the page cache: all of it cached
            guard try StoreDirectIOTests.residentPages(cold).resident == 0,
                  try StoreDirectIOTests.residentPages(warm).resident > 0 else { return }  // tmpfs: nothing to see

            store.prefetch(["c/cold", "c/warm"])
            #expect(try store.get("c/cold") == storeTestBytes(256 << 10))
            #expect(try store.get("c/warm") == storeTestBytes(256 << 10, start: 1))
            #expect(try StoreDirectIOTests.residentPages(cold).resident == 0)
            let warmPages = try StoreDirectIOTests.residentPages(warm)
            #expect(warmPages.resident == warmPages.total)
            // A second read finds the value as before.
            #expect(try store.get("c/cold") == storeTestBytes(256 << 10))
        }
    }

    /// A store that reads past the page cache has nothing to fetch early.
    @Test func prefetchDoesNothingPastThePageCache() throws {
        try withStoreTemporaryDirectory { path in
            guard StoreDirectIOTests.supportsDirectIO(in: path) else { return }
            let store = try DirectoryStore(path: path + "/store", create: true, atomicWrites: false, bypassPageCache: true)
            try store.set("c/0", storeTestBytes(256 << 10))
            let file = try store.filePath(for: "c/0")
            Self.evict(file)
            store.prefetch(["c/0"])
            usleep(200_000)
            #expect(try StoreDirectIOTests.residentPages(file).resident == 0)
        }
    }

    /// A region read names every chunk it fetches in a prefetch, once, in the order it reads
    /// them, before it reads them (one thread); several threads still announce each once.
    @Test(arguments: [1, 3])
    func regionReadsAnnounceTheirChunks(concurrency: Int) throws {
        let memory = MemoryStore()
        // Chunks of 64 KiB: windows of 64 chunks (the cap), so several prefetches.
        let metadata = v3Metadata(.float32, shape: [300, 128, 128], chunks: [1, 128, 128], codecs: [bytesCodec()])
        let writer = try ZarrArray.create(memory, path: "a", metadata: metadata)
        let data = try sampleBuffer(.float32, shape: [300, 128, 128])
        try writer.write(data, at: [0, 0, 0])
        let counting = CountingStore(memory)
        let reader = try ZarrArray(store: counting, path: "a", metadata: metadata)
        let region = Region(start: [5, 0, 0], count: [290, 128, 128])
        #expect(try reader.read(region, concurrency: concurrency) == data.extracting(region))
        let expected = (5..<295).map { reader.chunkKey([$0, 0, 0]) }
        #expect(counting.prefetched == expected)
        if concurrency == 1 { #expect(counting.readsWithoutPrefetch.isEmpty) }

        // A read of one chunk has nothing to fetch ahead of it.
        let one = CountingStore(memory)
        let single = try ZarrArray(store: one, path: "a", metadata: metadata)
        _ = try single.read(Region(start: [7, 0, 0], count: [1, 128, 128]))
        #expect(one.prefetched.isEmpty)
    }

    /// Drops a file's clean pages from the page cache (written back first).
    static func evict(_ path: String) {
        let fd = open(path, O_RDWR)
        guard fd >= 0 else { return }
        fsync(fd)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(fd)
    }
}
