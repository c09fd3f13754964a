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

    /// Found by fuzz-metadata: bounding the encoded size of a chunk of nearly `Int.max` bytes
    /// trapped on overflow; bounds now saturate (too large for any memory budget).
    @Test func encodedSizeBoundsSaturate() throws {
        let codecs: [any BytesToBytesCodec] = [try BloscCodec(), try ZstdCodec(), try GzipCodec(), try ZlibCodec(),
                                               try LZ4Codec(), CRC32CCodec(), try ShuffleCodec()]
        for codec in codecs {
            #expect(codec.encodedSizeBound(Int.max) == Int.max, "\(codec.name)")
            #expect(codec.encodedSizeBound(Int.max - 3) >= Int.max - 3, "\(codec.name)")
        }
        let huge = ChunkSpec(shape: [Int.max / 2, 3], dataType: .float64, fill: .zero(for: .float64))
        #expect(huge.byteCount == Int.max)
        #expect(CodecChain(arrayToBytes: BytesCodec(), bytesToBytes: codecs).encodedSizeBound(huge) == Int.max)
    }

    @Test func decodingRoomStartsAtWhatTheInputCanHold() {
        #expect(CodecSupport.decodingRoom(expected: 1 << 40, inputCount: 10, maxRatio: 1032, unknown: 7) == (10_384, 1 << 40 + 1))
        #expect(CodecSupport.decodingRoom(expected: 100, inputCount: 10, maxRatio: 1032, unknown: 7) == (101, 101))
        #expect(CodecSupport.decodingRoom(expected: Int.max, inputCount: Int.max, maxRatio: 2, unknown: 7) == (Int.max, Int.max))
        #expect(CodecSupport.decodingRoom(expected: nil, inputCount: 10, maxRatio: 1032, unknown: 7) == (7, nil))
        #expect(CodecSupport.grownRoom(10_384, limit: 1 << 40 + 1) == 20_768)
        #expect(CodecSupport.grownRoom(100, limit: 101) == 101)
        #expect(CodecSupport.grownRoom(101, limit: 101) == nil)
        #expect(CodecSupport.grownRoom(7, limit: nil) == 14)
    }
}
