import CubeCore
import CubeHDF5
import CubeNetCDF
import Foundation

/// A NetCDF or HDF5 file opened as cube's dataset model.
public struct OpenedDataset: Sendable {
    /// The file's path.
    public var path: String
    /// `NetCDF classic`, `NetCDF-4`, `HDF5`, ...
    public var formatDescription: String
    /// The group tree.
    public var root: DatasetGroup
    /// Variables (and attributes) left out because their types are not supported.
    public var unsupported: [UnsupportedVariable]

    /// Wraps an already-read dataset tree.
    public init(path: String, formatDescription: String, root: DatasetGroup, unsupported: [UnsupportedVariable]) {
        self.path = path
        self.formatDescription = formatDescription
        self.root = root
        self.unsupported = unsupported
    }
}

/// Opens NetCDF 3/4 and plain HDF5 files, choosing the reader from the file's signature.
public enum DatasetOpener {
    /// Opens `path`. NetCDF classic files and HDF5 files written by netCDF-4 go through
    /// libnetcdf; other HDF5 files through libhdf5 (with h5netcdf's dimension names).
    /// Character arrays are joined into strings where xarray joins them (``CharacterStacking``).
    public static func open(_ path: String, skipUnsupported: Bool) throws -> OpenedDataset {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CubeError(.notFound, "no such file", context: path)
        }
        let signature = try fileSignature(path)
        if signature.starts(with: Array("CDF".utf8)) {
            return try openNetCDF(path, skipUnsupported: skipUnsupported)
        }
        guard signature == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw CubeError(.invalidInput, "not a NetCDF or HDF5 file (unknown signature)", context: path)
        }
        let hdf5 = try HDF5File(path: path)
        let (root, unsupported) = try hdf5.readDataset(skipUnsupported: true)
        if isWrittenByNetCDF(root) {
            return try openNetCDF(path, skipUnsupported: skipUnsupported)
        }
        let skippedVariables = unsupported.filter { !$0.reason.hasPrefix("attribute skipped") }
        if !skipUnsupported && !skippedVariables.isEmpty {
            let list = skippedVariables.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
            throw CubeError(.unsupported, "unsupported variable types: \(list)", context: path, remedy: .skipUnsupported)
        }
        return OpenedDataset(path: path, formatDescription: "HDF5", root: CharacterStacking.apply(root),
                             unsupported: unsupported)
    }

    private static func openNetCDF(_ path: String, skipUnsupported: Bool) throws -> OpenedDataset {
        let file = try NetCDFFile.open(path: path)
        var (root, unsupported) = try file.readDataset(skipUnsupported: skipUnsupported)
        // netCDF-4 files are HDF5: their deflate/shuffle chunks can be decoded in parallel.
        if file.format.isNetCDF4, let hdf5 = try? HDF5File(path: path) {
            root = DirectChunkSource.accelerate(root, file: hdf5)
        }
        return OpenedDataset(path: path, formatDescription: "NetCDF \(file.format)", root: CharacterStacking.apply(root),
                             unsupported: unsupported)
    }

    /// netCDF-4 marks its files with `_NCProperties` and its variables with `_Netcdf4Dimid`
    /// or `_Netcdf4Coordinates`; files from netCDF before 4.4 only with the latter.
    static func isWrittenByNetCDF(_ root: DatasetGroup) -> Bool {
        let markers: Set = ["_NCProperties", "_Netcdf4Dimid", "_Netcdf4Coordinates"]
        for group in root.allGroups {
            if group.attributes.contains(where: { markers.contains($0.name) }) { return true }
            for variable in group.variables where variable.attributes.contains(where: { markers.contains($0.name) }) {
                return true
            }
        }
        return false
    }

    private static func fileSignature(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CubeError(.io, "cannot open for reading", context: path)
        }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: 8)) ?? Data())
    }
}
