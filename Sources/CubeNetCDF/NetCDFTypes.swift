import CNetCDF
import CubeCore

/// How the elements of a NetCDF variable or attribute are held, as this module exposes them.
enum NCElement: Sendable, Hashable {
    /// An atomic numeric type, read as is.
    case numeric(DataType)
    /// `NC_CHAR`: characters; in variables the last dimension is the string length.
    case char
    /// `NC_STRING`: variable-length strings.
    case string
    /// An enum type, read as its base integer type.
    case enumeration(NCEnum)
    /// A compound type of fixed-size fields, read in its in-memory layout.
    case compound(StructuredType)
    /// A type this module cannot expose (opaque, vlen, compounds of those, unknown).
    case unsupported(reason: String)
}

/// An enum type's base integer type and its members, in definition order.
struct NCEnum: Sendable, Hashable {
    /// The type's name.
    var name: String
    /// The base integer type.
    var base: DataType
    /// Member values, native byte order, `base.itemSize` bytes each.
    var values: [UInt8]
    /// Member names.
    var names: [String]
}

/// The data type of an atomic numeric `nc_type`, or `nil` for char, string and user types.
func ncNumericType(_ xtype: nc_type) -> DataType? {
    switch xtype {
    case NC_BYTE: .int8
    case NC_UBYTE: .uint8
    case NC_SHORT: .int16
    case NC_USHORT: .uint16
    case NC_INT: .int32
    case NC_UINT: .uint32
    case NC_INT64: .int64
    case NC_UINT64: .uint64
    case NC_FLOAT: .float32
    case NC_DOUBLE: .float64
    default: nil
    }
}

/// Classifies `xtype` as seen from group `ncid`; user types are looked up (and cached).
///
/// Fails only when libnetcdf cannot describe a type id it handed out itself.
final class NCTypeTable {
    private var cache: [nc_type: NCElement] = [:]
    private let context: NCContext

    init(context: NCContext) { self.context = context }

    func element(_ xtype: nc_type, group ncid: Int32, about object: String) throws -> NCElement {
        if let numeric = ncNumericType(xtype) { return .numeric(numeric) }
        if xtype == NC_CHAR { return .char }
        if xtype == NC_STRING { return .string }
        if let known = cache[xtype] { return known }
        let result = try describeUserType(xtype, group: ncid, about: object)
        cache[xtype] = result
        return result
    }

    private func describeUserType(_ xtype: nc_type, group ncid: Int32, about object: String) throws -> NCElement {
        guard xtype > cube_nc_max_atomic_type() else {
            return .unsupported(reason: "type id \(xtype) is not supported")
        }
        var name = ncNameBuffer()
        var size = 0
        var base: nc_type = 0
        var fieldCount = 0
        var typeClass: Int32 = 0
        try ncCall("nc_inq_user_type(\(xtype))", context.about(object)) {
            nc_inq_user_type(ncid, xtype, &name, &size, &base, &fieldCount, &typeClass)
        }
        let typeName = ncString(name)
        switch typeClass {
        case NC_COMPOUND:
            return try ncCompoundElement(xtype, group: ncid, name: typeName, size: size, fieldCount: fieldCount,
                                         context: context.about(object))
        case NC_OPAQUE:
            return .unsupported(reason: "opaque type '\(typeName)' is not supported")
        case NC_VLEN:
            return .unsupported(reason: "vlen type '\(typeName)' is not supported")
        case NC_ENUM:
            guard let baseType = ncNumericType(base), baseType.isInteger else {
                return .unsupported(reason: "enum type '\(typeName)' has a non-integer base type \(base)")
            }
            let itemSize = baseType.itemSize
            var values = [UInt8](repeating: 0, count: fieldCount * itemSize)
            var names: [String] = []
            names.reserveCapacity(fieldCount)
            try ncCall("reading members of enum type '\(typeName)'", context.about(object)) {
                var member = ncNameBuffer()
                var value = [UInt8](repeating: 0, count: 8)
                for index in 0..<fieldCount {
                    let status = nc_inq_enum_member(ncid, xtype, Int32(index), &member, &value)
                    if status != NC_NOERR { return status }
                    names.append(ncString(member))
                    values.replaceSubrange((index * itemSize)..<((index + 1) * itemSize), with: value.prefix(itemSize))
                }
                return NC_NOERR
            }
            return .enumeration(NCEnum(name: typeName, base: baseType, values: values, names: names))
        default:
            return .unsupported(reason: "user type '\(typeName)' of class \(typeClass) is not supported")
        }
    }
}

/// Reads every attribute of a variable (or of a group, with `varid == NC_GLOBAL`) in
/// stored order. Attributes of types that cannot be expressed are skipped and recorded in
/// `notes` with path `owner@name`.
func ncReadAttributes(group ncid: Int32, variable varid: Int32, owner: String,
                      types: NCTypeTable, context: NCContext,
                      notes: inout [UnsupportedVariable]) throws -> [Attribute] {
    let ownerContext = context.about(owner.isEmpty ? nil : owner)
    var count: Int32 = 0
    try ncCall("nc_inq_varnatts", ownerContext) {
        varid == cube_nc_global() ? nc_inq_natts(ncid, &count) : nc_inq_varnatts(ncid, varid, &count)
    }
    var attributes: [Attribute] = []
    attributes.reserveCapacity(Int(count))
    for index in 0..<count {
        var nameBuffer = ncNameBuffer()
        var xtype: nc_type = 0
        var length = 0
        try ncCall("inquiring attribute \(index)", ownerContext) {
            let status = nc_inq_attname(ncid, varid, index, &nameBuffer)
            guard status == NC_NOERR else { return status }
            return nc_inq_att(ncid, varid, nameBuffer, &xtype, &length)
        }
        let name = ncString(nameBuffer)
        let attributePath = "\(owner)@\(name)"
        let operation = "reading attribute '\(name)'"
        let element = try types.element(xtype, group: ncid, about: owner)
        switch element {
        case .char:
            var raw = [UInt8](repeating: 0, count: length)
            if length > 0 {
                try ncCall(operation, ownerContext) { nc_get_att_text(ncid, varid, nameBuffer, &raw) }
            }
            // netCDF4-python (and so xarray) drops NUL padding from text attributes.
            raw.removeAll { $0 == 0 }
            attributes.append(Attribute(name, .text(String(decoding: raw, as: UTF8.self))))
        case .string:
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: length)
            if length > 0 {
                try ncCall(operation, ownerContext) { nc_get_att_string(ncid, varid, nameBuffer, &pointers) }
            }
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            if length > 0 {
                _ = NetCDFLibrary.withLock { nc_free_string(length, &pointers) }
            }
            attributes.append(Attribute(name, .strings(strings)))
        case .numeric(let type):
            attributes.append(Attribute(name, .numbers(type, try ncReadNumbers(
                group: ncid, variable: varid, name: nameBuffer, count: length, itemSize: type.itemSize,
                operation: operation, context: ownerContext))))
        case .enumeration(let info):
            attributes.append(Attribute(name, .numbers(info.base, try ncReadNumbers(
                group: ncid, variable: varid, name: nameBuffer, count: length, itemSize: info.base.itemSize,
                operation: operation, context: ownerContext))))
        case .compound(let layout) where name == "_FillValue":
            // The fill of a compound variable (JSON attributes cannot hold other compound values).
            attributes.append(Attribute(name, .numbers(.structured(layout), try ncReadNumbers(
                group: ncid, variable: varid, name: nameBuffer, count: length, itemSize: layout.itemSize,
                operation: operation, context: ownerContext))))
        case .compound(let layout):
            notes.append(UnsupportedVariable(path: attributePath, reason: "attribute skipped: compound type \(layout)"))
        case .unsupported(let reason):
            notes.append(UnsupportedVariable(path: attributePath, reason: "attribute skipped: \(reason)"))
        }
    }
    return attributes
}

/// Reads `count` numeric attribute values of `itemSize` bytes, in native byte order.
private func ncReadNumbers(group ncid: Int32, variable varid: Int32, name: [CChar], count: Int, itemSize: Int,
                           operation: String, context: NCContext) throws -> [UInt8] {
    let byteCount = try ShapeMath.byteCount([count], itemSize: itemSize, context: context.text)
    var raw = [UInt8](repeating: 0, count: byteCount)
    if count > 0 {
        try ncCall(operation, context) { nc_get_att(ncid, varid, name, &raw) }
    }
    return raw
}
