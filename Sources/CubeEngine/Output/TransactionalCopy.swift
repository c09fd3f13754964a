import CubeCore
import CubeZarr
import Foundation

/// One array a copying tool writes: where its data comes from, what it becomes, and how.
public struct CopyArray: Sendable {
    /// Node path in the output.
    public var path: String
    /// The data.
    public var source: any ArraySource
    /// The output array's metadata.
    public var metadata: ArrayMetadata
    /// How the data moves from the source's chunks to the output's.
    public var plan: RechunkPlan

    /// An array to copy.
    public init(path: String, source: any ArraySource, metadata: ArrayMetadata, plan: RechunkPlan) {
        self.path = path
        self.source = source
        self.metadata = metadata
        self.plan = plan
    }
}

/// What a finished copy did.
public struct CopyOutcome: Sendable {
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

/// The one way cube-convert and cube-rechunk write: every array copied into an
/// ``OutputTransaction``, so both refuse overlapping outputs, lock, journal and resume
/// after a crash alike.
public enum TransactionalCopy {
    /// The fingerprint of a copy: the inputs, the format and, for each array, its source
    /// chunks, its metadata and the chunks each stage writes. The same command on the same
    /// inputs has the same fingerprint; anything that changes a written byte changes it.
    public static func fingerprint(inputs: [String], format: ZarrFormat, arrays: [CopyArray]) -> String {
        let document: JSON = [
            "inputs": .array(inputs.map { .string(URL(fileURLWithPath: $0).standardizedFileURL.path) }),
            "format": JSON(format.rawValue),
            "arrays": .array(arrays.map { array in
                ["path": .string(array.path), "source_chunks": JSON(array.source.chunkShape ?? []),
                 "metadata": format == .v2 ? array.metadata.v2ArrayJSON() : array.metadata.v3JSON(),
                 "stages": .array(array.plan.stages.map { JSON($0.writeChunks) })]
            }),
        ]
        return Fingerprint.of(document)
    }

    /// What `plan.json` records besides the fingerprint: the inputs and each array's plan.
    public static func description(inputs: [String], arrays: [CopyArray]) -> JSON {
        ["inputs": .array(inputs.map { .string($0) }),
         "arrays": .array(arrays.map { .string("\($0.path): \($0.plan.description)") })]
    }

    /// Writes `groups` and `arrays` into `transaction` on `jobs` workers inside
    /// `memoryBudget`, skipping work an interrupted run finished, and commits. A failure
    /// leaves the output marked incomplete, to be continued by the same command.
    public static func run(_ transaction: OutputTransaction, format: ZarrFormat, groups: [(path: String, attributes: JSON)],
                           arrays: [CopyArray], memoryBudget: Int, jobs: Int, keepTemp: Bool = false,
                           progress: (any ProgressSink)? = nil) throws -> CopyOutcome {
        let started = Date()
        let targets = try transaction.writeNodes(format: format, groups: groups, arrays: arrays.map { ($0.path, $0.metadata) })
        let needsTemp = arrays.contains { !$0.plan.isDirect }
        let intermediates = needsTemp ? try IntermediateStores(path: transaction.intermediatesPath, keep: keepTemp) : nil
        let executor = Executor(jobs: jobs, memoryBudget: memoryBudget)
        let copies = zip(arrays, targets).map { ArrayCopyJob(source: $0.source, target: $1, plan: $0.plan) }
        let redone = transaction.resumed
            ? try intermediates.map { try StagedCopy.forgetLostWork(copies, intermediates: $0, journal: transaction.journal) } ?? 0
            : 0
        let moved: Int
        do {
            moved = try StagedCopy.run(copies, executor: executor, intermediates: intermediates,
                                       journal: transaction.journal, progress: progress)
        } catch var error as CubeError where error.kind == .io {
            error.message += " (the output stays marked incomplete: once this is fixed, the same command continues where this run stopped)"
            throw error
        }
        // Intermediates go before the commit: a crash between the two leaves a finished
        // journal that needs none of them, never a scratch directory nobody removes.
        if needsTemp && !keepTemp { try? FileManager.default.removeItem(atPath: transaction.intermediatesPath) }
        try transaction.commit()
        return CopyOutcome(bytes: moved, seconds: Date().timeIntervalSince(started), peakTaskBytes: executor.budget.peakBytes,
                           resumed: transaction.resumed, redoneTasks: redone)
    }
}
