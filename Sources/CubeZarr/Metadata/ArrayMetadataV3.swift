import CubeCore

extension ArrayMetadata {
    /// Parses the `zarr.json` of a v3 array.
    public static func parseV3(_ json: JSON, context: String) throws -> ArrayMetadata {
        guard case .object(let members) = json else {
            throw CubeError(.invalidInput, "zarr.json must be a JSON object", context: context)
        }
        guard json["zarr_format"]?.intValue == 3 else {
            throw CubeError(.invalidInput, "zarr_format must be 3 in zarr.json", context: context)
        }
        guard json["node_type"]?.stringValue == "array" else {
            throw CubeError(.invalidInput, "node_type is not \"array\"", context: context)
        }
        let shape = try intList(json["shape"], key: "shape", context: context)
        guard let dataTypeJSON = json["data_type"] else { throw missing("data_type", context) }
        let dataType = try DataTypeCoding.parseV3(dataTypeJSON, context: context)

        guard let grid = json["chunk_grid"] else { throw missing("chunk_grid", context) }
        guard grid["name"]?.stringValue == "regular" else {
            throw CubeError(.unsupported, "chunk grid '\(grid["name"]?.stringValue ?? grid.serialized())' is not supported (only regular)", context: context)
        }
        let chunkShape = try intList(grid["configuration"]?["chunk_shape"], key: "chunk_grid.configuration.chunk_shape", context: context)

        let keyEncoding = try parseChunkKeyEncoding(json["chunk_key_encoding"], context: context)
        guard let codecs = json["codecs"]?.arrayValue, !codecs.isEmpty else {
            throw CubeError(.invalidInput, "codecs must be a non-empty list", context: context)
        }
        if let transformers = json["storage_transformers"]?.arrayValue, !transformers.isEmpty {
            throw CubeError(.unsupported, "storage transformers are not supported", context: context)
        }
        var dimensionNames: [String?]?
        if let names = json["dimension_names"], !names.isNull {
            guard let list = names.arrayValue else {
                throw CubeError(.invalidInput, "dimension_names must be a list", context: context)
            }
            dimensionNames = list.map(\.stringValue)
        }
        let attributes = json["attributes"] ?? .object([])
        guard attributes.objectValue != nil else {
            throw CubeError(.invalidInput, "attributes must be a JSON object", context: context)
        }
        let known: Set = ["zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding",
                          "fill_value", "codecs", "attributes", "dimension_names", "storage_transformers"]
        let extra = members.filter { !known.contains($0.0) }
        for (key, value) in extra where value["must_understand"]?.boolValue != false {
            throw CubeError(.unsupported, "unknown metadata field '\(key)' must be understood", context: context)
        }
        guard let fill = json["fill_value"] else { throw missing("fill_value", context) }
        let metadata = ArrayMetadata(
            format: .v3, shape: shape, chunkShape: chunkShape, dataType: dataType, fillValueJSON: fill,
            chunkKeyEncoding: keyEncoding, dimensionNames: dimensionNames, attributes: attributes,
            codecs: codecs, extraFields: extra)
        try metadata.validate(context: context)
        return metadata
    }

    static func parseChunkKeyEncoding(_ json: JSON?, context: String) throws -> ChunkKeyEncoding {
        guard let json else { return .v3Default }
        let name = json["name"]?.stringValue ?? json.stringValue ?? ""
        let separator = json["configuration"]?["separator"]?.stringValue
        switch name {
        case "default":
            let s = separator ?? "/"
            guard s == "/" || s == "." else { break }
            return ChunkKeyEncoding(separator: Character(s), prefixed: true)
        case "v2":
            let s = separator ?? "."
            guard s == "/" || s == "." else { break }
            return ChunkKeyEncoding(separator: Character(s), prefixed: false)
        default:
            throw CubeError(.unsupported, "chunk key encoding '\(name)' is not supported", context: context)
        }
        throw CubeError(.invalidInput, "chunk key separator must be \"/\" or \".\"", context: context)
    }

    /// The `zarr.json` document of the array.
    public func v3JSON() -> JSON {
        var members: [(String, JSON)] = [
            ("shape", JSON(shape)),
            ("data_type", DataTypeCoding.v3JSON(dataType)),
            ("chunk_grid", .object([("name", "regular"), ("configuration", .object([("chunk_shape", JSON(chunkShape))]))])),
            ("chunk_key_encoding", .object([
                ("name", chunkKeyEncoding.prefixed ? "default" : "v2"),
                ("configuration", .object([("separator", .string(String(chunkKeyEncoding.separator)))])),
            ])),
            ("fill_value", fillValueJSON),
            ("codecs", .array(codecs)),
            ("attributes", attributes),
        ]
        if let dimensionNames {
            members.append(("dimension_names", .array(dimensionNames.map { $0.map(JSON.string) ?? .null })))
        }
        members.append(("zarr_format", 3))
        members.append(("node_type", "array"))
        members.append(("storage_transformers", .array([])))
        members.append(contentsOf: extraFields)
        return .object(members)
    }
}
