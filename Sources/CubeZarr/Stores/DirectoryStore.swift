import CubeCore
import CDirectIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A store over a directory: key `a/b/c` is the file `<root>/a/b/c`.
///
/// - Keys are validated by ``StoreKey/valueSegments(of:store:)``. In addition, a key is
///   refused if the deepest existing path on its way resolves, through symbolic links, to
///   somewhere outside the root. Links that stay inside the root are followed. (This
///   guards against links already in the tree, not against someone swapping directories
///   for links while the store is in use.)
/// - Writes go to a temporary file `.tmp-…` in the target's directory that is then renamed
///   over the target, so readers see the old value or the new one, never a mixture.
///   Listing skips these temporaries, and keys whose last segment starts with `.tmp-` are
///   refused for writing. Writing a key that is itself a link replaces the link.
/// - With ``bypassPageCache``, whole values of 64 KiB and more are written and read past
///   the page cache (see ``DirectIO``).
/// - Deleting a value removes directories it leaves empty, up to the root.
/// - File names that are not valid UTF-8 cannot be keys and are not listed.
public struct DirectoryStore: Store {
    /// The root directory as given.
    public let path: String
    /// The root directory with every symbolic link resolved; all I/O goes through it.
    public let rootPath: String
    /// Whether each write goes through a temporary file and a rename, so readers never see
    /// a partial value. Stores that are built out of sight (a staging directory, an output
    /// marked incomplete whose tasks are redone after a crash) can skip it.
    public let atomicWrites: Bool
    /// Whether large values are written and read whole past the page cache (`O_DIRECT`,
    /// where the file system allows it): for outputs written once and not read back soon,
    /// and scratch data read back once.
    public let bypassPageCache: Bool
    /// Whether each value is read once (the input of a one-pass copy): a file that
    /// ``prefetch(_:)`` found out of the page cache and brought in is dropped from it again
    /// once read, so reading an archive much larger than memory neither evicts what else is
    /// cached nor leaves the machine's memory full of pages nobody reads again. Files that
    /// were cached before stay cached.
    public let readOnce: Bool

    /// The root directory as given, used in messages.
    public var location: String { path }

    /// Directories this store has made or checked (leading inside the root, through links
    /// or not), so reading or writing many chunks in one directory checks (and makes) it
    /// once. Cleared by deletes.
    private let knownDirectories: StoreLockedValue<Set<String>>
    /// Keys whose files ``prefetch(_:)`` brought into the page cache (with ``readOnce``),
    /// to drop from it once read.
    private let broughtIn: StoreLockedValue<Set<String>>

    /// Names starting with this are temporary files of unfinished writes.
    static let temporaryPrefix = ".tmp-"
    /// How often a write retries when concurrent deletes remove the directory it writes into.
    static let attempts = 16

    /// Opens the store at the directory `path`; with `create`, the directory (and its
    /// parents) is made if missing, otherwise a missing directory is ``CubeError/Kind/notFound``.
    /// `atomicWrites`, `bypassPageCache` and `readOnce` set the properties of the same names.
    public init(path: String, create: Bool = false, atomicWrites: Bool = true, bypassPageCache: Bool = false,
                readOnce: Bool = false) throws {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw CubeError(.invalidArgument, "a directory store needs a directory path", context: path)
        }
        self.path = path
        self.atomicWrites = atomicWrites
        self.bypassPageCache = bypassPageCache
        self.readOnce = readOnce
        self.knownDirectories = StoreLockedValue([])
        self.broughtIn = StoreLockedValue([])
        if create {
            if let failure = StoreFileSystem.makeDirectories(path) {
                throw CubeError(.io, "cannot create the store directory: \(StoreFileSystem.describe(failure))", context: path)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw CubeError(.notFound, "no such directory", context: path)
            }
            throw CubeError(.io, "cannot open the store directory: \(StoreFileSystem.describe(code))", context: path)
        }
        guard StoreFileSystem.isDirectory(info) else {
            throw CubeError(.invalidArgument, "not a directory", context: path)
        }
        switch StoreFileSystem.realPath(path) {
        case .success(let resolved): rootPath = resolved
        case .failure(let error):
            throw CubeError(.io, "cannot resolve the store directory: \(StoreFileSystem.describe(error.code))", context: path)
        }
    }

    /// The file path of the value at `key`, after checking the key (and that it does not
    /// lead outside the root).
    public func filePath(for key: String) throws -> String {
        let segments = try StoreKey.valueSegments(of: key, store: location)
        try checkContained(segments, key: key)
        return filePath(segments)
    }

    // MARK: Reading

    /// The whole value at `key`, or `nil` if there is no such key. Only a missing file means
    /// a missing key: a directory or any other non-regular file at `key` is an error naming
    /// it, so a damaged store never reads as fill values.
    public func get(_ key: String) throws -> [UInt8]? {
        try read(key, range: nil)
    }

    /// Part of the value at `key`, read with `pread` and clipped to the file, or `nil` if
    /// there is no such key (as for ``get(_:)``).
    public func get(_ key: String, range: ByteRange) throws -> [UInt8]? {
        try range.validate(key: key, store: location)
        return try read(key, range: range)
    }

    /// The size of the file at `key`, or `nil` if there is none (as for ``get(_:)``).
    public func size(of key: String) throws -> Int? {
        let segments = try StoreKey.valueSegments(of: key, store: location)
        try checkContained(segments, key: key)
        var info = stat()
        guard stat(filePath(segments), &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw failure("cannot inspect", key, code)
        }
        try requireValue(info, key: key)
        return Int(info.st_size)
    }

    /// Asks the kernel to start reading the files at `keys` into the page cache
    /// (`POSIX_FADV_WILLNEED`), so their reads run on the device together instead of each
    /// waiting for the last. Nothing to do when values are read past the page cache, or
    /// where there is no such advice (macOS).
    public func prefetch(_ keys: [String]) {
        guard !bypassPageCache else { return }
        for key in keys {
            guard let path = try? filePath(for: key), StoreFileSystem.adviseWillNeed(path, unlessCached: readOnce) else { continue }
            if readOnce { broughtIn.withLock { _ = $0.insert(key) } }
        }
    }

    private func read(_ key: String, range: ByteRange?) throws -> [UInt8]? {
        let segments = try StoreKey.valueSegments(of: key, store: location)
        try checkDirectoriesContained(segments, key: key)
        // O_NONBLOCK keeps a FIFO planted in the tree from blocking the open; it does not
        // change reads of regular files. O_NOFOLLOW stands in for an lstat of the file: a link
        // there fails the open, and is followed only once it is known to stay inside the root.
        let path = filePath(segments)
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        if fd < 0 && errno == ELOOP {
            try resolveContained(segments, key: key)
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw failure("cannot open", key, code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot inspect", key, errno) }
        try requireValue(info, key: key)
        let fileSize = Int(info.st_size)
        let selected = range.map { $0.clipped(toCount: fileSize) ?? fileSize..<fileSize } ?? 0..<fileSize
        let count = selected.count
        if count == 0 { return [] }
        if bypassPageCache && range == nil, let direct = DirectIO.read(fd, count: count) {
            switch direct {
            case .success(let bytes): return bytes
            case .failure(let error): throw failure("cannot read", key, error.code)
            }
        }
        var bytes = BufferCache.take(count: count)
        let done = try bytes.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress.unsafelyUnwrapped
            var done = 0
            while done < count {
                let n = pread(fd, base + done, count - done, off_t(selected.lowerBound + done))
                if n < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    throw failure("cannot read", key, code)
                }
                if n == 0 { break }  // the file shrank under us: return what is there
                done += n
            }
            return done
        }
        bytes.removeLast(count - done)
        if readOnce && range == nil && broughtIn.withLock({ $0.remove(key) != nil }) {
            StoreFileSystem.adviseDontNeed(fd)
        }
        return bytes
    }

    // MARK: Writing

    /// Writes `bytes` to `key`, creating directories: atomically (temporary file + rename)
    /// unless the store was opened without ``atomicWrites``.
    public func set(_ key: String, _ bytes: [UInt8]) throws {
        let segments = try StoreKey.valueSegments(of: key, store: location)
        if let name = segments.last, name.hasPrefix(Self.temporaryPrefix) {
            throw CubeError(.invalidInput, "key '\(key)' refused: names starting with '\(Self.temporaryPrefix)' are reserved for temporary files", context: location)
        }
        let target = filePath(segments)
        let directory = Array(segments.dropLast())
        var directoryKnown = false
        // A link at the key itself is replaced when it leads inside the store, refused otherwise.
        var linkInfo = stat()
        if lstat(target, &linkInfo) == 0 && StoreFileSystem.isSymbolicLink(linkInfo) {
            try checkContained(segments, key: key)
        }
        for attempt in 1...Self.attempts {
            if !directoryKnown {
                try prepareDirectory(directory, key: key)
                directoryKnown = true
            }
            if !atomicWrites {
                // O_NOFOLLOW: a link at the key is replaced, never written through.
                let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o666)
                guard fd >= 0 else {
                    let code = errno
                    if code == ELOOP { unlink(target); continue }
                    if code == ENOENT && attempt < Self.attempts { forgetDirectories(); directoryKnown = false; continue }
                    if code == EISDIR {
                        throw CubeError(.conflict, "cannot write '\(key)': it is a directory (a prefix of other keys)", context: location)
                    }
                    throw failure("cannot write", key, code)
                }
                var writeError = writeValue(fd, bytes)
                if close(fd) != 0 && writeError == nil { writeError = errno }
                if let code = writeError { throw failure("cannot write", key, code) }
                return
            }
            let temporary = filePath(directory + [Substring(Self.temporaryName())])
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            guard fd >= 0 else {
                let code = errno
                // EEXIST: name clash, try another name. ENOENT: a concurrent delete removed
                // the (then empty) directory between mkdir and open; make it again.
                if code == ENOENT { forgetDirectories(); directoryKnown = false }
                if (code == EEXIST || code == ENOENT) && attempt < Self.attempts { continue }
                throw failure("cannot create a temporary file for", key, code)
            }
            var writeError = writeValue(fd, bytes)
            if close(fd) != 0 && writeError == nil { writeError = errno }
            if let code = writeError {
                unlink(temporary)
                throw failure("cannot write", key, code)
            }
            guard rename(temporary, target) == 0 else {
                let code = errno
                unlink(temporary)
                if code == EISDIR || code == ENOTEMPTY || code == EEXIST {
                    throw CubeError(.conflict, "cannot write '\(key)': it is a directory (a prefix of other keys)", context: location)
                }
                throw failure("cannot write", key, code)
            }
            return
        }
        throw failure("cannot write", key, EAGAIN)
    }

    /// Writes `bytes` to the new file `fd`, past the page cache if the store says so.
    private func writeValue(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bypassPageCache ? DirectIO.writeAll(fd, bytes) : StoreFileSystem.writeAll(fd, bytes)
    }

    /// Deletes the file at `key` (a missing one is fine) and then every directory this
    /// leaves empty, up to but not including the root.
    public func delete(_ key: String) throws {
        let segments = try StoreKey.valueSegments(of: key, store: location)
        try checkContained(segments, key: key)
        // Directories may go (emptied) or be replaced: check them again from now on.
        defer { forgetDirectories() }
        let target = filePath(segments)
        var info = stat()
        guard lstat(target, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return }
            throw failure("cannot inspect", key, code)
        }
        if StoreFileSystem.isDirectory(info) { return }  // a prefix, not a value
        if StoreFileSystem.isSymbolicLink(info) {
            // A link to a directory is a prefix too; a link to a file is removed, not its target.
            var resolved = stat()
            if stat(target, &resolved) == 0 && StoreFileSystem.isDirectory(resolved) { return }
        }
        guard unlink(target) == 0 else {
            let code = errno
            if code == ENOENT { return }
            throw failure("cannot delete", key, code)
        }
        removeEmptyDirectories(Array(segments.dropLast()))
    }

    /// Deletes everything below `prefix` (`""`: everything inside the root, not the root)
    /// and then the directories this leaves empty. Symbolic links are removed, never
    /// followed; a file at exactly `prefix` is not below it and stays.
    public func deleteAll(under prefix: String) throws {
        let segments = try StoreKey.segments(of: prefix, store: location)
        // Directories may go or be replaced: check them again from now on.
        defer { forgetDirectories() }
        if segments.isEmpty {
            for entry in try entries(of: rootPath, key: prefix) {
                try removeTree(rootPath + "/" + entry.name, key: entry.name)
            }
            return
        }
        try checkContained(segments, key: prefix)
        let target = filePath(segments)
        var info = stat()
        guard lstat(target, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return }
            throw failure("cannot inspect", prefix, code)
        }
        if StoreFileSystem.isDirectory(info) || StoreFileSystem.isSymbolicLink(info) {
            try removeTree(target, key: prefix)
            removeEmptyDirectories(Array(segments.dropLast()))
        }
    }

    // MARK: Listing

    /// Every key strictly below `prefix` (`""` for all), at any depth, sorted. Only regular
    /// files are keys; temporaries of unfinished writes and links leading outside the root
    /// are skipped.
    public func keys(under prefix: String) throws -> [String] {
        let segments = try StoreKey.segments(of: prefix, store: location)
        if !segments.isEmpty { try checkContained(segments, key: prefix) }
        var result: [String] = []
        var ancestors = Set<StoreFileSystem.FileID>()
        try walk(filePath(segments), key: prefix, into: &result, ancestors: &ancestors)
        return result.sorted()
    }

    /// The names of the files and of the subdirectories directly below `prefix`, each sorted.
    public func children(of prefix: String) throws -> (keys: [String], prefixes: [String]) {
        let segments = try StoreKey.segments(of: prefix, store: location)
        if !segments.isEmpty { try checkContained(segments, key: prefix) }
        var names: [String] = []
        var prefixes: [String] = []
        let directory = filePath(segments)
        for entry in try entries(of: directory, key: prefix) {
            switch try kind(of: entry, in: directory) {
            case .file where !entry.name.hasPrefix(Self.temporaryPrefix): names.append(entry.name)
            case .directory: prefixes.append(entry.name)
            default: break
            }
        }
        return (names.sorted(), prefixes.sorted())
    }

    private func walk(_ directory: String, key: String, into result: inout [String], ancestors: inout Set<StoreFileSystem.FileID>) throws {
        var info = stat()
        guard stat(directory, &info) == 0, StoreFileSystem.isDirectory(info) else { return }
        let id = StoreFileSystem.FileID(info)
        // A link back to an ancestor would make the walk endless.
        guard ancestors.insert(id).inserted else { return }
        defer { ancestors.remove(id) }
        for entry in try entries(of: directory, key: key) {
            let childKey = StoreKey.join(key, entry.name)
            switch try kind(of: entry, in: directory) {
            case .file where !entry.name.hasPrefix(Self.temporaryPrefix): result.append(childKey)
            case .directory: try walk(directory + "/" + entry.name, key: childKey, into: &result, ancestors: &ancestors)
            default: break
            }
        }
    }

    /// What a directory entry is for listing, following links that stay inside the root.
    private func kind(of entry: StoreFileSystem.Entry, in directory: String) throws -> StoreFileSystem.Kind {
        let full = directory + "/" + entry.name
        var kind = entry.kind
        if kind == .unknown {
            var info = stat()
            guard lstat(full, &info) == 0 else { return .other }
            kind = StoreFileSystem.Kind(info)
        }
        guard kind == .symbolicLink else { return kind }
        guard case .success(let resolved) = StoreFileSystem.realPath(full), isInsideRoot(resolved) else { return .other }
        var info = stat()
        guard stat(full, &info) == 0 else { return .other }
        return StoreFileSystem.Kind(info)
    }

    /// The entries of `directory` (none if it is missing or not a directory).
    private func entries(of directory: String, key: String) throws -> [StoreFileSystem.Entry] {
        switch StoreFileSystem.listDirectory(directory) {
        case .success(let entries): return entries
        case .failure(let error):
            if error.code == ENOENT || error.code == ENOTDIR { return [] }
            throw failure("cannot list", key, error.code)
        }
    }

    // MARK: Paths and checks

    /// `<root>/a/b` for segments `a`, `b`.
    private func filePath<S: Collection<Substring>>(_ segments: S) -> String {
        if segments.isEmpty { return rootPath }
        let base = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"
        return base + segments.joined(separator: "/")
    }

    private func isInsideRoot(_ resolved: String) -> Bool {
        if resolved == rootPath { return true }
        let base = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"
        return resolved.utf8.starts(with: base.utf8)
    }

    /// Refuses `key` if the deepest existing path along `segments` resolves outside the root.
    ///
    /// Once a directory is known to lead inside the root, a key in it only needs its last
    /// segment checked: one `lstat`, and the full resolution only if that is a link; a new
    /// directory below a known one costs an `lstat` per new level. (Fully resolving every
    /// key, or every new directory, cost a `readlink` per path component: with one
    /// directory per time step, ten for each chunk read.)
    private func checkContained(_ segments: [Substring], key: String) throws {
        try checkDirectoriesContained(segments, key: key)
        var info = stat()
        if lstat(filePath(segments), &info) != 0 || !StoreFileSystem.isSymbolicLink(info) { return }
        try resolveContained(segments, key: key)
    }

    /// ``checkContained(_:key:)`` for the directories along `segments`, not the last segment
    /// itself (for a caller that opens it without following a link).
    private func checkDirectoriesContained(_ segments: [Substring], key: String) throws {
        let levels = segments.count - 1
        if levels > 0 {
            let path = { (level: Int) in segments.prefix(level).joined(separator: "/") }
            let known = knownDirectories.withLock { set in (1...levels).reversed().first { set.contains(path($0)) } ?? 0 }
            if known < levels {
                // Below the deepest directory known to be inside the root, real directories keep
                // the path inside (an lstat each, where resolving the whole path would read every
                // component of it again); a link, or a level that is missing, goes to the full
                // resolution, which decides and says why.
                for level in (known + 1)...levels {
                    var info = stat()
                    guard lstat(filePath(segments.prefix(level)), &info) == 0, StoreFileSystem.isDirectory(info) else {
                        return try resolveContained(segments, key: key)
                    }
                }
                knownDirectories.withLock { set in for level in (known + 1)...levels { set.insert(path(level)) } }
            }
        }
    }

    /// Refuses `key` if the deepest existing path along `segments`, with every link
    /// resolved, is outside the root.
    private func resolveContained(_ segments: [Substring], key: String) throws {
        var depth = segments.count
        while depth > 0 {
            switch StoreFileSystem.realPath(filePath(segments.prefix(depth))) {
            case .success(let resolved):
                guard isInsideRoot(resolved) else {
                    let through = segments.prefix(depth).joined(separator: "/")
                    throw CubeError(.invalidInput, "key '\(key)' refused: '\(through)' is a symbolic link to '\(resolved)', outside the store root", context: location)
                }
                return
            case .failure(let error):
                guard error.code == ENOENT || error.code == ENOTDIR else {
                    throw failure("cannot resolve", key, error.code)
                }
                depth -= 1
            }
        }
    }

    /// Makes sure the directory `segments` exists inside the root, making what is missing.
    ///
    /// Levels this store made or checked before are skipped; for the others, `mkdir` either
    /// makes a real directory (inside the root by construction) or finds an existing entry,
    /// which must be a directory, and if it is a symbolic link, one leading inside the root.
    private func prepareDirectory(_ segments: [Substring], key: String) throws {
        let paths = (0...segments.count).map { segments.prefix($0).joined(separator: "/") }
        attempts: for _ in 1...Self.attempts {
            var known = segments.count
            knownDirectories.withLock { set in
                while known > 0 && !set.contains(paths[known]) { known -= 1 }
            }
            guard known < segments.count else { return }
            for level in (known + 1)...segments.count {
                let path = filePath(segments.prefix(level))
                if mkdir(path, 0o777) != 0 {
                    let code = errno
                    if code == ENOENT {
                        // A concurrent delete removed a parent it had left empty: start over.
                        forgetDirectories()
                        continue attempts
                    }
                    guard code == EEXIST else { throw failure("cannot create the directory for", key, code) }
                    var info = stat()
                    guard lstat(path, &info) == 0 else {
                        let code = errno
                        // Removed by a concurrent delete between mkdir and lstat: start over.
                        if code == ENOENT { forgetDirectories(); continue attempts }
                        throw failure("cannot inspect the directory for", key, code)
                    }
                    if StoreFileSystem.isSymbolicLink(info) {
                        try checkContained(Array(segments.prefix(level)), key: key)
                        guard stat(path, &info) == 0, StoreFileSystem.isDirectory(info) else {
                            throw CubeError(.conflict, "cannot write '\(key)': '\(paths[level])' is not a directory", context: location)
                        }
                    } else if !StoreFileSystem.isDirectory(info) {
                        throw CubeError(.conflict, "cannot write '\(key)': '\(paths[level])' or a parent of it is a value, not a prefix", context: location)
                    }
                }
                knownDirectories.withLock { _ = $0.insert(paths[level]) }
            }
            return
        }
        throw failure("cannot create the directory for", key, ENOENT)
    }

    /// Forgets which directories exist (after deletes, which may remove them).
    private func forgetDirectories() {
        knownDirectories.withLock { $0.removeAll() }
    }

    /// Removes the now-empty directories `segments`, `segments.dropLast()`, … (never the root).
    private func removeEmptyDirectories(_ segments: [Substring]) {
        var depth = segments.count
        while depth > 0, rmdir(filePath(segments.prefix(depth))) == 0 {
            depth -= 1
        }
    }

    /// Removes `path` and, if it is a real directory, everything in it; links are not followed.
    private func removeTree(_ path: String, key: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return }
            throw failure("cannot inspect", key, code)
        }
        if StoreFileSystem.isDirectory(info) {
            for entry in try entries(of: path, key: key) {
                try removeTree(path + "/" + entry.name, key: StoreKey.join(key, entry.name))
            }
            guard rmdir(path) == 0 || errno == ENOENT else { throw failure("cannot delete", key, errno) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw failure("cannot delete", key, errno) }
        }
    }

    /// Throws unless `info` is a regular file: a directory or a device where a value should
    /// be is damage to report, not a missing key.
    private func requireValue(_ info: stat, key: String) throws {
        guard !StoreFileSystem.isRegularFile(info) else { return }
        let what = StoreFileSystem.isDirectory(info) ? "a directory" : "not a regular file"
        throw CubeError(.invalidInput, "'\(key)' is \(what), not a stored value", context: location)
    }

    private func failure(_ action: String, _ key: String, _ code: Int32) -> CubeError {
        CubeError(.io, "\(action) '\(key)': \(StoreFileSystem.describe(code))", context: location)
    }

    /// A fresh name for a temporary file.
    private static func temporaryName() -> String {
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return temporaryPrefix + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Thin helpers over StoreFileSystem calls used by ``DirectoryStore``.
enum StoreFileSystem {
    /// The type of a file system entry.
    enum Kind: Equatable {
        case file, directory, symbolicLink, other, unknown

        /// The kind of the entry described by `info`.
        init(_ info: stat) {
            switch info.st_mode & S_IFMT {
            case S_IFREG: self = .file
            case S_IFDIR: self = .directory
            case S_IFLNK: self = .symbolicLink
            default: self = .other
            }
        }
    }

    /// A directory entry: its name and, if the file system says so cheaply, its kind.
    struct Entry {
        var name: String
        var kind: Kind
    }

    /// Identity of a file: device and inode.
    struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64

        init(_ info: stat) {
            device = UInt64(truncatingIfNeeded: info.st_dev)
            inode = UInt64(truncatingIfNeeded: info.st_ino)
        }
    }

    /// An `errno` value as a failure.
    struct Errno: Error {
        var code: Int32
    }

    static func isDirectory(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }
    static func isRegularFile(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFREG }
    static func isSymbolicLink(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFLNK }

    /// `strerror` of `code`.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// The canonical absolute path of `path`, or the `errno` of `realpath`.
    static func realPath(_ path: String) -> Result<String, Errno> {
        guard let resolved = realpath(path, nil) else { return .failure(Errno(code: errno)) }
        defer { free(resolved) }
        return .success(String(cString: resolved))
    }

    /// Starts reading the whole regular file at `path` into the page cache, without waiting
    /// (with `unlessCached`, only when some of it is not cached already). Returns whether it
    /// did; nothing happens if the file cannot be opened, or on systems without
    /// `posix_fadvise`.
    static func adviseWillNeed(_ path: String, unlessCached: Bool) -> Bool {
        #if os(Linux)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, isRegularFile(info), info.st_size > 0 else { return false }
        if unlessCached && isCached(fd, size: Int(info.st_size)) { return false }
        return posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_WILLNEED)) == 0
        #else
        return false
        #endif
    }

    /// Drops the clean cached pages of the open file `fd` from the page cache.
    static func adviseDontNeed(_ fd: Int32) {
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        #endif
    }

    /// Whether every page of the first `size` bytes of `fd` is in the page cache
    /// (`cachestat`, or `mincore` over a mapping on kernels before 6.5; `false` if that
    /// fails, and where only Linux's forms are known).
    static func isCached(_ fd: Int32, size: Int) -> Bool {
        #if os(Linux)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let cached = cube_cached_pages(fd, UInt64(max(size, 0)))
        if cached >= 0 { return size > 0 && Int(cached) >= (size + pageSize - 1) / pageSize }
        guard size > 0, let mapping = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapping != MAP_FAILED else { return false }
        defer { munmap(mapping, size) }
        var resident = [UInt8](repeating: 0, count: (size + pageSize - 1) / pageSize)
        guard mincore(mapping, size, &resident) == 0 else { return false }
        return resident.allSatisfy { $0 & 1 != 0 }
        #else
        return false
        #endif
    }

    /// The most bytes one `write` call hands to the page cache.
    ///
    /// Linux (6.x, ext4 with large folios) sizes the page-cache folios it allocates for a
    /// write by the write's length: one call of several megabytes takes folios of up to
    /// 2 MiB, carved from large free blocks, which on a virtual machine whose host takes
    /// back free memory (virtio-balloon free page reporting) are the blocks the host has
    /// taken, so the copy into them stalls on the host. Pieces of 64 KiB get small folios,
    /// mostly memory just freed (the source chunks a one-pass read dropped, the intermediate
    /// chunks a stage deleted). Measured on a 256 MiB rechunk of the reanalysis year
    /// (`benchmarks/README.md`): system time 3.7–4.3 → 2.2–2.8 s, wall time −7 to −16 %;
    /// 16, 32 and 128 KiB pieces did less well. One more system call per 64 KiB costs
    /// nothing measurable elsewhere.
    static let pageCacheWriteBytes = 64 << 10

    /// Writes `bytes` from index `start` on to `fd`, at most ``pageCacheWriteBytes`` a call;
    /// returns the `errno` of a failure.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], from start: Int = 0) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            var done = start
            while done < buffer.count {
                let n = write(fd, base + done, min(buffer.count - done, pageCacheWriteBytes))
                if n < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    return code
                }
                done += n
            }
            return nil
        }
    }

    /// `mkdir -p path`; returns the `errno` of a failure.
    static func makeDirectories(_ path: String) -> Int32? {
        if mkdir(path, 0o777) == 0 { return nil }
        var code = errno
        if code == ENOENT {
            let parent = parentPath(path)
            guard parent != path else { return code }
            if let failure = makeDirectories(parent) { return failure }
            if mkdir(path, 0o777) == 0 { return nil }
            code = errno
        }
        if code == EEXIST {
            var info = stat()
            if stat(path, &info) == 0 && isDirectory(info) { return nil }
            return ENOTDIR
        }
        return code
    }

    /// `path` without its last component (`"."` for a single relative component).
    static func parentPath(_ path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        var parent = Array(bytes[..<slash])
        while parent.count > 1, parent.last == UInt8(ascii: "/") { parent.removeLast() }
        return parent.isEmpty ? "/" : String(decoding: parent, as: UTF8.self)
    }

    /// The entries of `directory` except `.` and `..`; names that are not UTF-8 are skipped.
    static func listDirectory(_ directory: String) -> Result<[Entry], Errno> {
        guard let stream = opendir(directory) else { return .failure(Errno(code: errno)) }
        defer { closedir(stream) }
        var entries: [Entry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                let code = errno
                if code != 0 { return .failure(Errno(code: code)) }
                break
            }
            let nameBytes: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let end = raw.firstIndex(of: 0) ?? raw.count
                return Array(raw[..<end])
            }
            if nameBytes == [UInt8(ascii: ".")] || nameBytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard name.utf8.elementsEqual(nameBytes) else { continue }
            let kind: Kind
            switch Int(entry.pointee.d_type) {
            case Int(DT_REG): kind = .file
            case Int(DT_DIR): kind = .directory
            case Int(DT_LNK): kind = .symbolicLink
            case Int(DT_UNKNOWN): kind = .unknown
            default: kind = .other
            }
            entries.append(Entry(name: name, kind: kind))
        }
        return .success(entries)
    }
}
