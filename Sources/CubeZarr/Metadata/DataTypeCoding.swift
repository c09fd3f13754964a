import CubeCore

/// Data type names of the two Zarr formats.
public enum DataTypeCoding {
    /// Parses a v2 NumPy dtype: a string (`<f4`, `|b1`, `|S5`, `<U4`, `|O`, ...) or a
    /// structured type's list of fields. Returns the type and its byte order (`nil` where
    /// order is meaningless, and for structured types, whose fields carry their own).
    public static func parseV2(_ json: JSON, context: String? = nil) throws -> (DataType, ByteOrder?) {
        guard case .string(let text) = json else {
            if let fields = json.arrayValue {
                return (.structured(try StructuredTypeCoding.parseV2(fields, context: context)), nil)
            }
            throw CubeError(.invalidInput, "dtype must be a string or a list of fields, got \(json.serialized())", context: context)
        }
        let chars = Array(text)
        guard chars.count >= 2, "<>|=".contains(chars[0]) else {
            throw CubeError(.unsupported, "unknown data type '\(text)'", context: context)
        }
        let order: ByteOrder? = chars[0] == "<" ? .little : chars[0] == ">" ? .big : nil
        let kind = chars[1]
        let sizeText = String(chars[2...])
        if kind == "O", sizeText.isEmpty { return (.string, nil) }
        guard let size = Int(sizeText), size >= 0 else {
            throw CubeError(.unsupported, "unknown data type '\(text)'", context: context)
        }
        let type: DataType? = switch (kind, size) {
        case ("b", 1): .bool
        case ("i", 1): .int8
        case ("i", 2): .int16
        case ("i", 4): .int32
        case ("i", 8): .int64
        case ("u", 1): .uint8
        case ("u", 2): .uint16
        case ("u", 4): .uint32
        case ("u", 8): .uint64
        case ("f", 2): .float16
        case ("f", 4): .float32
        case ("f", 8): .float64
        case ("c", 8): .complex64
        case ("c", 16): .complex128
        case ("S", _): .bytes(size)
        case ("U", _): .unicode(size)
        default: nil
        }
        guard let type else { throw CubeError(.unsupported, "unknown data type '\(text)'", context: context) }
        return (type, type.swapUnit > 1 ? (order ?? .little) : nil)
    }

    /// The v2 `dtype` of `type` in byte order `order`: a string, or for structured types
    /// the list of fields.
    public static func v2JSON(_ type: DataType, order: ByteOrder? = .little) -> JSON {
        if case .structured(let layout) = type { return StructuredTypeCoding.v2JSON(layout) }
        return .string(v2Name(type, order: order))
    }

    /// The v2 dtype string of a type that is not structured, in byte order `order`.
    static func v2Name(_ type: DataType, order: ByteOrder?) -> String {
        let o = type.swapUnit > 1 ? (order == .big ? ">" : "<") : "|"
        return switch type {
        case .bool: "|b1"
        case .int8: "|i1"
        case .uint8: "|u1"
        case .int16, .int32, .int64: "\(o)i\(type.itemSize)"
        case .uint16, .uint32, .uint64: "\(o)u\(type.itemSize)"
        case .float16, .float32, .float64: "\(o)f\(type.itemSize)"
        case .complex64, .complex128: "\(o)c\(type.itemSize)"
        case .bytes(let n): "|S\(n)"
        case .unicode(let n): "\(o)U\(n)"
        case .string: "|O"
        case .structured(let layout): "|V\(layout.itemSize)"
        }
    }

    /// Parses a v3 `data_type` (a name, or an object with `name` and `configuration`).
    public static func parseV3(_ json: JSON, context: String? = nil) throws -> DataType {
        var name: String
        var configuration: JSON = .object([])
        switch json {
        case .string(let s): name = s
        case .object:
            guard let n = json["name"]?.stringValue else {
                throw CubeError(.invalidInput, "data_type object has no name", context: context)
            }
            name = n
            configuration = json["configuration"] ?? .object([])
        default:
            throw CubeError(.invalidInput, "data_type must be a string or an object", context: context)
        }
        switch name {
        case "bool": return .bool
        case "int8": return .int8
        case "int16": return .int16
        case "int32": return .int32
        case "int64": return .int64
        case "uint8": return .uint8
        case "uint16": return .uint16
        case "uint32": return .uint32
        case "uint64": return .uint64
        case "float16": return .float16
        case "float32": return .float32
        case "float64": return .float64
        case "complex64": return .complex64
        case "complex128": return .complex128
        case "string": return .string
        case "fixed_length_utf32":
            guard let n = configuration["length_bytes"]?.intValue, n >= 0, n % 4 == 0 else {
                throw CubeError(.invalidInput, "fixed_length_utf32 needs a length_bytes multiple of 4", context: context)
            }
            return .unicode(n / 4)
        case "null_terminated_bytes", "fixed_length_bytes":
            guard let n = configuration["length_bytes"]?.intValue, n >= 0 else {
                throw CubeError(.invalidInput, "\(name) needs length_bytes", context: context)
            }
            return .bytes(n)
        default:
            if name.hasPrefix("r"), let bits = Int(name.dropFirst()), bits > 0, bits % 8 == 0 {
                return .bytes(bits / 8)
            }
            throw CubeError(.unsupported, "unknown data type '\(name)'", context: context)
        }
    }

    /// The v3 `data_type` JSON of `type`.
    public static func v3JSON(_ type: DataType) -> JSON {
        switch type {
        case .bytes(let n):
            return .object([("name", "null_terminated_bytes"), ("configuration", .object([("length_bytes", JSON(n))]))])
        case .unicode(let n):
            return .object([("name", "fixed_length_utf32"), ("configuration", .object([("length_bytes", JSON(4 * n))]))])
        case .structured(let layout):
            return StructuredTypeCoding.v3JSON(layout)
        default:
            return .string(type.description)
        }
    }
}
