import CHDF5
import CubeCore
import CubeHDF5
import Foundation

/// A failed libhdf5 call while building a test file.
struct BuildError: Error, CustomStringConvertible {
    var description: String
}

/// Throws when a libhdf5 call returned a negative value.
@discardableResult
func ok<T: BinaryInteger>(_ result: T, _ what: String) throws -> T {
    guard result >= 0 else { throw BuildError(description: "\(what) failed (\(result))") }
    return result
}

/// A fresh path in a per-process temporary directory.
func temporaryPath(_ name: String) -> String {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("cube-hdf5-tests-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("\(name)-\(UUID().uuidString).h5").path
}

/// Filters to put on a test dataset, in the order given.
enum TestFilter {
    case deflate(Int)
    case shuffle
    case fletcher32
}

/// A predefined libhdf5 type, read under the library lock: the `H5T_*` constants are calls
/// (each runs `H5open`), so a test evaluating one as an argument, before the builder takes
/// the lock, would call into the library beside other tests' locked calls.
func h5(_ type: () -> hid_t) -> hid_t { HDF5Library.withLock(type) }

/// Builds HDF5 files for tests through the libhdf5 C API (every call under
/// ``HDF5Library/withLock(_:)``, like the library's own).
final class H5Builder {
    /// Where the file is written.
    let path: String
    private let file: hid_t
    private var closed = false

    /// Creates (truncates) a file; `trackOrder` tracks link and attribute creation order
    /// of the root group; `latestFormat` allows the newest object formats.
    init(_ name: String, trackOrder: Bool = false, latestFormat: Bool = false) throws {
        path = temporaryPath(name)
        let path = path
        file = try HDF5Library.withLock {
            let fcpl = try ok(H5Pcreate(cube_H5P_FILE_CREATE()), "H5Pcreate")
            defer { H5Pclose(fcpl) }
            let fapl = try ok(H5Pcreate(cube_H5P_FILE_ACCESS()), "H5Pcreate")
            defer { H5Pclose(fapl) }
            if trackOrder {
                let flags = cube_H5P_CRT_ORDER_TRACKED() | cube_H5P_CRT_ORDER_INDEXED()
                try ok(H5Pset_link_creation_order(fcpl, flags), "H5Pset_link_creation_order")
                try ok(H5Pset_attr_creation_order(fcpl, flags), "H5Pset_attr_creation_order")
            }
            if latestFormat {
                try ok(H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds")
            }
            return try ok(H5Fcreate(path, cube_H5F_ACC_TRUNC(), fcpl, fapl), "H5Fcreate")
        }
    }

    deinit { close() }

    /// Closes the file (idempotent); call before reading it.
    func close() {
        guard !closed else { return }
        closed = true
        HDF5Library.withLock { _ = H5Fclose(file) }
    }

    /// Creates a group (and, like `mkdir -p`, missing parents).
    func group(_ groupPath: String, trackOrder: Bool = false) throws {
        try HDF5Library.withLock {
            let lcpl = try ok(H5Pcreate(cube_H5P_LINK_CREATE()), "H5Pcreate")
            defer { H5Pclose(lcpl) }
            try ok(H5Pset_create_intermediate_group(lcpl, 1), "H5Pset_create_intermediate_group")
            let gcpl = try ok(H5Pcreate(cube_H5P_GROUP_CREATE()), "H5Pcreate")
            defer { H5Pclose(gcpl) }
            if trackOrder {
                let flags = cube_H5P_CRT_ORDER_TRACKED() | cube_H5P_CRT_ORDER_INDEXED()
                try ok(H5Pset_link_creation_order(gcpl, flags), "H5Pset_link_creation_order")
                try ok(H5Pset_attr_creation_order(gcpl, flags), "H5Pset_attr_creation_order")
            }
            let group = try ok(H5Gcreate2(file, groupPath, lcpl, gcpl, cube_H5P_DEFAULT()), "H5Gcreate2 \(groupPath)")
            H5Gclose(group)
        }
    }

    /// Creates a dataset of file type `type` and writes `data` (in `memoryType`, default
    /// the file type) when given.
    func dataset(_ datasetPath: String, type: hid_t, shape: [Int], maxShape: [Int?]? = nil, chunks: [Int]? = nil,
                 filters: [TestFilter] = [], compact: Bool = false, fill: [UInt8]? = nil, fillType: hid_t? = nil,
                 dontFilterPartialChunks: Bool = false, data: [UInt8]? = nil, memoryType: hid_t? = nil) throws {
        try HDF5Library.withLock {
            let dims = shape.map { hsize_t($0) }
            let maxDims = (maxShape ?? shape.map { $0 }).map { $0.map { hsize_t($0) } ?? cube_H5S_UNLIMITED() }
            let space = shape.isEmpty
                ? try ok(H5Screate(H5S_SCALAR), "H5Screate")
                : try ok(H5Screate_simple(Int32(shape.count), dims, maxDims), "H5Screate_simple")
            defer { H5Sclose(space) }
            let dcpl = try ok(H5Pcreate(cube_H5P_DATASET_CREATE()), "H5Pcreate")
            defer { H5Pclose(dcpl) }
            if let chunks {
                try ok(H5Pset_chunk(dcpl, Int32(chunks.count), chunks.map { hsize_t($0) }), "H5Pset_chunk")
                if dontFilterPartialChunks {
                    try ok(H5Pset_chunk_opts(dcpl, cube_H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS()), "H5Pset_chunk_opts")
                }
            }
            if compact { try ok(H5Pset_layout(dcpl, H5D_COMPACT), "H5Pset_layout") }
            for filter in filters {
                switch filter {
                case .deflate(let level): try ok(H5Pset_deflate(dcpl, UInt32(level)), "H5Pset_deflate")
                case .shuffle: try ok(H5Pset_shuffle(dcpl), "H5Pset_shuffle")
                case .fletcher32: try ok(H5Pset_fletcher32(dcpl), "H5Pset_fletcher32")
                }
            }
            if var fill {
                try ok(H5Pset_fill_value(dcpl, fillType ?? type, &fill), "H5Pset_fill_value")
            }
            let lcpl = try ok(H5Pcreate(cube_H5P_LINK_CREATE()), "H5Pcreate")
            defer { H5Pclose(lcpl) }
            try ok(H5Pset_create_intermediate_group(lcpl, 1), "H5Pset_create_intermediate_group")
            let dataset = try ok(H5Dcreate2(file, datasetPath, type, space, lcpl, dcpl, cube_H5P_DEFAULT()),
                                 "H5Dcreate2 \(datasetPath)")
            defer { H5Dclose(dataset) }
            if var data {
                try ok(H5Dwrite(dataset, memoryType ?? type, cube_H5S_ALL(), cube_H5S_ALL(), cube_H5P_DEFAULT(), &data),
                       "H5Dwrite \(datasetPath)")
            }
        }
    }

    /// Writes `data` (in `memoryType`) into the box `start`/`count` of a dataset.
    func write(_ datasetPath: String, start: [Int], count: [Int], data: [UInt8], memoryType: hid_t) throws {
        try HDF5Library.withLock {
            let dataset = try ok(H5Dopen2(file, datasetPath, cube_H5P_DEFAULT()), "H5Dopen2")
            defer { H5Dclose(dataset) }
            let fileSpace = try ok(H5Dget_space(dataset), "H5Dget_space")
            defer { H5Sclose(fileSpace) }
            let counts = count.map { hsize_t($0) }
            try ok(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start.map { hsize_t($0) }, nil, counts, nil), "select")
            let memorySpace = try ok(H5Screate_simple(Int32(count.count), counts, nil), "H5Screate_simple")
            defer { H5Sclose(memorySpace) }
            var data = data
            try ok(H5Dwrite(dataset, memoryType, memorySpace, fileSpace, cube_H5P_DEFAULT(), &data), "H5Dwrite")
        }
    }

    /// Writes stored chunk bytes directly (`H5Dwrite_chunk`) with a filter mask.
    func writeRawChunk(_ datasetPath: String, offset: [Int], filterMask: UInt32, bytes: [UInt8]) throws {
        try HDF5Library.withLock {
            let dataset = try ok(H5Dopen2(file, datasetPath, cube_H5P_DEFAULT()), "H5Dopen2")
            defer { H5Dclose(dataset) }
            try ok(cube_H5Dwrite_chunk(dataset, filterMask, offset.map { hsize_t($0) }, bytes.count, bytes),
                   "H5Dwrite_chunk")
        }
    }

    /// Runs `body` with an open object (group or dataset) of the file.
    private func withObject<T>(_ objectPath: String, _ body: (hid_t) throws -> T) throws -> T {
        try HDF5Library.withLock {
            let object = try ok(H5Oopen(file, objectPath, cube_H5P_DEFAULT()), "H5Oopen \(objectPath)")
            defer { H5Oclose(object) }
            return try body(object)
        }
    }

    /// Writes an attribute of `type` (scalar when `shape` is `nil`) from `bytes` in `memoryType`.
    func attribute(_ objectPath: String, _ name: String, type: hid_t, shape: [Int]? = nil, bytes: [UInt8],
                   memoryType: hid_t? = nil) throws {
        try withObject(objectPath) { object in
            let space = try shape.map { dims in
                try ok(H5Screate_simple(Int32(dims.count), dims.map { hsize_t($0) }, nil), "H5Screate_simple")
            } ?? ok(H5Screate(H5S_SCALAR), "H5Screate")
            defer { H5Sclose(space) }
            let attribute = try ok(H5Acreate2(object, name, type, space, cube_H5P_DEFAULT(), cube_H5P_DEFAULT()),
                                   "H5Acreate2 \(name)")
            defer { H5Aclose(attribute) }
            var bytes = bytes
            try ok(H5Awrite(attribute, memoryType ?? type, &bytes), "H5Awrite \(name)")
        }
    }

    /// Writes a scalar fixed-length, null-terminated string attribute.
    func textAttribute(_ objectPath: String, _ name: String, _ value: String) throws {
        let bytes = Array(value.utf8) + [0]
        try HDF5Library.withLock {
            let type = try ok(H5Tcopy(cube_H5T_C_S1()), "H5Tcopy")
            defer { H5Tclose(type) }
            try ok(H5Tset_size(type, bytes.count), "H5Tset_size")
            try ok(H5Tset_strpad(type, H5T_STR_NULLTERM), "H5Tset_strpad")
            try attribute(objectPath, name, type: type, bytes: bytes)
        }
    }

    /// Writes a variable-length UTF-8 string attribute (scalar when `scalar`, else 1-D).
    func stringsAttribute(_ objectPath: String, _ name: String, _ values: [String], scalar: Bool = false) throws {
        try withObject(objectPath) { object in
            let type = try ok(H5Tcopy(cube_H5T_C_S1()), "H5Tcopy")
            defer { H5Tclose(type) }
            try ok(H5Tset_size(type, cube_H5T_VARIABLE()), "H5Tset_size")
            try ok(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset")
            let space = scalar ? try ok(H5Screate(H5S_SCALAR), "H5Screate")
                               : try ok(H5Screate_simple(1, [hsize_t(values.count)], nil), "H5Screate_simple")
            defer { H5Sclose(space) }
            let attribute = try ok(H5Acreate2(object, name, type, space, cube_H5P_DEFAULT(), cube_H5P_DEFAULT()), "H5Acreate2")
            defer { H5Aclose(attribute) }
            try withCStrings(values) { pointers in
                var pointers = pointers
                try ok(H5Awrite(attribute, type, &pointers), "H5Awrite")
            }
        }
    }

    /// Makes a dataset a dimension scale (`CLASS` and, when given, `NAME`).
    func makeScale(_ datasetPath: String, name: String? = nil) throws {
        try textAttribute(datasetPath, "CLASS", "DIMENSION_SCALE")
        if let name { try textAttribute(datasetPath, "NAME", name) }
    }

    /// Writes `DIMENSION_LIST` of a dataset: per axis, the paths of the scales attached.
    func attach(_ datasetPath: String, scales: [[String]]) throws {
        try withObject(datasetPath) { object in
            let referenceSize = cube_H5R_object_reference_size()
            var storage: [[UInt8]] = []
            for axis in scales {
                var refs = [UInt8](repeating: 0, count: max(axis.count, 1) * referenceSize)
                for (index, scalePath) in axis.enumerated() {
                    _ = try refs.withUnsafeMutableBytes { buffer in
                        try ok(cube_H5R_create_object(buffer.baseAddress! + index * referenceSize, file, scalePath),
                               "H5Rcreate \(scalePath)")
                    }
                }
                storage.append(refs)
            }
            let type = try ok(H5Tvlen_create(cube_H5T_STD_REF_OBJ()), "H5Tvlen_create")
            defer { H5Tclose(type) }
            let space = try ok(H5Screate_simple(1, [hsize_t(scales.count)], nil), "H5Screate_simple")
            defer { H5Sclose(space) }
            let attribute = try ok(H5Acreate2(object, "DIMENSION_LIST", type, space, cube_H5P_DEFAULT(), cube_H5P_DEFAULT()),
                                   "H5Acreate2 DIMENSION_LIST")
            defer { H5Aclose(attribute) }
            try withExtendedLifetime(storage) {
                var sequences: [hvl_t] = []
                for (index, axis) in scales.enumerated() {
                    let pointer = storage[index].withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
                    sequences.append(hvl_t(len: axis.count, p: axis.isEmpty ? nil : pointer))
                }
                try ok(H5Awrite(attribute, type, &sequences), "H5Awrite DIMENSION_LIST")
            }
        }
    }

    /// Creates a soft link `name` pointing at `target` (which need not exist).
    func softLink(_ name: String, to target: String) throws {
        try HDF5Library.withLock {
            _ = try ok(H5Lcreate_soft(target, file, name, cube_H5P_DEFAULT(), cube_H5P_DEFAULT()), "H5Lcreate_soft")
        }
    }

    /// Creates a hard link `name` to the existing object `target`.
    func hardLink(_ name: String, to target: String) throws {
        try HDF5Library.withLock {
            _ = try ok(H5Lcreate_hard(file, target, file, name, cube_H5P_DEFAULT(), cube_H5P_DEFAULT()), "H5Lcreate_hard")
        }
    }

    /// Writes a scalar object-reference attribute pointing at `target`.
    func referenceAttribute(_ objectPath: String, _ name: String, target: String) throws {
        var reference = [UInt8](repeating: 0, count: cube_H5R_object_reference_size())
        try HDF5Library.withLock {
            _ = try reference.withUnsafeMutableBytes { buffer in
                try ok(cube_H5R_create_object(buffer.baseAddress!, file, target), "H5Rcreate")
            }
            try attribute(objectPath, name, type: cube_H5T_STD_REF_OBJ(), bytes: reference)
        }
    }
}

/// Runs `body` with C strings for `values`, valid during the call.
func withCStrings<T>(_ values: [String], _ body: ([UnsafePointer<CChar>?]) throws -> T) rethrows -> T {
    let copies = values.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return try body(copies.map { UnsafePointer($0) })
}

/// The raw native bytes of `values`.
func rawBytes<T>(_ values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}

/// `bytes` reinterpreted as native values of `T`.
func values<T>(_ bytes: [UInt8], as _: T.Type) -> [T] {
    let count = bytes.count / MemoryLayout<T>.stride
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<(count * MemoryLayout<T>.stride)]))
        }
        initialized = count
    }
}

/// A deterministic float32 test array of `shape`: `value(i) = i * 0.5 - 1000`.
func sampleFloats(_ shape: [Int]) -> [Float] {
    (0..<ShapeMath.product(shape)).map { Float($0) * 0.5 - 1000 }
}

/// The numeric dataset with path `path` in a model group tree.
func variable(_ path: String, in root: DatasetGroup) -> HDF5Dataset? {
    for group in root.allGroups {
        for variable in group.variables where variable.path == path {
            return variable as? HDF5Dataset
        }
    }
    return nil
}
