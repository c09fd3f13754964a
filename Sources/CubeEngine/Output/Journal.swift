import CubeCore
import Foundation

/// An append-only record of finished work, so an interrupted run resumes where it stopped
/// (rewritten only by ``forget(_:)``, before a resumed run starts).
///
/// Each line is one finished unit (`task <stage> <array> <index>` or a milestone such as
/// `stage-done 1 t2m`). A unit is recorded only after everything it wrote is in place, so
/// after a crash it is either recorded and complete, or redone (tasks are idempotent: they
/// write whole chunks). A torn last line is ignored.
public final class Journal: @unchecked Sendable {
    /// The journal file.
    public let path: String
    private let lock = NSLock()
    private var done: Set<String>
    private var handle: FileHandle

    /// Opens (creating if needed) the journal at `path` and reads what it already records.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CubeError(.io, "cannot create the journal", context: path)
            }
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if !text.isEmpty && !text.hasSuffix("\n") { lines.removeLast() }  // torn by a crash
        done = Set(lines)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CubeError(.io, "cannot open the journal for writing", context: path)
        }
        // Drop a torn tail so new lines start clean.
        let valid = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        _ = try? handle.truncate(atOffset: UInt64(valid))
        _ = try? handle.seekToEnd()
        self.handle = handle
        self.path = path
    }

    deinit { try? handle.close() }

    /// Whether `entry` was recorded.
    public func contains(_ entry: String) -> Bool {
        lock.withLock { done.contains(entry) }
    }

    /// Records `entry` durably enough to survive the process being killed.
    public func record(_ entry: String) throws {
        try lock.withLock {
            guard !done.contains(entry) else { return }
            do {
                try handle.write(contentsOf: Data((entry + "\n").utf8))
            } catch {
                throw CubeError(.io, "cannot append to the journal: \(error.localizedDescription)", context: path)
            }
            done.insert(entry)
        }
    }

    /// Removes `entries` from the record, so that work is done again: the file is rewritten
    /// without them (a new file renamed over it, so a crash leaves the old record or the new
    /// one, never a mix). For before tasks run, when a resumed run finds that the output of
    /// recorded tasks is gone.
    public func forget(_ entries: Set<String>) throws {
        try lock.withLock {
            let kept = done.subtracting(entries)
            guard kept.count < done.count else { return }
            let temporary = path + ".rewrite"
            let text = kept.sorted().map { $0 + "\n" }.joined()
            guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)),
                  let rewritten = FileHandle(forWritingAtPath: temporary) else {
                throw CubeError(.io, "cannot rewrite the journal", context: temporary)
            }
            do {
                try rewritten.synchronize()
                _ = try rewritten.seekToEnd()
            } catch {
                try? rewritten.close()
                throw CubeError(.io, "cannot rewrite the journal: \(error.localizedDescription)", context: temporary)
            }
            guard rename(temporary, path) == 0 else {
                let code = errno
                try? rewritten.close()
                throw CubeError(.io, "cannot replace the journal: \(String(cString: strerror(code)))", context: path)
            }
            try? handle.close()
            handle = rewritten
            done = kept
        }
    }

    /// The number of recorded entries starting with `prefix`.
    public func count(prefix: String) -> Int {
        lock.withLock { done.filter { $0.hasPrefix(prefix) }.count }
    }
}
