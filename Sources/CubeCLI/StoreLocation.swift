import CubeCore
import CubeZarr
import Foundation

/// Opens the store named on a command line.
enum StoreLocation {
    /// A directory store for an existing path, with an error naming the path otherwise.
    static func openDirectory(_ path: String) throws -> DirectoryStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CubeError(.notFound, "no such file or directory", context: path)
        }
        guard isDirectory.boolValue else {
            throw CubeError(.invalidInput, "not a Zarr directory store", context: path)
        }
        return try DirectoryStore(path: path, create: false)
    }
}
