import CubeCore
import CubeZarr

/// Reads and decodes every stored chunk of every array of a Zarr store, in parallel inside a
/// memory budget, and reports what is damaged.
///
/// A chunk absent from the store reads as the fill value, as Zarr allows, so absent chunks
/// (and inner chunks a shard index marks absent) are counted, not reported. What a shard
/// index records must be there: an entry reaching past the end of its shard is truncation.
public enum ZarrVerifier {
    /// Verifies every array of the hierarchy in `store` with `jobs` workers holding at most
    /// `memoryBudget` bytes; nodes that cannot be read are reported as unsupported.
    public static func verify(_ store: any ListableStore, jobs: Int, memoryBudget: Int,
                              progress: (any ProgressSink)? = nil) throws -> VerifyReport {
        let hierarchy = try ZarrHierarchy.open(store, useConsolidated: false, unreadable: .collect)
        let findings = VerifyFindings()
        for node in hierarchy.unreadable {
            findings.add(VerifyReport.Problem(path: node.path, key: metadataKey(of: node, in: store), kind: .unsupported, detail: node.reason))
        }
        var tasks: [CopyTask] = []
        var totals: [(path: String, chunks: Int)] = []
        var totalBytes = 0
        for (path, metadata) in hierarchy.arrays {
            let array = try ZarrArray(store: store, path: path, metadata: metadata)
            totals.append((path, ShapeMath.product(zip(metadata.shape, array.decodedChunkShape).map { ShapeMath.ceilDiv($0, $1) })))
            let keys = try metadata.storedChunkKeys(in: store, path: path)
            try checkUnlisted(array, listed: Set(keys), into: findings)
            let sizes = try keys.map { try store.size(of: $0) ?? 0 }
            // One reservation size per array, so workers keep theirs from one chunk to the next.
            let taskBytes = array.checkBytes(storedSize: sizes.max() ?? 0)
            for (key, size) in zip(keys, sizes) {
                totalBytes += size
                tasks.append(CopyTask(bytes: taskBytes, label: StoreKey.join(store.location, key)) {
                    check(array, key: key, into: findings)
                    return size
                })
            }
        }
        try Executor(jobs: jobs, memoryBudget: memoryBudget).run(tasks, progress: progress, totalBytes: totalBytes)
        return findings.report(location: store.location, totals: totals)
    }

    /// Checks one stored object and records what it holds and what is wrong with it.
    static func check(_ array: ZarrArray, key: String, into findings: VerifyFindings) {
        do {
            // An object deleted since it was listed has nothing left to check.
            guard let result = try array.checkObject(at: key) else { return }
            findings.count(array.path, chunks: result.chunksChecked, bytes: result.bytesRead)
            for damage in result.damage {
                findings.add(VerifyReport.Problem(path: array.path, key: key, kind: .init(damage.kind), detail: damage.detail))
            }
        } catch {
            findings.add(VerifyReport.Problem(path: array.path, key: key, kind: .unreadable,
                                              detail: (error as? CubeError)?.message ?? "\(error)"))
        }
    }

    /// Checks the chunks the listing did not find: a chunk's key that still holds something
    /// (a directory, a device) is damage the store reports on reading, not a chunk left out.
    static func checkUnlisted(_ array: ZarrArray, listed: Set<String>, into findings: VerifyFindings) throws {
        let grid = try array.metadata.grid(context: array.location)
        guard listed.count < grid.chunkCount else { return }
        grid.forEachChunkCoordinate { coords in
            let key = array.chunkKey(coords)
            guard !listed.contains(key) else { return }
            do {
                _ = try array.store.size(of: key)
            } catch {
                findings.add(VerifyReport.Problem(path: array.path, key: key, kind: .unreadable,
                                                  detail: (error as? CubeError)?.message ?? "\(error)"))
            }
        }
    }

    /// The store key of the metadata document an unreadable node's error is about (its path
    /// when the error names none).
    static func metadataKey(of node: UnreadableNode, in store: any ListableStore) -> String {
        let prefix = store.location + "/"
        guard let context = node.error.context, context.hasPrefix(prefix) else { return node.path }
        return String(context.dropFirst(prefix.count))
    }
}
