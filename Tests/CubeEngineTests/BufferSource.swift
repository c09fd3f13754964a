import CubeCore

/// An in-memory array of fixed-size elements (characters, numbers) with named dimensions.
struct BufferSource: ArraySource {
    var path: String
    var buffer: ArrayBuffer
    var dimensionNames: [String]
    var attributes: [Attribute] = []
    var chunkShape: [Int]? = nil
    var shape: [Int] { buffer.shape }
    var dataType: DataType { buffer.dataType }

    func read(_ region: Region) throws -> ArrayBuffer {
        try region.validate(within: shape, context: path)
        return buffer.extracting(region)
    }

    /// Characters of `rows` (each padded with NULs to `width`) with dimensions `dims`.
    static func characters(_ path: String, _ rows: [String], width: Int, dims: [String]) -> BufferSource {
        let bytes = rows.flatMap { Array($0.utf8) + [UInt8](repeating: 0, count: width - $0.utf8.count) }
        return BufferSource(path: path, buffer: ArrayBuffer(dataType: .bytes(1), shape: [rows.count, width], storage: .fixed(bytes)),
                            dimensionNames: dims)
    }

    /// `count` int32 zeros along `dim`.
    static func numbers(_ path: String, count: Int, dim: String) -> BufferSource {
        BufferSource(path: path, buffer: ArrayBuffer(filledWith: .zero(for: .int32), dataType: .int32, shape: [count]),
                     dimensionNames: [dim])
    }
}
