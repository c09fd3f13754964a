import CFuzzer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libFuzzer target: `test` gets every input libFuzzer makes.
///
/// Throwing is the expected answer to bad input; crashing (a trap, an ASan report, a failed
/// ``FuzzCheck``) is a bug libFuzzer saves the input of. Mark the conforming type `@main`:
/// SwiftPM names an executable's entry point after its module and links `main` to it, so the
/// target's `main` hands libFuzzer's driver the input callback.
public protocol FuzzTarget {
    /// Exercises the code under test with one input.
    static func test(_ input: [UInt8]) throws
}

/// The running target's `test`; set once by `main` before libFuzzer starts calling back.
nonisolated(unsafe) private var currentTest: (([UInt8]) throws -> Void)?

/// Whether to print why each input was refused (`FUZZ_VERBOSE=1`, for checking seeds:
/// `FUZZ_VERBOSE=1 fuzz-codecs -runs=0 DIRECTORY`).
private let printsErrors = getenv("FUZZ_VERBOSE") != nil

/// libFuzzer's standard per-input entry point, handed to ``LLVMFuzzerRunDriver``.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try currentTest?(input)
    } catch {
        if printsErrors { print("refused: \(error)") }
    }
    return 0
}

extension FuzzTarget {
    /// Runs libFuzzer with the process's arguments (corpus directories, `-max_total_time=…`).
    public static func main() {
        currentTest = test
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
    }
}

/// Properties the code under test promises for every input it accepts.
public enum FuzzCheck {
    /// Stops the process (a crash libFuzzer records) when `condition` is false.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        var text = "fuzz check failed: \(message().prefix(4000))\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        abort()
    }
}
