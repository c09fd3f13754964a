import CubeCore
import CubeZarr

/// Turns opened datasets and options into a ``ConvertPlan``.
public enum ConvertPlanner {
    /// Plans the conversion of `datasets` (one, or several to concatenate).
    public static func plan(_ datasets: [OpenedDataset], options: ConvertOptions) throws -> ConvertPlan {
        guard let first = datasets.first else { throw CubeError(.invalidArgument, "no input files") }
        if datasets.count > 1 && options.concatDimension == nil {
            throw CubeError(.invalidArgument, "several inputs need a dimension to join them along")
        }
        var warnings = datasets.flatMap { dataset in
            dataset.unsupported.map { "\(dataset.path): skipped \($0.path): \($0.reason)" }
        }
        var groups: [(String, JSON)] = []
        var arrays: [PlannedArray] = []
        var allDimensions = Set<String>()
        var allVariables = Set<String>()
        for group in first.root.allGroups {
            groups.append((group.path, CFMapping.userAttributes(group.attributes)))
            for variable in group.variables {
                if options.format == .v3, let reason = CFMapping.zarrV3Obstacle(variable) {
                    guard options.skipUnsupported else { throw zarrV3Refusal(reason, variable: variable.path, file: first.path) }
                    warnings.append("\(first.path): skipped \(variable.path): \(zarrV3RefusalPrefix)\(reason)")
                    continue
                }
                let name = String(variable.path.split(separator: "/").last ?? "")
                allDimensions.formUnion(variable.dimensionNames)
                allVariables.insert(name)
                allVariables.insert(variable.path)
                let source = StructuredPacking.packed(try combinedSource(variable, datasets: datasets, concat: options.concatDimension))
                arrays.append(try planArray(source, name: name, options: options))
            }
        }
        let unknown = options.chunks.unknownNames(dimensions: allDimensions, variables: allVariables)
            + (options.shards?.unknownNames(dimensions: allDimensions, variables: allVariables) ?? [])
        if !unknown.isEmpty {
            throw CubeError(.invalidArgument, "chunk or shard lengths are asked for what no variable has: \(unknown.joined(separator: ", ")) (dimensions: \(allDimensions.sorted().joined(separator: ", ")))")
        }
        if datasets.count > 1, let dimension = options.concatDimension {
            try ConcatCheck.checkMonotonic(datasets, dimension: dimension)
        }
        return ConvertPlan(groups: groups, arrays: arrays.sorted { $0.path < $1.path }, warnings: warnings)
    }

    /// How every refusal of a variable that Zarr v3 cannot hold begins.
    static let zarrV3RefusalPrefix = "cannot be written to Zarr v3: "

    /// The `.unsupported` error for a variable that Zarr v3 cannot hold (Zarr v2 can), about
    /// `file: variable`.
    static func zarrV3Refusal(_ reason: String, variable: String, file: String) -> CubeError {
        CubeError(.unsupported, zarrV3RefusalPrefix + reason, context: "\(file): \(variable)", remedy: .zarrFormatOrSkip(2))
    }

    /// The variable itself, or the variable joined across every dataset along the concat dimension.
    static func combinedSource(_ variable: any ArraySource, datasets: [OpenedDataset], concat: String?) throws -> any ArraySource {
        guard datasets.count > 1, let concat else { return variable }
        let parts = try datasets.map { dataset -> any ArraySource in
            guard let part = dataset.root.allGroups.flatMap(\.variables).first(where: { $0.path == variable.path }) else {
                throw CubeError(.invalidInput, "variable '\(variable.path)' is missing (present in \(datasets[0].path))", context: dataset.path)
            }
            return part
        }
        guard let axis = variable.dimensionNames.firstIndex(of: concat) else {
            try ConcatCheck.checkEqual(parts, files: datasets.map(\.path))
            return variable
        }
        return try ConcatenatedSource(parts: parts, axis: axis)
    }

    /// Chunks, codecs, fill value and task block of one array.
    static func planArray(_ source: any ArraySource, name: String, options: ConvertOptions) throws -> PlannedArray {
        let shape = source.shape
        let defaults = source.chunkShape ?? AutoChunks.chunks(shape: shape, itemSize: max(source.dataType.itemSize, 8))
        let chunks = options.chunks.resolve(variable: name, path: source.path, dimensions: source.dimensionNames,
                                            shape: shape, defaults: defaults)
        var metadata = try CFMapping.arrayMetadata(for: source, format: options.format, chunkShape: chunks)
        var shardShape: [Int]?
        if let shards = options.shards, options.format == .v3 {
            let requested = shards.resolve(variable: name, path: source.path, dimensions: source.dimensionNames,
                                           shape: shape, defaults: chunks)
            // A shard holds a whole number of chunks.
            shardShape = zip(requested, chunks).map { ShapeMath.ceilDiv($0, $1) * $1 }
        }
        let codec = options.codec ?? (options.format == .v2 ? .blosc(cname: "lz4", clevel: 5, shuffle: "shuffle") : CodecSpec.zarrPythonDefault)
        try CubeError.annotating(source.path) { try codec.apply(to: &metadata, shardShape: shardShape) }
        let plan = try CopyPlanning.plan(source: source, target: metadata, memoryBudget: options.memoryBudget, jobs: options.jobs)
        return PlannedArray(source: source, path: source.path, metadata: metadata, plan: plan)
    }
}
