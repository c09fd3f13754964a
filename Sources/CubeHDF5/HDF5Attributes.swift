import CHDF5
import CubeCore

/// Collects C-callback names into a Swift array.
private final class NameList {
    var names: [String] = []
}

/// Reading HDF5 attributes into cube ``Attribute`` values.
enum HDF5Attributes {
    /// Whether `object` (a group, dataset or named datatype) tracks the creation order of
    /// its attributes (`attributes`) or links (`links`, groups only).
    static func tracksCreationOrder(of object: hid_t, links: Bool, at location: HDF5Location) throws -> Bool {
        try HDF5Library.withLock {
            let plistID: hid_t
            switch H5Iget_type(object) {
            case H5I_DATASET: plistID = H5Dget_create_plist(object)
            case H5I_GROUP, H5I_FILE: plistID = H5Gget_create_plist(object)
            case H5I_DATATYPE: plistID = H5Tget_create_plist(object)
            default: return false
            }
            let plist = try HDF5Handle.make(.propertyList, "get creation property list", at: location) { plistID }
            var flags: UInt32 = 0
            if links {
                try h5check(H5Pget_link_creation_order(plist.id, &flags), "H5Pget_link_creation_order", at: location)
            } else {
                try h5check(H5Pget_attr_creation_order(plist.id, &flags), "H5Pget_attr_creation_order", at: location)
            }
            return flags & cube_H5P_CRT_ORDER_TRACKED() != 0
        }
    }

    /// The names of `object`'s attributes in creation order when tracked, else in name
    /// order (the order h5py lists them in).
    static func names(of object: hid_t, at location: HDF5Location) throws -> [String] {
        try HDF5Library.withLock {
            let tracked = try tracksCreationOrder(of: object, links: false, at: location)
            let list = NameList()
            let context = Unmanaged.passUnretained(list).toOpaque()
            let callback: cube_name_callback = { name, context in
                guard let name, let context else { return }
                Unmanaged<NameList>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            }
            if tracked {
                if cube_H5A_iterate(object, 1, callback, context) >= 0 { return list.names }
                // Tracked but not indexed in dense storage: fall back to name order.
                _ = cube_H5E_clear()
                list.names = []
            }
            try h5check(cube_H5A_iterate(object, 0, callback, context), "H5Aiterate2", at: location)
            return list.names
        }
    }

    /// Every attribute of `object` whose type cube can represent, in stored order.
    ///
    /// Attributes of compound, reference, opaque or sequence types (such as the dimension
    /// scale bookkeeping `DIMENSION_LIST` and `REFERENCE_LIST`) are skipped.
    static func readAll(of object: hid_t, at location: HDF5Location) throws -> [Attribute] {
        try HDF5Library.withLock {
            var result: [Attribute] = []
            for name in try names(of: object, at: location) {
                if let value = try read(name, of: object, at: location) {
                    result.append(Attribute(name, value))
                }
            }
            return result
        }
    }

    /// Whether `object` has an attribute called `name`.
    static func exists(_ name: String, on object: hid_t) -> Bool {
        HDF5Library.withLock { H5Aexists(object, name) > 0 }
    }

    /// The value of attribute `name` of `object`, or `nil` when its type is unsupported.
    static func read(_ name: String, of object: hid_t, at location: HDF5Location) throws -> AttributeValue? {
        try HDF5Library.withLock {
            let where_ = HDF5Location(file: location.file, object: "\(location.object ?? "/")@\(name)")
            let attribute = try HDF5Handle.make(.attribute, "H5Aopen", at: where_) { H5Aopen(object, name, cube_H5P_DEFAULT()) }
            let fileType = try HDF5Handle.make(.datatype, "H5Aget_type", at: where_) { H5Aget_type(attribute.id) }
            let space = try HDF5Handle.make(.dataspace, "H5Aget_space", at: where_) { H5Aget_space(attribute.id) }
            guard case .supported(let element) = try HDF5Types.map(fileType.id, at: where_) else { return nil }
            let spaceClass = H5Sget_simple_extent_type(space.id)
            let count = spaceClass == H5S_NULL
                ? 0 : Int(try h5check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints", at: where_))
            let scalar = spaceClass == H5S_SCALAR

            switch element.dataType {
            case .string:
                guard count > 0 else { return .strings([]) }
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                try h5check(H5Aread(attribute.id, element.memoryType.id, &pointers), "H5Aread", at: where_)
                let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
                _ = cube_H5vlen_reclaim(element.memoryType.id, space.id, &pointers)
                return scalar ? .text(strings[0]) : .strings(strings)
            case .bytes(let size):
                guard count > 0 else { return .strings([]) }
                var raw = [UInt8](repeating: 0, count: count * size)
                try h5check(H5Aread(attribute.id, element.memoryType.id, &raw), "H5Aread", at: where_)
                let padding = H5Tget_strpad(fileType.id)
                let strings = (0..<count).map { index in
                    fixedString(raw[(index * size)..<((index + 1) * size)], padding: padding)
                }
                return scalar ? .text(strings[0]) : .strings(strings)
            default:
                var raw = [UInt8](repeating: 0, count: count * element.dataType.itemSize)
                if count > 0 {
                    try h5check(H5Aread(attribute.id, element.memoryType.id, &raw), "H5Aread", at: where_)
                }
                return .numbers(element.dataType, raw)
            }
        }
    }

    /// The text of a string attribute (the first string of an array), or `nil` when the
    /// attribute is missing or not a string.
    static func string(_ name: String, of object: hid_t, at location: HDF5Location) -> String? {
        HDF5Library.withLock {
            guard exists(name, on: object), let value = try? read(name, of: object, at: location) else { return nil }
            switch value {
            case .text(let s): return s
            case .strings(let s): return s.first
            case .numbers: return nil
            }
        }
    }

    /// The values of an integer attribute, or `nil` when missing or not integer.
    static func integers(_ name: String, of object: hid_t, at location: HDF5Location) -> [Int]? {
        HDF5Library.withLock {
            guard exists(name, on: object), let value = try? read(name, of: object, at: location),
                  case .numbers(let type, let raw) = value else { return nil }
            return NumericDecoding.integers(type, raw)
        }
    }

    /// A stored fixed-length string: up to the first NUL (null-terminated or null-padded)
    /// or without trailing spaces (space-padded), decoded as UTF-8 with replacement.
    static func fixedString(_ bytes: ArraySlice<UInt8>, padding: H5T_str_t) -> String {
        var end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        if padding == H5T_STR_SPACEPAD {
            while end > bytes.startIndex, bytes[end - 1] == 0x20 { end -= 1 }
        }
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }
}

/// Reads native-order integers out of raw attribute bytes.
enum NumericDecoding {
    /// The values of `raw` as `Int`s, or `nil` for non-integer types or values beyond `Int`.
    static func integers(_ type: DataType, _ raw: [UInt8]) -> [Int]? {
        let size = type.itemSize
        guard type.isInteger, size > 0 else { return nil }
        var values: [Int] = []
        values.reserveCapacity(raw.count / size)
        var result: [Int]? = nil
        raw.withUnsafeBytes { buffer in
            for offset in stride(from: 0, to: buffer.count - size + 1, by: size) {
                let value: Int?
                switch type {
                case .int8: value = Int(buffer.load(fromByteOffset: offset, as: Int8.self))
                case .uint8: value = Int(buffer.load(fromByteOffset: offset, as: UInt8.self))
                case .int16: value = Int(buffer.loadUnaligned(fromByteOffset: offset, as: Int16.self))
                case .uint16: value = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                case .int32: value = Int(buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                case .uint32: value = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                case .int64: value = Int(buffer.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                case .uint64: value = Int(exactly: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                default: value = nil
                }
                guard let value else { return }
                values.append(value)
            }
            result = values
        }
        return result
    }
}
