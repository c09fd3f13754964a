import CubeCore

extension ArrayMetadata {
    /// The v2 attribute holding dimension names.
    public static let arrayDimensionsKey = "_ARRAY_DIMENSIONS"

    /// Parses a v2 `.zarray` document and the node's `.zattrs` (or `nil`).
    public static func parseV2(zarray: JSON, zattrs: JSON?, context: String) throws -> ArrayMetadata {
        guard case .object(let members) = zarray else {
            throw CubeError(.invalidInput, ".zarray must be a JSON object", context: context)
        }
        guard zarray["zarr_format"]?.intValue == 2 else {
            throw CubeError(.invalidInput, "zarr_format must be 2 in .zarray", context: context)
        }
        let shape = try intList(zarray["shape"], key: "shape", context: context)
        let chunks = try intList(zarray["chunks"], key: "chunks", context: context)
        guard let dtypeJSON = zarray["dtype"] else { throw missing("dtype", context) }
        let (dataType, byteOrder) = try DataTypeCoding.parseV2(dtypeJSON, context: context)
        let order = zarray["order"]?.stringValue ?? "C"
        guard order == "C" || order == "F" else {
            throw CubeError(.invalidInput, "order must be \"C\" or \"F\", got \"\(order)\"", context: context)
        }
        let separator = zarray["dimension_separator"]?.stringValue ?? "."
        guard separator == "." || separator == "/" else {
            throw CubeError(.invalidInput, "dimension_separator must be \".\" or \"/\"", context: context)
        }
        let filters = zarray["filters"] ?? .null
        guard filters.isNull || filters.arrayValue != nil else {
            throw CubeError(.invalidInput, "filters must be null or a list", context: context)
        }
        let known: Set = ["zarr_format", "shape", "chunks", "dtype", "compressor", "fill_value", "order", "filters", "dimension_separator"]
        var attributes = zattrs ?? .object([])
        guard attributes.objectValue != nil else {
            throw CubeError(.invalidInput, ".zattrs must be a JSON object", context: context)
        }
        var dimensionNames: [String?]?
        if let dims = attributes[arrayDimensionsKey]?.arrayValue {
            dimensionNames = dims.map(\.stringValue)
            attributes = attributes.removing(arrayDimensionsKey)
        }
        var metadata = ArrayMetadata(
            format: .v2, shape: shape, chunkShape: chunks, dataType: dataType,
            fillValueJSON: zarray["fill_value"] ?? .null,
            chunkKeyEncoding: ChunkKeyEncoding(separator: Character(separator), prefixed: false),
            dimensionNames: dimensionNames, attributes: attributes, byteOrder: byteOrder, order: order,
            compressor: zarray["compressor"] ?? .null, filters: filters,
            extraFields: members.filter { !known.contains($0.0) })
        if dataType.isVariableLength, metadata.fillValueJSON.numberValue != nil {
            metadata.fillValueJSON = .string("")
        }
        try metadata.validate(context: context)
        return metadata
    }

    /// The `.zarray` document.
    public func v2ArrayJSON() -> JSON {
        var members: [(String, JSON)] = [
            ("chunks", JSON(chunkShape)),
            ("compressor", compressor),
            ("dtype", DataTypeCoding.v2JSON(dataType, order: byteOrder)),
            ("fill_value", fillValueJSON),
            ("filters", filters),
            ("order", .string(order)),
            ("shape", JSON(shape)),
            ("zarr_format", 2),
        ]
        if chunkKeyEncoding.separator != "." { members.append(("dimension_separator", .string(String(chunkKeyEncoding.separator)))) }
        members.append(contentsOf: extraFields)
        return .object(members)
    }

    /// The `.zattrs` document: user attributes plus `_ARRAY_DIMENSIONS`.
    public func v2AttributesJSON() -> JSON {
        guard let dimensionNames else { return attributes }
        return attributes.setting(Self.arrayDimensionsKey, .array(dimensionNames.map { $0.map(JSON.string) ?? .null }))
    }

    static func intList(_ json: JSON?, key: String, context: String) throws -> [Int] {
        guard let json else { throw missing(key, context) }
        guard let items = json.arrayValue else {
            // zarr-python accepts a bare integer for 1-d shapes and chunks.
            if let v = json.intValue { return [v] }
            throw CubeError(.invalidInput, "\(key) must be a list of integers", context: context)
        }
        return try items.map { item in
            guard let v = item.intValue, v >= 0 else {
                throw CubeError(.invalidInput, "\(key) must be a list of non-negative integers, got \(json.serialized())", context: context)
            }
            return v
        }
    }

    static func missing(_ key: String, _ context: String) -> CubeError {
        CubeError(.invalidInput, "required key '\(key)' is missing", context: context)
    }

    /// Checks the consistency every reader relies on: ranks, positive chunks, no overflow.
    func validate(context: String) throws {
        _ = try grid(context: context)
        _ = try ShapeMath.byteCount(chunkShape, itemSize: dataType.itemSize, context: context)
        _ = try fillValue(context: context)
        if let dimensionNames, dimensionNames.count != shape.count {
            throw CubeError(.invalidInput, "\(dimensionNames.count) dimension names for \(shape.count) dimensions", context: context)
        }
    }
}
