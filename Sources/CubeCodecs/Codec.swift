import CubeCore

/// What a chunk looks like at one point of a codec chain: the shape and type of the
/// array being encoded, and its fill value.
public struct ChunkSpec: Sendable, Hashable {
    /// Shape of the chunk.
    public var shape: [Int]
    /// Element type of the chunk.
    public var dataType: DataType
    /// Fill value of the array the chunk belongs to.
    public var fill: FillValue

    /// Creates a chunk description.
    public init(shape: [Int], dataType: DataType, fill: FillValue) {
        self.shape = shape
        self.dataType = dataType
        self.fill = fill
    }

    /// Decoded size in bytes (0 for variable-length strings, whose size is unknown), or
    /// `Int.max` for a shape too large to address.
    public var byteCount: Int { shape.reduce(dataType.itemSize) { ShapeMath.saturatingProduct($0, $1) } }
}

/// A codec that transforms an array into another array (for example `transpose`, `delta`).
public protocol ArrayToArrayCodec: Sendable {
    /// The Zarr name of the codec, for messages.
    var name: String { get }
    /// The spec of the encoded array, given the spec of the decoded one.
    func encodedSpec(_ decoded: ChunkSpec) throws -> ChunkSpec
    /// Encodes one chunk.
    func encode(_ chunk: ArrayBuffer) throws -> ArrayBuffer
    /// Decodes one chunk whose decoded form is described by `spec`.
    func decode(_ chunk: ArrayBuffer, decodedSpec spec: ChunkSpec) throws -> ArrayBuffer
}

/// The codec that serializes an array to bytes (for example `bytes`, `vlen-utf8`, sharding).
public protocol ArrayToBytesCodec: Sendable {
    /// The Zarr name of the codec, for messages.
    var name: String { get }
    /// Serializes one chunk.
    func encode(_ chunk: ArrayBuffer) throws -> [UInt8]
    /// Deserializes one chunk described by `spec`.
    func decode(_ bytes: [UInt8], spec: ChunkSpec) throws -> ArrayBuffer
    /// An upper bound of the serialized size, or `nil` when it cannot be known (strings).
    func encodedSizeBound(_ spec: ChunkSpec) -> Int?
}

/// A codec from bytes to bytes (compressors, checksums, byte shuffles).
public protocol BytesToBytesCodec: Sendable {
    /// The Zarr name of the codec, for messages.
    var name: String { get }
    /// Encodes a buffer.
    func encode(_ bytes: [UInt8]) throws -> [UInt8]
    /// Decodes a buffer; `decodedSize` is the expected output size when the caller knows it.
    func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8]
    /// An upper bound of the encoded size of `byteCount` input bytes.
    func encodedSizeBound(_ byteCount: Int) -> Int
    /// Decodes `bytes` straight into `destination`, which must come out exactly full, and
    /// returns `true`; or returns `false`, writing nothing, when this codec cannot (the
    /// caller then uses ``decode(_:decodedSize:)``).
    func decode(_ bytes: [UInt8], into destination: UnsafeMutableRawBufferPointer) throws -> Bool
    /// Whether `bytes` end before the length their own format records, as a cut-off file's
    /// do; lets a check call such bytes truncated rather than corrupt. `false` when the
    /// format records no length.
    func isTruncated(_ bytes: [UInt8]) -> Bool
}

extension BytesToBytesCodec {
    /// Decoding in place is not supported unless a codec says so.
    public func decode(_ bytes: [UInt8], into destination: UnsafeMutableRawBufferPointer) throws -> Bool { false }

    /// Formats that record no length cannot tell a cut-off buffer from a damaged one.
    public func isTruncated(_ bytes: [UInt8]) -> Bool { false }
}
