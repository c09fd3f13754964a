import CHDF5
import CubeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process-wide gate to libhdf5: every call into the library is made while holding
/// its one lock.
///
/// Debian's libhdf5 is built thread-safe, but it serializes on a global lock anyway;
/// holding our own lock makes that explicit, keeps the per-thread error stack of a failed
/// call intact until we have read it, and lets callers do their own work (inflating
/// chunks, copying regions) outside it. The lock is recursive, so helpers that take it
/// may call each other.
public enum HDF5Library {
    /// Runs `body` while holding the libhdf5 lock; every libhdf5 call must be made inside.
    ///
    /// On entry the calling thread's automatic error printing is switched off (libhdf5
    /// keeps that setting per thread), so failures surface only as thrown errors.
    ///
    /// Do not call ``HDF5Dataset/read(_:)`` from inside: its workers would wait for the
    /// lock this thread holds (it detects this and decodes on the calling thread instead).
    public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        let gate = gate
        gate.mutex.lock()
        gate.depth += 1
        defer {
            gate.depth -= 1
            gate.mutex.unlock()
        }
        _ = gate.ready
        _ = cube_H5E_silence()
        return try body()
    }

    /// Whether the calling thread holds the lock.
    static var isHeldByCurrentThread: Bool {
        let gate = gate
        // A recursive mutex: trylock succeeds if it is free or already ours; only its
        // holder changes `depth`, so a positive depth seen while holding it is ours.
        guard gate.mutex.tryLock() else { return false }
        defer { gate.mutex.unlock() }
        return gate.depth > 0
    }

    /// Whether the linked libhdf5 was built thread-safe.
    public static var isThreadSafe: Bool {
        withLock {
            var flag: hbool_t = false
            return H5is_library_threadsafe(&flag) >= 0 && flag
        }
    }

    /// The linked libhdf5's version, `major.minor.release`.
    public static var version: String {
        withLock {
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            _ = H5get_libversion(&major, &minor, &release)
            return "\(major).\(minor).\(release)"
        }
    }

    /// The one lock and the one-time library initialization.
    private static let gate = Gate()

    /// Holds the lock and its nesting depth (changed only by the holder); `ready` runs
    /// `H5open` once, under the lock.
    private final class Gate: @unchecked Sendable {
        let mutex = RecursiveMutex()
        var depth = 0
        lazy var ready: Bool = { cube_H5open() >= 0 }()
    }
}

/// A recursive pthread mutex.
final class RecursiveMutex: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Creates an unlocked recursive mutex.
    init() {
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Acquires the mutex.
    func lock() { pthread_mutex_lock(mutex) }

    /// Acquires the mutex if no other thread holds it.
    func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }

    /// Releases the mutex.
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the mutex.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Where a libhdf5 call was made: the file and, when there is one, the object inside it.
struct HDF5Location: Sendable, Hashable {
    /// Path of the file on disk.
    var file: String
    /// Path of the object inside the file (`/group/var`), or `nil` for the file itself.
    var object: String?

    /// `file` or `file: /object`, for error contexts.
    var description: String {
        guard let object else { return file }
        return "\(file): \(object)"
    }

}

/// Turns a negative libhdf5 result into a ``CubeError`` naming the file, the object and
/// the top of the HDF5 error stack; returns non-negative results unchanged.
///
/// This is the only place that maps libhdf5 failures to errors. It must run while the
/// lock is held, right after the failing call, so the thread's error stack still
/// describes that call.
@discardableResult
func h5check<T: BinaryInteger>(_ result: T, _ operation: @autoclosure () -> String, at location: HDF5Location,
                               kind: CubeError.Kind = .io) throws -> T {
    guard result < 0 else { return result }
    var top = [CChar](repeating: 0, count: 512)
    var inner = [CChar](repeating: 0, count: 512)
    let depth = HDF5Library.withLock { () -> UInt32 in
        let n = cube_H5E_messages(&top, top.count, &inner, inner.count)
        _ = cube_H5E_clear()
        return n
    }
    let topText = String(decoding: top.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let innerText = String(decoding: inner.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var message = "\(operation()) failed"
    if depth > 0, !topText.isEmpty {
        message += ": \(topText)"
        if !innerText.isEmpty, innerText != topText { message += " (\(innerText))" }
    }
    throw CubeError(kind, message, context: location.description)
}

/// An open libhdf5 identifier, closed with the matching `H5*close` when released.
final class HDF5Handle: @unchecked Sendable {
    /// Which close function an identifier needs.
    enum Kind: Sendable {
        case group, dataset, datatype, dataspace, attribute, propertyList, object
    }

    /// The identifier.
    let id: hid_t
    /// Its kind.
    let kind: Kind

    /// Takes ownership of `id`, which must be valid (non-negative).
    private init(id: hid_t, kind: Kind) {
        self.id = id
        self.kind = kind
    }

    /// Runs `open` under the lock and wraps its identifier, or throws the libhdf5 error.
    static func make(_ kind: Kind, _ operation: @autoclosure () -> String, at location: HDF5Location,
                     errorKind: CubeError.Kind = .io, _ open: () -> hid_t) throws -> HDF5Handle {
        try HDF5Library.withLock {
            let id = try h5check(open(), operation(), at: location, kind: errorKind)
            return HDF5Handle(id: id, kind: kind)
        }
    }

    deinit {
        let id = id
        let kind = kind
        HDF5Library.withLock {
            switch kind {
            case .group: _ = H5Gclose(id)
            case .dataset: _ = H5Dclose(id)
            case .datatype: _ = H5Tclose(id)
            case .dataspace: _ = H5Sclose(id)
            case .attribute: _ = H5Aclose(id)
            case .propertyList: _ = H5Pclose(id)
            case .object: _ = H5Oclose(id)
            }
        }
    }
}
