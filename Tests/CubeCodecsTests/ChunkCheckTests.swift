import CubeCore
import Testing
@testable import CubeCodecs

/// Checking stored chunks against their codec chain tells cut-off, flipped, resized and
/// checksum-failing chunks apart.
@Suite struct ChunkCheckTests {
    /// One 1024-element int32 chunk.
    static let spec = ChunkSpec(shape: [1024], dataType: .int32, fill: .zero(for: .int32))
    static let data = Samples.smooth(4096)

    static func chain(_ bytesToBytes: [any BytesToBytesCodec]) -> CodecChain {
        CodecChain(arrayToBytes: BytesCodec(endian: .little), bytesToBytes: bytesToBytes)
    }

    static func encoded(_ chain: CodecChain, _ bytes: [UInt8] = data) throws -> [UInt8] {
        try chain.encode(try ArrayBuffer(dataType: .int32, shape: [bytes.count / 4], bytes: bytes))
    }

    /// `bytes` with `count` bytes from `offset` inverted.
    static func flipped(_ bytes: [UInt8], at offset: Int, count: Int = 1) -> [UInt8] {
        var copy = bytes
        for i in offset..<(offset + count) { copy[i] ^= 0xFF }
        return copy
    }

    @Test func soundChunksHaveNoDamage() throws {
        for chain in [Self.chain([]), Self.chain([try ZstdCodec(level: 3)]), Self.chain([CRC32CCodec()]),
                      Self.chain([try BloscCodec(cname: "lz4", clevel: 5, shuffle: .byte, typesize: 4), CRC32CCodec()])] {
            #expect(chain.damage(in: try Self.encoded(chain), spec: Self.spec) == nil, "\(chain.name)")
        }
    }

    @Test func cutOffChunksAreTruncated() throws {
        let zstd = Self.chain([try ZstdCodec(level: 3)])
        let blosc = Self.chain([try BloscCodec(cname: "zstd", clevel: 5, shuffle: .byte, typesize: 4)])
        for chain in [zstd, blosc, Self.chain([])] {
            let whole = try Self.encoded(chain)
            for keep in [0, 9, whole.count / 2, whole.count - 1] {
                let damage = chain.damage(in: Array(whole.prefix(keep)), spec: Self.spec)
                #expect(damage?.kind == .truncated, "\(chain.name), \(keep) of \(whole.count) bytes: \(String(describing: damage))")
            }
        }
    }

    @Test func flippedFramesAreCorrupt() throws {
        let zstd = Self.chain([try ZstdCodec(level: 3)])
        #expect(zstd.damage(in: Self.flipped(try Self.encoded(zstd), at: 0, count: 4), spec: Self.spec)?.kind == .corrupt)
        let blosc = Self.chain([try BloscCodec(cname: "lz4", clevel: 5, shuffle: .byte, typesize: 4)])
        // The first block's start offset, just past the 16-byte header, points far outside the frame.
        let damage = blosc.damage(in: Self.flipped(try Self.encoded(blosc), at: 16, count: 4), spec: Self.spec)
        #expect(damage?.kind == .corrupt, "\(String(describing: damage))")
    }

    @Test func wrongSizesAreMismatched() throws {
        let zstd = Self.chain([try ZstdCodec(level: 3)])
        let short = zstd.damage(in: try Self.encoded(zstd, Array(Self.data.prefix(4000))), spec: Self.spec)
        #expect(short == ChunkDamage(.mismatched, "zstd decodes to 4000 bytes, expected 4096"))
        let plain = Self.chain([])
        #expect(plain.damage(in: Self.data + [0, 0, 0, 0], spec: Self.spec) == ChunkDamage(.mismatched, "chunk holds 4100 bytes, expected 4096"))
    }

    @Test func aFlippedPayloadByteFailsTheChecksum() throws {
        let chain = Self.chain([try ZstdCodec(level: 3), CRC32CCodec()])
        let whole = try Self.encoded(chain)
        let damage = chain.damage(in: Self.flipped(whole, at: whole.count / 2), spec: Self.spec)
        #expect(damage?.kind == .checksum)
        #expect(damage?.detail.hasPrefix("crc32c checksum mismatch") == true)
        #expect(chain.damage(in: [1, 2], spec: Self.spec)?.kind == .truncated)
    }
}
