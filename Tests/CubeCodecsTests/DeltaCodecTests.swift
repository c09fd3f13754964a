import CubeCore
import Testing
@testable import CubeCodecs

@Suite struct DeltaCodecTests {
    static func buffer<T>(_ values: [T], _ type: DataType) -> ArrayBuffer {
        let bytes = values.withUnsafeBytes { Array($0) }
        return ArrayBuffer(dataType: type, shape: [values.count], storage: .fixed(bytes))
    }

    static func values<T>(_ buffer: ArrayBuffer, as _: T.Type) -> [T] {
        let bytes = buffer.bytes ?? []
        return (0..<(bytes.count / MemoryLayout<T>.size)).map { i in
            bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
        }
    }

    @Test func knownAnswerInt32() throws {
        // numcodecs.Delta('<i4').encode([1, 3, 6, 10, -5]) == [1, 2, 3, 4, -15]
        let codec = try DeltaCodec(dataType: .int32)
        let encoded = try codec.encode(Self.buffer([Int32(1), 3, 6, 10, -5], .int32))
        #expect(Self.values(encoded, as: Int32.self) == [1, 2, 3, 4, -15])
        #expect(encoded.bytes == Samples.hex("01000000020000000300000004000000f1ffffff"))
        let spec = ChunkSpec(shape: [5], dataType: .int32, fill: .zero(for: .int32))
        #expect(Self.values(try codec.decode(encoded, decodedSpec: spec), as: Int32.self) == [1, 3, 6, 10, -5])
    }

    @Test func integerArithmeticWraps() throws {
        let codec = try DeltaCodec(dataType: .uint8)
        let encoded = try codec.encode(Self.buffer([UInt8(250), 5, 255, 0], .uint8))
        #expect(encoded.bytes == [250, 11, 250, 1])
        let spec = ChunkSpec(shape: [4], dataType: .uint8, fill: .zero(for: .uint8))
        #expect(try codec.decode(encoded, decodedSpec: spec).bytes == [250, 5, 255, 0])
        let signed = try DeltaCodec(dataType: .int64)
        let extremes = Self.buffer([Int64.min, Int64.max, 0], .int64)
        let spec64 = ChunkSpec(shape: [3], dataType: .int64, fill: .zero(for: .int64))
        #expect(try signed.decode(try signed.encode(extremes), decodedSpec: spec64) == extremes)
    }

    @Test(arguments: [DataType.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64,
                      .float16, .float32, .float64, .complex64, .complex128])
    func roundTrips(type: DataType) throws {
        let codec = try DeltaCodec(dataType: type, astype: type)
        #expect(try codec.encodedSpec(ChunkSpec(shape: [2, 3], dataType: type, fill: .zero(for: type))).dataType == type)
        for count in [0, 1, 2, 17, 1000] {
            // Small integers are exact in every type, so float round trips are exact too.
            var rng = SplitMix64(seed: UInt64(count))
            var bytes = [UInt8]()
            for _ in 0..<(count * (DeltaCodec.lanes(type) ?? 1)) {
                let v = Int.random(in: 0...100, using: &rng)
                switch type {
                case .int8: withUnsafeBytes(of: Int8(v)) { bytes += $0 }
                case .int16: withUnsafeBytes(of: Int16(v)) { bytes += $0 }
                case .int32: withUnsafeBytes(of: Int32(v)) { bytes += $0 }
                case .int64: withUnsafeBytes(of: Int64(v)) { bytes += $0 }
                case .uint8: withUnsafeBytes(of: UInt8(v)) { bytes += $0 }
                case .uint16: withUnsafeBytes(of: UInt16(v)) { bytes += $0 }
                case .uint32: withUnsafeBytes(of: UInt32(v)) { bytes += $0 }
                case .uint64: withUnsafeBytes(of: UInt64(v)) { bytes += $0 }
                case .float16:
                    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
                    withUnsafeBytes(of: Float16(v)) { bytes += $0 }
                    #endif
                case .float32, .complex64: withUnsafeBytes(of: Float(v)) { bytes += $0 }
                default: withUnsafeBytes(of: Double(v)) { bytes += $0 }
                }
            }
            let input = ArrayBuffer(dataType: type, shape: [count], storage: .fixed(bytes))
            let spec = ChunkSpec(shape: [count], dataType: type, fill: .zero(for: type))
            let encoded = try codec.encode(input)
            #expect(try codec.decode(encoded, decodedSpec: spec) == input, "\(type) × \(count)")
        }
    }

    @Test func complexDifferencesPerComponent() throws {
        let codec = try DeltaCodec(dataType: .complex64)
        let encoded = try codec.encode(ArrayBuffer(dataType: .complex64, shape: [3],
                                                   storage: .fixed([Float(1), 10, 3, 20, 6, 40].withUnsafeBytes { Array($0) })))
        #expect(Self.values(encoded, as: Float.self) == [1, 10, 2, 10, 3, 20])
    }

    @Test func rejectsUnsupportedConfigurations() throws {
        do {
            _ = try DeltaCodec(dataType: .int32, astype: .int16)
            Issue.record("expected an error")
        } catch let error as CubeError {
            #expect(error.kind == .unsupported)
            #expect(error.message.contains("int32") && error.message.contains("int16"))
        }
        expectCubeError(.unsupported) { try DeltaCodec(dataType: .bool) }
        expectCubeError(.unsupported) { try DeltaCodec(dataType: .string) }
        let codec = try DeltaCodec(dataType: .int16)
        expectCubeError(.invalidInput) { try codec.encode(Self.buffer([Int32(1)], .int32)) }
        expectCubeError(.invalidInput) {
            try codec.encodedSpec(ChunkSpec(shape: [1], dataType: .int32, fill: .zero(for: .int32)))
        }
    }
}
