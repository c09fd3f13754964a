import CubeStoreConformance
import Foundation
import Testing
@testable import CubeZarr

#if os(Linux)
import Glibc

/// Buffered writes reach the kernel in pieces of at most
/// ``StoreFileSystem/pageCacheWriteBytes``, so the page cache takes small folios.
@Suite struct StorePageCacheWriteTests {
    /// A sequenced-packet socket keeps every `write` call as one message, so the reader sees
    /// the pieces the writer made: full 64 KiB ones, then the rest, and every byte in order.
    @Test func bufferedWritesGoInSixtyFourKiBPieces() throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &fds) == 0)
        defer { close(fds[1]) }
        let bytes = storeTestBytes(3 * StoreFileSystem.pageCacheWriteBytes + 3392)
        let writer = fds[0]
        let failure = StoreTestBox<Int32?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            failure.withLock { $0 = StoreFileSystem.writeAll(writer, bytes) }
            close(writer)
            done.signal()
        }
        var sizes: [Int] = []
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(fds[1], &buffer, buffer.count)
            if n <= 0 { break }
            sizes.append(n)
            received += buffer[0..<n]
        }
        done.wait()
        #expect(failure.withLock { $0 } == nil)
        #expect(sizes == [65536, 65536, 65536, 3392])
        #expect(received == bytes)
    }
}
#endif
