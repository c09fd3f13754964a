import Foundation

/// Collects what concurrent verification tasks find.
final class VerifyFindings: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [VerifyReport.Problem] = []
    private var read: [String: (chunks: Int, bytes: Int)] = [:]

    /// Records a problem.
    func add(_ problem: VerifyReport.Problem) {
        lock.withLock { problems.append(problem) }
    }

    /// Counts `chunks` chunks and `bytes` bytes read for the array at `path`.
    func count(_ path: String, chunks: Int, bytes: Int) {
        lock.withLock {
            let old = read[path] ?? (0, 0)
            read[path] = (old.chunks + chunks, old.bytes + bytes)
        }
    }

    /// The report on arrays of `totals` (path → chunks the grid allows).
    func report(location: String, totals: [(path: String, chunks: Int)]) -> VerifyReport {
        lock.withLock {
            VerifyReport(location: location, arrays: totals.map { path, total in
                VerifyReport.ArrayTally(path: path, chunksTotal: total, chunksRead: read[path]?.chunks ?? 0,
                                        bytesRead: read[path]?.bytes ?? 0)
            }, problems: problems)
        }
    }
}
