import CNetCDF
import CubeCore

/// The layout of a NetCDF-4 compound type as cube's ``StructuredType``, in the in-memory
/// layout libnetcdf reads it into: the type's own field offsets and size, numbers in native
/// byte order, `NC_CHAR` fields as one-byte strings (with the field's dimensions as a
/// sub-array shape). Fields of string, vlen, opaque, enum or compound type make the type
/// unsupported, with `.unsupported(reason:)` naming the field.
func ncCompoundElement(_ xtype: nc_type, group ncid: Int32, name typeName: String, size: Int, fieldCount: Int,
                       context: NCContext) throws -> NCElement {
    var fields: [StructuredType.Field] = []
    for index in 0..<fieldCount {
        var nameBuffer = ncNameBuffer()
        var offset = 0
        var fieldType: nc_type = 0
        var rank: Int32 = 0
        var dims = [Int32](repeating: 0, count: Int(NC_MAX_VAR_DIMS))
        try ncCall("reading field \(index) of compound type '\(typeName)'", context) {
            nc_inq_compound_field(ncid, xtype, Int32(index), &nameBuffer, &offset, &fieldType, &rank, &dims)
        }
        let fieldName = ncString(nameBuffer)
        let dataType: DataType
        if let numeric = ncNumericType(fieldType) {
            dataType = numeric
        } else if fieldType == NC_CHAR {
            dataType = .bytes(1)
        } else {
            let kind = fieldType == NC_STRING ? "string" : "user-defined (vlen, opaque, enum or compound)"
            return .unsupported(reason: "compound type '\(typeName)' has a field '\(fieldName)' of \(kind) type")
        }
        let shape = dims.prefix(Int(max(rank, 0))).map(Int.init)
        fields.append(StructuredType.Field(name: fieldName, dataType: dataType, byteOrder: .native, shape: shape, offset: offset))
    }
    do {
        return .compound(try StructuredType(fields: fields, itemSize: size))
    } catch let error as CubeError {
        return .unsupported(reason: "compound type '\(typeName)': \(error.message)")
    }
}
