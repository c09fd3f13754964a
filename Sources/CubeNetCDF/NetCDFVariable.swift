import CNetCDF
import CubeCore

/// One variable of a NetCDF file, readable by region.
///
/// Values are returned in native byte order whatever the file's byte order (libnetcdf
/// converts). `NC_CHAR` variables keep every dimension and have one-byte
/// ``DataType/bytes(_:)`` elements, one character each; `NC_STRING` variables have
/// ``DataType/string`` elements; enum variables read as their base integer type, with
/// `flag_values` and `flag_meanings` attributes appended; compound variables read as
/// ``DataType/structured(_:)`` elements in the type's in-memory layout.
public struct NetCDFVariable: ArraySource {
    /// The file the variable belongs to (kept open while the variable lives).
    public let file: NetCDFFile
    /// libnetcdf id of the variable's group.
    let groupID: Int32
    /// libnetcdf id of the variable within its group.
    let varID: Int32
    /// The variable's name, without its group path.
    public let name: String
    /// The group path and name (`t2m`, `group/sub/var`).
    public let path: String
    /// The shape in the file.
    public let shape: [Int]
    /// The element type in memory.
    public let dataType: DataType
    /// The stored chunk shape, or `nil` for contiguous, compact and classic-format storage.
    public let chunkShape: [Int]?
    /// One dimension name per exposed dimension.
    public let dimensionNames: [String]
    /// Every attribute in stored order (plus `flag_values`/`flag_meanings` for enums).
    public let attributes: [Attribute]
    /// Layout, chunking and filters in the file.
    public let storage: StorageInfo

    init(file: NetCDFFile, groupID: Int32, varID: Int32, name: String, path: String, shape: [Int],
         dataType: DataType, chunkShape: [Int]?, dimensionNames: [String], attributes: [Attribute],
         storage: StorageInfo) {
        self.file = file
        self.groupID = groupID
        self.varID = varID
        self.name = name
        self.path = path
        self.shape = shape
        self.dataType = dataType
        self.chunkShape = chunkShape
        self.dimensionNames = dimensionNames
        self.attributes = attributes
        self.storage = storage
    }

    /// Reads `region` into a buffer of shape `region.count`.
    ///
    /// Only the libnetcdf call itself holds the process-wide lock.
    public func read(_ region: Region) throws -> ArrayBuffer {
        let context = NCContext(file: file.path, object: path)
        try region.validate(within: shape, context: context.text)
        var start = region.start
        var count = region.count
        // libnetcdf ignores start/count for scalars but still wants valid pointers.
        if start.isEmpty {
            start = [0]
            count = [1]
        }
        let group = groupID
        let variable = varID
        let elementCount = try ShapeMath.elementCount(region.count, context: context.text)

        if dataType == .string {
            guard elementCount > 0 else {
                return ArrayBuffer(dataType: .string, shape: region.count, storage: .strings([]))
            }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: elementCount)
            try ncCall("nc_get_vara_string \(region)", context) {
                nc_get_vara_string(group, variable, start, count, &pointers)
            }
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            _ = NetCDFLibrary.withLock { nc_free_string(elementCount, &pointers) }
            return ArrayBuffer(dataType: .string, shape: region.count, storage: .strings(strings))
        }

        let byteCount = try ShapeMath.byteCount(region.count, itemSize: dataType.itemSize, context: context.text)
        guard elementCount > 0, dataType.itemSize > 0 else {
            return ArrayBuffer(dataType: dataType, shape: region.count,
                               storage: .fixed([UInt8](repeating: 0, count: elementCount * dataType.itemSize)))
        }
        var bytes = BufferCache.take(count: byteCount)
        if case .structured = dataType {
            // Compound padding is not written by libnetcdf: keep it zero, not stale memory.
            bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        }
        try bytes.withUnsafeMutableBytes { buffer in
            try ncCall("nc_get_vara \(region)", context) {
                nc_get_vara(group, variable, start, count, buffer.baseAddress)
            }
        }
        return ArrayBuffer(dataType: dataType, shape: region.count, storage: .fixed(bytes))
    }
}
