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

    /// Runs a program from `directory` (default: the repository root); returns its exit
    /// status (the signal's number if one ended it) and combined output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory.map { URL(fileURLWithPath: $0) } ?? repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The command-line tools `swift test` built.
public enum BuiltTools {
    /// The tools of the package (`cube-*` under Sources).
    public static let names: [String] = ((try? FileManager.default.contentsOfDirectory(
        atPath: PythonClients.repositoryRoot.appendingPathComponent("Sources").path)) ?? [])
        .filter { $0.hasPrefix("cube-") }.sorted()

    /// Where the tools were built: beside the test executable (`swift test` puts every
    /// product in one directory), else `.build/debug`.
    public static let directory: String? = {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(PythonClients.repositoryRoot.appendingPathComponent(".build/debug"))
        return candidates.map(\.standardizedFileURL.path).first { directory in
            !names.isEmpty && names.allSatisfy { FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }
        }
    }()

    /// The path of one built tool.
    public static func path(_ tool: String) -> String? { directory.map { "\($0)/\(tool)" } }

    /// Runs a built tool from `directory` (default: the repository root) with extra
    /// environment variables; returns status and combined output.
    public static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:],
                           in directory: String? = nil) throws -> (status: Int32, output: String) {
        guard let executable = path(tool) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(tool) is not built"])
        }
        return try PythonClients.run(executable, arguments, environment: environment, in: directory)
    }
}
