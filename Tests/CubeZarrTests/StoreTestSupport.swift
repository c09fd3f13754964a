import CubeCore
import CubeStoreConformance
import CubeZarr
import Foundation
import Testing

/// The stores every conformance test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case directory
    /// A directory store writing in place (no temporary file and rename), as staging uses.
    case directoryInPlace
    /// A directory store writing in place past the page cache, as rechunk and convert outputs use.
    case directoryDirect

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, empty store of this kind; a directory store lives in a
    /// temporary directory that is removed afterwards.
    func withStore(_ body: (any Store) throws -> Void) throws {
        switch self {
        case .memory:
            try body(MemoryStore())
        case .directory, .directoryInPlace, .directoryDirect:
            try withStoreTemporaryDirectory { path in
                try body(DirectoryStore(path: path + "/store.zarr", create: true, atomicWrites: self == .directory,
                                        bypassPageCache: self == .directoryDirect))
            }
        }
    }
}

/// Runs `body` with the path of a fresh temporary directory, removed afterwards.
func withStoreTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("cube-store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try body(path)
}
