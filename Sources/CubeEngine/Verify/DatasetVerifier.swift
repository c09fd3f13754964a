import CubeCore

/// Reads and decodes every chunk of every variable of a NetCDF or HDF5 file through the
/// file's readers, in parallel inside a memory budget, and reports chunks that fail.
///
/// The libraries decode, so checks are theirs (and cube's own for the deflate and shuffle
/// chunks it decodes itself); a chunk the file does not store reads as the fill value and
/// cannot be told apart from a stored one.
public enum DatasetVerifier {
    /// Verifies every variable of the file at `path` with `jobs` workers holding at most
    /// `memoryBudget` bytes; variables of unsupported types are reported as unsupported.
    public static func verify(_ path: String, jobs: Int, memoryBudget: Int,
                              progress: (any ProgressSink)? = nil) throws -> VerifyReport {
        let dataset = try DatasetOpener.open(path, skipUnsupported: true)
        let findings = VerifyFindings()
        for item in dataset.unsupported where !item.reason.hasPrefix("attribute skipped") {
            findings.add(VerifyReport.Problem(path: item.path, key: item.path, kind: .unsupported, detail: item.reason))
        }
        var tasks: [CopyTask] = []
        var totals: [(path: String, chunks: Int)] = []
        var totalBytes = 0
        for group in dataset.root.allGroups {
            for source in group.variables {
                let name = String(source.path.split(separator: "/").last ?? "")
                let itemSize = source.dataType.itemSize
                // Contiguous variables are read in blocks of a few MiB.
                let chunks = group.storage[name]?.chunkShape ?? source.chunkShape
                    ?? AutoChunks.chunks(shape: source.shape, itemSize: max(itemSize, 1))
                let grid = try ChunkGrid(shape: source.shape, chunkShape: chunks, context: "\(path): \(source.path)")
                totals.append((source.path, grid.chunkCount))
                // Strings have no fixed size: allow for each element's String and its bytes.
                let taskBytes = 3 * ShapeMath.product(chunks) * (itemSize > 0 ? itemSize : 64)
                grid.forEachChunkCoordinate { coords in
                    let region = grid.region(ofChunk: coords)
                    let bytes = region.elementCount * itemSize
                    totalBytes += bytes
                    tasks.append(CopyTask(bytes: taskBytes, label: "\(source.path) chunk \(coords)") {
                        check(source, chunk: coords, region: region, into: findings)
                        return bytes
                    })
                }
            }
        }
        try Executor(jobs: jobs, memoryBudget: memoryBudget).run(tasks, progress: progress, totalBytes: totalBytes)
        return findings.report(location: path, totals: totals)
    }

    /// Reads one chunk's region and records it, or the failure.
    static func check(_ source: any ArraySource, chunk coords: [Int], region: Region, into findings: VerifyFindings) {
        let key = "chunk \(coords)"
        func found(_ kind: VerifyReport.Kind, _ detail: String) {
            findings.add(VerifyReport.Problem(path: source.path, key: key, kind: kind, detail: detail))
        }
        do {
            let buffer = try source.read(region)
            findings.count(source.path, chunks: 1, bytes: region.elementCount * source.dataType.itemSize)
            if buffer.shape != region.count {
                found(.mismatched, "chunk reads as shape \(buffer.shape), expected \(region.count)")
            }
            buffer.recycle()
        } catch {
            findings.count(source.path, chunks: 1, bytes: 0)
            let failure = error as? CubeError
            found(failure?.kind == .io ? .unreadable : .corrupt, failure?.message ?? "\(error)")
        }
    }
}
