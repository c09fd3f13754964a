import ArgumentParser
import CMalloc
import CubeCore
import Foundation

/// Exit statuses shared by every cube tool.
public enum CubeExit {
    /// Success.
    public static let success: Int32 = 0
    /// A runtime error (bad data, I/O failure) or a failed check.
    public static let failure: Int32 = 1
    /// A usage error (bad option or argument).
    public static let usage: Int32 = 64
}

/// A cube command: `execute` does the work; errors are printed once, as one line on
/// stderr, and mapped to exit statuses.
public protocol CubeCommand: ParsableCommand {
    /// Runs the command; returns the exit status.
    func execute() throws -> Int32
}

/// Process-wide settings every tool applies before working.
enum ProcessSetup {
    /// Makes the C allocator give large buffers back to the system as soon as they are freed
    /// (a fixed mmap threshold instead of glibc's growing one, and at most two arenas), so
    /// peak memory follows the buffers cube accounts for in `--max-mem` rather than what
    /// the allocator keeps cached.
    static func configureMemory() {
        cube_release_freed_memory_promptly()
    }
}

extension CubeCommand {
    public func run() throws {
        ProcessSetup.configureMemory()
        let status: Int32
        do {
            status = try execute()
        } catch let error as CubeError {
            Terminal.error("\(Self.configuration.commandName ?? "cube"): error: \(error.description)\(Self.advice(error.remedy))")
            throw ExitCode(error.kind == .invalidArgument ? CubeExit.usage : CubeExit.failure)
        } catch let error as ExitCode {
            throw error
        } catch {
            // Anything not already described by the library still gets the one-line form.
            Terminal.error("\(Self.configuration.commandName ?? "cube"): error: \(error)")
            throw ExitCode(CubeExit.failure)
        }
        if status != CubeExit.success { throw ExitCode(status) }
    }
}

extension CubeCommand {
    /// What a library ``CubeError/Remedy`` means in this family's options, after `; `.
    static func advice(_ remedy: CubeError.Remedy?) -> String {
        switch remedy {
        case nil: ""
        case .replaceOutput: "; use --overwrite to replace it"
        case .skipUnsupported: "; use --skip-unsupported to convert the rest"
        case .moreMemory: "; raise --max-mem or choose smaller chunks"
        case .zarrFormat(let version): "; use --zarr-format \(version)"
        case .zarrFormatOrSkip(let version): "; use --zarr-format \(version) to convert it, or --skip-unsupported to leave it out"
        }
    }
}

/// Output helpers: results to stdout, messages to stderr.
public enum Terminal {
    /// Collects what a command prints, so tests can run commands in-process.
    public final class Capture: @unchecked Sendable {
        private let lock = NSLock()
        private var out = ""
        private var err = ""

        /// Creates an empty capture.
        public init() {}

        /// Everything printed to standard output.
        public var standardOutput: String { lock.withLock { out } }
        /// Everything printed to standard error.
        public var standardError: String { lock.withLock { err } }

        func append(_ text: String, error: Bool) {
            lock.withLock { if error { err += text } else { out += text } }
        }
    }

    /// When set, output goes here instead of the process's streams.
    @TaskLocal public static var capture: Capture?

    /// Writes a line to standard error.
    public static func error(_ line: String) {
        write(line + "\n", error: true)
    }

    /// Writes text to standard output, ending it with a newline.
    public static func print(_ text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n", error: false)
    }

    private static func write(_ text: String, error: Bool) {
        if let capture {
            capture.append(text, error: error)
        } else {
            (error ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
        }
    }
}

extension CubeCommand {
    /// Parses `arguments`, runs the command in-process and returns its exit status and output.
    /// Usage errors return 64 with the parser's message on standard error.
    public static func runCapturing(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let capture = Terminal.Capture()
        let status: Int32 = Terminal.$capture.withValue(capture) {
            do {
                var command = try parseAsRoot(arguments)
                try command.run()
                return CubeExit.success
            } catch {
                let code = exitCode(for: error).rawValue
                if !(error is ExitCode) {
                    // --help and --version exit cleanly with their text on standard output.
                    if code == CubeExit.success {
                        Terminal.print(fullMessage(for: error))
                    } else {
                        Terminal.error(fullMessage(for: error))
                    }
                }
                return code
            }
        }
        return (status, capture.standardOutput, capture.standardError)
    }
}

/// The version of the cube tools.
public let cubeVersion = "0.1.0"
