import CubeCore

/// Several array sources joined along one axis, read as one.
public struct ConcatenatedSource: ArraySource {
    /// The parts, in order.
    public let parts: [any ArraySource]
    /// The axis they are joined along.
    public let axis: Int
    /// Where each part starts along the axis.
    private let offsets: [Int]

    /// Joins `parts` along `axis`; they must agree on everything but the length along it.
    public init(parts: [any ArraySource], axis: Int) throws {
        guard let first = parts.first else { throw CubeError(.invalidArgument, "nothing to concatenate") }
        for part in parts.dropFirst() {
            var a = first.shape, b = part.shape
            guard a.count == b.count, axis < a.count else {
                throw CubeError(.invalidInput, "rank differs from the first file's", context: part.path)
            }
            a[axis] = 0
            b[axis] = 0
            guard a == b, part.dataType == first.dataType, part.dimensionNames == first.dimensionNames else {
                throw CubeError(.invalidInput, "shape, type or dimensions differ from the first file's (\(first.shape) \(first.dataType) vs \(part.shape) \(part.dataType))", context: part.path)
            }
        }
        self.parts = parts
        self.axis = axis
        var offsets: [Int] = []
        var total = 0
        for part in parts {
            offsets.append(total)
            total += part.shape[axis]
        }
        self.offsets = offsets
    }

    public var path: String { parts[0].path }
    public var shape: [Int] {
        var s = parts[0].shape
        s[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        return s
    }
    public var dataType: DataType { parts[0].dataType }
    public var chunkShape: [Int]? { parts[0].chunkShape }
    public var dimensionNames: [String] { parts[0].dimensionNames }
    public var attributes: [Attribute] { parts[0].attributes }

    public func read(_ region: Region) throws -> ArrayBuffer {
        try region.validate(within: shape, context: path)
        let lo = region.start[axis], hi = lo + region.count[axis]
        var output: ArrayBuffer?
        for (part, offset) in zip(parts, offsets) {
            let partEnd = offset + part.shape[axis]
            let a = max(lo, offset), b = min(hi, partEnd)
            guard a < b else { continue }
            var sub = region
            sub.start[axis] = a - offset
            sub.count[axis] = b - a
            let piece = try part.read(sub)
            if a == lo && b == hi { return piece }
            if output == nil {
                output = ArrayBuffer(filledWith: .zero(for: dataType), dataType: dataType, shape: region.count)
            }
            var at = [Int](repeating: 0, count: region.rank)
            at[axis] = a - lo
            output?.copy(from: piece, sourceStart: [Int](repeating: 0, count: region.rank), count: piece.shape, to: at)
        }
        return output ?? ArrayBuffer(filledWith: .zero(for: dataType), dataType: dataType, shape: region.count)
    }
}
