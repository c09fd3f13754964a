import Foundation
import Testing
@testable import CubeCore

@Suite struct BufferCacheTests {
    static let size = 1 << 20

    @Test func withoutACacheBuffersAreFreshAndRecyclingDropsThem() {
        #expect(BufferCache.current == nil)
        let buffer = BufferCache.take(count: Self.size)
        #expect(buffer.count == Self.size)
        BufferCache.recycle(buffer)
        #expect(BufferCache.current == nil)
    }

    /// Only buffers of 4 MiB and more ask for huge pages, and only for the whole 2 MiB pages
    /// inside them.
    @Test func hugePagesAreAskedForWholePagesOfLargeBuffersOnly() {
        let huge = 2 << 20
        #expect(BufferCache.hugePageSpan(base: 8 * huge, count: (4 << 20) - 1) == nil)
        #expect(BufferCache.hugePageSpan(base: 8 * huge, count: 4 << 20) == 8 * huge..<10 * huge)
        #expect(BufferCache.hugePageSpan(base: 8 * huge + 64, count: 16 << 20) == 9 * huge..<16 * huge)
    }

    #if os(Linux)
    /// A large fresh buffer asks for huge pages: the kernel's map of the process shows the
    /// advice (`hg`) on the memory inside it. (Whether a small buffer's mapping shows it
    /// depends on where malloc placed it: free heap memory a large buffer advised before, in
    /// this process of many tests, keeps the flag; so small buffers are checked above.)
    @Test func largeBuffersAskForHugePages() throws {
        let large = BufferCache.take(count: 16 << 20)
        let huge = 2 << 20
        let inside = large.withUnsafeBytes { (Int(bitPattern: $0.baseAddress) + huge - 1) & ~(huge - 1) }
        #expect(try Self.mappingFlags(containing: inside).contains("hg"))
    }

    /// The `VmFlags` of the mapping holding `address`, from `/proc/self/smaps`.
    static func mappingFlags(containing address: Int) throws -> [Substring] {
        // Read to the end: the file's size is 0 to stat, so whole-file reads may stop short.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
               let low = Int(line[..<dash], radix: 16), let high = Int(line[line.index(after: dash)..<space], radix: 16) {
                inMapping = (low..<high).contains(address)
            } else if inMapping, line.hasPrefix("VmFlags:") {
                return line.dropFirst("VmFlags:".count).split(separator: " ")
            }
        }
        throw CubeError(.notFound, "no mapping holds address \(address)")
    }
    #endif

    @Test func recycledBuffersAreReusedForFittingSizes() {
        let cache = BufferCache(limit: .max)
        BufferCache.withCurrent(cache) {
            let address = Self.takeAndRecycle(Self.size)
            #expect(cache.cachedBytes >= Self.size)
            let again = BufferCache.take(count: Self.size - 1000)  // a little smaller still fits
            #expect(again.count == Self.size - 1000)
            #expect(again.withUnsafeBytes { $0.baseAddress } == address)
            #expect(cache.hits == 1 && cache.misses == 1)
            BufferCache.recycle(again)
            let larger = BufferCache.take(count: Self.size + 10)  // count grows inside the capacity when it fits
            #expect(larger.count == Self.size + 10)
        }
        #expect(BufferCache.current == nil, "the previous (no) cache is restored")
    }

    /// Takes a buffer and recycles it as its last use (a function, so nothing else holds it).
    static func takeAndRecycle(_ count: Int) -> UnsafeRawPointer? {
        let buffer = BufferCache.take(count: count)
        let address = buffer.withUnsafeBytes { $0.baseAddress }
        BufferCache.recycle(buffer)
        return address
    }

    @Test func smallBuffersAreLeftToMalloc() {
        let cache = BufferCache(limit: .max)
        BufferCache.withCurrent(cache) {
            BufferCache.recycle(BufferCache.take(count: 1000))
        }
        #expect(cache.cachedBytes == 0)
    }

    /// Buffers the cache never handed out (a reader's own output, say) are dropped: kept,
    /// they would sit idle beside the buffers that replace them.
    @Test func buffersAllocatedElsewhereAreNotKept() {
        let cache = BufferCache(limit: .max)
        BufferCache.withCurrent(cache) {
            BufferCache.recycle([UInt8](repeating: 1, count: Self.size))
            #expect(cache.cachedBytes == 0)
            _ = Self.takeAndRecycle(Self.size)
            #expect(cache.cachedBytes >= Self.size)
        }
    }

    @Test func theCacheNeverHoldsMoreThanItsLimit() {
        let cache = BufferCache(limit: 2 * Self.size + Self.size / 2)
        BufferCache.withCurrent(cache) {
            let buffers = (0..<3).map { _ in BufferCache.take(count: Self.size) }
            for buffer in buffers { BufferCache.recycle(buffer) }
        }
        #expect(cache.cachedBytes <= cache.limit)
        #expect(cache.cachedBytes >= 2 * Self.size)
    }

    /// A miss evicts the oldest cached buffers only as far as cached plus handed-out bytes
    /// need to stay within the limit: buffers of other sizes stay while there is room.
    @Test func aMissEvictsOnlyWhatTheLimitNeeds() {
        let cache = BufferCache(limit: 6 * Self.size + Self.size / 2)
        BufferCache.withCurrent(cache) {
            let small = (0..<3).map { _ in BufferCache.take(count: Self.size) }
            for buffer in small { BufferCache.recycle(buffer) }
            let cachedSmall = cache.cachedBytes
            let medium = BufferCache.take(count: 2 * Self.size)  // room for it: nothing goes
            #expect(cache.cachedBytes == cachedSmall)
            let big = BufferCache.take(count: 3 * Self.size)  // 3 + 2 + 3 > 6: the oldest small ones go
            #expect(cache.cachedBytes < cachedSmall && cache.cachedBytes > 0)
            #expect(cache.cachedBytes + medium.capacity + big.capacity <= cache.limit)
            BufferCache.recycle(medium)
            BufferCache.recycle(big)
            #expect(cache.cachedBytes <= cache.limit)
        }
    }

    /// Lowering the limit evicts the oldest cached buffers at once, down to the new limit.
    @Test func aLowerLimitEvictsAtOnce() {
        let cache = BufferCache(limit: .max)
        BufferCache.withCurrent(cache) {
            let buffers = (0..<3).map { _ in BufferCache.take(count: Self.size) }
            for buffer in buffers { BufferCache.recycle(buffer) }
        }
        #expect(cache.cachedBytes >= 3 * Self.size)
        cache.limit = 2 * Self.size
        #expect(cache.cachedBytes <= cache.limit && cache.cachedBytes > 0)
    }

    /// A handed-out buffer that was copied while shared (written while another array held
    /// it) is not the buffer handed out: the copy is dropped, not kept.
    @Test func aCopyOfAHandedOutBufferIsNotKept() {
        let cache = BufferCache(limit: .max)
        BufferCache.withCurrent(cache) {
            var buffer = BufferCache.take(count: Self.size)
            let other = buffer
            buffer[0] = 1  // shared: this writes a copy
            BufferCache.recycle(buffer)
            #expect(cache.cachedBytes == 0)
            BufferCache.recycle(other)  // the buffer handed out comes back
            #expect(cache.cachedBytes >= Self.size)
        }
    }

    /// A buffer recycled while still referenced elsewhere is copied before it is written,
    /// never shared: the other holder keeps its bytes.
    @Test func aRecycledBufferStillInUseIsNeverOverwritten() {
        let cache = BufferCache(limit: .max)
        BufferCache.withCurrent(cache) {
            var original = BufferCache.take(count: Self.size)
            _ = original.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 1) }
            let kept = original
            BufferCache.recycle(original)
            var reused = BufferCache.take(count: Self.size)
            _ = reused.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 2) }
            #expect(kept.allSatisfy { $0 == 1 })
            #expect(reused.allSatisfy { $0 == 2 })
        }
    }

    @Test func sharedStorageIsRecognized() {
        let a = [UInt8](repeating: 3, count: 100)
        let b = a
        #expect(a.sharesStorage(with: b))
        #expect(!a.sharesStorage(with: [UInt8](repeating: 3, count: 100)))
    }
}
