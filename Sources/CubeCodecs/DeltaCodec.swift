import CubeCore

/// The numcodecs `delta` filter: keeps the first element and stores each later element's
/// difference from its predecessor; decoding is the running sum.
///
/// Integer arithmetic wraps (as NumPy's does); floating-point differences and sums are
/// rounded like NumPy's, so a float round trip is exact only where the sums are. Complex
/// numbers are differenced per component. Only `astype == dtype` is supported.
public struct DeltaCodec: ArrayToArrayCodec {
    /// The element type of the data.
    public var dataType: DataType
    /// The element type of the encoded differences; always equal to ``dataType``.
    public var astype: DataType

    /// Creates a delta filter over `dataType`; `astype` defaults to `dataType`.
    ///
    /// Throws `.unsupported` when `astype` differs from `dataType` or the type is not numeric.
    public init(dataType: DataType, astype: DataType? = nil) throws {
        let astype = astype ?? dataType
        guard astype == dataType else {
            throw CubeError(.unsupported, "delta: dtype \(dataType) with astype \(astype) is not supported (only astype == dtype)")
        }
        guard Self.lanes(dataType) != nil else {
            throw CubeError(.unsupported, "delta: dtype \(dataType) is not supported (integer, float or complex types only)")
        }
        self.dataType = dataType
        self.astype = astype
    }

    /// The codec id, `delta`.
    public var name: String { "delta" }

    /// The encoded spec: the same shape, of type ``astype``.
    public func encodedSpec(_ decoded: ChunkSpec) throws -> ChunkSpec {
        try check(decoded.dataType)
        var spec = decoded
        spec.dataType = astype
        return spec
    }

    /// Replaces each element after the first by its difference from the previous one.
    public func encode(_ chunk: ArrayBuffer) throws -> ArrayBuffer {
        try transform(chunk, from: dataType, to: astype, inverse: false)
    }

    /// Replaces each element by the running sum of the elements up to it.
    public func decode(_ chunk: ArrayBuffer, decodedSpec spec: ChunkSpec) throws -> ArrayBuffer {
        try check(spec.dataType)
        return try transform(chunk, from: astype, to: dataType, inverse: true)
    }

    private func check(_ type: DataType) throws {
        guard type == dataType else {
            throw CubeError(.invalidInput, "delta: filter dtype \(dataType) does not match array dtype \(type)")
        }
    }

    private func transform(_ chunk: ArrayBuffer, from: DataType, to: DataType, inverse: Bool) throws -> ArrayBuffer {
        guard chunk.dataType == from else {
            throw CubeError(.invalidInput, "delta: expected \(from) elements, got \(chunk.dataType)")
        }
        guard var bytes = chunk.bytes else {
            throw CubeError(.invalidInput, "delta: cannot filter variable-length strings")
        }
        let count = try ShapeMath.elementCount(chunk.shape)
        guard bytes.count == count * from.itemSize else {
            throw CodecSupport.corrupt(name, "chunk holds \(bytes.count) bytes, expected \(count * from.itemSize) for shape \(chunk.shape)")
        }
        try Self.apply(&bytes, type: from, inverse: inverse)
        return ArrayBuffer(dataType: to, shape: chunk.shape, storage: .fixed(bytes))
    }

    /// The number of scalar lanes per element, or `nil` for types delta does not handle.
    static func lanes(_ type: DataType) -> Int? {
        switch type {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float16, .float32, .float64: 1
        case .complex64, .complex128: 2
        default: nil
        }
    }

    /// Differences (or running sums, with `inverse`) in place over native-order `bytes`.
    static func apply(_ bytes: inout [UInt8], type: DataType, inverse: Bool) throws {
        switch type {
        case .int8: integers(&bytes, Int8.self, inverse)
        case .int16: integers(&bytes, Int16.self, inverse)
        case .int32: integers(&bytes, Int32.self, inverse)
        case .int64: integers(&bytes, Int64.self, inverse)
        case .uint8: integers(&bytes, UInt8.self, inverse)
        case .uint16: integers(&bytes, UInt16.self, inverse)
        case .uint32: integers(&bytes, UInt32.self, inverse)
        case .uint64: integers(&bytes, UInt64.self, inverse)
        case .float16:
            #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
            floats(&bytes, Float16.self, lanes: 1, inverse)
            #else
            throw CubeError(.unsupported, "delta: float16 arithmetic is not available on this platform")
            #endif
        case .float32: floats(&bytes, Float.self, lanes: 1, inverse)
        case .float64: floats(&bytes, Double.self, lanes: 1, inverse)
        case .complex64: floats(&bytes, Float.self, lanes: 2, inverse)
        case .complex128: floats(&bytes, Double.self, lanes: 2, inverse)
        default: throw CubeError(.unsupported, "delta: dtype \(type) is not supported")
        }
    }

    private static func integers<T: FixedWidthInteger>(_ bytes: inout [UInt8], _: T.Type, _ inverse: Bool) {
        let size = MemoryLayout<T>.size
        let count = bytes.count / size
        guard count > 1 else { return }
        bytes.withUnsafeMutableBytes { buffer in
            if inverse {
                var sum = buffer.loadUnaligned(as: T.self)
                for i in 1..<count {
                    sum = sum &+ buffer.loadUnaligned(fromByteOffset: i * size, as: T.self)
                    buffer.storeBytes(of: sum, toByteOffset: i * size, as: T.self)
                }
            } else {
                var previous = buffer.loadUnaligned(as: T.self)
                for i in 1..<count {
                    let current = buffer.loadUnaligned(fromByteOffset: i * size, as: T.self)
                    buffer.storeBytes(of: current &- previous, toByteOffset: i * size, as: T.self)
                    previous = current
                }
            }
        }
    }

    private static func floats<T: BinaryFloatingPoint>(_ bytes: inout [UInt8], _: T.Type, lanes: Int, _ inverse: Bool) {
        let size = MemoryLayout<T>.size
        let count = bytes.count / size
        guard count > lanes else { return }
        bytes.withUnsafeMutableBytes { buffer in
            for lane in 0..<lanes {
                if inverse {
                    var sum = buffer.loadUnaligned(fromByteOffset: lane * size, as: T.self)
                    for i in stride(from: lane + lanes, to: count, by: lanes) {
                        sum = sum + buffer.loadUnaligned(fromByteOffset: i * size, as: T.self)
                        buffer.storeBytes(of: sum, toByteOffset: i * size, as: T.self)
                    }
                } else {
                    var previous = buffer.loadUnaligned(fromByteOffset: lane * size, as: T.self)
                    for i in stride(from: lane + lanes, to: count, by: lanes) {
                        let current = buffer.loadUnaligned(fromByteOffset: i * size, as: T.self)
                        buffer.storeBytes(of: current - previous, toByteOffset: i * size, as: T.self)
                        previous = current
                    }
                }
            }
        }
    }
}
