import CubeCore
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
        try OutputOverlap.check(options.output, inputs: options.inputs)
        let target = try StagedTarget.begin(options.output, overwrite: options.overwrite)
        do {
            let store = try DirectoryStore(path: target.stagingPath, create: false, atomicWrites: false,
                                           bypassPageCache: !options.bufferedWrites)
            for (path, attributes) in plan.groups {
                try ZarrNode(path: path, kind: .group(GroupMetadata(format: options.format, attributes: attributes))).write(to: store)
            }
            let jobs = try plan.arrays.map { planned in
                ArrayCopyJob(source: planned.source, target: try ZarrArray.create(store, path: planned.path, metadata: planned.metadata),
                             plan: planned.plan)
            }
            // Arrays whose chunks change a lot pass through scratch arrays beside the output.
            let scratchPath = target.stagingPath + "-scratch"
            let intermediates = plan.arrays.contains { !$0.plan.isDirect } ? try IntermediateStores(path: scratchPath, keep: false) : nil
            defer { if intermediates != nil { try? FileManager.default.removeItem(atPath: scratchPath) } }
            let executor = Executor(jobs: options.jobs, memoryBudget: options.memoryBudget)
            let moved = try StagedCopy.run(jobs, executor: executor, intermediates: intermediates, progress: progress)
            try ConsolidatedMetadata.write(store)
            try target.commit()
            return ConvertSummary(arrays: plan.arrays.count, bytes: moved, seconds: Date().timeIntervalSince(started),
                                  peakTaskBytes: executor.budget.peakBytes)
        } catch {
            target.abandon()
            throw error
        }
    }
}
