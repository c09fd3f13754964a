import CHDF5
import CubeCore

/// How the elements of a dataset or attribute map to a cube ``DataType``.
struct HDF5ElementType: @unchecked Sendable {
    /// The element type in memory (native byte order).
    var dataType: DataType
    /// The libhdf5 memory type to read into (owned copy).
    var memoryType: HDF5Handle
    /// Byte order of the stored values when stored bytes equal the memory layout up to
    /// byte order (so raw chunks can be decoded without libhdf5); `nil` when they do not.
    var storedOrder: ByteOrder?
    /// Enum members (name, native-order value), for enum types.
    var enumMembers: [(name: String, value: [UInt8])]?
}

/// The outcome of mapping a libhdf5 type.
enum HDF5TypeMapping {
    /// A type cube can read.
    case supported(HDF5ElementType)
    /// A type cube cannot represent, with a short reason (`compound type`, ...).
    case unsupported(String)
}

/// Maps libhdf5 datatypes to cube data types and memory types. Callers hold the lock.
enum HDF5Types {
    /// Classifies the (file) datatype `type`.
    static func map(_ type: hid_t, at location: HDF5Location) throws -> HDF5TypeMapping {
        try HDF5Library.withLock {
            let typeClass = H5Tget_class(type)
            let size = try h5check(H5Tget_size(type), "H5Tget_size", at: location)
            switch typeClass {
            case H5T_INTEGER:
                return try integer(type, size: Int(size), at: location)
            case H5T_FLOAT:
                return try float(type, size: Int(size), at: location)
            case H5T_STRING:
                return try string(type, size: Int(size), at: location)
            case H5T_ENUM:
                return try enumeration(type, at: location)
            case H5T_BITFIELD:
                return try bitfield(type, size: Int(size), at: location)
            case H5T_COMPOUND:
                if let complex = try complex(type, size: Int(size), at: location) { return complex }
                return try compound(type, size: Int(size), at: location)
            case H5T_OPAQUE:
                return .unsupported("opaque type")
            case H5T_REFERENCE:
                return .unsupported("reference type")
            case H5T_VLEN:
                return .unsupported("variable-length sequence type")
            case H5T_ARRAY:
                return .unsupported("array type")
            case H5T_TIME:
                return .unsupported("time type")
            default:
                _ = try h5check(Int32(typeClass.rawValue), "H5Tget_class", at: location)
                return .unsupported("datatype class \(typeClass.rawValue)")
            }
        }
    }

    /// A copy of a library-owned type, owned by the returned handle.
    static func copy(_ type: hid_t, at location: HDF5Location) throws -> HDF5Handle {
        try HDF5Handle.make(.datatype, "H5Tcopy", at: location) { H5Tcopy(type) }
    }

    /// The stored byte order of an atomic type, or `nil` if it is neither little nor big endian.
    private static func order(_ type: hid_t) -> ByteOrder? {
        switch H5Tget_order(type) {
        case H5T_ORDER_LE: .little
        case H5T_ORDER_BE: .big
        case H5T_ORDER_NONE: .little
        default: nil
        }
    }

    /// Whether `type` equals one of `candidates`.
    private static func equalsAny(_ type: hid_t, _ candidates: [hid_t]) -> Bool {
        candidates.contains { H5Tequal(type, $0) > 0 }
    }

    private static func integer(_ type: hid_t, size: Int, at location: HDF5Location) throws -> HDF5TypeMapping {
        let signed = H5Tget_sign(type) == H5T_SGN_2
        let dataType: DataType
        let native: hid_t
        let standard: [hid_t]
        switch (size, signed) {
        case (1, true): (dataType, native, standard) = (.int8, cube_H5T_NATIVE_INT8(), [cube_H5T_STD_I8LE(), cube_H5T_STD_I8BE()])
        case (1, false): (dataType, native, standard) = (.uint8, cube_H5T_NATIVE_UINT8(), [cube_H5T_STD_U8LE(), cube_H5T_STD_U8BE()])
        case (2, true): (dataType, native, standard) = (.int16, cube_H5T_NATIVE_INT16(), [cube_H5T_STD_I16LE(), cube_H5T_STD_I16BE()])
        case (2, false): (dataType, native, standard) = (.uint16, cube_H5T_NATIVE_UINT16(), [cube_H5T_STD_U16LE(), cube_H5T_STD_U16BE()])
        case (4, true): (dataType, native, standard) = (.int32, cube_H5T_NATIVE_INT32(), [cube_H5T_STD_I32LE(), cube_H5T_STD_I32BE()])
        case (4, false): (dataType, native, standard) = (.uint32, cube_H5T_NATIVE_UINT32(), [cube_H5T_STD_U32LE(), cube_H5T_STD_U32BE()])
        case (8, true): (dataType, native, standard) = (.int64, cube_H5T_NATIVE_INT64(), [cube_H5T_STD_I64LE(), cube_H5T_STD_I64BE()])
        case (8, false): (dataType, native, standard) = (.uint64, cube_H5T_NATIVE_UINT64(), [cube_H5T_STD_U64LE(), cube_H5T_STD_U64BE()])
        default: return .unsupported("\(size)-byte integer type")
        }
        let raw = equalsAny(type, standard) ? order(type) : nil
        return .supported(HDF5ElementType(dataType: dataType, memoryType: try copy(native, at: location),
                                          storedOrder: raw, enumMembers: nil))
    }

    private static func float(_ type: hid_t, size: Int, at location: HDF5Location) throws -> HDF5TypeMapping {
        switch size {
        case 4:
            let raw = equalsAny(type, [cube_H5T_IEEE_F32LE(), cube_H5T_IEEE_F32BE()]) ? order(type) : nil
            return .supported(HDF5ElementType(dataType: .float32, memoryType: try copy(cube_H5T_NATIVE_FLOAT(), at: location),
                                              storedOrder: raw, enumMembers: nil))
        case 8:
            let raw = equalsAny(type, [cube_H5T_IEEE_F64LE(), cube_H5T_IEEE_F64BE()]) ? order(type) : nil
            return .supported(HDF5ElementType(dataType: .float64, memoryType: try copy(cube_H5T_NATIVE_DOUBLE(), at: location),
                                              storedOrder: raw, enumMembers: nil))
        case 2:
            // IEEE half precision (as h5py writes it): sign bit 15, exponent 10..14 with bias 15, mantissa 0..9.
            var spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0
            guard H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) >= 0,
                  (spos, epos, esize, mpos, msize) == (15, 10, 5, 0, 10), H5Tget_ebias(type) == 15,
                  H5Tget_precision(type) == 16, H5Tget_offset(type) == 0,
                  let stored = order(type) else {
                return .unsupported("2-byte floating-point type that is not IEEE half precision")
            }
            let memory = try copy(type, at: location)
            try h5check(H5Tset_order(memory.id, ByteOrder.native == .little ? H5T_ORDER_LE : H5T_ORDER_BE),
                        "H5Tset_order", at: location)
            return .supported(HDF5ElementType(dataType: .float16, memoryType: memory, storedOrder: stored, enumMembers: nil))
        default:
            return .unsupported("\(size)-byte floating-point type")
        }
    }

    private static func string(_ type: hid_t, size: Int, at location: HDF5Location) throws -> HDF5TypeMapping {
        let variable = try h5check(H5Tis_variable_str(type), "H5Tis_variable_str", at: location)
        if variable > 0 {
            let memory = try copy(cube_H5T_C_S1(), at: location)
            try h5check(H5Tset_size(memory.id, cube_H5T_VARIABLE()), "H5Tset_size", at: location)
            try h5check(H5Tset_cset(memory.id, H5Tget_cset(type)), "H5Tset_cset", at: location)
            return .supported(HDF5ElementType(dataType: .string, memoryType: memory, storedOrder: nil, enumMembers: nil))
        }
        guard size > 0 else { return .unsupported("zero-length string type") }
        return .supported(HDF5ElementType(dataType: .bytes(size), memoryType: try copy(type, at: location),
                                          storedOrder: .little, enumMembers: nil))
    }

    private static func bitfield(_ type: hid_t, size: Int, at location: HDF5Location) throws -> HDF5TypeMapping {
        let dataType: DataType
        switch size {
        case 1: dataType = .uint8
        case 2: dataType = .uint16
        case 4: dataType = .uint32
        case 8: dataType = .uint64
        default: return .unsupported("\(size)-byte bitfield type")
        }
        guard let stored = order(type) else { return .unsupported("bitfield type of unknown byte order") }
        let memory = try copy(type, at: location)
        try h5check(H5Tset_order(memory.id, ByteOrder.native == .little ? H5T_ORDER_LE : H5T_ORDER_BE),
                    "H5Tset_order", at: location)
        let whole = H5Tget_precision(type) == size * 8 && H5Tget_offset(type) == 0
        return .supported(HDF5ElementType(dataType: dataType, memoryType: memory, storedOrder: whole ? stored : nil,
                                          enumMembers: nil))
    }

    private static func enumeration(_ type: hid_t, at location: HDF5Location) throws -> HDF5TypeMapping {
        let base = try HDF5Handle.make(.datatype, "H5Tget_super", at: location) { H5Tget_super(type) }
        guard H5Tget_class(base.id) == H5T_INTEGER else { return .unsupported("enum type with a non-integer base") }
        guard case .supported(let baseType) = try map(base.id, at: location) else {
            return .unsupported("enum type with an unsupported base")
        }
        // The native enum: same member names, native-order values; reading into it
        // converts stored values by name, which is the identity for the same enum.
        let native = try HDF5Handle.make(.datatype, "H5Tget_native_type", at: location) {
            H5Tget_native_type(type, H5T_DIR_ASCEND)
        }
        let count = try h5check(H5Tget_nmembers(native.id), "H5Tget_nmembers", at: location)
        let itemSize = baseType.dataType.itemSize
        guard H5Tget_size(native.id) == itemSize else { return .unsupported("enum type whose native size differs") }
        var members: [(name: String, value: [UInt8])] = []
        for index in 0..<UInt32(count) {
            guard let cName = H5Tget_member_name(native.id, index) else {
                _ = try h5check(Int32(-1), "H5Tget_member_name", at: location)
                continue
            }
            let name = String(cString: cName)
            H5free_memory(cName)
            var value = [UInt8](repeating: 0, count: itemSize)
            try h5check(H5Tget_member_value(native.id, index, &value), "H5Tget_member_value", at: location)
            members.append((name, value))
        }
        // h5py stores numpy booleans as an int8 enum {FALSE = 0, TRUE = 1}.
        let isBool = itemSize == 1 && members.count == 2
            && members[0].name == "FALSE" && members[0].value == [0]
            && members[1].name == "TRUE" && members[1].value == [1]
        return .supported(HDF5ElementType(dataType: isBool ? .bool : baseType.dataType, memoryType: native,
                                          storedOrder: baseType.storedOrder, enumMembers: isBool ? nil : members))
    }

    /// h5py's complex numbers: a compound of two equal IEEE floats named `r` and `i`.
    private static func complex(_ type: hid_t, size: Int, at location: HDF5Location) throws -> HDF5TypeMapping? {
        guard H5Tget_nmembers(type) == 2, size == 8 || size == 16 else { return nil }
        var names: [String] = []
        for index in 0..<UInt32(2) {
            guard H5Tget_member_class(type, index) == H5T_FLOAT else { return nil }
            let member = try HDF5Handle.make(.datatype, "H5Tget_member_type", at: location) {
                H5Tget_member_type(type, index)
            }
            guard H5Tget_size(member.id) == size / 2, H5Tget_member_offset(type, index) == Int(index) * size / 2 else {
                return nil
            }
            guard let cName = H5Tget_member_name(type, index) else { return nil }
            names.append(String(cString: cName))
            H5free_memory(cName)
        }
        guard names == ["r", "i"] else { return nil }
        let half = size / 2
        let memory = try HDF5Handle.make(.datatype, "H5Tcreate", at: location) { H5Tcreate(H5T_COMPOUND, size) }
        let component = half == 4 ? cube_H5T_NATIVE_FLOAT() : cube_H5T_NATIVE_DOUBLE()
        try h5check(H5Tinsert(memory.id, "r", 0, component), "H5Tinsert", at: location)
        try h5check(H5Tinsert(memory.id, "i", half, component), "H5Tinsert", at: location)
        return .supported(HDF5ElementType(dataType: half == 4 ? .complex64 : .complex128, memoryType: memory,
                                          storedOrder: nil, enumMembers: nil))
    }
}
