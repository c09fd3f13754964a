import CubeCore
import CubeZarr
import Foundation

/// What a finished rechunk did.
public struct RechunkSummary: Sendable {
    /// Arrays written.
    public var arrays: Int
    /// Decoded bytes moved, all stages together.
    public var bytes: Int
    /// Wall-clock seconds.
    public var seconds: Double
    /// The most bytes held by tasks at once.
    public var peakTaskBytes: Int
    /// Whether this run continued an interrupted one.
    public var resumed: Bool
    /// Tasks an interrupted run had finished that this one did again, because the
    /// intermediate chunks they wrote were gone (see ``StagedCopy/forgetLostWork(_:intermediates:journal:)``).
    public var redoneTasks: Int
}

/// Runs a ``RechunkJob`` into its output directory, resumably.
///
/// The output holds `.cube-rechunk/` while it is being written: `plan.json` (the job's
/// fingerprint), `journal` (finished tasks) and `lock` (held with `flock` by the running
/// process). The root node carries the attribute `_cube_rechunk_incomplete` until the end.
/// Running the same command again after a crash continues from the journal; a different
/// command is refused. Last, the attribute is removed, consolidated metadata written and
/// `.cube-rechunk/` deleted.
public enum Rechunker {
    /// The state directory inside an output being written.
    public static let stateDirectory = ".cube-rechunk"
    /// The root attribute marking an output as not finished.
    public static let incompleteAttribute = "_cube_rechunk_incomplete"

    /// Rechunks; the output is complete only when this returns.
    public static func run(_ job: RechunkJob, progress: (any ProgressSink)? = nil) throws -> RechunkSummary {
        let started = Date()
        let options = job.options
        let output = URL(fileURLWithPath: options.output).standardizedFileURL.path
        let state = output + "/" + stateDirectory
        let tempRoot = options.temp ?? (output as NSString).deletingLastPathComponent
        let tempPath = tempRoot + "/." + (output as NSString).lastPathComponent + ".cube-rechunk-temp"
        try OutputOverlap.check(options.output, inputs: [options.source])
        try OutputOverlap.check(tempPath, role: "directory for intermediate stores", inputs: [options.source])
        let (lock, resumed) = try prepare(output: output, state: state, job: job)
        defer { withExtendedLifetime(lock) {} }
        let journal = try Journal(path: state + "/journal")
        // Chunks need no atomic replace: the output is marked incomplete until the end, and a
        // task cut short is redone whole.
        let store = try DirectoryStore(path: output, atomicWrites: false, bypassPageCache: !options.bufferedWrites)
        let arrays = try writeMetadata(job, store: store, complete: false)

        let needsTemp = job.arrays.contains { !$0.plan.isDirect }
        if !resumed && FileManager.default.fileExists(atPath: tempPath) {
            // Left by an interrupted run that is not being resumed (its output was removed or
            // overwritten): its intermediates belong to another plan.
            try FileManager.default.removeItem(atPath: tempPath)
        }
        let intermediates = needsTemp ? try IntermediateStores(path: tempPath, keep: options.keepTemp) : nil
        let executor = Executor(jobs: options.jobs, memoryBudget: job.memoryBudget)
        let jobs = zip(job.arrays, arrays).map { ArrayCopyJob(source: $0.source, target: $1, plan: $0.plan) }
        let redone = resumed ? try intermediates.map { try StagedCopy.forgetLostWork(jobs, intermediates: $0, journal: journal) } ?? 0 : 0
        let moved = try StagedCopy.run(jobs, executor: executor, intermediates: intermediates, journal: journal, progress: progress)

        _ = try writeMetadata(job, store: store, complete: true)
        if case .group = (try ZarrNode.read(store, path: ""))?.kind {
            try ConsolidatedMetadata.write(store)
        }
        if needsTemp && !options.keepTemp { try? FileManager.default.removeItem(atPath: tempPath) }
        try FileManager.default.removeItem(atPath: state)
        return RechunkSummary(arrays: job.arrays.count, bytes: moved, seconds: Date().timeIntervalSince(started),
                              peakTaskBytes: executor.budget.peakBytes, resumed: resumed, redoneTasks: redone)
    }

    /// Creates or reopens the output and takes its lock. Returns whether an interrupted run
    /// with the same fingerprint is being resumed.
    static func prepare(output: String, state: String, job: RechunkJob) throws -> (TargetLock, Bool) {
        let fm = FileManager.default
        let planPath = state + "/plan.json"
        if fm.fileExists(atPath: output) {
            if fm.fileExists(atPath: state) {
                let lock = try TargetLock(path: state + "/lock")
                let recorded = (try? JSON.parse(Array(Data(contentsOf: URL(fileURLWithPath: planPath)))))?["fingerprint"]?.stringValue
                if recorded == job.fingerprint { return (lock, true) }
                guard job.options.overwrite else {
                    throw CubeError(.conflict, "an interrupted rechunk with a different command or input is here (plan \(recorded ?? "unknown"), now \(job.fingerprint)); run the original command to finish it, or add --overwrite to start over", context: output)
                }
            } else if !job.options.overwrite {
                throw CubeError(.conflict, "output already exists (use --overwrite to replace it)", context: output)
            }
            try fm.removeItem(atPath: output)
        }
        do {
            try fm.createDirectory(atPath: state, withIntermediateDirectories: true)
        } catch {
            throw CubeError(.io, "cannot create the output: \(error.localizedDescription)", context: output)
        }
        let lock = try TargetLock(path: state + "/lock")
        let plan: JSON = ["fingerprint": .string(job.fingerprint), "source": .string(job.options.source),
                          "arrays": .array(job.arrays.map { .string("\($0.path): \($0.plan.description)") })]
        try Data(plan.serializedBytes(.init(indent: 2))).write(to: URL(fileURLWithPath: planPath))
        return (lock, false)
    }

    /// Writes every group's and array's metadata (the root marked incomplete unless
    /// `complete`) and returns the target arrays.
    static func writeMetadata(_ job: RechunkJob, store: DirectoryStore, complete: Bool) throws -> [ZarrArray] {
        func mark(_ attributes: JSON, _ path: String) -> JSON {
            path.isEmpty && !complete ? attributes.setting(incompleteAttribute, true) : attributes.removing(incompleteAttribute)
        }
        for (path, attributes) in job.groups {
            try ZarrNode(path: path, kind: .group(GroupMetadata(format: job.format, attributes: mark(attributes, path)))).write(to: store)
        }
        return try job.arrays.map { array in
            var metadata = array.metadata
            metadata.attributes = mark(metadata.attributes, array.path)
            try ZarrNode(path: array.path, kind: .array(metadata)).write(to: store)
            return try ZarrArray(store: store, path: array.path, metadata: array.metadata)
        }
    }
}
