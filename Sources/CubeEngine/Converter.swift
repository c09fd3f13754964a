import CubeCore
import CubeCodecs
import CubeZarr
import Foundation

/// What a finished conversion did.
public struct ConvertSummary: Sendable {
    /// Arrays written.
    public var arrays: Int
    /// Decoded bytes moved.
    public var bytes: Int
    /// Wall-clock seconds.
    public var seconds: Double
    /// The most bytes held by tasks at once.
    public var peakTaskBytes: Int
}

/// Runs a ``ConvertPlan``: writes metadata, copies every chunk in parallel inside the memory
/// budget, writes consolidated metadata last, and moves the finished store into place.
public enum Converter {
    /// Opens the inputs, plans and converts; the output appears only when complete.
    public static func convert(_ options: ConvertOptions, progress: (any ProgressSink)? = nil,
                               warn: (String) -> Void = { _ in }) throws -> ConvertSummary {
        let datasets = try options.inputs.map { try DatasetOpener.open($0, skipUnsupported: options.skipUnsupported) }
        let plan = try ConvertPlanner.plan(datasets, options: options)
        plan.warnings.forEach(warn)
        return try run(plan, options: options, progress: progress)
    }

    /// Writes `plan` to `options.output`.
    public static func run(_ plan: ConvertPlan, options: ConvertOptions, progress: (any ProgressSink)? = nil) throws -> ConvertSummary {
        let started = Date()
        let target = try StagedTarget.begin(options.output, overwrite: options.overwrite)
        do {
            let store = try DirectoryStore(path: target.stagingPath, create: false)
            for (path, attributes) in plan.groups {
                try ZarrNode(path: path, kind: .group(GroupMetadata(format: options.format, attributes: attributes))).write(to: store)
            }
            var tasks: [CopyTask] = []
            for planned in plan.arrays {
                let array = try ZarrArray.create(store, path: planned.path, metadata: planned.metadata)
                tasks += copyTasks(planned, array: array)
            }
            let executor = Executor(jobs: options.jobs, memoryBudget: options.memoryBudget)
            let moved = try executor.run(tasks, progress: progress, totalBytes: plan.decodedBytes)
            try ConsolidatedMetadata.write(store)
            try target.commit()
            return ConvertSummary(arrays: plan.arrays.count, bytes: moved, seconds: Date().timeIntervalSince(started),
                                  peakTaskBytes: executor.budget.peakBytes)
        } catch {
            target.abandon()
            throw error
        }
    }

    /// One task per block of output chunks: read the block once, then encode and write each chunk.
    static func copyTasks(_ planned: PlannedArray, array: ZarrArray) -> [CopyTask] {
        let metadata = planned.metadata
        guard let blockGrid = try? ChunkGrid(shape: metadata.shape, chunkShape: planned.blockShape) else { return [] }
        let itemSize = metadata.dataType.isVariableLength ? 64 : metadata.dataType.itemSize
        let chunkBytes = ShapeMath.product(metadata.chunkShape) * itemSize
        let encodedBound = array.codecs.encodedSizeBound(ChunkSpec(shape: metadata.chunkShape, dataType: metadata.dataType, fill: array.fill)) ?? chunkBytes * 2
        let source = planned.source
        var tasks: [CopyTask] = []
        blockGrid.forEachChunkCoordinate { blockCoords in
            let block = blockGrid.region(ofChunk: blockCoords)
            let bytes = block.elementCount * itemSize + chunkBytes + encodedBound
            tasks.append(CopyTask(bytes: bytes, label: "\(planned.path) \(block)") {
                let data = try source.read(block)
                try array.grid.forEachChunk(in: block) { selection in
                    let chunk: ArrayBuffer
                    if selection.isComplete && selection.withinChunk.count == metadata.chunkShape && data.shape == metadata.chunkShape {
                        chunk = data
                    } else {
                        var padded = ArrayBuffer(filledWith: array.fill, dataType: metadata.dataType, shape: metadata.chunkShape)
                        padded.copy(from: data, sourceStart: selection.outputStart, count: selection.withinChunk.count,
                                    to: selection.withinChunk.start)
                        chunk = padded
                    }
                    try array.writeChunk(selection.chunk, chunk)
                }
                return block.elementCount * metadata.dataType.itemSize
            })
        }
        return tasks
    }
}
