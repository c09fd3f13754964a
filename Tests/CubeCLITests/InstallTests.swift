import CubeCLI
import CubeTestSupport
import Foundation
import Testing

/// `make install` and `make uninstall` into a temporary prefix.
///
/// The test installs the debug binaries `swift test` has already built (`BUILD_DIR=…`), so
/// it never runs SwiftPM itself: a `swift build` from inside `swift test` would wait on the
/// build directory's lock forever. It skips with a note when `make` or a man page formatter
/// (`man` or `mandoc`) is missing, unless `CUBE_REQUIRE_INTEROP=1`, which makes that a failure.
@Suite struct InstallTests {
    // MARK: Environment

    static let required = ProcessInfo.processInfo.environment["CUBE_REQUIRE_INTEROP"] == "1"
    static let root = CLITestSupport.repositoryRoot

    /// The full path of `program` on `PATH`, if any.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let make = which("make")
    static let man = which("man")
    static let mandoc = which("mandoc")
    static let toolsPresent = make != nil && (man != nil || mandoc != nil)

    /// Every tool: one executable target per `Sources/cube-*/` directory.
    static let tools = BuiltTools.names

    /// Where the tools were built.
    static let binDirectory = BuiltTools.directory

    /// The files `make install` must create, relative to the prefix.
    static var expectedFiles: Set<String> {
        var files: Set<String> = ["share/man/man7/cube.7"]
        for tool in tools {
            files.formUnion(["bin/\(tool)", "share/man/man1/\(tool).1",
                             "share/bash-completion/completions/\(tool)",
                             "share/zsh/site-functions/_\(tool)",
                             "share/fish/vendor_completions.d/\(tool).fish"])
        }
        return files
    }

    // MARK: Tests

    @Test(.enabled(if: toolsPresent || required,
                   "make, or both man and mandoc, are missing (CUBE_REQUIRE_INTEROP=1 makes this a failure)"))
    func installRunsAndUninstallRemovesEverything() throws {
        guard Self.toolsPresent else {
            Issue.record("CUBE_REQUIRE_INTEROP=1 but make or a man page formatter (man or mandoc) is missing")
            return
        }
        let bin = try #require(Self.binDirectory, "no built \(Self.tools) beside the test executable or in .build/debug")
        let scratch = try Scratch()
        let prefix = scratch.path + "/prefix"

        let install = try Self.runMake(["install", "PREFIX=\(prefix)", "DESTDIR=", "BUILD_CONFIG=debug", "BUILD_DIR=\(bin)"])
        try #require(install.status == 0, "make install failed:\n\(install.output)")
        #expect(Set(Self.files(under: prefix)) == Self.expectedFiles)

        // Every page formats, both as a file and when man looks it up by name in the prefix.
        let pages = Self.tools.map { ("\(prefix)/share/man/man1/\($0).1", $0, "1") }
            + [("\(prefix)/share/man/man7/cube.7", "cube", "7")]
        for (page, name, section) in pages {
            let result = if let man = Self.man {
                try Self.run(man, ["-l", page])
            } else {
                try Self.run(Self.mandoc!, ["-Tascii", page])
            }
            #expect(result.status == 0, "formatting \(page) failed:\n\(result.output)")
            #expect(Self.plain(result.output).contains(name.uppercased() + "(\(section))"), "\(page):\n\(result.output)")
            if let man = Self.man {
                let lookup = try Self.run(man, ["-M", "\(prefix)/share/man", section, name])
                #expect(lookup.status == 0, "man -M … \(section) \(name) failed:\n\(lookup.output)")
                #expect(Self.plain(lookup.output).contains(name.uppercased()), "man \(section) \(name):\n\(lookup.output)")
            }
        }

        // Every installed tool answers --help and --version.
        for tool in Self.tools {
            let executable = "\(prefix)/bin/\(tool)"
            let help = try Self.run(executable, ["--help"])
            #expect(help.status == 0, "\(tool) --help exited \(help.status):\n\(help.output)")
            #expect(help.output.contains(tool), "\(tool) --help does not name the tool:\n\(help.output)")
            let version = try Self.run(executable, ["--version"])
            #expect(version.status == 0, "\(tool) --version exited \(version.status):\n\(version.output)")
            #expect(version.output.contains(cubeVersion), "\(tool) --version:\n\(version.output)")
        }

        // The completions are installed where the shells look, and parse.
        for tool in Self.tools {
            for (shell, file, checkArguments) in [
                ("bash", "share/bash-completion/completions/\(tool)", ["-n"]),
                ("zsh", "share/zsh/site-functions/_\(tool)", ["-n"]),
                ("fish", "share/fish/vendor_completions.d/\(tool).fish", ["--no-execute"]),
            ] {
                let path = "\(prefix)/\(file)"
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                #expect(size > 0, "\(path) is missing or empty")
                if let program = Self.which(shell) {
                    let syntax = try Self.run(program, checkArguments + [path])
                    #expect(syntax.status == 0, "\(shell) rejects \(path):\n\(syntax.output)")
                }
            }
        }

        let uninstall = try Self.runMake(["uninstall", "PREFIX=\(prefix)", "DESTDIR="])
        #expect(uninstall.status == 0, "make uninstall failed:\n\(uninstall.output)")
        #expect(Self.files(under: prefix) == [], "make uninstall left files behind")
    }

    @Test(.enabled(if: make != nil || required, "make is missing (CUBE_REQUIRE_INTEROP=1 makes this a failure)"))
    func destdirStagesUnderThePrefix() throws {
        guard Self.make != nil else {
            Issue.record("CUBE_REQUIRE_INTEROP=1 but make is missing")
            return
        }
        let bin = try #require(Self.binDirectory, "no built \(Self.tools) beside the test executable or in .build/debug")
        let scratch = try Scratch()
        let stage = scratch.path + "/stage"
        let install = try Self.runMake(["install", "DESTDIR=\(stage)", "PREFIX=/opt/cube", "BUILD_DIR=\(bin)"])
        try #require(install.status == 0, "make install failed:\n\(install.output)")
        #expect(Set(Self.files(under: stage)) == Set(Self.expectedFiles.map { "opt/cube/\($0)" }))
        let uninstall = try Self.runMake(["uninstall", "DESTDIR=\(stage)", "PREFIX=/opt/cube"])
        #expect(uninstall.status == 0, "make uninstall failed:\n\(uninstall.output)")
        #expect(Self.files(under: stage) == [], "make uninstall left files behind")
    }

    // MARK: Helpers

    /// A temporary directory, removed when the value goes away.
    final class Scratch {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("cube-install-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Files and links (not directories) under `directory`, relative to it, sorted.
    static func files(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(directory)/\(relative)", isDirectory: &isDirectory), isDirectory.boolValue {
                continue
            }
            found.append(relative)
        }
        return found.sorted()
    }

    /// Formatted man output without overstrike (`x\bx`, `_\bx`) sequences.
    static func plain(_ text: String) -> String {
        var scalars: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if scalar == "\u{8}" { if !scalars.isEmpty { scalars.removeLast() } } else { scalars.append(scalar) }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Runs make in the repository root, with no state inherited from an outer make.
    static func runMake(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run(make!, ["-C", root.path] + arguments,
                removing: ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "DESTDIR", "PREFIX", "BUILD_DIR", "BUILD_CONFIG"])
    }

    /// Runs a program with pagers disabled; returns its exit status and combined output.
    static func run(_ executable: String, _ arguments: [String], removing: [String] = []) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        for name in removing { environment[name] = nil }
        environment["MANPAGER"] = "cat"
        environment["PAGER"] = "cat"
        environment["MANWIDTH"] = "80"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
