import CubeCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses outputs that are the same as, inside, or around an input, whatever the spelling.
///
/// Writing such an output destroys or changes the input before it is read (an `--overwrite`
/// deletes it first), or puts new nodes into a store whose consolidated metadata then lies.
/// Paths are compared as the file system sees them: relative paths, `.`/`..`, repeated and
/// trailing slashes and symbolic links are resolved, and directories are compared by device
/// and inode, so a bind mount of an input is recognised too. An input that is a node of a
/// larger Zarr hierarchy stands for the whole hierarchy. Every tool calls this before it
/// opens (or removes) an output; object-store locations will be compared by bucket and prefix.
public enum OutputOverlap {
    /// How an output relates to an input.
    public enum Relation: Sendable, Equatable {
        /// The output is the input.
        case same
        /// The output lies inside the input.
        case inside
        /// The output contains the input.
        case contains
    }

    /// Throws a usage error (``CubeError/Kind/invalidArgument``) when the output at `output`
    /// is the same as, inside, or contains any of `inputs`. `role` names the output in the
    /// message ("output", "intermediate directory"). Inputs that do not exist are skipped:
    /// opening them reports that.
    public static func check(_ output: String, role: String = "output", inputs: [String]) throws {
        for input in inputs {
            let extent = hierarchyRoot(of: input)
            guard let relation = relation(of: output, toExtent: extent) else { continue }
            let named = extent == ResolvedPath(input).full ? "the input '\(input)'" : "the input '\(input)' (Zarr hierarchy \(extent))"
            let message: String
            switch relation {
            case .same:
                message = "the \(role) is \(named): writing it would destroy the data before it is read; write to a new path and rename it afterwards"
            case .inside:
                message = "the \(role) lies inside \(named): writing it would change the input; choose a path outside it"
            case .contains:
                message = "the \(role) contains \(named): replacing it would delete the input; choose a path that does not contain it"
            }
            throw CubeError(.invalidArgument, message, context: output)
        }
    }

    /// How `output` relates to `input` (taken as its whole Zarr hierarchy), or `nil` when
    /// they are apart or `input` does not exist.
    public static func relation(of output: String, to input: String) -> Relation? {
        relation(of: output, toExtent: hierarchyRoot(of: input))
    }

    /// How `output` relates to `extent`, an input's resolved hierarchy root.
    private static func relation(of output: String, toExtent extent: String) -> Relation? {
        let source = ResolvedPath(extent)
        guard source.tail.isEmpty, let sourceID = source.ancestorIDs.first else { return nil }
        let target = ResolvedPath(output)
        if let index = target.ancestorIDs.firstIndex(of: sourceID) {
            return index == 0 && target.tail.isEmpty ? .same : .inside
        }
        if target.tail.isEmpty, let targetID = target.ancestorIDs.first, source.ancestorIDs.contains(targetID) {
            return .contains
        }
        return nil
    }

    /// The root of the Zarr hierarchy that the directory at `path` belongs to: `path`
    /// resolved, extended upwards while the parent directory is a Zarr group or array.
    /// A path that is not a directory is returned resolved.
    static func hierarchyRoot(of path: String) -> String {
        var root = ResolvedPath(path).full
        guard isDirectory(root) else { return root }
        while root != "/" {
            let parent = StoreFileSystem.parentPath(root)
            guard ["zarr.json", ".zgroup", ".zarray"].contains(where: { exists(parent + "/" + $0) }) else { break }
            root = parent
        }
        return root
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && StoreFileSystem.isDirectory(info)
    }
}

/// A path as the file system sees it: the deepest part that exists, with every link
/// resolved, and the components below it that do not exist yet.
struct ResolvedPath {
    /// The deepest existing directory or file on the way, canonical.
    var existing: String
    /// The components below ``existing`` that do not exist.
    var tail: [String]
    /// Device and inode of ``existing`` and of each of its parents up to `/`.
    var ancestorIDs: [StoreFileSystem.FileID]

    /// The whole path: ``existing`` and ``tail`` joined.
    var full: String {
        tail.isEmpty ? existing : (existing == "/" ? "" : existing) + "/" + tail.joined(separator: "/")
    }

    /// Resolves `path` (a plain path or a `file://` URL), relative to the working directory.
    init(_ path: String) {
        var text = path.hasPrefix("file://") ? String(path.dropFirst("file://".count)) : path
        if !text.hasPrefix("/") { text = FileManager.default.currentDirectoryPath + "/" + text }
        var existing = "/"
        var tail: [String] = []
        for component in text.split(separator: "/").map(String.init) where component != "." {
            if component == ".." {
                if tail.isEmpty { existing = StoreFileSystem.parentPath(existing) } else { tail.removeLast() }
                continue
            }
            let candidate = (existing == "/" ? "" : existing) + "/" + component
            if tail.isEmpty, case .success(let resolved) = StoreFileSystem.realPath(candidate) {
                existing = resolved
            } else {
                tail.append(component)
            }
        }
        self.existing = existing
        self.tail = tail
        var ids: [StoreFileSystem.FileID] = []
        var current = existing
        while true {
            var info = stat()
            if stat(current, &info) == 0 { ids.append(StoreFileSystem.FileID(info)) }
            if current == "/" { break }
            current = StoreFileSystem.parentPath(current)
        }
        ancestorIDs = ids
    }
}
