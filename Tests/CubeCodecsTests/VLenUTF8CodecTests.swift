import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct VLenUTF8CodecTests {
    static func spec(_ shape: [Int]) -> ChunkSpec { ChunkSpec(shape: shape, dataType: .string, fill: .string("")) }
    static func strings(_ values: [String], shape: [Int]? = nil) -> ArrayBuffer {
        ArrayBuffer(dataType: .string, shape: shape ?? [values.count], storage: .strings(values))
    }

    /// numcodecs.VLenUTF8().encode(['a', 'héllo', '', '😀'])
    static let fixture = Samples.hex("0400000001000000610600000068c3a96c6c6f0000000004000000f09f9880")

    @Test func matchesNumcodecsLayout() throws {
        let codec = VLenUTF8Codec()
        let values = ["a", "héllo", "", "😀"]
        #expect(try codec.encode(Self.strings(values)) == Self.fixture)
        #expect(try codec.decode(Self.fixture, spec: Self.spec([2, 2])).strings == values)
        #expect(codec.encodedSizeBound(Self.spec([4])) == nil)
    }

    @Test func roundTrips() throws {
        let codec = VLenUTF8Codec()
        for values in [[], ["only"], Array(repeating: "", count: 5), (0..<1000).map { "item \($0) ∑ \(String(repeating: "x", count: $0 % 13))" }] {
            let buffer = Self.strings(values)
            #expect(try codec.decode(try codec.encode(buffer), spec: Self.spec([values.count])) == buffer)
        }
        // A 0-d chunk holds one string.
        let scalar = Self.strings(["σ"], shape: [])
        #expect(try codec.decode(try codec.encode(scalar), spec: Self.spec([])) == scalar)
    }

    @Test func invalidUTF8DecodesWithReplacement() throws {
        let bytes: [UInt8] = [1, 0, 0, 0, 3, 0, 0, 0, 0x61, 0xFF, 0x62]
        #expect(try VLenUTF8Codec().decode(bytes, spec: Self.spec([1])).strings == ["a\u{FFFD}b"])
    }

    @Test func rejectsCorruptBuffers() throws {
        let codec = VLenUTF8Codec()
        let spec = Self.spec([4])
        // Wrong item count for the chunk.
        expectCubeError(.corrupt) { try codec.decode(Self.fixture, spec: Self.spec([3])) }
        // Every truncation.
        for cut in 0..<Self.fixture.count {
            expectCubeError(.corrupt) { try codec.decode(Array(Self.fixture.prefix(cut)), spec: spec) }
        }
        // Trailing bytes.
        expectCubeError(.corrupt) { try codec.decode(Self.fixture + [0], spec: spec) }
        // A huge count or length must not allocate or read out of bounds.
        expectCubeError(.corrupt) { try codec.decode([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], spec: Self.spec([Int(UInt32.max)])) }
        expectCubeError(.corrupt) { try codec.decode([1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x61], spec: Self.spec([1])) }
        // Random garbage never crashes.
        for seed in 0..<500 {
            _ = try? codec.decode(Samples.random(seed % 64, seed: UInt64(seed)), spec: Self.spec([seed % 5]))
        }
    }

    @Test func rejectsFixedSizeTypes() throws {
        let codec = VLenUTF8Codec()
        expectCubeError(.invalidInput) {
            try codec.encode(ArrayBuffer(dataType: .int8, shape: [1], storage: .fixed([1])))
        }
        expectCubeError(.unsupported) {
            try codec.decode(Self.fixture, spec: ChunkSpec(shape: [4], dataType: .int8, fill: .zero(for: .int8)))
        }
    }

    @Test func worksInsideACodecChain() throws {
        let chain = CodecChain(arrayToBytes: VLenUTF8Codec(), bytesToBytes: [try ZstdCodec(), CRC32CCodec()])
        let buffer = Self.strings(["x", "yy", "zzz", ""], shape: [2, 2])
        #expect(try chain.decode(try chain.encode(buffer), spec: Self.spec([2, 2])) == buffer)
    }
}
