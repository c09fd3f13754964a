import CubeCore

/// The `transpose` codec: permutes the axes of a chunk. Encoding yields an array whose
/// axis `i` is the input's axis `order[i]`. v2 `order: "F"` is the reversed permutation.
public struct TransposeCodec: ArrayToArrayCodec {
    /// The permutation.
    public var order: [Int]

    /// Creates a transpose, checking that `order` is a permutation of `0..<rank`.
    public init(order: [Int], context: String? = nil) throws {
        guard order.sorted() == Array(0..<order.count) else {
            throw CubeError(.invalidInput, "transpose order \(order) is not a permutation", context: context)
        }
        self.order = order
    }

    public var name: String { "transpose" }

    public func encodedSpec(_ decoded: ChunkSpec) throws -> ChunkSpec {
        guard decoded.shape.count == order.count else {
            throw CubeError(.invalidInput, "transpose order \(order) does not match chunk rank \(decoded.shape.count)")
        }
        var spec = decoded
        spec.shape = order.map { decoded.shape[$0] }
        return spec
    }

    public func encode(_ chunk: ArrayBuffer) throws -> ArrayBuffer {
        Self.permute(chunk, order: order)
    }

    public func decode(_ chunk: ArrayBuffer, decodedSpec spec: ChunkSpec) throws -> ArrayBuffer {
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, axis) in order.enumerated() { inverse[axis] = i }
        return Self.permute(chunk, order: inverse)
    }

    /// Returns `array` with output axis `i` taken from input axis `order[i]`.
    static func permute(_ array: ArrayBuffer, order: [Int]) -> ArrayBuffer {
        let rank = order.count
        if order == Array(0..<rank) { return array }
        let inShape = array.shape
        let outShape = order.map { inShape[$0] }
        let inStrides = ShapeMath.strides(inShape)
        let stridesInOutOrder = order.map { inStrides[$0] }
        let count = ShapeMath.product(outShape)
        // Walk the output in C order, reading the input through permuted strides.
        func walk(_ visit: (_ out: Int, _ input: Int) -> Void) {
            guard count > 0 else { return }
            var index = [Int](repeating: 0, count: rank)
            var inOffset = 0
            for out in 0..<count {
                visit(out, inOffset)
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1
                    inOffset += stridesInOutOrder[axis]
                    if index[axis] < outShape[axis] { break }
                    inOffset -= outShape[axis] * stridesInOutOrder[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        switch array.storage {
        case .strings(let values):
            var result = values
            walk { out, input in result[out] = values[input] }
            return ArrayBuffer(dataType: array.dataType, shape: outShape, storage: .strings(result))
        case .fixed(let raw):
            let itemSize = array.dataType.itemSize
            var result = [UInt8](repeating: 0, count: raw.count)
            raw.withUnsafeBytes { src in
                result.withUnsafeMutableBytes { dst in
                    walk { out, input in
                        (dst.baseAddress! + out * itemSize).copyMemory(from: src.baseAddress! + input * itemSize, byteCount: itemSize)
                    }
                }
            }
            return ArrayBuffer(dataType: array.dataType, shape: outShape, storage: .fixed(result))
        }
    }
}
