import Foundation
import CubeCore

/// Paths and scratch directories shared by the command-line tests.
enum CLITestSupport {
    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A committed fixture store.
    static func fixture(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("fixtures/zarr/\(name)").path
    }

    /// A fresh copy of a fixture store in a temporary directory.
    static func copyOfFixture(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent(name)
        try FileManager.default.copyItem(atPath: fixture(name), toPath: target.path)
        return target.path
    }

    /// The file at `path` parsed as JSON.
    static func readJSON(_ path: String) throws -> JSON {
        try JSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))), context: path)
    }
}
