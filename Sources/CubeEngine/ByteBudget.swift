import CubeCore
import Foundation

/// A counting semaphore over bytes: tasks acquire what they will hold before they run,
/// so the sum held by concurrent tasks never exceeds the budget.
public final class ByteBudget: @unchecked Sendable {
    /// The budget in bytes.
    public let limit: Int
    private let condition = NSCondition()
    private var inUse = 0
    private var peak = 0
    private var cancelled = false
    private var waiters = 0
    /// The part of ``inUse`` taken as spare room, not for tasks.
    private var spareInUse = 0

    /// Creates a budget of `limit` bytes.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Waits until `bytes` fit and takes them. Returns `false` if the budget was cancelled.
    /// A request larger than the whole budget is an error, never a deadlock.
    public func acquire(_ bytes: Int) throws -> Bool {
        guard bytes <= limit else {
            throw CubeError(.invalidArgument,
                            "one task needs \(ByteCount.format(bytes)) but the memory budget is \(ByteCount.format(limit))",
                            remedy: .moreMemory)
        }
        condition.lock()
        defer { condition.unlock() }
        waiters += 1
        defer { waiters -= 1 }
        while !cancelled && inUse + bytes > limit { condition.wait() }
        if cancelled { return false }
        inUse += bytes
        peak = max(peak, inUse - spareInUse)
        return true
    }

    /// Takes `bytes` if they fit now, without waiting: room a worker may keep cached
    /// buffers in beside its task. Not counted in ``peakBytes``, which reports what tasks
    /// needed; give it back with ``releaseSpare(_:)``.
    public func tryAcquireSpare(_ bytes: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !cancelled, inUse + bytes <= limit else { return false }
        inUse += bytes
        spareInUse += bytes
        return true
    }

    /// Returns spare room taken with ``tryAcquireSpare(_:)``.
    public func releaseSpare(_ bytes: Int) {
        condition.lock()
        spareInUse -= bytes
        condition.unlock()
        release(bytes)
    }

    /// Whether an ``acquire(_:)`` is waiting for bytes to be released.
    public var hasWaiters: Bool {
        condition.lock()
        defer { condition.unlock() }
        return waiters > 0
    }

    /// Returns `bytes` to the budget.
    public func release(_ bytes: Int) {
        condition.lock()
        inUse -= bytes
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes every waiter and makes further acquisitions fail.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The most bytes held at once for tasks so far.
    public var peakBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return peak
    }
}
