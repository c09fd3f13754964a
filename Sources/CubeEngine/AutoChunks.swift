import CubeCore

/// Default chunk shapes for variables stored without chunks (contiguous or NetCDF classic).
public enum AutoChunks {
    /// The default target size of one chunk.
    public static let targetBytes = 4 << 20

    /// A chunk shape of about `targetBytes` (within a factor of two) shaped like the array:
    /// the longest chunk side is halved until the chunk is small enough.
    public static func chunks(shape: [Int], itemSize: Int, targetBytes: Int = targetBytes) -> [Int] {
        var chunk = shape.map { max($0, 1) }
        let size = max(itemSize, 1)
        while ShapeMath.product(chunk) * size > targetBytes * 2 {
            guard let axis = chunk.indices.max(by: { chunk[$0] < chunk[$1] }), chunk[axis] > 1 else { break }
            chunk[axis] = (chunk[axis] + 1) / 2
        }
        return chunk
    }
}
