import CubeCore

/// The numcodecs `shuffle` filter: a byte transposition that groups byte `j` of every
/// element together.
///
/// With `n = count / elementSize` whole elements, output byte `j * n + i` is input byte
/// `i * elementSize + j`. Trailing bytes that do not form a whole element are copied
/// unchanged to the end (as HDF5's shuffle filter does; numcodecs refuses such buffers,
/// which never occur when `elementSize` is the item size).
public struct ShuffleCodec: BytesToBytesCodec {
    /// Size in bytes of one element; 1 leaves the data unchanged.
    public var elementSize: Int

    /// Creates a shuffle over elements of `elementSize` bytes (numcodecs default 4).
    public init(elementSize: Int = 4) throws {
        guard elementSize >= 1 else {
            throw CubeError(.invalidArgument, "shuffle: element size must be at least 1, got \(elementSize)")
        }
        self.elementSize = elementSize
    }

    /// The codec id, `shuffle`.
    public var name: String { "shuffle" }

    /// Shuffles `bytes`.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        Self.transpose(bytes, elementSize: elementSize, inverse: false)
    }

    /// Unshuffles `bytes`; the output has the same size as the input.
    public func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8] {
        try CodecSupport.checkExpected(name, decodedSize)
        try CodecSupport.checkDecodedSize(name, bytes.count, decodedSize)
        return Self.transpose(bytes, elementSize: elementSize, inverse: true)
    }

    /// The input size: shuffling never changes it.
    public func encodedSizeBound(_ byteCount: Int) -> Int { byteCount }

    /// Shuffles (or, with `inverse`, unshuffles) `bytes` in elements of `elementSize` bytes.
    static func transpose(_ bytes: [UInt8], elementSize: Int, inverse: Bool) -> [UInt8] {
        let count = bytes.count / elementSize
        guard elementSize > 1, count > 1 else { return bytes }
        let whole = count * elementSize
        var output = BufferCache.take(count: bytes.count)
        output.withUnsafeMutableBufferPointer { out in
            guard let dst = out.baseAddress else { return }
            bytes.withUnsafeBufferPointer { input in
                guard let src = input.baseAddress else { return }
                switch elementSize {
                case 2: words(UInt16.self, src, dst, count, inverse)
                case 4: words(UInt32.self, src, dst, count, inverse)
                case 8: words(UInt64.self, src, dst, count, inverse)
                default: general(src, dst, count, elementSize, inverse)
                }
                for k in whole..<bytes.count { dst[k] = src[k] }
            }
        }
        return output
    }

    /// The transposition for element sizes of a machine word: one load or store per element.
    private static func words<W: FixedWidthInteger & UnsignedInteger>(
        _: W.Type, _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, _ count: Int, _ inverse: Bool
    ) {
        let size = MemoryLayout<W>.size
        if inverse {
            for i in 0..<count {
                var word: W = 0
                for j in 0..<size { word |= W(src[j * count + i]) << (8 * j) }
                UnsafeMutableRawPointer(dst + i * size).storeBytes(of: word.littleEndian, as: W.self)
            }
        } else {
            for i in 0..<count {
                let word = W(littleEndian: UnsafeRawPointer(src + i * size).loadUnaligned(as: W.self))
                for j in 0..<size { dst[j * count + i] = UInt8(truncatingIfNeeded: word >> (8 * j)) }
            }
        }
    }

    /// The transposition for any element size, in blocks of elements so both sides stay in cache.
    private static func general(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, _ count: Int,
                                _ elementSize: Int, _ inverse: Bool) {
        let block = 256
        var first = 0
        while first < count {
            let last = min(first + block, count)
            for j in 0..<elementSize {
                if inverse {
                    let from = src + j * count
                    for i in first..<last { dst[i * elementSize + j] = from[i] }
                } else {
                    let to = dst + j * count
                    for i in first..<last { to[i] = src[i * elementSize + j] }
                }
            }
            first = last
        }
    }
}
