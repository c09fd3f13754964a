import CubeCore
import Foundation

/// An output directory built in a hidden sibling and renamed into place only when complete,
/// so a crash never leaves a target that looks finished.
public struct StagedTarget: Sendable {
    /// Where the finished output goes.
    public let finalPath: String
    /// Where it is built: `.<name>.cube-partial-<pid>` beside the final path.
    public let stagingPath: String
    /// Whether an existing target will be replaced.
    public let overwrite: Bool

    /// Checks the target and creates the staging directory. An existing target is refused
    /// unless `overwrite`.
    public static func begin(_ path: String, overwrite: Bool) throws -> StagedTarget {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let finalPath = url.path
        let fm = FileManager.default
        if fm.fileExists(atPath: finalPath) && !overwrite {
            throw CubeError(.conflict, "output already exists (use --overwrite to replace it)", context: path)
        }
        let parent = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CubeError(.notFound, "the output's parent directory does not exist", context: parent)
        }
        let staging = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).cube-partial-\(ProcessInfo.processInfo.processIdentifier)").path
        if fm.fileExists(atPath: staging) { try? fm.removeItem(atPath: staging) }
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: false)
        } catch {
            throw CubeError(.io, "cannot create the staging directory: \(error.localizedDescription)", context: staging)
        }
        return StagedTarget(finalPath: finalPath, stagingPath: staging, overwrite: overwrite)
    }

    /// Moves the finished output into place (replacing an old one when allowed).
    public func commit() throws {
        let fm = FileManager.default
        var trash: String?
        if fm.fileExists(atPath: finalPath) {
            guard overwrite else { throw CubeError(.conflict, "output appeared while converting; not replaced", context: finalPath) }
            let old = stagingPath + "-old"
            guard rename(finalPath, old) == 0 else {
                throw CubeError(.io, "cannot move the old output aside: \(String(cString: strerror(errno)))", context: finalPath)
            }
            trash = old
        }
        guard rename(stagingPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            if let trash { _ = rename(trash, finalPath) }
            throw CubeError(.io, "cannot move the output into place: \(reason)", context: finalPath)
        }
        if let trash { try? fm.removeItem(atPath: trash) }
    }

    /// Deletes the staging directory after a failure.
    public func abandon() {
        try? FileManager.default.removeItem(atPath: stagingPath)
    }
}
