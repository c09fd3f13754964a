/// Anything the copy engine can read: a Zarr array, a NetCDF variable, an HDF5 dataset.
///
/// Conformers must be safe to call from several threads; sources backed by libraries that
/// are not thread-safe serialize their calls internally.
public protocol ArraySource: Sendable {
    /// The variable's path in its dataset (`t2m`, `group/sub/var`).
    var path: String { get }
    /// The shape.
    var shape: [Int] { get }
    /// The element type, as held in memory (native byte order).
    var dataType: DataType { get }
    /// The natural read unit (the stored chunk shape), or `nil` for contiguous storage.
    var chunkShape: [Int]? { get }
    /// One name per dimension.
    var dimensionNames: [String] { get }
    /// The variable's attributes in stored order.
    var attributes: [Attribute] { get }
    /// Reads `region` into a buffer of shape `region.count`.
    func read(_ region: Region) throws -> ArrayBuffer
    /// Reads `region` with up to `concurrency` threads fetching and decoding its chunks at
    /// once, each holding one stored and one decoded chunk; the same values as ``read(_:)``.
    func read(_ region: Region, concurrency: Int) throws -> ArrayBuffer
}

extension ArraySource {
    /// Sources without a concurrent reader read on the calling thread.
    public func read(_ region: Region, concurrency: Int) throws -> ArrayBuffer {
        try read(region)
    }
}

/// A named attribute of a variable or group.
public struct Attribute: Sendable, Hashable {
    /// The attribute's name.
    public var name: String
    /// Its value.
    public var value: AttributeValue

    /// Creates an attribute.
    public init(_ name: String, _ value: AttributeValue) {
        self.name = name
        self.value = value
    }
}

/// A typed attribute value as NetCDF and HDF5 store it: the element type matters for
/// `_FillValue`, `scale_factor`, `valid_range` and friends.
public enum AttributeValue: Sendable, Hashable {
    /// Numbers of a numeric type (one or more), in native byte order.
    case numbers(DataType, [UInt8])
    /// One text value (NC_CHAR or a single string).
    case text(String)
    /// Several strings (an NC_STRING array).
    case strings([String])

    /// The number of values.
    public var count: Int {
        switch self {
        case .numbers(let type, let raw): type.itemSize == 0 ? 0 : raw.count / type.itemSize
        case .text: 1
        case .strings(let s): s.count
        }
    }
}
