import CubeCore
import Foundation

/// An in-memory array source whose element at linear index i is `Float(i)`, counting reads.
final class SyntheticSource: ArraySource, @unchecked Sendable {
    let path: String
    let shape: [Int]
    let chunkShape: [Int]?
    let dimensionNames: [String]
    let attributes: [Attribute]
    let dataType = DataType.float32
    /// Fails reads after this many (to simulate a crash mid-way).
    let failAfter: Int?
    private let lock = NSLock()
    private var reads = 0
    private var elementsRead = 0

    init(path: String = "t2m", shape: [Int], chunkShape: [Int]? = nil, dimensionNames: [String]? = nil,
         attributes: [Attribute] = [], failAfter: Int? = nil) {
        self.path = path
        self.shape = shape
        self.chunkShape = chunkShape
        self.dimensionNames = dimensionNames ?? ["time", "lat", "lon"].suffix(shape.count).map { $0 }
        self.attributes = attributes
        self.failAfter = failAfter
    }

    var readCount: Int { lock.withLock { reads } }
    var elementCount: Int { lock.withLock { elementsRead } }

    func read(_ region: Region) throws -> ArrayBuffer {
        let n = lock.withLock { () -> Int in
            reads += 1
            elementsRead += region.elementCount
            return reads
        }
        if let failAfter, n > failAfter { throw CubeError(.io, "synthetic failure", context: path) }
        try region.validate(within: shape)
        var values = [Float](repeating: 0, count: region.elementCount)
        let strides = ShapeMath.strides(shape)
        var index = [Int](repeating: 0, count: region.rank)
        for i in 0..<values.count {
            var linear = 0
            for axis in 0..<region.rank { linear += (region.start[axis] + index[axis]) * strides[axis] }
            values[i] = Float(linear)
            var axis = region.rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < region.count[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return try ArrayBuffer(dataType: .float32, shape: region.count, bytes: values.withUnsafeBytes { Array($0) })
    }

    /// The whole array as the source would return it.
    func expected() throws -> ArrayBuffer { try read(Region(shape: shape)) }
}

/// A fresh temporary directory path (not created).
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("cube-engine-\(UUID().uuidString)-\(name)").path
}
