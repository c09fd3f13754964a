import CubeCore

/// Zarr v2's spelling of structured data types: NumPy's `descr`, a list of
/// `[name, typestr]`, `[name, typestr, shape]` or `[name, [nested descr]]` entries in offset
/// order, with `["", "|V<n>"]` entries for padding (zarr-python 2.18 writes `dtype.descr`).
enum StructuredTypeCoding {
    /// Parses a v2 `descr` list.
    static func parseV2(_ entries: [JSON], context: String?) throws -> StructuredType {
        func bad(_ message: String) -> CubeError {
            CubeError(.invalidInput, "structured dtype: \(message)", context: context)
        }
        var fields: [StructuredType.Field] = []
        var offset = 0
        for entry in entries {
            guard let parts = entry.arrayValue, parts.count == 2 || parts.count == 3, let name = parts[0].stringValue else {
                throw bad("each field must be [name, type] or [name, type, shape], got \(entry.serialized())")
            }
            var shape: [Int] = []
            if parts.count == 3 {
                guard let dims = parts[2].arrayValue.map({ $0.compactMap(\.intValue) }) ?? parts[2].intValue.map({ [$0] }),
                      dims.allSatisfy({ $0 > 0 }), dims.count == (parts[2].arrayValue?.count ?? 1) else {
                    throw bad("field '\(name)' has an invalid shape \(parts[2].serialized())")
                }
                shape = dims
            }
            let type: DataType
            var order: ByteOrder?
            if let nested = parts[1].arrayValue {
                type = .structured(try parseV2(nested, context: context))
            } else if let text = parts[1].stringValue, name.isEmpty, shape.isEmpty, let size = paddingSize(text) {
                offset += size
                continue
            } else {
                (type, order) = try DataTypeCoding.parseV2(parts[1], context: context)
                guard !type.isVariableLength else {
                    throw CubeError(.unsupported, "structured dtype: field '\(name)' has a variable-length type", context: context)
                }
            }
            let field = StructuredType.Field(name: name, dataType: type, byteOrder: order, shape: shape, offset: offset)
            fields.append(field)
            offset += field.byteCount
        }
        return try StructuredType(fields: fields, itemSize: offset, context: context)
    }

    /// The size of a padding entry's `|V<n>` type, or `nil` for another type.
    private static func paddingSize(_ text: String) -> Int? {
        guard text.hasPrefix("|V"), let size = Int(text.dropFirst(2)), size > 0 else { return nil }
        return size
    }

    /// The v2 `descr` list of `layout`, with padding entries where fields leave gaps.
    static func v2JSON(_ layout: StructuredType) -> JSON {
        var entries: [JSON] = []
        var offset = 0
        func pad(to end: Int) {
            if end > offset { entries.append(["", .string("|V\(end - offset)")]) }
        }
        for field in layout.fields {
            pad(to: field.offset)
            var entry: [JSON] = [.string(field.name), DataTypeCoding.v2JSON(field.dataType, order: field.byteOrder)]
            if !field.shape.isEmpty { entry.append(JSON(field.shape)) }
            entries.append(.array(entry))
            offset = field.offset + field.byteCount
        }
        pad(to: layout.itemSize)
        return .array(entries)
    }

    /// zarr-python 3's `structured` data type (field names and v3 type names only), for
    /// listings: cube does not write structured arrays in format 3.
    static func v3JSON(_ layout: StructuredType) -> JSON {
        .object([("name", "structured"), ("configuration", .object([
            ("fields", .array(layout.fields.map { .array([.string($0.name), DataTypeCoding.v3JSON($0.dataType)]) })),
        ]))])
    }
}
