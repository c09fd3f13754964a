import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct LZ4CodecTests {
    @Test func headerIsLittleEndianSize() throws {
        let codec = try LZ4Codec()
        let input = Samples.smooth(70_000)
        let encoded = try codec.encode(input)
        #expect(Array(encoded.prefix(4)) == [0x70, 0x11, 0x01, 0x00])  // 70000 = 0x011170
        #expect(try codec.encode([]) == [0, 0, 0, 0, 0])  // size 0 + an empty block (one zero token)
        #expect(try codec.decode([0, 0, 0, 0, 0], decodedSize: 0) == [])
    }

    @Test func decodesNumcodecsOutput() throws {
        // numcodecs.LZ4(1).encode(np.arange(64, dtype='<i4') * 3)
        let fixture = Samples.hex("""
            00010000f0f1000000000300000006000000090000000c0000000f0000001200000015000000180000001b0000001e00\
            00002100000024000000270000002a0000002d000000300000003300000036000000390000003c0000003f0000004200\
            000045000000480000004b0000004e0000005100000054000000570000005a0000005d00000060000000630000006600\
            0000690000006c0000006f0000007200000075000000780000007b0000007e0000008100000084000000870000008a00\
            00008d000000900000009300000096000000990000009c0000009f000000a2000000a5000000a8000000ab000000ae00\
            0000b1000000b4000000b7000000ba000000bd000000
            """)
        #expect(try LZ4Codec().decode(fixture, decodedSize: 256) == Samples.ramp)
    }

    @Test func rejectsLyingHeaders() throws {
        let codec = try LZ4Codec()
        var encoded = try codec.encode(Samples.smooth(1000))
        // A size far beyond what the block can hold must not be allocated.
        encoded[0] = 0xFF; encoded[1] = 0xFF; encoded[2] = 0xFF; encoded[3] = 0xFF
        expectCubeError(.corrupt) { try codec.decode(encoded, decodedSize: nil) }
        // A slightly larger size: the block decodes short.
        encoded[0] = 0xE9; encoded[1] = 0x03; encoded[2] = 0; encoded[3] = 0
        expectCubeError(.corrupt) { try codec.decode(encoded, decodedSize: nil) }
        expectCubeError(.corrupt) { try codec.decode([1, 0, 0], decodedSize: nil) }
    }
}
