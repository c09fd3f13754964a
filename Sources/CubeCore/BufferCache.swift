#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Large byte buffers kept by one worker thread between uses, so that reading, decoding,
/// encoding and copying chunk after chunk reuse memory instead of asking the kernel for
/// fresh pages (and faulting each one in) for every chunk.
///
/// A cache belongs to one thread: ``withCurrent(_:_:)`` installs it for the duration of a
/// call, and ``take(count:)`` and ``recycle(_:)`` use the calling thread's cache, or none.
/// Without a cache they allocate and free as usual, so code that never installs one is
/// unaffected.
///
/// Memory bound: the buffers the cache holds plus those it handed out and has not had back
/// stay within its ``limit``. A miss (no cached buffer of a fitting size) evicts the oldest
/// cached buffers only as far as the new one needs room under the limit, so buffers of the
/// other sizes a task uses (a block, its chunks' encoded bytes, the chunks cut out of it)
/// stay cached side by side instead of pushing each other out; and a buffer some other code
/// allocated is dropped, not kept, so it cannot sit idle beside its replacement. The
/// executor sets the limit to what the worker reserved (its task's bytes, and what was free
/// of its share of the budget) and empties the cache whenever the next task is of a
/// different size, and when it stops.
///
/// Buffers are ordinary copy-on-write arrays: a buffer recycled while still referenced
/// elsewhere is copied before it is written again, never shared, so a wrong recycle costs
/// an allocation, not data.
public final class BufferCache: @unchecked Sendable {
    private var buffers: [[UInt8]] = []
    /// The most bytes the cache keeps plus those it has handed out and not had back; the
    /// oldest cached buffers go first beyond it (at once, when it is lowered).
    public var limit: Int {
        didSet { evict(atLeast: cachedBytes + outstanding - limit) }
    }
    /// Capacity of the cached buffers, in bytes.
    public private(set) var cachedBytes = 0
    /// Buffers handed out by ``take(count:)`` and not recycled since (their capacity, by the
    /// address of their storage): only these are kept when recycled, so buffers allocated
    /// elsewhere never pile up in the cache.
    private var handedOut: [UnsafeRawPointer: Int] = [:]
    /// Capacity of the buffers in ``handedOut``.
    private var outstanding = 0
    /// Takes that were served from the cache.
    public private(set) var hits = 0
    /// Takes that allocated.
    public private(set) var misses = 0

    /// Buffers smaller than this are left to `malloc`, which reuses them well.
    public static let minimumSize = 64 << 10

    /// An empty cache for a worker whose buffers, live and cached, stay within `limit` bytes.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Runs `body` with `cache` as this thread's cache, restoring the previous one after.
    public static func withCurrent<R>(_ cache: BufferCache, _ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(currentKey)
        pthread_setspecific(currentKey, Unmanaged.passUnretained(cache).toOpaque())
        defer { pthread_setspecific(currentKey, previous) }
        return try body()
    }

    /// This thread's cache, if one is installed.
    public static var current: BufferCache? {
        return pthread_getspecific(currentKey).map { Unmanaged<BufferCache>.fromOpaque($0).takeUnretainedValue() }
    }

    /// An array of exactly `count` bytes with unspecified contents: a cached buffer when this
    /// thread has one of a fitting capacity, else a new one.
    public static func take(count: Int) -> [UInt8] {
        if count >= minimumSize, let cache = current { return cache.take(count: count) }
        return fresh(count)
    }

    /// Gives `buffer` to this thread's cache for reuse (dropped when there is none or it is small).
    public static func recycle(_ buffer: consuming [UInt8]) {
        guard buffer.capacity >= minimumSize, let cache = current else { return }
        cache.keep(buffer)
    }

    /// Recycles `buffer` (when there is one) unless it is the storage of one of `inUse`
    /// (which their owners recycle), as when a codec passed its input through unchanged.
    public static func recycle(_ buffer: [UInt8]?, unlessSharedWith inUse: [[UInt8]?]) {
        guard let buffer, !inUse.contains(where: { $0?.sharesStorage(with: buffer) == true }) else { return }
        recycle(buffer)
    }

    /// Sets ``hits`` and ``misses`` back to zero.
    public func resetCounts() {
        hits = 0
        misses = 0
    }

    /// Drops every cached buffer and forgets those handed out: for between tasks, when none
    /// is in use.
    public func removeAll() {
        buffers.removeAll()
        cachedBytes = 0
        handedOut.removeAll()
        outstanding = 0
    }

    func take(count: Int) -> [UInt8] {
        let slack = count / 4 + 4096
        var best: Int?
        for (i, buffer) in buffers.enumerated() where buffer.capacity >= count && buffer.capacity <= count + slack {
            if best.map({ buffer.capacity < buffers[$0].capacity }) ?? true { best = i }
        }
        guard let best else {
            misses += 1
            evict(atLeast: cachedBytes + outstanding + count - limit)
            let buffer = Self.fresh(count)
            handOut(buffer)
            return buffer
        }
        hits += 1
        var buffer = buffers.remove(at: best)
        cachedBytes -= buffer.capacity
        if buffer.count > count {
            buffer.removeLast(buffer.count - count)
        } else if buffer.count < count {
            buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
        }
        handOut(buffer)
        return buffer
    }

    func keep(_ buffer: consuming [UInt8]) {
        guard let address = buffer.withUnsafeBytes({ $0.baseAddress }),
              let capacity = handedOut.removeValue(forKey: address) else { return }
        outstanding -= capacity
        guard capacity <= limit else { return }
        evict(atLeast: cachedBytes + outstanding + capacity - limit)
        cachedBytes += capacity
        buffers.append(buffer)
    }

    /// Records `buffer` as handed out (a buffer written while shared becomes a copy at
    /// another address, which is then not kept: it is not the one handed out).
    private func handOut(_ buffer: [UInt8]) {
        guard let address = buffer.withUnsafeBytes({ $0.baseAddress }) else { return }
        handedOut[address] = buffer.capacity
        outstanding += buffer.capacity
    }

    /// Drops the oldest buffers until `bytes` have been freed or none is left.
    private func evict(atLeast bytes: Int) {
        var freed = 0
        var dropped = 0
        while dropped < buffers.count && freed < bytes {
            freed += buffers[dropped].capacity
            dropped += 1
        }
        buffers.removeFirst(dropped)
        cachedBytes -= freed
    }

    private static func fresh(_ count: Int) -> [UInt8] {
        // The standard library writes the count of an empty result into the one shared empty
        // array, a harmless race ThreadSanitizer reports when threads do it at once.
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { adviseHugePages(UnsafeMutableRawPointer(base), count: count) }
            initialized = count
        }
    }

    /// Buffers at least this large are backed by huge pages where the system allows it.
    static let hugePageMinimum = 4 << 20

    /// The whole 2 MiB pages inside `count` bytes at address `base`, as an address range,
    /// when the buffer is large enough to ask for huge pages; `nil` otherwise.
    static func hugePageSpan(base: Int, count: Int) -> Range<Int>? {
        guard count >= hugePageMinimum else { return nil }
        let huge = 2 << 20
        let start = (base + huge - 1) & ~(huge - 1)
        let end = (base + count) & ~(huge - 1)
        return end > start ? start..<end : nil
    }

    /// Asks the kernel to back the whole 2 MiB pages inside `count` bytes at `base` (not yet
    /// touched) with transparent huge pages: first touching a large buffer then costs one
    /// fault per 2 MiB instead of one per 4 KiB, several times less kernel time. A hint only:
    /// nothing happens where huge pages are off or unknown.
    private static func adviseHugePages(_ base: UnsafeMutableRawPointer, count: Int) {
        #if os(Linux)
        guard let span = hugePageSpan(base: Int(bitPattern: base), count: count),
              let aligned = UnsafeMutableRawPointer(bitPattern: span.lowerBound) else { return }
        _ = madvise(aligned, span.count, Int32(MADV_HUGEPAGE))
        #endif
    }
}

extension Array where Element == UInt8 {
    /// Whether both arrays use the same storage (not merely equal bytes).
    public func sharesStorage(with other: [UInt8]) -> Bool {
        withUnsafeBytes { a in other.withUnsafeBytes { b in a.baseAddress != nil && a.baseAddress == b.baseAddress } }
    }
}

/// The thread-specific slot holding each thread's ``BufferCache`` (not retained by the slot).
private let currentKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
