import CubeCore
import Foundation
import Testing

/// `count` bytes counting up from `start` (wrapping), distinct enough to spot misplaced ranges.
public func storeTestBytes(_ count: Int, start: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &+ start) }
}

/// Mutable state shared between the threads of a test.
public final class StoreTestBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// Wraps `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Expects `body` to throw a ``CubeError`` of `kind`, and returns it.
@discardableResult
public func expectStoreError(_ kind: CubeError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () throws -> Void) -> CubeError? {
    do {
        try body()
        Issue.record("expected a CubeError(.\(kind)), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as CubeError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a CubeError(.\(kind)), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
