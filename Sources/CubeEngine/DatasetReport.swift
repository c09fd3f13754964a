import CubeCore

/// What `cube-info` says about a NetCDF or HDF5 file: groups, dimensions, variables with
/// their storage (layout, chunks, filters, sizes) and access costs.
public struct DatasetReport: Sendable {
    /// One variable's entry.
    public struct Variable: Sendable {
        /// Path in the file.
        public var path: String
        /// Dimension names.
        public var dimensions: [String]
        /// Shape.
        public var shape: [Int]
        /// Element type.
        public var dataType: DataType
        /// Storage details.
        public var storage: StorageInfo?
        /// Decoded size (0 for strings).
        public var decodedBytes: Int
        /// Costs of the series and slice patterns.
        public var access: [AccessCost]
        /// Attributes as JSON.
        public var attributes: JSON
    }

    /// The opened file.
    public var dataset: OpenedDataset
    /// Variables in path order.
    public var variables: [Variable]

    /// Opens and inspects `path`.
    public static func inspect(_ path: String, along: String? = nil) throws -> DatasetReport {
        let dataset = try DatasetOpener.open(path, skipUnsupported: true)
        var variables: [Variable] = []
        for group in dataset.root.allGroups {
            for source in group.variables {
                let name = String(source.path.split(separator: "/").last ?? "")
                let storage = group.storage[name]
                let chunks = storage?.chunkShape ?? source.chunkShape ?? source.shape.map { max($0, 1) }
                let units = zip(source.shape, chunks).reduce(1) { $0 * ShapeMath.ceilDiv($1.0, max($1.1, 1)) }
                let perChunk = storage?.storedBytes.map { units > 0 ? Double($0) / Double(units) : 0 } ?? 0
                variables.append(Variable(
                    path: source.path, dimensions: source.dimensionNames, shape: source.shape, dataType: source.dataType,
                    storage: storage, decodedBytes: ShapeMath.product(source.shape) * source.dataType.itemSize,
                    access: AccessCost.estimate(shape: source.shape, dimensions: source.dimensionNames, chunkShape: chunks,
                                                objectShape: chunks, itemSize: source.dataType.itemSize,
                                                storedBytesPerChunk: perChunk, along: along),
                    attributes: CFMapping.json(attributes: source.attributes)))
            }
        }
        return DatasetReport(dataset: dataset, variables: variables.sorted { $0.path < $1.path })
    }

    /// The report as JSON (schema 1, `kind: "netcdf"` or `"hdf5"`).
    public func json() -> JSON {
        let groups: [JSON] = dataset.root.allGroups.map { group in
            ["path": .string(group.path),
             "dimensions": .array(group.dimensions.map { ["name": .string($0.name), "length": JSON($0.length), "unlimited": .bool($0.isUnlimited)] }),
             "attributes": CFMapping.json(attributes: group.attributes)]
        }
        let variables: [JSON] = self.variables.map { v in
            ["path": .string(v.path), "dimensions": .array(v.dimensions.map(JSON.string)), "shape": JSON(v.shape),
             "data_type": .string(v.dataType.description), "layout": v.storage.map { .string($0.layout) } ?? .null,
             "chunk_shape": v.storage?.chunkShape.map { JSON($0) } ?? .null,
             "filters": .array((v.storage?.filters ?? []).map(JSON.string)),
             "stored_bytes": v.storage?.storedBytes.map { JSON($0) } ?? .null, "decoded_bytes": JSON(v.decodedBytes),
             "access": .array(v.access.map(\.json)), "attributes": v.attributes]
        }
        return ["schema": 1, "kind": .string(dataset.formatDescription == "HDF5" ? "hdf5" : "netcdf"),
                "file": .string(dataset.path), "format": .string(dataset.formatDescription),
                "groups": .array(groups), "variables": .array(variables),
                "unsupported": .array(dataset.unsupported.map { InfoText.unsupportedJSON(path: $0.path, reason: $0.reason) })]
    }

    /// The report as text for a terminal.
    public func text(includeAttributes: Bool) -> String {
        var lines = ["\(dataset.path)  (\(dataset.formatDescription))"]
        for group in dataset.root.allGroups {
            lines.append("")
            lines.append("group /\(group.path)")
            if !group.dimensions.isEmpty {
                lines.append("  dimensions  " + group.dimensions.map { "\($0.name)=\($0.length)\($0.isUnlimited ? " (unlimited)" : "")" }.joined(separator: ", "))
            }
            if includeAttributes { lines += InfoText.attributeLines(CFMapping.json(attributes: group.attributes)) }
        }
        for v in variables {
            lines.append("")
            lines.append("variable /\(v.path)  \(v.dataType) (" + zip(v.dimensions, v.shape).map { "\($0)=\($1)" }.joined(separator: ", ") + ")")
            if let storage = v.storage {
                lines.append("  storage     \(storage.layout)" + (storage.chunkShape.map { ", chunks \(InfoText.shape($0))" } ?? "")
                             + (storage.filters.isEmpty ? "" : ", " + storage.filters.joined(separator: " → ")))
                if let stored = storage.storedBytes {
                    lines.append("  stored      \(ByteCount.format(stored)) of \(ByteCount.format(v.decodedBytes)) decoded")
                }
            }
            lines += v.access.map { InfoText.accessLine($0, sharded: false) }
            if includeAttributes { lines += InfoText.attributeLines(v.attributes) }
        }
        lines += dataset.unsupported.flatMap { InfoText.unsupportedLines("variable", path: $0.path, reason: $0.reason) }
        return lines.joined(separator: "\n")
    }
}

extension CFMapping {
    /// Attributes as a JSON object, nothing dropped (for inspection).
    public static func json(attributes: [Attribute]) -> JSON {
        .object(attributes.map { ($0.name, json($0.value)) })
    }
}

extension AccessCost {
    /// The cost as JSON.
    public var json: JSON {
        ["pattern": .string(pattern), "dimension": .string(dimension), "chunks": JSON(chunks),
         "objects": JSON(objects), "decoded_bytes": JSON(decodedBytes), "stored_bytes": JSON(storedBytes)]
    }
}

/// Text formatting shared by the Zarr and NetCDF/HDF5 reports.
enum InfoText {
    static func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: " × ") }

    static func attributeLines(_ attributes: JSON) -> [String] {
        (attributes.objectValue ?? []).map { "  @\($0.0) = \($0.1.serialized())" }
    }

    /// The lines marking a node or variable (`label`) that is there but cannot be read.
    static func unsupportedLines(_ label: String, path: String, reason: String) -> [String] {
        ["", "\(label) /\(path)  unsupported: \(reason)"]
    }

    /// The `unsupported` entry of a node or variable, in the JSON of either report.
    static func unsupportedJSON(path: String, reason: String) -> JSON {
        ["path": .string(path), "reason": .string(reason)]
    }

    static func accessLine(_ c: AccessCost, sharded: Bool) -> String {
        let label = c.pattern == "series" ? "series along \(c.dimension)" : "slice of \(c.dimension)"
        return "  \(label.padding(toLength: 24, withPad: " ", startingAt: 0)) \(c.chunks) chunk\(c.chunks == 1 ? "" : "s")"
            + (sharded ? " in \(c.objects) shard\(c.objects == 1 ? "" : "s")" : "")
            + ", \(ByteCount.format(c.decodedBytes)) decoded" + (c.storedBytes > 0 ? ", ~\(ByteCount.format(c.storedBytes)) read" : "")
    }
}
