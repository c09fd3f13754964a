import CHDF5
import CubeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An HDF5 file (plain HDF5 or netCDF-4) opened read-only.
///
/// ``readDataset(skipUnsupported:phonyDimensions:)`` maps the whole file onto cube's dataset model:
/// groups become groups (in creation order when the group tracks it, else by name, as
/// h5py lists them), datasets become variables (``HDF5Dataset``), attributes become
/// attributes. Dimension names follow h5netcdf (`phony_dims="sort"` by default): a dimension
/// scale names its own dimension after its link name, datasets with attached scales use the
/// scales' link names, and other axes get `phony_dim_N` names (DimensionNaming.swift
/// documents the exact rules). netCDF-4 datasets that only carry a dimension (their `NAME`
/// says "This is a netCDF dimension but not a netCDF variable") are dimensions, not
/// variables. External links and dangling soft links are skipped; groups reachable twice
/// (hard links forming a cycle) are visited once.
public final class HDF5File: Sendable {
    /// The file's path on disk, as given.
    public let path: String
    /// The open file, shared with every other ``HDF5File`` of the same file on disk and
    /// kept open by every ``HDF5Dataset`` read from it.
    let file: SharedOpen<hid_t>

    /// The files open through cube's reader, one open each (``SharedFileOpens``).
    ///
    /// They are opened through libhdf5's stdio driver, while libnetcdf opens files through
    /// the default sec2 driver: libhdf5 only takes opens through one driver for one file, so
    /// cube reading a netCDF-4 file's chunks beside libnetcdf's open of it are two files to
    /// libhdf5, and cannot meet the fault ``SharedFileOpens`` describes. It reads no slower
    /// (`benchmarks/README.md`).
    static let openFiles = SharedFileOpens<hid_t>()

    /// Opens the file at `path` read-only.
    ///
    /// Throws `.notFound` when nothing exists at `path` and `.invalidInput` when it is not
    /// an HDF5 file; both name the path.
    public init(path: String) throws {
        self.path = path
        let location = HDF5Location(file: path, object: nil)
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CubeError(.notFound, "no such file", context: path)
        }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            throw CubeError(.invalidInput, "is a directory, not an HDF5 file", context: path)
        }
        guard access(path, R_OK) == 0 else {
            throw CubeError(.io, "cannot read the file (permission denied)", context: path)
        }
        file = try Self.openFiles.open(path, {
            let isHDF5 = cube_H5F_is_hdf5(path)
            if isHDF5 < 0 { try h5check(isHDF5, "H5Fis_hdf5", at: location) }
            guard isHDF5 > 0 else {
                _ = cube_H5E_clear()
                throw CubeError(.invalidInput, "not an HDF5 file (no HDF5 signature found)", context: path)
            }
            let fapl = try HDF5Handle.make(.propertyList, "H5Pcreate", at: location) { H5Pcreate(cube_H5P_FILE_ACCESS()) }
            try h5check(H5Pset_fapl_stdio(fapl.id), "H5Pset_fapl_stdio", at: location)
            _ = cube_H5P_set_lenient_file_locking(fapl.id)
            return try h5check(H5Fopen(path, cube_H5F_ACC_RDONLY(), fapl.id), "H5Fopen", at: location, kind: .invalidInput)
        }, close: { _ = H5Fclose($0) })
    }

    // MARK: - Whole-file model

    /// Reads the file's groups, variables, dimensions and attributes.
    ///
    /// Datasets of types cube cannot represent (compounds with nested or variable-length
    /// members, opaque, reference, variable-length sequences, arrays) are listed in
    /// `unsupported` when `skipUnsupported` is set; otherwise the call throws
    /// `.unsupported`, naming every such dataset. `phonyDimensions` picks how unnamed
    /// dimensions are numbered (netCDF-C's way by default).
    public func readDataset(skipUnsupported: Bool = false, phonyDimensions: HDF5PhonyDimensions = .sort)
        throws -> (root: DatasetGroup, unsupported: [UnsupportedVariable]) {
        let tree = try scan()
        let named = DimensionNaming.name(tree.naming, mode: phonyDimensions)
        var unsupported: [UnsupportedVariable] = []
        let root = try build(tree, named: named, unsupported: &unsupported)
        if !unsupported.isEmpty && !skipUnsupported {
            let list = unsupported.map { "\($0.path) (\($0.reason))" }.joined(separator: ", ")
            throw CubeError(.unsupported, "cannot read dataset\(unsupported.count == 1 ? "" : "s") \(list)", context: path)
        }
        return (root, unsupported)
    }

    /// Opens the dataset at `datasetPath` (`group/var` or `/group/var`).
    ///
    /// Without `dimensionNames`, names are found as ``readDataset(skipUnsupported:phonyDimensions:)``
    /// would (which walks the whole file once); callers that know the names (the netCDF
    /// reader) pass them, one per axis. Throws `.notFound` when there is no dataset at the
    /// path and `.unsupported` when its type cannot be represented.
    public func dataset(atPath datasetPath: String, dimensionNames: [String]? = nil) throws -> HDF5Dataset {
        let trimmed = String(datasetPath.drop { $0 == "/" })
        let location = HDF5Location(file: path, object: "/" + trimmed)
        let object: HDF5Handle = try HDF5Library.withLock {
            guard !trimmed.isEmpty, pathExists(trimmed) else {
                _ = cube_H5E_clear()
                throw CubeError(.notFound, "no dataset at this path", context: location.description)
            }
            let object = try HDF5Handle.make(.object, "H5Oopen", at: location, errorKind: .notFound) {
                H5Oopen(file.id, "/" + trimmed, cube_H5P_DEFAULT())
            }
            guard H5Iget_type(object.id) == H5I_DATASET else {
                throw CubeError(.notFound, "object is not a dataset", context: location.description)
            }
            return object
        }
        let names: [String]
        if let dimensionNames {
            names = dimensionNames
        } else {
            names = try dimensionNamesByScanning(trimmed, object: object, location: location)
        }
        switch try HDF5Dataset.open(object, in: file, location: location, dimensionNames: names) {
        case .dataset(let dataset): return dataset
        case .unsupported(let reason):
            throw CubeError(.unsupported, "cannot read dataset \(trimmed): \(reason)", context: path)
        }
    }

    /// Whether `path` and each of its parents exist (`H5Lexists` fails rather than
    /// answering when a parent is missing, so each level is checked in turn).
    private func pathExists(_ path: String) -> Bool {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            guard H5Lexists(file.id, prefix, cube_H5P_DEFAULT()) > 0 else { return false }
        }
        return true
    }

    /// Names for one dataset: from a whole-file scan, or (if the scan did not reach it)
    /// from its attached scales and `phony_dim_<axis>`.
    private func dimensionNamesByScanning(_ datasetPath: String, object: HDF5Handle, location: HDF5Location) throws -> [String] {
        let tree = try scan()
        let named = DimensionNaming.name(tree.naming)
        if let names = Self.find(datasetPath, in: tree, named: named) { return names }
        let info = try Self.namingInfo(name: String(datasetPath.split(separator: "/").last ?? ""), object: object.id,
                                       at: location)
        return info.shape.indices.map { axis in
            info.attached?[safe: axis]?.last?.name ?? "phony_dim_\(axis)"
        }
    }

    private static func find(_ datasetPath: String, in group: ScannedGroup, named: DimensionNaming.NamedGroup) -> [String]? {
        for (index, dataset) in group.datasets.enumerated() where dataset.path == datasetPath {
            return named.datasetDimensions[index]
        }
        for (child, childNames) in zip(group.groups, named.groups) {
            if let found = find(datasetPath, in: child, named: childNames) { return found }
        }
        return nil
    }

    // MARK: - Scanning

    /// A dataset found while walking the file.
    struct ScannedDataset {
        /// Path without the leading `/`.
        var path: String
        var location: HDF5Location
        var handle: HDF5Handle
        var naming: DimensionNaming.Dataset
        /// A netCDF-4 dimension without a variable.
        var isDimensionOnly: Bool
    }

    /// A group found while walking the file.
    struct ScannedGroup {
        /// Path without the leading `/` (`""` for the root).
        var path: String
        var location: HDF5Location
        var handle: HDF5Handle
        var datasets: [ScannedDataset] = []
        var groups: [ScannedGroup] = []

        /// The naming summary of this subtree.
        var naming: DimensionNaming.Group {
            DimensionNaming.Group(datasets: datasets.map(\.naming), groups: groups.map(\.naming))
        }
    }

    /// Walks the whole file, collecting what dimension naming needs.
    func scan() throws -> ScannedGroup {
        try HDF5Library.withLock {
            let location = HDF5Location(file: path, object: "/")
            let root = try HDF5Handle.make(.group, "H5Gopen2", at: location) { H5Gopen2(file.id, "/", cube_H5P_DEFAULT()) }
            var visited: Set<DimensionNaming.ObjectID> = []
            if let id = Self.identity(root.id) { visited.insert(id) }
            return try scanGroup(root, path: "", location: location, visited: &visited)
        }
    }

    private func scanGroup(_ group: HDF5Handle, path groupPath: String, location: HDF5Location,
                           visited: inout Set<DimensionNaming.ObjectID>) throws -> ScannedGroup {
        var result = ScannedGroup(path: groupPath, location: location, handle: group)
        for (name, linkType) in try Self.links(of: group.id, at: location) {
            guard linkType == cube_H5L_TYPE_HARD() || linkType == cube_H5L_TYPE_SOFT() else { continue }
            let childPath = groupPath.isEmpty ? name : groupPath + "/" + name
            let childLocation = HDF5Location(file: path, object: "/" + childPath)
            let objectID = H5Oopen(group.id, name, cube_H5P_DEFAULT())
            if objectID < 0 {
                if linkType == cube_H5L_TYPE_SOFT() { _ = cube_H5E_clear(); continue }  // dangling soft link
                try h5check(objectID, "H5Oopen", at: childLocation)
            }
            let object = try HDF5Handle.make(.object, "H5Oopen", at: childLocation) { objectID }
            switch H5Iget_type(object.id) {
            case H5I_GROUP:
                if let id = Self.identity(object.id) {
                    guard !visited.contains(id) else { continue }
                    visited.insert(id)
                }
                result.groups.append(try scanGroup(object, path: childPath, location: childLocation, visited: &visited))
            case H5I_DATASET:
                let naming = try Self.namingInfo(name: name, object: object.id, at: childLocation)
                let nameAttribute = HDF5Attributes.string("NAME", of: object.id, at: childLocation) ?? ""
                let dimensionOnly = naming.isScale
                    && nameAttribute.hasPrefix("This is a netCDF dimension but not a netCDF variable")
                result.datasets.append(ScannedDataset(path: childPath, location: childLocation, handle: object,
                                                      naming: naming, isDimensionOnly: dimensionOnly))
            default:
                continue  // named datatypes
            }
        }
        return result
    }

    /// Link names of `group` with their link types, in creation order when the group
    /// tracks it, else in name order.
    static func links(of group: hid_t, at location: HDF5Location) throws -> [(name: String, type: Int32)] {
        final class LinkList { var links: [(name: String, type: Int32)] = [] }
        return try HDF5Library.withLock {
            let list = LinkList()
            let context = Unmanaged.passUnretained(list).toOpaque()
            let callback: cube_link_callback = { name, type, context in
                guard let name, let context else { return }
                Unmanaged<LinkList>.fromOpaque(context).takeUnretainedValue().links.append((String(cString: name), type))
            }
            if try HDF5Attributes.tracksCreationOrder(of: group, links: true, at: location) {
                if cube_H5L_iterate(group, 1, callback, context) >= 0 { return list.links }
                _ = cube_H5E_clear()
                list.links = []
            }
            try h5check(cube_H5L_iterate(group, 0, callback, context), "H5Literate", at: location)
            return list.links
        }
    }

    /// The identity of an open object, or `nil` if libhdf5 cannot tell.
    static func identity(_ object: hid_t) -> DimensionNaming.ObjectID? {
        HDF5Library.withLock {
            var fileNumber: UInt = 0
            var address: UInt64 = 0
            guard cube_H5O_identity(object, &fileNumber, &address) >= 0 else {
                _ = cube_H5E_clear()
                return nil
            }
            return DimensionNaming.ObjectID(fileNumber: UInt64(fileNumber), address: address)
        }
    }

    /// What dimension naming needs to know about one dataset.
    static func namingInfo(name: String, object: hid_t, at location: HDF5Location) throws -> DimensionNaming.Dataset {
        try HDF5Library.withLock {
            let extent = try HDF5Shape.read(dataset: object, at: location)
            var info = DimensionNaming.Dataset(name: name, shape: extent.shape ?? [])
            info.isUnlimited = !extent.maxShape.isEmpty && extent.maxShape[0] == nil
            info.isScale = HDF5Attributes.string("CLASS", of: object, at: location) == "DIMENSION_SCALE"
            info.attached = try dimensionList(of: object, rank: info.shape.count, at: location)
            info.netcdfDimID = HDF5Attributes.integers("_Netcdf4Dimid", of: object, at: location)?.first
            info.netcdfCoordinates = HDF5Attributes.integers("_Netcdf4Coordinates", of: object, at: location)
            info.id = identity(object)
            return info
        }
    }

    /// The scales attached to each axis (`DIMENSION_LIST`), or `nil` when the attribute is
    /// absent or malformed. References that cannot be followed are left out.
    static func dimensionList(of dataset: hid_t, rank: Int, at location: HDF5Location) throws -> [[DimensionNaming.AttachedScale]]? {
        try HDF5Library.withLock {
            guard rank > 0, H5Aexists(dataset, "DIMENSION_LIST") > 0 else { return nil }
            let attribute = try HDF5Handle.make(.attribute, "H5Aopen DIMENSION_LIST", at: location) {
                H5Aopen(dataset, "DIMENSION_LIST", cube_H5P_DEFAULT())
            }
            let fileType = try HDF5Handle.make(.datatype, "H5Aget_type", at: location) { H5Aget_type(attribute.id) }
            guard H5Tget_class(fileType.id) == H5T_VLEN else { return nil }
            let base = try HDF5Handle.make(.datatype, "H5Tget_super", at: location) { H5Tget_super(fileType.id) }
            guard H5Tget_class(base.id) == H5T_REFERENCE, H5Tequal(base.id, cube_H5T_STD_REF_OBJ()) > 0 else { return nil }
            let space = try HDF5Handle.make(.dataspace, "H5Aget_space", at: location) { H5Aget_space(attribute.id) }
            let count = Int(try h5check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints", at: location))
            guard count == rank else { return nil }
            let memoryType = try HDF5Handle.make(.datatype, "H5Tvlen_create", at: location) {
                H5Tvlen_create(cube_H5T_STD_REF_OBJ())
            }
            var sequences = [hvl_t](repeating: hvl_t(len: 0, p: nil), count: count)
            try h5check(H5Aread(attribute.id, memoryType.id, &sequences), "H5Aread DIMENSION_LIST", at: location)
            defer { _ = cube_H5vlen_reclaim(memoryType.id, space.id, &sequences) }
            let referenceSize = cube_H5R_object_reference_size()
            var result: [[DimensionNaming.AttachedScale]] = []
            for sequence in sequences {
                var scales: [DimensionNaming.AttachedScale] = []
                if let base = sequence.p {
                    for index in 0..<sequence.len {
                        let scale = cube_H5R_open_object(dataset, base + index * referenceSize)
                        guard scale >= 0 else { _ = cube_H5E_clear(); continue }
                        defer { _ = H5Oclose(scale) }
                        scales.append(DimensionNaming.AttachedScale(name: objectName(scale), id: identity(scale)))
                    }
                }
                result.append(scales)
            }
            return result
        }
    }

    /// The last component of the path an open object was reached by (taking the library
    /// lock, which its callers usually hold already).
    static func objectName(_ object: hid_t) -> String {
        HDF5Library.withLock {
            let length = H5Iget_name(object, nil, 0)
            guard length > 0 else { _ = cube_H5E_clear(); return "" }
            var buffer = [CChar](repeating: 0, count: length + 1)
            _ = H5Iget_name(object, &buffer, buffer.count)
            let full = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return String(full.split(separator: "/").last ?? "")
        }
    }

    // MARK: - Building the model

    private func build(_ group: ScannedGroup, named: DimensionNaming.NamedGroup,
                       unsupported: inout [UnsupportedVariable]) throws -> DatasetGroup {
        var variables: [any ArraySource] = []
        var storage: [String: StorageInfo] = [:]
        for (index, dataset) in group.datasets.enumerated() where !dataset.isDimensionOnly {
            switch try HDF5Dataset.open(dataset.handle, in: file, location: dataset.location,
                                        dimensionNames: named.datasetDimensions[index]) {
            case .dataset(let variable):
                variables.append(variable)
                storage[dataset.naming.name] = variable.storage
            case .unsupported(let reason):
                unsupported.append(UnsupportedVariable(path: dataset.path, reason: reason))
            }
        }
        var groups: [DatasetGroup] = []
        for (child, childNames) in zip(group.groups, named.groups) {
            groups.append(try build(child, named: childNames, unsupported: &unsupported))
        }
        let attributes = try HDF5Attributes.readAll(of: group.handle.id, at: group.location)
        return DatasetGroup(path: group.path, dimensions: named.dimensions, variables: variables, storage: storage,
                            attributes: attributes, groups: groups)
    }
}
