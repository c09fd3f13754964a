import CubeCore
import CubeZarr
import Foundation

/// Stores a task's encoded chunks from other threads, so that storing chunks (which waits
/// for the device when the store bypasses the page cache) overlaps encoding the next ones,
/// and several writes keep the device busy at once.
///
/// At most ``depth`` writes are in flight: ``submit(_:key:to:recycle:)`` first waits for one
/// of them to be done, hands the buffers of those done back to the calling thread's
/// ``BufferCache`` and rethrows the first failure. ``finish()`` waits for all of them and
/// does the same; a task calls it before it reports itself done, so a journal never records
/// a task whose chunks are not all stored. The encoding thread is the only caller.
final class WriteBehind: @unchecked Sendable {
    /// Most writes in flight at once.
    let depth: Int
    private let queue = DispatchQueue(label: "cube.write-behind", attributes: .concurrent)
    /// One permit per write that may be in flight.
    private let slots: DispatchSemaphore
    private let lock = NSLock()
    /// Writes done whose buffers the caller may recycle (guarded by ``lock``).
    private var stored: [Pending] = []
    /// The first failure of a write (guarded by ``lock``).
    private var failure: (any Error)?

    /// The bytes of one write, boxed so the writing thread can let go of them before the
    /// caller recycles the buffer: were they still held there, the next chunk written into
    /// the buffer would be a copy, and the buffer lost to the cache.
    private final class Pending: @unchecked Sendable {
        var bytes: [UInt8]?
        let recycle: Bool
        init(_ bytes: [UInt8]?, recycle: Bool) {
            self.bytes = bytes
            self.recycle = recycle
        }
    }

    /// Creates a writer with nothing in flight that keeps up to `depth` (at least 1) writes in flight.
    init(depth: Int = 1) {
        self.depth = max(1, depth)
        slots = DispatchSemaphore(value: self.depth)
    }

    /// Stores `bytes` at `key` of `store` (deletes the key for `nil`) once fewer than
    /// ``depth`` writes are in flight; `recycle` says whether the buffer may be reused afterwards.
    func submit(_ bytes: [UInt8]?, key: String, to store: any WritableStore, recycle: Bool) throws {
        slots.wait()
        do {
            try collect()
        } catch {
            slots.signal()
            throw error
        }
        let pending = Pending(bytes, recycle: recycle)
        queue.async {
            self.write(pending, at: key, of: store)
            self.slots.signal()
        }
    }

    /// Stores (or deletes) the pending bytes, then drops its own hold on them and files the
    /// write as done.
    private func write(_ pending: Pending, at key: String, of store: any WritableStore) {
        var error: (any Error)?
        do {
            if let bytes = pending.bytes { try store.set(key, bytes) } else { try store.delete(key) }
        } catch let caught {
            error = caught
        }
        lock.withLock {
            if let error, failure == nil { failure = error }
            stored.append(pending)
        }
    }

    /// Waits for every write in flight and rethrows the first failure.
    func finish() throws {
        for _ in 0..<depth { slots.wait() }
        for _ in 0..<depth { slots.signal() }
        try collect()
    }

    /// Recycles the buffers of the writes done so far and rethrows a failure.
    private func collect() throws {
        let (done, failed) = lock.withLock {
            defer { stored.removeAll() }
            return (stored, failure)
        }
        for pending in done where pending.recycle {
            if let buffer = pending.bytes {
                pending.bytes = nil
                BufferCache.recycle(buffer)
            }
        }
        if let failed { throw failed }
    }
}
