import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct CRC32CTests {
    /// Bit-at-a-time reference implementation.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func knownAnswers() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 (iSCSI) test vectors.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func matchesReferenceAtEveryAlignment() {
        let data = Samples.random(1000, seed: 9)
        for start in 0..<9 {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 500, 1000 - start] {
                let slice = data[start..<(start + length)]
                #expect(CRC32C.checksum(slice) == Self.reference(Array(slice)), "start \(start) length \(length)")
            }
        }
    }

    @Test func updatesIncrementally() {
        let data = Samples.random(10_000, seed: 3)
        var crc: UInt32 = 0
        var offset = 0
        for step in [1, 5, 8, 13, 1000, 4096] {
            crc = CRC32C.update(crc, with: data[offset..<(offset + step)])
            offset += step
        }
        crc = CRC32C.update(crc, with: data[offset...])
        #expect(crc == CRC32C.checksum(data))
        #expect(data.withUnsafeBytes { CRC32C.checksum($0) } == CRC32C.checksum(data))
        // Non-contiguous collections take the copying path.
        #expect(CRC32C.checksum(data.reversed()) == Self.reference(data.reversed()))
    }

    @Test func codecAppendsLittleEndianChecksum() throws {
        let codec = CRC32CCodec()
        let encoded = try codec.encode(Array("123456789".utf8))
        #expect(encoded == Array("123456789".utf8) + [0x83, 0x92, 0x06, 0xE3])
        #expect(try codec.decode(encoded, decodedSize: 9) == Array("123456789".utf8))
        #expect(try codec.encode([]) == [0, 0, 0, 0])
        #expect(try codec.decode([0, 0, 0, 0], decodedSize: 0) == [])
        #expect(codec.encodedSizeBound(10) == 14)
    }

    @Test func detectsMismatch() throws {
        let codec = CRC32CCodec()
        var encoded = try codec.encode(Samples.random(100))
        encoded[10] ^= 0x01
        do {
            _ = try codec.decode(encoded, decodedSize: nil)
            Issue.record("expected a checksum mismatch")
        } catch let error as CubeError {
            #expect(error.kind == .corrupt)
            #expect(error.message.hasPrefix("crc32c checksum mismatch"))
        }
        expectCubeError(.corrupt) { try codec.decode([1, 2, 3], decodedSize: nil) }
    }
}
