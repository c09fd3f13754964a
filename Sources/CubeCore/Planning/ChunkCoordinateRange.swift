/// A box of chunk-grid coordinates, `lower ..< lower + counts` along each axis, listed in
/// C order (last axis fastest).
public struct ChunkCoordinateRange: RandomAccessCollection, Sendable, Hashable, CustomStringConvertible {
    /// The first coordinate along each axis.
    public var lower: [Int]
    /// The number of coordinates along each axis.
    public var counts: [Int]

    /// Creates the box starting at `lower` with `counts` coordinates per axis.
    public init(lower: [Int], counts: [Int]) {
        self.lower = lower
        self.counts = counts
    }

    /// Position of the first coordinate.
    public var startIndex: Int { 0 }
    /// One past the position of the last coordinate.
    public var endIndex: Int { counts.isEmpty ? 1 : ShapeMath.product(counts) }

    /// The coordinate at `position` in C order.
    public subscript(position: Int) -> [Int] {
        var coords = lower
        var rest = position
        for axis in stride(from: counts.count - 1, through: 0, by: -1) {
            coords[axis] += rest % counts[axis]
            rest /= counts[axis]
        }
        return coords
    }

    /// Whether `coords` lies in the box.
    public func contains(_ coords: [Int]) -> Bool {
        coords.count == lower.count
            && zip(coords, zip(lower, counts)).allSatisfy { c, box in c >= box.0 && c < box.0 + box.1 }
    }

    /// `[l0..<u0, l1..<u1]`.
    public var description: String {
        "[" + zip(lower, counts).map { "\($0)..<\($0 + $1)" }.joined(separator: ", ") + "]"
    }
}
