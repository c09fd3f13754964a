import CubeCore
#if canImport(CubeS3)
import CubeS3
#endif
import CubeZarr
import Foundation

/// Opens the store named on a command line: the one place where what the user typed
/// becomes a store.
///
/// `s3://BUCKET/PREFIX` is an S3 store, with region, endpoint and credentials read as the
/// AWS tools read them (``S3Settings/resolve(environment:anonymous:readFile:)``); a plain path
/// or a `file://` URL is a directory store, which must exist.
enum StoreLocation {
    /// Whether `location` names an object-store location rather than a local path.
    static func isRemote(_ location: String) -> Bool {
        location.lowercased().hasPrefix("s3://")
    }

    /// The existing store at `location`.
    static func open(_ location: String) throws -> any Store {
        if isRemote(location) {
            #if canImport(CubeS3)
            let root = try S3Location(parsing: location)
            return S3Store(client: S3Client(settings: try S3Settings.fromProcessEnvironment()), root: root)
            #else
            throw CubeError(.unsupported, "this build of cube has no S3 support (it was built with CUBE_WITHOUT_S3)", context: location)
            #endif
        }
        return try openDirectory(location.hasPrefix("file://") ? String(location.dropFirst("file://".count)) : location)
    }

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
