import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct CodecSupportTests {
    static let asked = 1 << 20

    /// Runs `produce(capacity:)` writing `written` bytes into a buffer from a cache holding
    /// one buffer a little larger than asked; returns whether the result is that buffer.
    static func keepsCachedBuffer(writing written: Int) throws -> Bool {
        let cache = BufferCache(limit: .max)
        return try BufferCache.withCurrent(cache) {
            let roomy = BufferCache.take(count: asked + asked / 8)
            let address = roomy.withUnsafeBytes { $0.baseAddress }
            BufferCache.recycle(consume roomy)  // no other reference, or reusing it would copy it
            let result = try CodecSupport.produce(capacity: asked) { _, _ in written }
            #expect(result.count == written)
            return result.withUnsafeBytes { $0.baseAddress } == address
        }
    }

    @Test func aResultFillingHalfOfWhatWasAskedStaysInARoomierCachedBuffer() throws {
        // 55 % of the asked room: kept, though the buffer's capacity is over twice the result.
        #expect(try Self.keepsCachedBuffer(writing: Self.asked * 55 / 100))
    }

    @Test func aResultFarSmallerThanWhatWasAskedIsMovedToATightBuffer() throws {
        #expect(try !Self.keepsCachedBuffer(writing: Self.asked / 4))
    }
}
