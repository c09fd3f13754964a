import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct ShuffleCodecTests {
    @Test func layoutMatchesNumcodecs() throws {
        // numcodecs.Shuffle(4).encode(bytes(range(1, 9))) == 01 05 02 06 03 07 04 08
        let codec = try ShuffleCodec(elementSize: 4)
        #expect(try codec.encode([1, 2, 3, 4, 5, 6, 7, 8]) == Samples.hex("0105020603070408"))
        // Three 2-byte elements.
        let two = try ShuffleCodec(elementSize: 2)
        #expect(try two.encode([0x11, 0x12, 0x21, 0x22, 0x31, 0x32]) == [0x11, 0x21, 0x31, 0x12, 0x22, 0x32])
    }

    @Test func trailingBytesStayInPlace() throws {
        // "12312312312345" with element size 3 → "11112222333345".
        let codec = try ShuffleCodec(elementSize: 3)
        let input = Array("12312312312345".utf8)
        let encoded = try codec.encode(input)
        #expect(encoded == Array("11112222333345".utf8))
        #expect(try codec.decode(encoded, decodedSize: input.count) == input)
        // Fewer bytes than one element: unchanged.
        #expect(try codec.encode([9, 8]) == [9, 8])
    }

    @Test(arguments: [1, 2, 3, 4, 8, 16, 255, 300])
    func roundTrips(elementSize: Int) throws {
        let codec = try ShuffleCodec(elementSize: elementSize)
        for size in Samples.sizes {
            let input = Samples.random(size, seed: UInt64(size))
            let encoded = try codec.encode(input)
            #expect(encoded.count == size)
            #expect(try codec.decode(encoded, decodedSize: size) == input)
        }
    }

    @Test func matchesDefinitionOnLargeInput() throws {
        let codec = try ShuffleCodec(elementSize: 8)
        let input = Samples.random(8 * 1000 + 5)
        let encoded = try codec.encode(input)
        for i in 0..<1000 {
            for j in 0..<8 { #expect(encoded[j * 1000 + i] == input[i * 8 + j]) }
        }
        #expect(encoded[8000...] == input[8000...])
    }

    @Test func rejectsBadConfiguration() {
        expectCubeError(.invalidArgument) { try ShuffleCodec(elementSize: 0) }
    }
}
