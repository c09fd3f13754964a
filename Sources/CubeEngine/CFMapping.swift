import CubeCore
import CubeZarr

/// Maps NetCDF/HDF5 variables and attributes to Zarr metadata the way xarray's
/// `to_zarr` does, so `xarray.open_zarr(output)` is identical to `xarray.open_dataset(source)`.
///
/// - v2: `_FillValue` becomes `fill_value` and leaves the attributes; floats without one get
///   `"NaN"`, other types `null`. Dimension names go in `_ARRAY_DIMENSIONS`.
/// - v3: `fill_value` is Zarr's default (0, NaN, `""`, false) and the CF `_FillValue` stays an
///   attribute, as a number for integers and base64 of the float64 bytes for floats (NaN when
///   a float had none). Dimension names go in `dimension_names`.
/// - Library-internal attributes (`_Netcdf4Dimid`, `DIMENSION_LIST`, `_NCProperties`, ...)
///   are dropped; packed data stays packed (`scale_factor`, `add_offset` kept as attributes);
///   times stay raw with `units` and `calendar`.
public enum CFMapping {
    /// Attributes written by libraries, not users.
    public static let internalAttributes: Set<String> = [
        "_Netcdf4Dimid", "_Netcdf4Coordinates", "_NCProperties", "_nc3_strict", "_IsNetcdf4",
        "_SuperblockVersion", "DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_FillValue",
        "_DIMENSION_LABELS",
    ]

    /// A JSON value for an attribute: one number or string as a scalar, several as a list.
    public static func json(_ value: AttributeValue) -> JSON {
        switch value {
        case .text(let s):
            return .string(s)
        case .strings(let list):
            return list.count == 1 ? .string(list[0]) : .array(list.map(JSON.string))
        case .numbers(let type, let raw):
            let size = type.itemSize
            guard size > 0 else { return .array([]) }
            let items = stride(from: 0, to: raw.count - size + 1, by: size).map { offset in
                attributeNumber(Array(raw[offset..<(offset + size)]), type)
            }
            return items.count == 1 ? items[0] : .array(items)
        }
    }

    /// One attribute number as JSON (non-finite floats as Python's json writes them).
    static func attributeNumber(_ item: [UInt8], _ type: DataType) -> JSON {
        let encoded = ElementJSON.encode(item, as: type)
        if type.isFloatingPoint, case .string = encoded, let d = Double(floatText: encoded.stringValue ?? "") {
            return .double(d)
        }
        return encoded
    }

    /// User attributes of a variable or group as a JSON object, internals dropped.
    public static func userAttributes(_ attributes: [Attribute]) -> JSON {
        .object(attributes.filter { !internalAttributes.contains($0.name) }.map { ($0.name, json($0.value)) })
    }

    /// The `_FillValue` attribute as one element of `dataType`, if present and well-formed.
    public static func fillValue(of attributes: [Attribute], dataType: DataType) -> [UInt8]? {
        guard let attribute = attributes.first(where: { $0.name == "_FillValue" }) else { return nil }
        switch attribute.value {
        case .numbers(let type, let raw) where raw.count >= type.itemSize && type.itemSize > 0:
            let item = Array(raw[0..<type.itemSize])
            // A _FillValue stored with another type than its variable is converted when it fits.
            return type == dataType ? item : try? ElementJSON.decode(ElementJSON.encode(item, as: type), as: dataType)
        case .text(let s) where dataType.itemSize > 0:
            let bytes = Array(s.utf8.prefix(dataType.itemSize))
            return bytes + [UInt8](repeating: 0, count: dataType.itemSize - bytes.count)
        default:
            return nil
        }
    }

    /// Zarr metadata for one variable, before chunking and codecs are chosen.
    public static func arrayMetadata(for source: any ArraySource, format: ZarrFormat, chunkShape: [Int]) throws -> ArrayMetadata {
        let type = source.dataType
        var attributes = userAttributes(source.attributes)
        let cfFill = type.isVariableLength ? nil : fillValue(of: source.attributes, dataType: type)
        let fillJSON: JSON
        switch format {
        case .v2:
            if let cfFill, case .bytes = type {
                // NumPy's fixed-width bytes drop trailing NULs, so zarr-python writes `"eA=="` for `b"x"`.
                fillJSON = .string(Base64.encode(Array(cfFill.reversed().drop { $0 == 0 }.reversed())))
            } else if let cfFill {
                fillJSON = ElementJSON.encode(cfFill, as: type)
            } else {
                fillJSON = type.isFloatingPoint && !isComplex(type) ? "NaN" : .null
            }
        case .v3:
            fillJSON = zarrDefaultFill(type)
            if type.isFloatingPoint && !isComplex(type) {
                let value = cfFill.map { floatValue($0, type) } ?? .nan
                attributes = attributes.setting("_FillValue", .string(float64Base64(value)))
            } else if let cfFill, type.isInteger || type == .bool {
                attributes = attributes.setting("_FillValue", ElementJSON.encode(cfFill, as: type))
            }
        }
        return ArrayMetadata(
            format: format, shape: source.shape, chunkShape: chunkShape, dataType: type, fillValueJSON: fillJSON,
            dimensionNames: source.dimensionNames.map { Optional($0) }, attributes: attributes,
            byteOrder: type.swapUnit > 1 ? .little : nil)
    }

    /// Why `source` cannot be written to Zarr v3 so that xarray reads it back, or `nil`.
    ///
    /// The Zarr v3 specification has no structured data type (zarr-python's own `structured`
    /// is an extension other readers do not know). xarray reads a v3 `_FillValue` attribute
    /// only for numbers and booleans: for fixed-width bytes it fails to open the store
    /// (`Failed to decode fill_value`), while in v2 the `fill_value` carries it.
    public static func zarrV3Obstacle(_ source: any ArraySource) -> String? {
        if case .structured = source.dataType {
            return "compound (structured) data types have no Zarr v3 encoding"
        }
        if case .bytes = source.dataType, source.attributes.contains(where: { $0.name == "_FillValue" }) {
            return "xarray cannot read a _FillValue of fixed-width bytes (characters) from Zarr v3"
        }
        return nil
    }

    /// What zarr-python writes as `fill_value` when given none.
    public static func zarrDefaultFill(_ type: DataType) -> JSON {
        switch type {
        case .bool: false
        case .float16, .float32, .float64: "NaN"
        case .complex64, .complex128: [0.0, 0.0]
        case .bytes: ""
        case .unicode, .string: ""
        default: 0
        }
    }

    static func isComplex(_ type: DataType) -> Bool { type == .complex64 || type == .complex128 }

    static func floatValue(_ item: [UInt8], _ type: DataType) -> Double {
        item.withUnsafeBytes { buf in
            switch type {
            case .float32: Double(buf.loadUnaligned(as: Float.self))
            case .float16: Double(Half.toFloat(buf.loadUnaligned(as: UInt16.self)))
            default: buf.loadUnaligned(as: Double.self)
            }
        }
    }

    /// Base64 of the little-endian float64 bytes of `value`, as xarray writes float `_FillValue`s in v3.
    public static func float64Base64(_ value: Double) -> String {
        Base64.encode(withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) })
    }
}

extension Double {
    /// Parses `NaN`, `Infinity`, `-Infinity` and decimal text.
    init?(floatText text: String) {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let d = Double(text) else { return nil }
            self = d
        }
    }
}
