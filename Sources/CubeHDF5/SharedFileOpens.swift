#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file on disk, the same whatever path names it: its device and inode.
public struct FileIdentity: Hashable, Sendable {
    private let device: UInt64
    private let inode: UInt64

    /// The identity of the file at `path`; a file that cannot be examined gets an identity
    /// of its own that matches nothing else (so it is never shared).
    public static func of(_ path: String) -> FileIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return FileIdentity(device: .max, inode: unmatched.next())
        }
        return FileIdentity(device: UInt64(truncatingIfNeeded: info.st_dev),
                            inode: UInt64(truncatingIfNeeded: info.st_ino))
    }

    /// Numbers identities of files that could not be examined.
    private static let unmatched = Counter()

    /// A thread-safe counter.
    private final class Counter: @unchecked Sendable {
        private let mutex = RecursiveMutex()
        private var value: UInt64 = 0
        func next() -> UInt64 { mutex.withLock { value += 1; return value } }
    }
}

/// At most one open of each file by a reader library (libnetcdf, or cube's own libhdf5
/// reader) in the whole process: opening a file that is already open hands out the open one.
///
/// libhdf5 1.10 keeps one in-memory dataset for all opens of its file, tied to the open
/// that read it first; once that open is closed, the others read through it into freed
/// memory. On Debian's 1.10.8, two opens of a netCDF-4 file, a string variable with a fill
/// value read through both, and the first closed make `H5Dget_create_plist` (which libnetcdf
/// calls for every variable) crash in `H5F_addr_decode`. Parallel reads of one file (tests,
/// `cube-bench` reopening its input) did that.
///
/// Every method must be called while holding ``HDF5Library``'s lock, which also serializes
/// the library's own open and close calls, so a check and the open that follows it are one
/// step.
public final class SharedFileOpens<Owner: AnyObject>: @unchecked Sendable {
    private struct Entry {
        weak var owner: Owner?
        let ownerID: ObjectIdentifier
        let close: () -> Void
    }

    private var entries: [FileIdentity: Entry] = [:]

    /// An empty registry.
    public init() {}

    /// The open owner of the file `identity`, or `nil` when it is not open.
    ///
    /// An owner that is going away but has not released its file yet has its file closed
    /// here, before the caller opens it again.
    public func owner(of identity: FileIdentity) -> Owner? {
        guard let entry = entries[identity] else { return nil }
        if let owner = entry.owner { return owner }
        entries[identity] = nil
        entry.close()
        return nil
    }

    /// Records `owner` as the open of the file `identity`; `close` closes the library's
    /// handle (it must not hold on to `owner`).
    public func register(_ owner: Owner, for identity: FileIdentity, close: @escaping () -> Void) {
        if let stale = entries[identity], stale.owner == nil { stale.close() }
        entries[identity] = Entry(owner: owner, ownerID: ObjectIdentifier(owner), close: close)
    }

    /// Closes the file of the owner `ownerID`, unless ``owner(of:)`` already did; owners
    /// call this from `deinit`.
    public func release(_ identity: FileIdentity, owner ownerID: ObjectIdentifier) {
        guard let entry = entries[identity], entry.ownerID == ownerID else { return }
        entries[identity] = nil
        entry.close()
    }
}
