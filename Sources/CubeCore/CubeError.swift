/// The one error type of the cube library: what went wrong, and the path, key or
/// variable it is about.
public struct CubeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The broad class of a failure; the CLI maps it to an exit status.
    public enum Kind: String, Sendable {
        /// Input data or metadata is malformed.
        case invalidInput
        /// The input is well-formed but uses something cube does not support.
        case unsupported
        /// A chunk or file is truncated or corrupt.
        case corrupt
        /// Something that should exist does not.
        case notFound
        /// An operating-system or library call failed.
        case io
        /// An argument given by the caller is invalid.
        case invalidArgument
        /// The operation clashes with the state of its target (it exists, it is locked).
        case conflict
    }

    /// What the user can do about a failure, said by the library in terms of the work and
    /// phrased by the command line in terms of its own options (library messages never name
    /// command-line flags).
    public enum Remedy: Sendable, Equatable {
        /// Replace the existing output, or start an interrupted one over.
        case replaceOutput
        /// Leave out the variables whose types are not supported.
        case skipUnsupported
        /// Give the run more memory (or ask for smaller chunks).
        case moreMemory
        /// Write this Zarr format version instead.
        case zarrFormat(Int)
        /// Write this Zarr format version, which can hold the variable, or leave it out.
        case zarrFormatOrSkip(Int)
    }

    /// The class of the failure.
    public var kind: Kind
    /// A one-line human description.
    public var message: String
    /// The file, store key or variable the failure is about, if any.
    public var context: String?
    /// What would get past the failure, if something would.
    public var remedy: Remedy?

    /// Creates an error of `kind` about `context`.
    public init(_ kind: Kind, _ message: String, context: String? = nil, remedy: Remedy? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.remedy = remedy
    }

    /// `context: message`, or just the message.
    public var description: String {
        if let context { return "\(context): \(message)" }
        return message
    }

    /// The same error with `outer` prepended to its context (`outer/inner`).
    public func within(_ outer: String) -> CubeError {
        var copy = self
        if let context, !context.isEmpty {
            copy.context = outer.isEmpty ? context : "\(outer): \(context)"
        } else {
            copy.context = outer
        }
        return copy
    }
}

extension CubeError {
    /// Runs `body`, attaching `context` to any ``CubeError`` it throws that has none.
    public static func annotating<T>(_ context: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as CubeError {
            if error.context == nil { error.context = context }
            throw error
        }
    }
}
