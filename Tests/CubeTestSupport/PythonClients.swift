import Foundation

/// Paths of the repository and its Python test clients, and a way to run them.
public enum PythonClients {
    /// The repository root (this file is three levels down).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `root/relative`.
    public static func path(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

    /// The Python of the zarr-python 2 venv.
    public static let zarr2 = path(".venv/zarr2/bin/python")
    /// The Python of the zarr-python 3 / xarray venv.
    public static let zarr3 = path(".venv/zarr3/bin/python")

    /// Whether CI demands the interop tests (`CUBE_REQUIRE_INTEROP=1`), so a missing venv fails them.
    public static let required = ProcessInfo.processInfo.environment["CUBE_REQUIRE_INTEROP"] == "1"

    /// Whether `python` exists.
    public static func installed(_ python: String) -> Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Runs a program from the repository root; returns its exit status and combined output.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
