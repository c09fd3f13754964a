import CubeCore

/// Everything a Zarr array's metadata says, in one typed value for both formats.
public struct ArrayMetadata: Sendable, Equatable {
    /// The format the metadata is written in.
    public var format: ZarrFormat
    /// The array's shape.
    public var shape: [Int]
    /// The chunk grid's chunk shape (for a sharded v3 array, the shard shape).
    public var chunkShape: [Int]
    /// The element type.
    public var dataType: DataType
    /// The fill value as written in the metadata (`null` allowed in v2).
    public var fillValueJSON: JSON
    /// How chunk coordinates become keys.
    public var chunkKeyEncoding: ChunkKeyEncoding
    /// Dimension names (`_ARRAY_DIMENSIONS` in v2, `dimension_names` in v3), if any.
    public var dimensionNames: [String?]?
    /// User attributes (a JSON object), without the v2 `_ARRAY_DIMENSIONS` entry.
    public var attributes: JSON
    /// v2 only: the element byte order of the dtype.
    public var byteOrder: ByteOrder?
    /// v2 only: `C` or `F`.
    public var order: String
    /// v2 only: the compressor (`null` for none).
    public var compressor: JSON
    /// v2 only: the filters (`null` for none).
    public var filters: JSON
    /// v3 only: the codec list.
    public var codecs: [JSON]
    /// Keys of the metadata document that cube does not interpret, kept for writing back.
    public var extraFields: [(String, JSON)]

    /// Creates metadata from its parts (format-specific parts default to empty).
    public init(format: ZarrFormat, shape: [Int], chunkShape: [Int], dataType: DataType,
                fillValueJSON: JSON, chunkKeyEncoding: ChunkKeyEncoding? = nil,
                dimensionNames: [String?]? = nil, attributes: JSON = .object([]),
                byteOrder: ByteOrder? = nil, order: String = "C", compressor: JSON = .null,
                filters: JSON = .null, codecs: [JSON] = [], extraFields: [(String, JSON)] = []) {
        self.format = format
        self.shape = shape
        self.chunkShape = chunkShape
        self.dataType = dataType
        self.fillValueJSON = fillValueJSON
        self.chunkKeyEncoding = chunkKeyEncoding ?? (format == .v2 ? .v2Dot : .v3Default)
        self.dimensionNames = dimensionNames
        self.attributes = attributes
        self.byteOrder = byteOrder
        self.order = order
        self.compressor = compressor
        self.filters = filters
        self.codecs = codecs
        self.extraFields = extraFields
    }

    public static func == (a: ArrayMetadata, b: ArrayMetadata) -> Bool {
        a.format == b.format && a.shape == b.shape && a.chunkShape == b.chunkShape && a.dataType == b.dataType
            && a.fillValueJSON == b.fillValueJSON && a.chunkKeyEncoding == b.chunkKeyEncoding
            && a.dimensionNames == b.dimensionNames && a.attributes == b.attributes && a.byteOrder == b.byteOrder
            && a.order == b.order && a.compressor == b.compressor && a.filters == b.filters && a.codecs == b.codecs
    }

    /// The chunk grid.
    public func grid(context: String? = nil) throws -> ChunkGrid {
        try ChunkGrid(shape: shape, chunkShape: chunkShape, context: context)
    }

    /// The decoded fill value (zero for a `null` fill value).
    public func fillValue(context: String? = nil) throws -> FillValue {
        if fillValueJSON.isNull { return .zero(for: dataType) }
        if dataType.isVariableLength {
            // v2 object arrays often carry 0 or "" as the fill value.
            if case .string(let s) = fillValueJSON { return .string(s) }
            return .string("")
        }
        return .element(try ElementJSON.decode(fillValueJSON, as: dataType, context: context))
    }

    /// The inner chunk shape when the array is sharded (v3 `sharding_indexed` as its only serializer).
    public var innerChunkShape: [Int]? {
        guard format == .v3, let sharding = codecs.first(where: { $0["name"]?.stringValue == "sharding_indexed" }),
              let inner = sharding["configuration"]?["chunk_shape"]?.arrayValue else { return nil }
        let values = inner.compactMap(\.intValue)
        return values.count == inner.count ? values : nil
    }

    /// Codec names in encoding order, for listings (`blosc(lz4, shuffle)`, `sharding(…)`, ...).
    public var codecSummary: [String] {
        switch format {
        case .v2:
            var names: [String] = []
            if order == "F" { names.append("order F") }
            for filter in filters.arrayValue ?? [] { names.append(Self.summary(ofV2: filter)) }
            if !compressor.isNull { names.append(Self.summary(ofV2: compressor)) }
            return names
        case .v3:
            return codecs.map(Self.summary(ofV3:))
        }
    }

    private static func summary(ofV2 codec: JSON) -> String {
        let id = codec["id"]?.stringValue ?? "?"
        let details = (codec.objectValue ?? []).filter { $0.0 != "id" }.map { "\($0.0)=\($0.1.serialized())" }
        return details.isEmpty ? id : "\(id)(\(details.joined(separator: ", ")))"
    }

    private static func summary(ofV3 codec: JSON) -> String {
        let name = codec["name"]?.stringValue ?? codec.stringValue ?? "?"
        guard let configuration = codec["configuration"]?.objectValue, !configuration.isEmpty else { return name }
        if name == "sharding_indexed" {
            let inner = (codec["configuration"]?["codecs"]?.arrayValue ?? []).map(summary(ofV3:))
            return "sharding_indexed(\(inner.joined(separator: ", ")))"
        }
        return "\(name)(" + configuration.map { "\($0.0)=\($0.1.serialized())" }.joined(separator: ", ") + ")"
    }
}
