import CubeCore
import CubeZarr
import Foundation

/// Reads a rechunk's source and decides every array's target chunks, metadata and plan.
public enum RechunkJobBuilder {
    /// Builds the job for `options`.
    public static func build(_ options: RechunkOptions) throws -> RechunkJob {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.source, isDirectory: &isDirectory) else {
            throw CubeError(.notFound, "no such file or directory", context: options.source)
        }
        let inputs = isDirectory.boolValue ? try zarrInputs(options) : try fileInputs(options)
        let format = inputs.format
        var arrays: [RechunkArray] = []
        let names = Set(inputs.arrays.map { name(of: $0.source.path) })
        let paths = Set(inputs.arrays.map(\.source.path))
        if let wanted = options.variables {
            let missing = wanted.filter { !names.contains($0) && !paths.contains($0) }
            if !missing.isEmpty {
                throw CubeError(.invalidArgument, "variables asked for are not in the source: \(missing.joined(separator: ", ")) (it has \(names.sorted().joined(separator: ", ")))", context: options.source)
            }
        }
        var dimensions = Set<String>()
        for input in inputs.arrays {
            dimensions.formUnion(input.source.dimensionNames)
            arrays.append(try planArray(input, options: options, format: format))
        }
        let unknown = options.chunks.unknownNames(dimensions: dimensions, variables: names.union(paths))
        if !unknown.isEmpty {
            throw CubeError(.invalidArgument, "chunk lengths are asked for what no variable has: \(unknown.joined(separator: ", ")) (dimensions: \(dimensions.sorted().joined(separator: ", ")))")
        }
        // Plans use less than --max-mem where more would barely save store operations.
        let lean = try CopyPlanning.leanest(budget: options.memoryBudget) { memory in
            try arrays.map { array in
                memory == options.memoryBudget ? array.plan
                    : try CopyPlanning.plan(source: array.source, target: array.metadata, memoryBudget: memory, jobs: options.jobs)
            }
        }
        for index in arrays.indices { arrays[index].plan = lean.plans[index] }
        return RechunkJob(options: options, groups: inputs.groups, arrays: arrays.sorted { $0.path < $1.path },
                          format: format, memoryBudget: lean.memory,
                          fingerprint: TransactionalCopy.fingerprint(inputs: [options.source], format: format, arrays: arrays.map(\.copy)))
    }

    /// One source array with the metadata it would keep unchanged.
    struct Input {
        var source: any ArraySource
        var metadata: ArrayMetadata
    }

    /// A source's arrays and groups.
    struct Inputs {
        var format: ZarrFormat
        var groups: [(path: String, attributes: JSON)]
        var arrays: [Input]
    }

    /// The arrays of a Zarr store; the target keeps their format and codecs unless told otherwise.
    static func zarrInputs(_ options: RechunkOptions) throws -> Inputs {
        // Each source chunk is read once (stage tasks cover whole read blocks).
        let store = try DirectoryStore(path: options.source, readOnce: true)
        let hierarchy = try ZarrHierarchy.open(store)
        var groups: [(String, JSON)] = []
        var arrays: [Input] = []
        for node in hierarchy.nodes {
            switch node.kind {
            case .group(let g): groups.append((node.path, g.attributes))
            case .array(let m): arrays.append(Input(source: try ZarrArray(store: store, path: node.path, metadata: m), metadata: m))
            }
        }
        return Inputs(format: options.format ?? hierarchy.root.format, groups: groups, arrays: arrays)
    }

    /// The variables of a NetCDF/HDF5 file, mapped as cube-convert maps them.
    static func fileInputs(_ options: RechunkOptions) throws -> Inputs {
        let dataset = try DatasetOpener.open(options.source, skipUnsupported: false)
        let format = options.format ?? .v3
        var groups: [(String, JSON)] = []
        var arrays: [Input] = []
        for group in dataset.root.allGroups {
            groups.append((group.path, CFMapping.userAttributes(group.attributes)))
            for variable in group.variables {
                let chunks = variable.chunkShape ?? AutoChunks.chunks(shape: variable.shape, itemSize: max(variable.dataType.itemSize, 8))
                var metadata = try CFMapping.arrayMetadata(for: variable, format: format, chunkShape: chunks)
                try (format == .v2 ? CodecSpec.blosc(cname: "lz4", clevel: 5, shuffle: "shuffle") : CodecSpec.zarrPythonDefault).apply(to: &metadata)
                arrays.append(Input(source: variable, metadata: metadata))
            }
        }
        return Inputs(format: format, groups: groups, arrays: arrays)
    }

    /// The last path segment.
    static func name(of path: String) -> String { String(path.split(separator: "/").last ?? "") }

    /// Whether an array is a coordinate: one dimension, named like the array.
    static func isCoordinate(_ source: any ArraySource) -> Bool {
        source.dimensionNames.count == 1 && source.dimensionNames[0] == name(of: source.path)
    }

    /// Target chunks, metadata and plan of one array.
    static func planArray(_ input: Input, options: RechunkOptions, format: ZarrFormat) throws -> RechunkArray {
        let source = input.source
        let name = self.name(of: source.path)
        let current = sourceChunkShape(input)
        let selected = options.variables.map { $0.contains(name) || $0.contains(source.path) } ?? !isCoordinate(source)
        var defaults = current
        if selected, let preset = options.preset, source.shape.count > 1 {
            defaults = try RechunkPlanner.chunkPreset(shape: source.shape, itemSize: max(source.dataType.itemSize, 1),
                                                      dimensions: source.dimensionNames, preset: preset, targetBytes: options.chunkSize)
        }
        let named = source.dimensionNames.contains { options.chunks.names($0, variable: name, path: source.path) }
        let chunks = selected || named
            ? options.chunks.resolve(variable: name, path: source.path, dimensions: source.dimensionNames, shape: source.shape, defaults: defaults)
            : current
        var metadata = try targetMetadata(input, chunks: chunks, format: format, options: options)
        if let shards = options.shards, format == .v3 {
            let requested = shards.resolve(variable: name, path: source.path, dimensions: source.dimensionNames,
                                           shape: source.shape, defaults: chunks)
            let shardShape = zip(requested, chunks).map { ShapeMath.ceilDiv($0, $1) * $1 }
            try CubeError.annotating(source.path) {
                try (options.codec ?? .zarrPythonDefault).apply(to: &metadata, shardShape: shardShape)
            }
        }
        let plan = try CopyPlanning.plan(source: source, target: metadata, memoryBudget: options.memoryBudget, jobs: options.jobs)
        return RechunkArray(path: source.path, source: source,
                            metadata: metadata, plan: plan, rechunked: chunks != current)
    }

    /// The decode unit of the source: the inner chunk of a sharded array, else its chunk.
    static func sourceChunkShape(_ input: Input) -> [Int] {
        input.metadata.innerChunkShape ?? input.metadata.chunkShape
    }

    /// The output metadata: the source's with new chunks, codecs kept where the format is
    /// kept and no codec was asked for (a sharded source keeps its inner codecs, unsharded).
    static func targetMetadata(_ input: Input, chunks: [Int], format: ZarrFormat, options: RechunkOptions) throws -> ArrayMetadata {
        var metadata = input.metadata
        metadata.chunkShape = chunks
        if let inner = metadata.codecs.first(where: { $0["name"]?.stringValue == "sharding_indexed" }),
           let innerCodecs = inner["configuration"]?["codecs"]?.arrayValue {
            metadata.codecs = innerCodecs
        }
        if format != metadata.format {
            // Changing format: rebuild the metadata the way cube-convert would.
            let keptFill = try input.source is ZarrArray ? metadata.fillValue() : .zero(for: metadata.dataType)
            metadata = ArrayMetadata(format: format, shape: metadata.shape, chunkShape: chunks, dataType: metadata.dataType,
                                     fillValueJSON: ElementJSON.fillJSON(keptFill, dataType: metadata.dataType),
                                     dimensionNames: metadata.dimensionNames, attributes: metadata.attributes,
                                     byteOrder: metadata.dataType.swapUnit > 1 ? .little : nil)
            try (options.codec ?? (format == .v2 ? .blosc(cname: "lz4", clevel: 5, shuffle: "shuffle") : .zarrPythonDefault)).apply(to: &metadata)
        } else if let codec = options.codec, options.shards == nil {
            try codec.apply(to: &metadata)
        }
        metadata.extraFields = []
        return metadata
    }
}
