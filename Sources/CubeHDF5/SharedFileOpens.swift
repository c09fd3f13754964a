#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file on disk, the same whatever path names it: its device and inode.
struct FileIdentity: Hashable, Sendable {
    private let device: UInt64
    private let inode: UInt64

    /// The identity of the file at `path`, or `nil` when it cannot be examined.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
    }

    /// The `number`th identity of a file that could not be examined: it matches no other
    /// (so such a file is never shared).
    init(unmatched number: UInt64) {
        device = .max
        inode = number
    }
}

/// At most one open of each file by a reader library (libnetcdf, or cube's own libhdf5
/// reader) in the whole process: opening a file that is already open hands out the open
/// one's handle, and the handle is closed when its last holder lets go.
///
/// libhdf5 1.10 keeps one in-memory dataset for all opens of its file, tied to the open
/// that read it first; once that open is closed, the others read through it into freed
/// memory. On Debian's 1.10.8, two opens of a netCDF-4 file, a string variable with a fill
/// value read through both, and the first closed make `H5Dget_create_plist` (which libnetcdf
/// calls for every variable) crash in `H5F_addr_decode`. Parallel reads of one file (tests,
/// `cube-bench` reopening its input) did that.
///
/// Opening, closing and the bookkeeping all run under ``HDF5Library``'s lock, so a check
/// and the open that follows it are one step, and a holder going away at the same moment
/// is either found alive or has its handle closed before the file is opened again.
public final class SharedFileOpens<ID: Sendable>: @unchecked Sendable {
    private struct Entry {
        weak var open: SharedOpen<ID>?
        let openID: ObjectIdentifier
        let close: () -> Void
    }

    private var entries: [FileIdentity: Entry] = [:]
    /// Identities handed to files that could not be examined so far.
    private var unmatched: UInt64 = 0

    /// An empty registry.
    public init() {}

    /// The open handle of the file at `path`: the one already open, or a new one from
    /// `open`; `close` closes a handle when its last holder lets go.
    public func open(_ path: String, _ open: () throws -> ID, close: @escaping @Sendable (ID) -> Void) throws -> SharedOpen<ID> {
        try HDF5Library.withLock {
            let identity = FileIdentity(path: path) ?? {
                unmatched += 1
                return FileIdentity(unmatched: unmatched)
            }()
            if let entry = entries[identity] {
                if let shared = entry.open { return shared }
                // Its last holder is going away but has not closed it yet: close it first.
                entries[identity] = nil
                entry.close()
            }
            let id = try open()
            let shared = SharedOpen(id: id, identity: identity, registry: self)
            entries[identity] = Entry(open: shared, openID: ObjectIdentifier(shared), close: { close(id) })
            return shared
        }
    }

    /// Closes the handle of `openID` unless ``open(_:_:close:)`` already did.
    fileprivate func release(_ identity: FileIdentity, open openID: ObjectIdentifier) {
        HDF5Library.withLock {
            guard let entry = entries[identity], entry.openID == openID else { return }
            entries[identity] = nil
            entry.close()
        }
    }
}

/// A reader library's handle of an open file, shared by everyone who opened the file
/// through one ``SharedFileOpens``; closed when the last holder lets it go.
public final class SharedOpen<ID: Sendable>: @unchecked Sendable {
    /// The library's handle (a libnetcdf ncid, a libhdf5 file id).
    public let id: ID
    private let identity: FileIdentity
    private let registry: SharedFileOpens<ID>

    fileprivate init(id: ID, identity: FileIdentity, registry: SharedFileOpens<ID>) {
        self.id = id
        self.identity = identity
        self.registry = registry
    }

    deinit { registry.release(identity, open: ObjectIdentifier(self)) }
}
