import CubeCore
import CubeZarr
import Foundation

/// An output written as one resumable transaction: refused where it overlaps an input,
/// locked against other writers, marked incomplete, journaled, and committed last.
///
/// The output directory holds `.cube-TOOL/` while it is being written: `plan.json` (the
/// job's fingerprint), `journal` (finished work) and `lock` (held with `flock` by the
/// writing process, so the kernel releases it even on `kill -9`). The root node carries
/// the attribute `_cube_TOOL_incomplete` until ``commit(consolidate:)``, which removes it,
/// writes consolidated metadata and deletes the state directory, in that order. Running
/// the same job again after an interruption resumes it; a different job is refused
/// unless `overwrite`, which starts over. Intermediate stores live in
/// `.NAME.cube-TOOL-temp` beside the output (or in the directory given).
///
/// This is the directory implementation; an object-store one keeps the same steps with a
/// conditional-create lock object and journal objects (see ARCHITECTURE.md).
public final class OutputTransaction: @unchecked Sendable {
    /// What the transaction needs to know before anything is touched.
    public struct Request: Sendable {
        /// The tool writing (`rechunk`, `convert`): names the state directory, the marker
        /// attribute and the intermediates directory, and appears in messages.
        public var tool: String
        /// The output as the user named it.
        public var output: String
        /// The inputs the output must not overlap.
        public var inputs: [String]
        /// Identifies the job: a run resumes only an output with the same.
        public var fingerprint: String
        /// Written beside the fingerprint in `plan.json`, for people inspecting a partial output.
        public var description: JSON
        /// Where the intermediates directory goes (`nil`: beside the output).
        public var temp: String?
        /// Replace an existing output, or start an interrupted one over.
        public var overwrite: Bool
        /// Write chunks through the page cache instead of past it.
        public var bufferedWrites: Bool

        /// A request with every field given.
        public init(tool: String, output: String, inputs: [String], fingerprint: String, description: JSON,
                    temp: String? = nil, overwrite: Bool = false, bufferedWrites: Bool = false) {
            self.tool = tool
            self.output = output
            self.inputs = inputs
            self.fingerprint = fingerprint
            self.description = description
            self.temp = temp
            self.overwrite = overwrite
            self.bufferedWrites = bufferedWrites
        }
    }

    /// The output directory, resolved.
    public let path: String
    /// The output store (chunks written in place, without atomic renames: the marker
    /// covers them, and a task cut short is redone whole).
    public let store: DirectoryStore
    /// Finished work of this and earlier runs of the same job.
    public let journal: Journal
    /// Whether an interrupted run of the same job is being continued.
    public let resumed: Bool
    /// Where this job's intermediate stores live.
    public let intermediatesPath: String
    private let tool: String
    private let lock: TargetLock

    /// The state directory of outputs `tool` is writing.
    public static func stateDirectory(tool: String) -> String { ".cube-\(tool)" }
    /// The root attribute that marks an output `tool` has not finished.
    public static func incompleteAttribute(tool: String) -> String { "_cube_\(tool)_incomplete" }

    private var state: String { path + "/" + Self.stateDirectory(tool: tool) }
    private var marker: String { Self.incompleteAttribute(tool: tool) }

    /// Checks the output against the inputs, then creates it or reopens an interrupted run
    /// of the same job, and takes its lock.
    public init(_ request: Request) throws {
        let output = URL(fileURLWithPath: request.output).standardizedFileURL.path
        let name = (output as NSString).lastPathComponent
        let tempRoot = request.temp ?? (output as NSString).deletingLastPathComponent
        let intermediates = tempRoot + "/." + name + ".cube-\(request.tool)-temp"
        try OutputOverlap.check(request.output, inputs: request.inputs)
        try OutputOverlap.check(intermediates, role: "directory for intermediate stores", inputs: request.inputs)
        path = output
        tool = request.tool
        intermediatesPath = intermediates
        (lock, resumed) = try Self.open(output, state: output + "/" + Self.stateDirectory(tool: request.tool), request: request)
        journal = try Journal(path: output + "/" + Self.stateDirectory(tool: request.tool) + "/journal")
        store = try DirectoryStore(path: output, atomicWrites: false, bypassPageCache: !request.bufferedWrites)
        if !resumed && FileManager.default.fileExists(atPath: intermediates) {
            // Left by an interrupted run that is not being resumed (its output was removed or
            // overwritten): its intermediates belong to another plan.
            try FileManager.default.removeItem(atPath: intermediates)
        }
    }

    /// Creates or reopens the output and takes its lock; returns whether an interrupted
    /// run of the same job is resumed.
    private static func open(_ output: String, state: String, request: Request) throws -> (TargetLock, Bool) {
        let fm = FileManager.default
        let planPath = state + "/plan.json"
        if fm.fileExists(atPath: output) {
            if fm.fileExists(atPath: state) {
                let lock = try TargetLock(path: state + "/lock", tool: "cube-\(request.tool)")
                let recorded = (try? JSON.parse(Array(Data(contentsOf: URL(fileURLWithPath: planPath)))))?["fingerprint"]?.stringValue
                if recorded == request.fingerprint { return (lock, true) }
                guard request.overwrite else {
                    throw CubeError(.conflict, "an interrupted cube-\(request.tool) with a different command or input is here (plan \(recorded ?? "unknown"), now \(request.fingerprint)); run the original command to finish it", context: output, remedy: .replaceOutput)
                }
            } else if !request.overwrite {
                throw CubeError(.conflict, "output already exists", context: output, remedy: .replaceOutput)
            }
            do {
                try fm.removeItem(atPath: output)
            } catch {
                throw CubeError(.io, "cannot remove the old output: \(error.localizedDescription)", context: output)
            }
        } else {
            let parent = (output as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CubeError(.notFound, "the output's parent directory does not exist", context: parent)
            }
        }
        do {
            try fm.createDirectory(atPath: state, withIntermediateDirectories: true)
        } catch {
            throw CubeError(.io, "cannot create the output: \(error.localizedDescription)", context: output)
        }
        let lock = try TargetLock(path: state + "/lock", tool: "cube-\(request.tool)")
        var plan = request.description
        plan = plan.setting("fingerprint", .string(request.fingerprint))
        do {
            try Data(plan.serializedBytes(.init(indent: 2))).write(to: URL(fileURLWithPath: planPath))
        } catch {
            throw CubeError(.io, "cannot record the plan: \(error.localizedDescription)", context: planPath)
        }
        return (lock, false)
    }

    /// Writes the metadata of every group and array, the root marked incomplete (any
    /// marker a node carried from its source is dropped), and returns the arrays.
    public func writeNodes(format: ZarrFormat, groups: [(path: String, attributes: JSON)],
                           arrays: [(path: String, metadata: ArrayMetadata)]) throws -> [ZarrArray] {
        func marked(_ attributes: JSON, _ path: String) -> JSON {
            path.isEmpty ? attributes.setting(marker, true) : attributes.removing(marker)
        }
        for (path, attributes) in groups {
            try ZarrNode(path: path, kind: .group(GroupMetadata(format: format, attributes: marked(attributes, path)))).write(to: store)
        }
        return try arrays.map { array in
            var metadata = array.metadata
            metadata.attributes = marked(metadata.attributes, array.path)
            try ZarrNode(path: array.path, kind: .array(metadata)).write(to: store)
            return try ZarrArray(store: store, path: array.path, metadata: array.metadata)
        }
    }

    /// Makes the output complete, once every chunk is written: the root's marker goes,
    /// consolidated metadata is written (when `consolidate` and the root is a group), and
    /// the state directory is deleted last.
    public func commit(consolidate: Bool = true) throws {
        guard let root = try ZarrNode.read(store, path: "") else {
            throw CubeError(.notFound, "the output's root metadata is gone", context: path)
        }
        let finished: ZarrNode
        switch root.kind {
        case .group(var group):
            group.attributes = group.attributes.removing(marker)
            finished = ZarrNode(path: "", kind: .group(group))
        case .array(var metadata):
            metadata.attributes = metadata.attributes.removing(marker)
            finished = ZarrNode(path: "", kind: .array(metadata))
        }
        try finished.write(to: store)
        if consolidate, case .group = finished.kind { try ConsolidatedMetadata.write(store) }
        do {
            try FileManager.default.removeItem(atPath: state)
        } catch {
            throw CubeError(.io, "cannot remove the state directory: \(error.localizedDescription)", context: state)
        }
        withExtendedLifetime(lock) {}
    }
}
