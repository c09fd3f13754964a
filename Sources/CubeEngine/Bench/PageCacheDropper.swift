import CubeCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks the kernel to forget the cached pages of a dataset's files, so the next read comes
/// from the device (`posix_fadvise(POSIX_FADV_DONTNEED)` on every file).
///
/// The file list is walked once. Dirty pages cannot be dropped, so files written just
/// before (trial stores) are flushed once when the dropper is made with `flush`. The advice
/// needs no privileges and affects only these files; on systems without `posix_fadvise`
/// reads stay warm and ``isSupported`` is false.
public struct PageCacheDropper: Sendable {
    /// The regular files whose pages are dropped.
    public let files: [String]

    /// Whether dropping pages works on this system.
    public static var isSupported: Bool {
        #if os(Linux)
        return true
        #else
        return false
        #endif
    }

    /// The files under `path` (a directory, walked recursively, or one file); with `flush`,
    /// each is written back to the device first.
    public init(path: String, flush: Bool = false) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CubeError(.notFound, "no such file or directory", context: path)
        }
        var files: [String] = []
        if isDirectory.boolValue {
            let root = URL(fileURLWithPath: path)
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
                    files.append(url.path)
                }
            }
        } else {
            files.append(path)
        }
        self.files = files.sorted()
        if flush { for file in self.files { Self.advise(file, flush: true) } }
    }

    /// Drops the cached pages of every file (errors, such as a file deleted since, are ignored:
    /// the reads that follow are merely warmer).
    public func drop() {
        for file in files { Self.advise(file, flush: false) }
    }

    private static func advise(_ file: String, flush: Bool) {
        #if os(Linux)
        let fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if flush { _ = fdatasync(fd) }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        #endif
    }
}
