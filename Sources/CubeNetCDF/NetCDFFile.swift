import CNetCDF
import CubeCore
import CubeHDF5

/// The on-disk format of a NetCDF file.
public enum NetCDFFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// netCDF-3 classic (CDF-1).
    case classic
    /// netCDF-3 with 64-bit offsets (CDF-2).
    case offset64 = "64bit-offset"
    /// netCDF-3 with 64-bit data (CDF-5).
    case cdf5
    /// netCDF-4 (HDF5-based), full data model: groups, user types, strings.
    case netCDF4 = "netcdf4"
    /// netCDF-4 (HDF5-based) restricted to the classic data model.
    case netCDF4Classic = "netcdf4-classic"

    /// Whether the file is HDF5-based (chunking and filters are possible).
    public var isNetCDF4: Bool { self == .netCDF4 || self == .netCDF4Classic }

    /// The format's name as `ncdump -k` prints it.
    public var description: String {
        switch self {
        case .classic: "classic"
        case .offset64: "64-bit offset"
        case .cdf5: "cdf5"
        case .netCDF4: "netCDF-4"
        case .netCDF4Classic: "netCDF-4 classic model"
        }
    }
}

/// A NetCDF file opened read-only.
///
/// Safe to share between threads: every libnetcdf call is serialized by ``NetCDFLibrary``.
/// The file stays open as long as this object or any ``NetCDFVariable`` read from it is
/// alive, and is closed when the last of them goes away. Opening a file that is already
/// open, under any path, shares its libnetcdf handle (see ``SharedFileOpens`` for why
/// libnetcdf must not open one file twice).
public final class NetCDFFile: Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The on-disk format.
    public let format: NetCDFFormat
    /// The open file, shared with every other ``NetCDFFile`` of the same file on disk.
    private let open: SharedOpen<Int32>
    /// The libnetcdf id of the open file (its root group).
    var ncid: Int32 { open.id }

    /// The files open through libnetcdf, one open each (``SharedFileOpens``).
    private static let openFiles = SharedFileOpens<Int32>()

    private init(path: String, open: SharedOpen<Int32>, format: NetCDFFormat) {
        self.path = path
        self.open = open
        self.format = format
    }

    /// Opens the file at `path` read-only.
    ///
    /// Throws ``CubeError`` with `path` as context when the file is missing (`.notFound`),
    /// is not a NetCDF file (`.invalidInput`), or is damaged (`.corrupt`).
    public static func open(path: String) throws -> NetCDFFile {
        let context = NCContext(file: path)
        // A failed check below lets go of `shared`, which closes it unless others hold it.
        let shared = try openFiles.open(path, {
            var ncid: Int32 = -1
            try ncCall("nc_open", context) { nc_open(path, NC_NOWRITE, &ncid) }
            return ncid
        }, close: { ncid in NetCDFLibrary.withLock { _ = nc_close(ncid) } })
        var rawFormat: Int32 = 0
        try ncCall("nc_inq_format", context) { nc_inq_format(shared.id, &rawFormat) }
        let format: NetCDFFormat
        switch rawFormat {
        case NC_FORMAT_CLASSIC: format = .classic
        case NC_FORMAT_64BIT_OFFSET: format = .offset64
        case NC_FORMAT_64BIT_DATA: format = .cdf5
        case NC_FORMAT_NETCDF4: format = .netCDF4
        case NC_FORMAT_NETCDF4_CLASSIC: format = .netCDF4Classic
        default:
            throw CubeError(.unsupported, "unknown NetCDF format \(rawFormat)", context: path)
        }
        if !format.isNetCDF4 {
            try NCClassicSize.check(ncid: shared.id, format: format, path: path)
        }
        return NetCDFFile(path: path, open: shared, format: format)
    }

    /// Reads the whole dataset tree: every group (recursively), its dimensions, variables,
    /// attributes and storage details.
    ///
    /// Variables of types that cannot be expressed as arrays (opaque, vlen, compounds with
    /// such fields) make
    /// this throw a `.unsupported` ``CubeError`` with context `<file>: <variable path>`, or,
    /// with `skipUnsupported`, are left out and listed in `unsupported`. Attributes of such
    /// types never fail: they are left out and listed in `unsupported` with the path
    /// `<owner path>@<attribute name>` (owner path `""` for the root group) and a reason
    /// starting with `attribute skipped:`.
    public func readDataset(skipUnsupported: Bool = false) throws -> (root: DatasetGroup, unsupported: [UnsupportedVariable]) {
        var walker = NCDatasetWalker(file: self, skipUnsupported: skipUnsupported)
        let root = try walker.group(ncid: ncid, path: "")
        return (root, walker.unsupported)
    }

    /// The variable at `path` (`t2m`, `group/sub/var`).
    ///
    /// Throws `.notFound` if there is no such variable and `.unsupported` if its type cannot
    /// be expressed as an array.
    public func variable(_ path: String) throws -> NetCDFVariable {
        let context = NCContext(file: self.path, object: path)
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let name = components.popLast() else {
            throw CubeError(.invalidArgument, "empty variable path", context: context.text)
        }
        var group = ncid
        var groupPath = ""
        for component in components {
            var child: Int32 = 0
            let status = NetCDFLibrary.withLock { nc_inq_grp_ncid(group, component, &child) }
            guard status == NC_NOERR else {
                throw CubeError(.notFound, "no group '\(component)'", context: context.text)
            }
            group = child
            groupPath = groupPath.isEmpty ? component : "\(groupPath)/\(component)"
        }
        var varid: Int32 = 0
        let status = NetCDFLibrary.withLock { nc_inq_varid(group, name, &varid) }
        guard status == NC_NOERR else {
            throw CubeError(.notFound, "no variable '\(name)'", context: context.text)
        }
        var walker = NCDatasetWalker(file: self, skipUnsupported: false)
        guard let variable = try walker.variable(ncid: group, varid: varid, groupPath: groupPath) else {
            throw CubeError(.notFound, "no variable '\(name)'", context: context.text)
        }
        return variable
    }
}

/// Walks groups and variables of one file, collecting what it cannot expose.
struct NCDatasetWalker {
    let file: NetCDFFile
    let skipUnsupported: Bool
    let context: NCContext
    let types: NCTypeTable
    /// Skipped variables and attributes.
    var unsupported: [UnsupportedVariable] = []
    /// Names and lengths of dimensions seen so far, by id (ids are unique within a file).
    private var dimensions: [Int32: DimensionInfo] = [:]

    init(file: NetCDFFile, skipUnsupported: Bool) {
        self.file = file
        self.skipUnsupported = skipUnsupported
        self.context = NCContext(file: file.path)
        self.types = NCTypeTable(context: context)
    }

    /// Reads the group `ncid` at `path` and everything below it.
    mutating func group(ncid: Int32, path: String) throws -> DatasetGroup {
        let groupContext = context.about(path.isEmpty ? nil : path)

        // Dimensions defined here, and which of them are unlimited.
        var dimensionIDs: [Int32] = []
        var unlimitedIDs: [Int32] = []
        try ncCall("listing dimensions", groupContext) {
            var count: Int32 = 0
            var status = nc_inq_dimids(ncid, &count, nil, 0)
            guard status == NC_NOERR else { return status }
            dimensionIDs = [Int32](repeating: 0, count: Int(count))
            if count > 0 { status = nc_inq_dimids(ncid, &count, &dimensionIDs, 0) }
            guard status == NC_NOERR else { return status }
            var unlimitedCount: Int32 = 0
            status = nc_inq_unlimdims(ncid, &unlimitedCount, nil)
            guard status == NC_NOERR else { return status }
            unlimitedIDs = [Int32](repeating: 0, count: Int(unlimitedCount))
            if unlimitedCount > 0 { status = nc_inq_unlimdims(ncid, &unlimitedCount, &unlimitedIDs) }
            return status
        }
        var groupDimensions: [DimensionInfo] = []
        for id in dimensionIDs {
            var info = try dimension(id, group: ncid, context: groupContext)
            info.isUnlimited = unlimitedIDs.contains(id)
            dimensions[id]?.isUnlimited = info.isUnlimited
            groupDimensions.append(info)
        }

        let attributes = try ncReadAttributes(group: ncid, variable: cube_nc_global(), owner: path,
                                              types: types, context: context, notes: &unsupported)

        // Variables.
        var variableIDs: [Int32] = []
        try ncCall("listing variables", groupContext) {
            var count: Int32 = 0
            var status = nc_inq_varids(ncid, &count, nil)
            guard status == NC_NOERR else { return status }
            variableIDs = [Int32](repeating: 0, count: Int(count))
            if count > 0 { status = nc_inq_varids(ncid, &count, &variableIDs) }
            return status
        }
        var variables: [any ArraySource] = []
        var storage: [String: StorageInfo] = [:]
        for varid in variableIDs {
            guard let variable = try variable(ncid: ncid, varid: varid, groupPath: path) else { continue }
            variables.append(variable)
            storage[variable.name] = variable.storage
        }

        // Subgroups, in stored order.
        var childIDs: [Int32] = []
        try ncCall("listing groups", groupContext) {
            var count: Int32 = 0
            var status = nc_inq_grps(ncid, &count, nil)
            guard status == NC_NOERR else { return status }
            childIDs = [Int32](repeating: 0, count: Int(count))
            if count > 0 { status = nc_inq_grps(ncid, &count, &childIDs) }
            return status
        }
        var children: [DatasetGroup] = []
        for child in childIDs {
            var name = ncNameBuffer()
            try ncCall("nc_inq_grpname", groupContext) { nc_inq_grpname(child, &name) }
            let childName = ncString(name)
            children.append(try group(ncid: child, path: path.isEmpty ? childName : "\(path)/\(childName)"))
        }

        return DatasetGroup(path: path, dimensions: groupDimensions, variables: variables,
                            storage: storage, attributes: attributes, groups: children)
    }

    /// Name and current length of dimension `id` (which may belong to an ancestor group).
    mutating func dimension(_ id: Int32, group ncid: Int32, context: NCContext) throws -> DimensionInfo {
        if let known = dimensions[id] { return known }
        var name = ncNameBuffer()
        var length = 0
        try ncCall("nc_inq_dim(\(id))", context) { nc_inq_dim(ncid, id, &name, &length) }
        let info = DimensionInfo(name: ncString(name), length: length)
        dimensions[id] = info
        return info
    }

    /// Describes variable `varid` of group `ncid`; `nil` when it is skipped as unsupported.
    mutating func variable(ncid: Int32, varid: Int32, groupPath: String) throws -> NetCDFVariable? {
        var name = ncNameBuffer()
        var xtype: nc_type = 0
        var rank: Int32 = 0
        var dimensionIDs = [Int32](repeating: 0, count: Int(NC_MAX_VAR_DIMS))
        try ncCall("nc_inq_var(\(varid))", context.about(groupPath.isEmpty ? nil : groupPath)) {
            nc_inq_var(ncid, varid, &name, &xtype, &rank, &dimensionIDs, nil)
        }
        let variableName = ncString(name)
        let path = groupPath.isEmpty ? variableName : "\(groupPath)/\(variableName)"
        let variableContext = context.about(path)

        let element = try types.element(xtype, group: ncid, about: path)
        if case .unsupported(let reason) = element {
            guard skipUnsupported else {
                throw CubeError(.unsupported, "variable '\(variableName)': \(reason)", context: variableContext.text)
            }
            unsupported.append(UnsupportedVariable(path: path, reason: reason))
            return nil
        }

        var fileShape: [Int] = []
        var fileDimensionNames: [String] = []
        for id in dimensionIDs.prefix(Int(rank)) {
            let info = try dimension(id, group: ncid, context: variableContext)
            fileShape.append(info.length)
            fileDimensionNames.append(info.name)
        }

        var attributes = try ncReadAttributes(group: ncid, variable: varid, owner: path,
                                              types: types, context: context, notes: &unsupported)

        let dataType: DataType
        let fileItemSize: Int
        switch element {
        case .numeric(let type):
            dataType = type
            fileItemSize = type.itemSize
        case .char:
            // One character per element, with every dimension: whether the last one is a
            // string length to join along is decided for the whole group by the reader of
            // the dataset (xarray decides it from every variable of the group).
            dataType = .bytes(1)
            fileItemSize = 1
        case .string:
            dataType = .string
            fileItemSize = 0
        case .compound(let layout):
            dataType = .structured(layout)
            fileItemSize = layout.itemSize
        case .enumeration(let info):
            dataType = info.base
            fileItemSize = info.base.itemSize
            // CF flags describing the members, unless the file already has its own.
            let names = Set(attributes.map(\.name))
            if !names.contains("flag_values") && !names.contains("flag_meanings") {
                attributes.append(Attribute("flag_values", .numbers(info.base, info.values)))
                let meanings = info.names.map { $0.replacingOccurrences(of: " ", with: "_") }
                attributes.append(Attribute("flag_meanings", .text(meanings.joined(separator: " "))))
            }
        case .unsupported:
            return nil  // handled above
        }

        let storage = try ncStorageInfo(group: ncid, variable: varid, fileShape: fileShape,
                                        fileItemSize: fileItemSize, format: file.format, context: variableContext)
        return NetCDFVariable(
            file: file, groupID: ncid, varID: varid, name: variableName, path: path,
            shape: fileShape, dataType: dataType,
            chunkShape: storage.layout == "chunked" ? storage.chunkShape : nil,
            dimensionNames: fileDimensionNames, attributes: attributes, storage: storage)
    }
}

extension String {
    /// The string with every occurrence of `target` replaced (no Foundation needed).
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
