#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoded elements of an array or chunk, in C order.
///
/// Fixed-size types are held as raw bytes in the machine's native byte order;
/// variable-length strings as Swift strings.
public struct ArrayBuffer: Sendable, Equatable {
    /// Element storage.
    public enum Storage: Sendable, Equatable {
        /// Raw native-order bytes, `itemSize` per element.
        case fixed([UInt8])
        /// One string per element.
        case strings([String])
    }

    /// Element type.
    public var dataType: DataType
    /// Shape of the buffer.
    public var shape: [Int]
    /// The elements.
    public var storage: Storage

    /// Wraps existing storage; the caller guarantees its size matches `shape`.
    public init(dataType: DataType, shape: [Int], storage: Storage) {
        self.dataType = dataType
        self.shape = shape
        self.storage = storage
    }

    /// Wraps raw native-order bytes, checking their size against `shape`.
    public init(dataType: DataType, shape: [Int], bytes: [UInt8], context: String? = nil) throws {
        let expected = try ShapeMath.byteCount(shape, itemSize: dataType.itemSize, context: context)
        guard !dataType.isVariableLength else {
            throw CubeError(.invalidArgument, "variable-length strings cannot be built from raw bytes", context: context)
        }
        guard bytes.count == expected else {
            throw CubeError(.corrupt, "decoded chunk has \(bytes.count) bytes, expected \(expected) for shape \(shape) of \(dataType)", context: context)
        }
        self.init(dataType: dataType, shape: shape, storage: .fixed(bytes))
    }

    /// A buffer of `shape` with every element equal to `fill`.
    public init(filledWith fill: FillValue, dataType: DataType, shape: [Int]) {
        let count = ShapeMath.product(shape)
        self.dataType = dataType
        self.shape = shape
        switch fill {
        case .string(let s):
            storage = .strings(Array(repeating: s, count: count))
        case .element(let item):
            storage = .fixed(FillValue.replicate(item, count: count))
        }
    }

    /// A buffer of `shape` whose bytes are not initialized (empty strings for strings): the
    /// caller writes every element before reading any. Saves touching large buffers twice.
    public init(uninitialized dataType: DataType, shape: [Int]) {
        self.dataType = dataType
        self.shape = shape
        let count = ShapeMath.product(shape)
        if dataType.isVariableLength {
            storage = .strings(Array(repeating: "", count: count))
        } else {
            storage = .fixed(BufferCache.take(count: count * dataType.itemSize))
        }
    }

    /// Sets every element of `region` to `fill`.
    public mutating func fill(_ region: Region, with fill: FillValue) {
        if region.count.contains(0) { return }
        let block = ArrayBuffer(filledWith: fill, dataType: dataType, shape: region.count)
        copy(from: block, sourceStart: [Int](repeating: 0, count: region.rank), count: region.count, to: region.start)
        block.recycle()
    }

    /// Gives the storage of a fixed-size buffer to the thread's ``BufferCache`` for reuse;
    /// call it where the buffer is used for the last time.
    public consuming func recycle() {
        if case .fixed(let bytes) = storage { BufferCache.recycle(bytes) }
    }

    /// Number of elements.
    public var elementCount: Int { ShapeMath.product(shape) }

    /// The raw bytes of a fixed-size buffer, or `nil` for strings.
    public var bytes: [UInt8]? {
        if case .fixed(let b) = storage { return b }
        return nil
    }

    /// The strings of a variable-length buffer, or `nil` for fixed-size types.
    public var strings: [String]? {
        if case .strings(let s) = storage { return s }
        return nil
    }

    /// Whether every element equals `fill` (bitwise for fixed-size types).
    public func isEntirely(_ fill: FillValue) -> Bool {
        switch (storage, fill) {
        case (.strings(let values), .string(let s)):
            return values.allSatisfy { $0 == s }
        case (.fixed(let raw), .element(let item)):
            let n = item.count
            guard n > 0, raw.count % n == 0 else { return raw.isEmpty }
            guard !raw.isEmpty else { return true }
            // The first element equals the pattern and the buffer equals itself shifted by
            // one element: then every element does. Two memcmp calls, no per-element loop.
            return raw.withUnsafeBytes { buf in
                item.withUnsafeBytes { pattern in
                    memcmp(buf.baseAddress!, pattern.baseAddress!, n) == 0
                        && memcmp(buf.baseAddress!, buf.baseAddress! + n, buf.count - n) == 0
                }
            }
        default:
            return false
        }
    }

    /// Copies the box `count` at `sourceStart` of `source` into this buffer at `destinationStart`.
    ///
    /// The destination's storage is taken out of `self` while it is written, so it is
    /// uniquely referenced and never copied (a copy here would cost the whole buffer per call).
    public mutating func copy(from source: ArrayBuffer, sourceStart: [Int], count: [Int], to destinationStart: [Int]) {
        let destinationShape = shape
        switch source.storage {
        case .fixed(let raw):
            guard var target = takeFixed() else { return }
            let itemSize = dataType.itemSize
            raw.withUnsafeBytes { src in
                target.withUnsafeMutableBytes { dst in
                    RegionCopy.copy(count: count, itemSize: itemSize,
                                    from: src, sourceShape: source.shape, sourceStart: sourceStart,
                                    to: dst, destinationShape: destinationShape, destinationStart: destinationStart)
                }
            }
            storage = .fixed(target)
        case .strings(let values):
            guard var target = takeStrings() else { return }
            RegionCopy.forEachRun(count: count, sourceShape: source.shape, sourceStart: sourceStart,
                                  destinationShape: destinationShape, destinationStart: destinationStart) { s, d, n in
                target.replaceSubrange(d..<(d + n), with: values[s..<(s + n)])
            }
            storage = .strings(target)
        }
    }

    /// Calls `body` with the raw bytes of a fixed-size buffer, writable and never copied
    /// first; returns `nil` without calling it for strings.
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R? {
        guard var raw = takeFixed() else { return nil }
        defer { storage = .fixed(raw) }
        return try raw.withUnsafeMutableBytes(body)
    }

    /// Moves the raw bytes out of the buffer (leaving it empty), or returns `nil` for strings.
    private mutating func takeFixed() -> [UInt8]? {
        guard case .fixed(let bytes) = storage else { return nil }
        storage = .fixed([])
        return bytes
    }

    /// Moves the strings out of the buffer (leaving it empty), or returns `nil` for raw bytes.
    private mutating func takeStrings() -> [String]? {
        guard case .strings(let values) = storage else { return nil }
        storage = .strings([])
        return values
    }

    /// The box `region` of this buffer as a new buffer.
    public func extracting(_ region: Region) -> ArrayBuffer {
        if region.start.allSatisfy({ $0 == 0 }) && region.count == shape { return self }
        var result: ArrayBuffer
        switch storage {
        case .fixed:
            result = ArrayBuffer(dataType: dataType, shape: region.count,
                                 storage: .fixed([UInt8](repeating: 0, count: region.elementCount * dataType.itemSize)))
        case .strings:
            result = ArrayBuffer(dataType: dataType, shape: region.count,
                                 storage: .strings(Array(repeating: "", count: region.elementCount)))
        }
        result.copy(from: self, sourceStart: region.start, count: region.count,
                    to: [Int](repeating: 0, count: region.rank))
        return result
    }
}

