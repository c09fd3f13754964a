/// Integer arithmetic on array shapes that refuses to overflow.
public enum ShapeMath {
    /// The number of elements of `shape`, or an error if it overflows `Int`.
    public static func elementCount(_ shape: [Int], context: String? = nil) throws -> Int {
        var total = 1
        for n in shape {
            guard n >= 0 else {
                throw CubeError(.invalidInput, "negative dimension length \(n) in shape \(shape)", context: context)
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: n)
            guard !overflow else {
                throw CubeError(.invalidInput, "shape \(shape) has more elements than fit in 64 bits", context: context)
            }
            total = product
        }
        return total
    }

    /// The byte size of `shape` elements of `itemSize` bytes, or an error if it overflows.
    public static func byteCount(_ shape: [Int], itemSize: Int, context: String? = nil) throws -> Int {
        let count = try elementCount(shape, context: context)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(itemSize, 1))
        guard !overflow else {
            throw CubeError(.invalidInput, "shape \(shape) of \(itemSize)-byte items overflows 64 bits", context: context)
        }
        return bytes
    }

    /// The element count of a shape already known not to overflow.
    public static func product(_ shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// Row-major (C order) element strides of `shape`.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = acc
            acc *= shape[axis]
        }
        return strides
    }

    /// `a / b` rounded up, for non-negative `a` and positive `b` (0 when `b` is 0); never
    /// overflows, even for `a` near `Int.max`.
    public static func ceilDiv(_ a: Int, _ b: Int) -> Int {
        b == 0 || a == 0 ? 0 : (a - 1) / b + 1
    }

    /// `a + b`, or `Int.max` when that overflows (both non-negative): for sizes and bounds,
    /// where "too large to represent" means "too large for any budget", so a hostile or huge
    /// input never traps.
    public static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    /// `a × b`, or `Int.max` when that overflows (both non-negative).
    public static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }
}

/// A hyper-rectangle of an array: a start index and a count per dimension.
public struct Region: Sendable, Hashable, CustomStringConvertible {
    /// First index along each dimension.
    public var start: [Int]
    /// Number of indices along each dimension.
    public var count: [Int]

    /// Creates a region from per-dimension starts and counts.
    public init(start: [Int], count: [Int]) {
        self.start = start
        self.count = count
    }

    /// The whole of an array of `shape`.
    public init(shape: [Int]) {
        self.start = Array(repeating: 0, count: shape.count)
        self.count = shape
    }

    /// Number of dimensions.
    public var rank: Int { start.count }

    /// Number of elements in the region.
    public var elementCount: Int { ShapeMath.product(count) }

    /// One past the last index along each dimension.
    public var end: [Int] { zip(start, count).map { $0 + $1 } }

    /// Checks that the region lies inside an array of `shape`.
    public func validate(within shape: [Int], context: String? = nil) throws {
        guard start.count == shape.count, count.count == shape.count else {
            throw CubeError(.invalidArgument, "region \(self) has rank \(start.count), array has rank \(shape.count)", context: context)
        }
        for axis in 0..<shape.count {
            guard start[axis] >= 0, count[axis] >= 0, start[axis] <= shape[axis] - count[axis] else {
                throw CubeError(.invalidArgument, "region \(self) lies outside shape \(shape)", context: context)
            }
        }
    }

    /// `[s0:e0, s1:e1]` in Python slice notation.
    public var description: String {
        "[" + zip(start, count).map { start, count in
            // A hostile region may reach past Int.max; describe it without trapping.
            let (end, overflow) = start.addingReportingOverflow(count)
            return overflow ? "\(start):\(start)+\(count)" : "\(start):\(end)"
        }.joined(separator: ", ") + "]"
    }
}
