import CHDF5
import CubeCore

extension HDF5Types {
    /// A compound type (other than h5py's complex numbers) as a ``StructuredType`` with the
    /// file type's member names, offsets and size, read into a memory compound of the same
    /// layout: standard integers and floats keep their stored byte order (as h5py's dtype
    /// does), other numbers are native, fixed strings are bytes, fixed-size arrays of those
    /// are sub-arrays. Nested compounds and variable-length members make it unsupported.
    /// Callers hold the lock.
    static func compound(_ type: hid_t, size: Int, at location: HDF5Location) throws -> HDF5TypeMapping {
        let count = try h5check(H5Tget_nmembers(type), "H5Tget_nmembers", at: location)
        let memory = try HDF5Handle.make(.datatype, "H5Tcreate", at: location) { H5Tcreate(H5T_COMPOUND, size) }
        var fields: [StructuredType.Field] = []
        for index in 0..<UInt32(count) {
            guard let cName = H5Tget_member_name(type, index) else {
                _ = try h5check(Int32(-1), "H5Tget_member_name", at: location)
                continue
            }
            let name = String(cString: cName)
            H5free_memory(cName)
            let offset = H5Tget_member_offset(type, index)
            let member = try HDF5Handle.make(.datatype, "H5Tget_member_type", at: location) { H5Tget_member_type(type, index) }
            guard case .supported(let field) = try self.member(member.id, at: location) else {
                return .unsupported("compound type with a member '\(name)' of a nested, variable-length or other unsupported type")
            }
            try h5check(H5Tinsert(memory.id, name, offset, field.memory.id), "H5Tinsert", at: location)
            fields.append(StructuredType.Field(name: name, dataType: field.dataType, byteOrder: field.byteOrder,
                                               shape: field.shape, offset: offset))
        }
        do {
            let layout = try StructuredType(fields: fields, itemSize: size, context: location.description)
            return .supported(HDF5ElementType(dataType: .structured(layout), memoryType: memory, storedOrder: nil, enumMembers: nil))
        } catch let error as CubeError {
            return .unsupported("compound type: \(error.message)")
        }
    }

    /// What one compound member holds: a fixed-size non-compound value, or an array of them.
    private enum MemberMapping {
        case supported((dataType: DataType, shape: [Int], memory: HDF5Handle, byteOrder: ByteOrder))
        case unsupported
    }

    private static func member(_ type: hid_t, at location: HDF5Location) throws -> MemberMapping {
        var shape: [Int] = []
        var arrayBase: HDF5Handle?
        if H5Tget_class(type) == H5T_ARRAY {
            let rank = try h5check(H5Tget_array_ndims(type), "H5Tget_array_ndims", at: location)
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            try h5check(H5Tget_array_dims2(type, &dims), "H5Tget_array_dims2", at: location)
            shape = dims.map { Int($0) }
            arrayBase = try HDF5Handle.make(.datatype, "H5Tget_super", at: location) { H5Tget_super(type) }
        }
        return try withExtendedLifetime(arrayBase) {
            guard case .supported(let element) = try map(arrayBase?.id ?? type, at: location) else { return .unsupported }
            switch element.dataType {
            case .string, .structured: return .unsupported
            default: break
            }
            // Plain integers and floats are read as stored; enums, bitfields and complex
            // numbers through their native memory types.
            let asStored = element.enumMembers == nil && element.storedOrder != nil
                && (element.dataType.isInteger || element.dataType.isFloatingPoint) && element.dataType.swapUnit > 1
                && H5Tget_class(arrayBase?.id ?? type) != H5T_BITFIELD
            let order = asStored ? (element.storedOrder ?? .native) : .native
            let scalar = asStored ? try copy(arrayBase?.id ?? type, at: location) : element.memoryType
            guard !shape.isEmpty else { return .supported((element.dataType, [], scalar, order)) }
            let memory = try HDF5Handle.make(.datatype, "H5Tarray_create2", at: location) {
                H5Tarray_create2(scalar.id, UInt32(shape.count), shape.map { hsize_t($0) })
            }
            return .supported((element.dataType, shape, memory, order))
        }
    }
}
