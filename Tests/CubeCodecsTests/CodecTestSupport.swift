import CubeCore
import Testing
@testable import CubeCodecs

/// A small deterministic random generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Samples {
    /// `count` random bytes.
    static func random(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    /// `count` bytes of a slowly varying little-endian Int32 ramp with noise: compressible,
    /// like gridded data.
    static func smooth(_ count: Int, seed: UInt64 = 2) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(count + 4)
        var value: Int32 = 1000
        while out.count < count {
            value &+= Int32.random(in: -3...3, using: &rng)
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(count))
    }

    /// Bytes from a hex string (test fixtures).
    static func hex(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: continue
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    /// The input numcodecs fixtures were made from: `np.arange(64, dtype='<i4') * 3`.
    static let ramp: [UInt8] = (0..<64).flatMap { i -> [UInt8] in
        let v = UInt32(i * 3)
        return [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }

    /// Sizes that exercise empty, tiny, odd and multi-block inputs.
    static let sizes = [0, 1, 3, 7, 8, 100, 1023, 4097, 65_537, 300_001]
}

/// Expects `body` to throw a ``CubeError`` of kind `kind`.
func expectCubeError<T>(_ kind: CubeError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () throws -> T) {
    do {
        _ = try body()
        Issue.record("expected a \(kind) error, got a result", sourceLocation: sourceLocation)
    } catch let error as CubeError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected CubeError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// A codec as a test argument, labelled by its configuration.
struct CodecCase: Sendable, CustomTestStringConvertible {
    let codec: any BytesToBytesCodec
    var testDescription: String { label(codec) }
}

/// Every bytes→bytes codec in a typical configuration, for shared property tests.
let allBytesCodecs: [CodecCase] = {
    var codecs: [any BytesToBytesCodec] = []
    for cname in BloscCodec.availableCompressors {
        for shuffle in [BloscCodec.Shuffle.none, .byte, .bit, .auto] {
            if let codec = try? BloscCodec(cname: cname, clevel: 5, shuffle: shuffle, typesize: 4) {
                codecs.append(codec)
            }
        }
    }
    codecs.append(try! ZlibCodec(level: 1))
    codecs.append(try! ZlibCodec(level: 9))
    codecs.append(try! GzipCodec(level: 5))
    codecs.append(try! ZstdCodec(level: 0))
    codecs.append(try! ZstdCodec(level: -5, checksum: true))
    codecs.append(try! ZstdCodec(level: 19, checksum: true))
    codecs.append(try! LZ4Codec())
    codecs.append(try! LZ4Codec(acceleration: 10))
    codecs.append(try! ShuffleCodec(elementSize: 4))
    codecs.append(try! ShuffleCodec(elementSize: 3))
    codecs.append(CRC32CCodec())
    return codecs.map(CodecCase.init)
}()

/// A readable label for a codec in a parameterized test.
func label(_ codec: any BytesToBytesCodec) -> String {
    switch codec {
    case let c as BloscCodec: "blosc(\(c.cname.rawValue), \(c.shuffle))"
    case let c as ZlibCodec: "zlib(\(c.level))"
    case let c as GzipCodec: "gzip(\(c.level))"
    case let c as ZstdCodec: "zstd(\(c.level), checksum: \(c.checksum))"
    case let c as LZ4Codec: "lz4(\(c.acceleration))"
    case let c as ShuffleCodec: "shuffle(\(c.elementSize))"
    default: codec.name
    }
}
