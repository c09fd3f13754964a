import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct BloscCodecTests {
    @Test func decodesStraightIntoAGivenBuffer() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 / 3) }
        let codec = try BloscCodec(cname: .lz4, clevel: 5, shuffle: .byte, typesize: 4)
        let frame = try codec.encode(data)
        var output = [UInt8](repeating: 0, count: data.count)
        #expect(try output.withUnsafeMutableBytes { try codec.decode(frame, into: $0) })
        #expect(output == data)
        var short = [UInt8](repeating: 0, count: data.count - 4)
        #expect(throws: CubeError.self) { try short.withUnsafeMutableBytes { try codec.decode(frame, into: $0) } }
    }

    @Test func listsCompressors() {
        let available = BloscCodec.availableCompressors
        for required in [BloscCodec.Compressor.blosclz, .lz4, .lz4hc, .zlib, .zstd] {
            #expect(available.contains(required))
        }
        #expect(!BloscCodec.libraryVersion.isEmpty)
    }

    @Test func headerFields() throws {
        let codec = try BloscCodec(cname: .zstd, clevel: 5, shuffle: .byte, typesize: 4)
        let input = Samples.smooth(40_000)
        let encoded = try codec.encode(input)
        let header = try BloscCodec.header(encoded)
        #expect(header.formatVersion == 2)
        #expect(header.typesize == 4)
        #expect(header.uncompressedSize == 40_000)
        #expect(header.compressedSize == encoded.count)
        #expect(header.compressor == .zstd)
        #expect(header.shuffle == .byte)
        #expect(!header.isMemcpyed)
        #expect(header.blocksize > 0 && header.blocksize <= 40_000)
        expectCubeError(.corrupt) { try BloscCodec.header(encoded.prefix(15)) }
    }

    @Test func autoShuffleResolvesByTypesize() throws {
        let input = Samples.smooth(10_000)
        let one = try BloscCodec(cname: .lz4, shuffle: .auto, typesize: 1).encode(input)
        let four = try BloscCodec(cname: .lz4, shuffle: .auto, typesize: 4).encode(input)
        #expect(try BloscCodec.header(one).shuffle == .bit)
        #expect(try BloscCodec.header(four).shuffle == .byte)
        #expect(BloscCodec.Shuffle.auto.resolved(typesize: 1) == .bit)
        #expect(BloscCodec.Shuffle.auto.zarrName(typesize: 8) == "shuffle")
        #expect(try BloscCodec.Shuffle(numcodecs: -1) == .auto)
        #expect(try BloscCodec.Shuffle(zarrName: "bitshuffle") == .bit)
        expectCubeError(.invalidInput) { try BloscCodec.Shuffle(numcodecs: 3) }
        expectCubeError(.invalidInput) { try BloscCodec.Shuffle(zarrName: "byte") }
    }

    @Test func roundTripsEveryCompressorShuffleAndTypesize() throws {
        for cname in BloscCodec.availableCompressors {
            for shuffle in [BloscCodec.Shuffle.none, .byte, .bit, .auto] {
                for typesize in [1, 2, 4, 8, 16] {
                    for blocksize in [0, 4096] {
                        let codec = try BloscCodec(cname: cname, clevel: 7, shuffle: shuffle, typesize: typesize,
                                                   blocksize: blocksize)
                        for size in [0, 5, 1000, 100_003] {
                            let input = Samples.smooth(size)
                            let encoded = try codec.encode(input)
                            #expect(encoded.count <= size + 16)
                            #expect(try codec.decode(encoded, decodedSize: size) == input,
                                    "\(cname) \(shuffle) typesize \(typesize) size \(size)")
                        }
                    }
                }
            }
        }
    }

    @Test func decodesNumcodecsOutput() throws {
        let codec = try BloscCodec()
        // numcodecs.Blosc('lz4', 5, SHUFFLE).encode(np.arange(64, dtype='<i4') * 3)
        let lz4 = Samples.hex("""
            020131040001000000010000680000001400000050000000ff36000306090c0f1215181b1e2124272a2d303336393c3f42\
            45484b4e5154575a5d606366696c6f7275787b7e8184878a8d909396999c9fa2a5a8abaeb1b4b7babd00000000000500a3\
            500000000000
            """)
        // numcodecs.Blosc('zstd', 3, BITSHUFFLE).encode(same)
        let zstd = Samples.hex("""
            02019404000100000001000050000000140000003800000028b52ffd600000750100e0aa66b438c7c0073ff800f83f00ff\
            07c0ff0000c0ffff0700f8ffff000720b0820f3c4a60ea21d74033cb4206af
            """)
        #expect(try codec.decode(lz4, decodedSize: 256) == Samples.ramp)
        #expect(try codec.decode(zstd, decodedSize: 256) == Samples.ramp)
        #expect(try BloscCodec.header(zstd).compressor == .zstd)
        #expect(try BloscCodec.header(zstd).shuffle == .bit)
    }

    @Test func validatesConfiguration() throws {
        expectCubeError(.invalidArgument) { try BloscCodec(clevel: 10) }
        expectCubeError(.invalidArgument) { try BloscCodec(typesize: 0) }
        expectCubeError(.invalidArgument) { try BloscCodec(blocksize: -1) }
        expectCubeError(.invalidInput) { try BloscCodec(cname: "brotli") }
        // Type sizes beyond blosc's 255 (long fixed-length strings) still work: blosc
        // shuffles them as single bytes.
        let wide = try BloscCodec(cname: "zstd", shuffle: .byte, typesize: 400)
        let input = Samples.smooth(8000)
        #expect(try wide.decode(try wide.encode(input), decodedSize: 8000) == input)
    }

    @Test func rejectsMismatchedHeaders() throws {
        let codec = try BloscCodec(cname: .lz4, typesize: 4)
        let encoded = try codec.encode(Samples.smooth(5000))
        // Trailing bytes after the frame.
        expectCubeError(.corrupt) { try codec.decode(encoded + [0], decodedSize: nil) }
        // A future format version.
        var future = encoded
        future[0] = 9
        expectCubeError(.unsupported) { try codec.decode(future, decodedSize: nil) }
        // A header claiming more than 2 GiB.
        var huge = encoded
        huge[4] = 0xFF; huge[5] = 0xFF; huge[6] = 0xFF; huge[7] = 0xFF
        expectCubeError(.corrupt) { try codec.decode(huge, decodedSize: nil) }
    }

    @Test func refusesOversizedInputWithoutAllocating() throws {
        let codec = try BloscCodec()
        #expect(codec.encodedSizeBound(100) == 116)
        #expect(BloscCodec.maxInputSize == 2_147_483_631)
    }
}
