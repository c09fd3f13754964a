import CubeCore
import CubeZarr
import Foundation

/// Stores a task's encoded chunks from a second thread, so that storing one chunk (which
/// waits for the device when the store bypasses the page cache) overlaps encoding the next.
///
/// One write is in flight at most: ``submit(_:key:to:recycle:)`` first waits for the
/// previous one, hands its buffer back to the calling thread's ``BufferCache`` and rethrows
/// its failure. ``finish()`` does the same for the last write; a task calls it before it
/// reports itself done, so a journal never records a task whose chunks are not all stored.
/// The encoding thread is the only caller.
final class WriteBehind: @unchecked Sendable {
    private let queue = DispatchQueue(label: "cube.write-behind")
    /// Signalled when no write is in flight.
    private let idle = DispatchSemaphore(value: 1)
    /// The buffer of the write in flight, to recycle once it is stored (caller's thread only).
    private var inFlight: [UInt8]?
    /// The bytes the queue is to store next (handed over through ``submit``'s dispatch).
    private var queued: [UInt8]?
    /// The first failure of a write (set by the queue before it signals ``idle``).
    private var failure: (any Error)?

    /// Creates a writer with nothing in flight.
    init() {}

    /// Stores `bytes` at `key` of `store` (deletes the key for `nil`) once the previous
    /// write is done; `recycle` says whether the buffer may be reused afterwards.
    func submit(_ bytes: [UInt8]?, key: String, to store: any WritableStore, recycle: Bool) throws {
        try awaitIdle()
        inFlight = recycle ? bytes : nil
        queued = bytes
        queue.async {
            self.storeQueued(at: key, of: store)
            self.idle.signal()
        }
    }

    /// Stores (or deletes) the queued bytes, and lets go of them before the caller may recycle
    /// the buffer: were the queue still holding it then, the next chunk written into it would
    /// be a copy, and the buffer lost to the cache.
    private func storeQueued(at key: String, of store: any WritableStore) {
        let bytes = queued
        queued = nil
        do {
            if let bytes { try store.set(key, bytes) } else { try store.delete(key) }
        } catch {
            failure = error
        }
    }

    /// Waits for the write in flight and rethrows the first failure.
    func finish() throws {
        try awaitIdle()
        idle.signal()
    }

    /// Waits until nothing is in flight (keeping ``idle`` taken), recycles the finished
    /// buffer, and rethrows a failure.
    private func awaitIdle() throws {
        idle.wait()
        if let buffer = inFlight {
            inFlight = nil
            BufferCache.recycle(buffer)
        }
        if let failure {
            idle.signal()
            throw failure
        }
    }
}
