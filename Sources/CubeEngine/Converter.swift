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
    /// Whether this run continued an interrupted one.
    public var resumed: Bool
}

/// Runs a ``ConvertPlan``: writes metadata, copies every chunk in parallel inside the memory
/// budget and writes consolidated metadata last, as an ``OutputTransaction`` of the tool
/// `convert` (state in `.cube-convert/`, root attribute `_cube_convert_incomplete` until the
/// end), so an interrupted conversion is continued by the same command.
public enum Converter {
    /// The state directory inside an output being written.
    public static let stateDirectory = OutputTransaction.stateDirectory(tool: "convert")
    /// The root attribute marking an output as not finished.
    public static let incompleteAttribute = OutputTransaction.incompleteAttribute(tool: "convert")

    /// Opens the inputs, plans and converts; the output is complete only when this returns.
    public static func convert(_ options: ConvertOptions, progress: (any ProgressSink)? = nil,
                               warn: (String) -> Void = { _ in }) throws -> ConvertSummary {
        let datasets = try options.inputs.map { try DatasetOpener.open($0, skipUnsupported: options.skipUnsupported) }
        let plan = try ConvertPlanner.plan(datasets, options: options)
        plan.warnings.forEach(warn)
        return try run(plan, options: options, progress: progress)
    }

    /// Writes `plan` to `options.output`.
    public static func run(_ plan: ConvertPlan, options: ConvertOptions, progress: (any ProgressSink)? = nil) throws -> ConvertSummary {
        removeAbandonedStaging(of: options.output)
        let arrays = plan.arrays.map { CopyArray(path: $0.path, source: $0.source, metadata: $0.metadata, plan: $0.plan) }
        let transaction = try OutputTransaction(.init(
            tool: "convert", output: options.output, inputs: options.inputs,
            fingerprint: TransactionalCopy.fingerprint(inputs: options.inputs, format: options.format, arrays: arrays),
            description: TransactionalCopy.description(inputs: options.inputs, arrays: arrays),
            overwrite: options.overwrite, bufferedWrites: options.bufferedWrites))
        let outcome = try TransactionalCopy.run(transaction, format: options.format, groups: plan.groups, arrays: arrays,
                                                memoryBudget: options.memoryBudget, jobs: options.jobs, progress: progress)
        return ConvertSummary(arrays: arrays.count, bytes: outcome.bytes, seconds: outcome.seconds,
                              peakTaskBytes: outcome.peakTaskBytes, resumed: outcome.resumed)
    }

    /// Removes what earlier versions of cube-convert left beside an output when killed: the
    /// hidden staging directories `.NAME.cube-partial-PID` (and their `-scratch` and `-old`
    /// siblings) of processes that are no longer alive. They hold no journal, so they cannot
    /// be continued; those of a live process are left alone.
    static func removeAbandonedStaging(of output: String) {
        let url = URL(fileURLWithPath: output).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent).cube-partial-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names where name.hasPrefix(prefix) {
            let suffix = name.dropFirst(prefix.count)
            guard let pid = Int32(suffix.prefix { $0.isNumber }), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            try? FileManager.default.removeItem(atPath: parent + "/" + name)
        }
    }
}
