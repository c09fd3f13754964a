import ArgumentParser
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

extension CubeCommand {
    public func run() throws {
        let status: Int32
        do {
            status = try execute()
        } catch let error as CubeError {
            Terminal.error("\(Self.configuration.commandName ?? "cube"): error: \(error.description)")
            throw ExitCode(error.kind == .invalidArgument ? CubeExit.usage : CubeExit.failure)
        }
        if status != CubeExit.success { throw ExitCode(status) }
    }
}

/// Output helpers: results to stdout, messages to stderr.
public enum Terminal {
    /// Writes a line to standard error.
    public static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes text to standard output.
    public static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// The version of the cube tools.
public let cubeVersion = "0.1.0"
