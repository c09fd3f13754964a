import CubeCore
import Foundation

/// An exclusive lock on an output being written, held through `flock` on a file inside it,
/// so the kernel releases it when the process dies (even by `kill -9`).
public final class TargetLock: @unchecked Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock at `path` (creating the file), or throws naming `tool` and the
    /// holder's process.
    public init(path: String, tool: String = "cube-rechunk") throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CubeError(.io, "cannot create the lock file: \(String(cString: strerror(errno)))", context: path)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw CubeError(.conflict,
                            "another \(tool) is writing this output\(holder.isEmpty ? "" : " (process \(holder))"); wait for it to finish or stop it",
                            context: (path as NSString).deletingLastPathComponent)
        }
        let pid = Array("\(ProcessInfo.processInfo.processIdentifier)\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
        self.path = path
    }

    /// Releases the lock.
    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
