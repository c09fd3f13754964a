import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct ZstdCodecTests {
    /// A hand-made frame without a recorded content size: one raw block holding `payload`
    /// (window 1 KiB, so `payload` must be at most 1024 bytes).
    static func frameWithoutSize(_ payload: [UInt8]) -> [UInt8] {
        let blockHeader = UInt32(payload.count) << 3 | 1  // last block, raw
        return [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00]
            + [UInt8(blockHeader & 0xFF), UInt8(blockHeader >> 8 & 0xFF), UInt8(blockHeader >> 16)]
            + payload
    }

    @Test func framesRecordSizeAndChecksumFlag() throws {
        let input = Samples.smooth(5000)
        let plain = try ZstdCodec(level: 3).encode(input)
        let checked = try ZstdCodec(level: 3, checksum: true).encode(input)
        #expect(Array(plain.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
        #expect(plain[4] & 0x04 == 0)
        #expect(checked[4] & 0x04 != 0)
        #expect(plain[4] >> 6 != 0 || plain[4] & 0x20 != 0)  // a content size field is present
        #expect(checked.count == plain.count + 4)
    }

    /// Contexts are kept per thread and reset between uses: a frame made after one of
    /// another level and checksum setting is the frame a fresh context makes.
    @Test func reusedContextsForgetEarlierParameters() throws {
        let data = (0..<200_000).map { UInt8(truncatingIfNeeded: ($0 / 7) ^ ($0 % 13)) }
        let plain = try ZstdCodec(level: 1).encode(data)
        _ = try ZstdCodec(level: 19, checksum: true).encode(data)
        #expect(try ZstdCodec(level: 1).encode(data) == plain)
        #expect(try ZstdCodec(level: 1).decode(plain, decodedSize: data.count) == data)
    }

    @Test func decodesStraightIntoAGivenBuffer() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 3 / 5) }
        let codec = try ZstdCodec(level: 3)
        let frame = try codec.encode(data)
        var output = [UInt8](repeating: 0, count: data.count)
        #expect(try output.withUnsafeMutableBytes { try codec.decode(frame, into: $0) })
        #expect(output == data)
        var short = [UInt8](repeating: 7, count: data.count - 1)
        #expect(try !short.withUnsafeMutableBytes { try codec.decode(frame, into: $0) }, "a size that differs is declined")
        #expect(short.allSatisfy { $0 == 7 }, "and nothing is written")
    }

    @Test func decodesNumcodecsOutput() throws {
        // numcodecs.Zstd(3) and Zstd(3, checksum=True) of np.arange(64, dtype='<i4') * 3
        let plain = Samples.hex("""
            28b52ffd600000dd030006d01d1d50db6650d7755dd7755dd7755dd7755dd7755dd7755dd7755dd72d9c14140015001500\
            6f9cf1c5154f1cf1c30d2f9cf0c1050f1cf0ef03ef9cf3cd35cf1cf3cb2daf9cf2c9258f1cf2c71d016f9df5d5554f1df5\
            d34d2f9df4d1450f1df4cf3d01ef9df7dd75cf1df7db6daf9df6d9658f1df6d75d0100
            """)
        let checked = Samples.hex("""
            28b52ffd640000dd030006d01d1d50db6650d7755dd7755dd7755dd7755dd7755dd7755dd7755dd72d9c14140015001500\
            6f9cf1c5154f1cf1c30d2f9cf0c1050f1cf0ef03ef9cf3cd35cf1cf3cb2daf9cf2c9258f1cf2c71d016f9df5d5554f1df5\
            d34d2f9df4d1450f1df4cf3d01ef9df7dd75cf1df7db6daf9df6d9658f1df6d75d010021e97c7f
            """)
        let codec = try ZstdCodec()
        #expect(try codec.decode(plain, decodedSize: 256) == Samples.ramp)
        #expect(try codec.decode(checked, decodedSize: nil) == Samples.ramp)
        var damaged = checked
        damaged[damaged.count - 1] ^= 0xFF  // the content checksum
        expectCubeError(.corrupt) { try codec.decode(damaged, decodedSize: 256) }
    }

    @Test func decodesFramesWithoutContentSize() throws {
        let codec = try ZstdCodec()
        // `printf 'hello, hello, hello zarr' | zstd -c` (streamed: no content size, with checksum)
        let cli = Samples.hex("28b52ffd04589500006068656c6c6f2c20207a6172720100e28a1194352695")
        #expect(try codec.decode(cli, decodedSize: nil) == Array("hello, hello, hello zarr".utf8))
        #expect(try codec.decode(cli, decodedSize: 24) == Array("hello, hello, hello zarr".utf8))
        expectCubeError(.corrupt) { try codec.decode(cli, decodedSize: 23) }
        expectCubeError(.corrupt) { try codec.decode(cli, decodedSize: 25) }

        let payload = Samples.random(1000)
        let frame = Self.frameWithoutSize(payload)
        #expect(try codec.decode(frame, decodedSize: nil) == payload)
        expectCubeError(.corrupt) { try codec.decode(Array(frame.dropLast()), decodedSize: nil) }
    }

    /// A frame without a recorded size is decoded by streaming; for a chunk the metadata says
    /// is huge, the output must not be allocated at that size before the frame is read.
    @Test(arguments: [1 << 40, Int.max])
    func framesWithoutSizeDoNotAllocateTheExpectedSize(_ size: Int) throws {
        let frame = Self.frameWithoutSize(Samples.random(1000))
        expectCubeError(.corrupt) { try ZstdCodec().decode(frame, decodedSize: size) }
    }

    @Test func decodesConcatenatedFrames() throws {
        let codec = try ZstdCodec(level: 1)
        let a = Samples.smooth(100_000), b = Samples.random(777)
        let known = try codec.encode(a) + codec.encode(b)
        #expect(try codec.decode(known, decodedSize: a.count + b.count) == a + b)
        #expect(try codec.decode(known, decodedSize: nil) == a + b)
        // Mixed: a frame with a size, one without, and a skippable frame between them.
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 7, 7, 7]
        let c = Samples.random(300, seed: 8)
        let mixed = try codec.encode(a) + skippable + Self.frameWithoutSize(c)
        #expect(try codec.decode(mixed, decodedSize: nil) == a + c)
        #expect(try codec.decode(mixed, decodedSize: a.count + c.count) == a + c)
        expectCubeError(.corrupt) { try codec.decode(mixed, decodedSize: a.count) }
        expectCubeError(.corrupt) { try codec.decode(mixed + [1, 2], decodedSize: nil) }
    }

    @Test func emptyInputRoundTrips() throws {
        let codec = try ZstdCodec()
        let encoded = try codec.encode([])
        #expect(try codec.decode(encoded, decodedSize: 0) == [])
        expectCubeError(.corrupt) { try codec.decode([], decodedSize: 0) }
    }

    @Test func validatesLevel() {
        expectCubeError(.invalidArgument) { try ZstdCodec(level: 23) }
        #expect((try? ZstdCodec(level: -7)) != nil)
    }
}
