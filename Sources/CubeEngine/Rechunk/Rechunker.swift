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

/// Runs a ``RechunkJob`` into its output directory, resumably, as an ``OutputTransaction``
/// of the tool `rechunk` (state in `.cube-rechunk/`, root attribute
/// `_cube_rechunk_incomplete` until the end).
public enum Rechunker {
    /// The state directory inside an output being written.
    public static let stateDirectory = OutputTransaction.stateDirectory(tool: "rechunk")
    /// The root attribute marking an output as not finished.
    public static let incompleteAttribute = OutputTransaction.incompleteAttribute(tool: "rechunk")

    /// Rechunks; the output is complete only when this returns.
    public static func run(_ job: RechunkJob, progress: (any ProgressSink)? = nil) throws -> RechunkSummary {
        let options = job.options
        let arrays = job.arrays.map(\.copy)
        let transaction = try OutputTransaction(.init(
            tool: "rechunk", output: options.output, inputs: [options.source], fingerprint: job.fingerprint,
            description: TransactionalCopy.description(inputs: [options.source], arrays: arrays),
            temp: options.temp, overwrite: options.overwrite, bufferedWrites: options.bufferedWrites))
        let outcome = try TransactionalCopy.run(transaction, format: job.format, groups: job.groups, arrays: arrays,
                                                memoryBudget: job.memoryBudget, jobs: options.jobs,
                                                keepTemp: options.keepTemp, progress: progress)
        return RechunkSummary(arrays: arrays.count, bytes: outcome.bytes, seconds: outcome.seconds,
                              peakTaskBytes: outcome.peakTaskBytes, resumed: outcome.resumed, redoneTasks: outcome.redoneTasks)
    }
}
