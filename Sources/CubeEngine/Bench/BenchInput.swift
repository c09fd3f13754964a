import CubeCore
import CubeHDF5
import CubeZarr
import Foundation

/// One array as opened for one timed read: its reader, and the counting store under it
/// (Zarr), or `nil` when the bytes fetched cannot be counted (NetCDF/HDF5 files).
public struct OpenedBenchArray: Sendable {
    /// The reader.
    public var source: any ArraySource
    /// What was fetched from the store since the array was opened (metadata excluded).
    public var counter: CountingStore?

    /// Wraps a reader and its counter.
    public init(source: any ArraySource, counter: CountingStore?) {
        self.source = source
        self.counter = counter
    }
}

/// One array (or NetCDF/HDF5 variable) to measure: its layout, what is known of its
/// storage, and how to open a fresh reader of it.
public struct BenchArray: Sendable {
    /// Path in the store or file (`t2m`, `group/t2m`).
    public var path: String
    /// Shape, dimension names, decode unit and stored object.
    public var layout: BenchLayout
    /// The element type.
    public var dataType: DataType
    /// The shard shape of a sharded Zarr array.
    public var shardShape: [Int]?
    /// Whether the data is chunked (false for contiguous NetCDF/HDF5 variables).
    public var chunked: Bool
    /// Bytes stored for the array's data, when known.
    public var storedBytes: Int?
    /// Codecs or filters, for listings.
    public var codecs: [String]
    /// The Zarr metadata, for Zarr arrays.
    public var zarrMetadata: ArrayMetadata?
    /// Opens a fresh reader (new store, array and file handles: nothing cached in cube).
    public var open: @Sendable () throws -> OpenedBenchArray

    /// Describes an array; `open` makes a fresh reader for each timed read.
    public init(path: String, layout: BenchLayout, dataType: DataType, shardShape: [Int]? = nil, chunked: Bool = true,
                storedBytes: Int? = nil, codecs: [String] = [], zarrMetadata: ArrayMetadata? = nil,
                open: @escaping @Sendable () throws -> OpenedBenchArray) {
        self.path = path
        self.layout = layout
        self.dataType = dataType
        self.shardShape = shardShape
        self.chunked = chunked
        self.storedBytes = storedBytes
        self.codecs = codecs
        self.zarrMetadata = zarrMetadata
        self.open = open
    }

    /// Stored bytes per decoded byte (1 when unknown).
    public var storedFraction: Double {
        guard let storedBytes, storedBytes > 0, layout.decodedBytes > 0 else { return 1 }
        return Double(storedBytes) / Double(layout.decodedBytes)
    }

    /// Estimated bytes read from storage for `chunks` decode units (average stored unit size).
    public func estimatedBytes(chunks: Int) -> Int? {
        guard let storedBytes, layout.chunkCount > 0 else { return nil }
        return Int((Double(storedBytes) / Double(layout.chunkCount) * Double(chunks)).rounded())
    }
}

/// A store or file named on the command line, with the arrays of it to measure.
public struct BenchInput: Sendable {
    /// What kind of dataset it is.
    public enum Kind: String, Sendable {
        case zarr, netcdf, hdf5
    }

    /// The argument as given.
    public var argument: String
    /// The store directory or the file.
    public var location: String
    /// Zarr, NetCDF or HDF5.
    public var kind: Kind
    /// `Zarr v3`, `NetCDF NetCDF-4`, `HDF5`, ...
    public var format: String
    /// The arrays to measure, in path order.
    public var arrays: [BenchArray]

    /// Describes an input whose arrays are already known.
    public init(argument: String, location: String, kind: Kind, format: String, arrays: [BenchArray]) {
        self.argument = argument
        self.location = location
        self.kind = kind
        self.format = format
        self.arrays = arrays
    }

    /// Opens `argument`: a Zarr directory store (or an array directory inside one, such as
    /// `era.zarr/t2m`), or a NetCDF/HDF5 file (optionally followed by `/variable`).
    ///
    /// Without a name, every array of two or more dimensions with fixed-size elements is
    /// selected; `array` (or the path suffix) selects one by path.
    public static func open(_ argument: String, array: String? = nil) throws -> BenchInput {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return try openZarr(argument, directory: argument, array: array) }
            return try openDataset(argument, file: argument, variable: array)
        }
        // `file.nc/var` or `store.zarr/missing`: find the longest existing prefix.
        var prefix = URL(fileURLWithPath: argument).standardizedFileURL.path
        var rest: [String] = []
        while prefix != "/" && !prefix.isEmpty && !FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
            rest.insert((prefix as NSString).lastPathComponent, at: 0)
            prefix = (prefix as NSString).deletingLastPathComponent
        }
        if !rest.isEmpty, FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
            let name = rest.joined(separator: "/")
            if array != nil { throw bothNames(argument) }
            if !isDirectory.boolValue {
                return try openDataset(argument, file: prefix, variable: name)
            }
            if let store = try? DirectoryStore(path: prefix), (try? ZarrNode.read(store, path: "")) != nil {
                return try openZarr(argument, directory: prefix, array: name)
            }
        }
        throw CubeError(.notFound, "no such file or directory", context: argument)
    }

    private static func bothNames(_ argument: String) -> CubeError {
        CubeError(.invalidArgument, "an array is named twice, in the path and on its own: name it once", context: argument)
    }

    // MARK: Zarr

    private static func openZarr(_ argument: String, directory: String, array: String?) throws -> BenchInput {
        var root = directory
        var arrayPath = array
        let store = try DirectoryStore(path: directory)
        guard let node = try ZarrNode.read(store, path: "") else {
            throw CubeError(.notFound, "no Zarr group or array here (no zarr.json, .zgroup or .zarray)", context: argument)
        }
        if case .array = node.kind {
            // An array directory: climb to the outermost group holding it.
            if array != nil { throw bothNames(argument) }
            var inner = ""
            var current = URL(fileURLWithPath: directory).standardizedFileURL
            while true {
                let parent = current.deletingLastPathComponent()
                guard parent.path != current.path,
                      let parentStore = try? DirectoryStore(path: parent.path),
                      let parentNode = try? ZarrNode.read(parentStore, path: ""),
                      case .group = parentNode.kind else { break }
                inner = StoreKey.join(current.lastPathComponent, inner)
                current = parent
            }
            if !inner.isEmpty {
                root = current.path
                arrayPath = inner
            } else {
                arrayPath = ""
            }
        }
        let rootStore = try DirectoryStore(path: root)
        let hierarchy = try ZarrHierarchy.open(rootStore)
        var selected: [(path: String, metadata: ArrayMetadata)]
        if let arrayPath {
            let wanted = arrayPath.split(separator: "/").joined(separator: "/")
            guard let found = hierarchy.arrays.first(where: { $0.path == wanted }) else {
                let names = hierarchy.arrays.filter { $0.metadata.shape.count >= 1 }.map(\.path)
                throw CubeError(.invalidArgument, "no array '\(wanted)' (arrays: \(names.isEmpty ? "none" : names.joined(separator: ", ")))", context: root)
            }
            guard !found.metadata.shape.isEmpty, !found.metadata.dataType.isVariableLength else {
                throw CubeError(.invalidArgument, "array '\(wanted)' is \(found.metadata.shape.isEmpty ? "0-dimensional" : "of variable-length strings"): nothing to measure", context: root)
            }
            selected = [found]
        } else {
            selected = hierarchy.arrays.filter { $0.metadata.shape.count >= 2 && !$0.metadata.dataType.isVariableLength }
        }
        let arrays = try selected.map { item in
            let report = try Inspector.report(store: rootStore, path: item.path, metadata: item.metadata)
            let path = item.path
            let storeRoot = root
            let layout = BenchLayout(shape: item.metadata.shape, dimensions: report.dimensions,
                                     itemSize: item.metadata.dataType.itemSize,
                                     chunkShape: report.chunkShape, objectShape: item.metadata.chunkShape)
            return BenchArray(path: path, layout: layout, dataType: item.metadata.dataType, shardShape: report.shardShape,
                              chunked: true, storedBytes: report.storedBytes, codecs: item.metadata.codecSummary,
                              zarrMetadata: item.metadata) {
                let counter = CountingStore(try DirectoryStore(path: storeRoot))
                let array = try ZarrArray.open(counter, path: path)
                counter.reset()
                return OpenedBenchArray(source: array, counter: counter)
            }
        }
        return BenchInput(argument: argument, location: root, kind: .zarr, format: "Zarr \(hierarchy.root.format)", arrays: arrays)
    }

    // MARK: NetCDF and HDF5

    private static func openDataset(_ argument: String, file: String, variable: String?) throws -> BenchInput {
        let dataset = try DatasetOpener.open(file, skipUnsupported: true)
        var arrays: [BenchArray] = []
        let wanted = variable.map { $0.split(separator: "/").joined(separator: "/") }
        var all: [String] = []
        for group in dataset.root.allGroups {
            for source in group.variables {
                all.append(source.path)
                if let wanted {
                    guard source.path == wanted else { continue }
                    guard !source.shape.isEmpty, !source.dataType.isVariableLength else {
                        throw CubeError(.invalidArgument, "variable '\(wanted)' is \(source.shape.isEmpty ? "a scalar" : "of variable-length strings"): nothing to measure", context: file)
                    }
                } else if source.shape.count < 2 || source.dataType.isVariableLength || source.dataType.itemSize == 0 {
                    continue
                }
                let name = String(source.path.split(separator: "/").last ?? "")
                let storage = storageInfo(of: source) ?? group.storage[name]
                let chunks = storage?.chunkShape ?? source.chunkShape
                let layout = BenchLayout(shape: source.shape, dimensions: source.dimensionNames,
                                         itemSize: source.dataType.itemSize, chunkShape: chunks ?? source.shape,
                                         contiguous: chunks == nil)
                let path = source.path
                arrays.append(BenchArray(path: path, layout: layout, dataType: source.dataType, shardShape: nil,
                                         chunked: chunks != nil, storedBytes: storage?.storedBytes ?? group.storage[name]?.storedBytes,
                                         codecs: storage?.filters ?? [], zarrMetadata: nil) {
                    let reopened = try DatasetOpener.open(file, skipUnsupported: true)
                    guard let fresh = reopened.root.allGroups.flatMap(\.variables).first(where: { $0.path == path }) else {
                        throw CubeError(.notFound, "variable '\(path)' disappeared", context: file)
                    }
                    return OpenedBenchArray(source: fresh, counter: nil)
                })
            }
        }
        if let wanted, arrays.isEmpty {
            throw CubeError(.invalidArgument, "no variable '\(wanted)' (variables: \(all.isEmpty ? "none" : all.joined(separator: ", ")))", context: file)
        }
        let kind: Kind = dataset.formatDescription == "HDF5" ? .hdf5 : .netcdf
        return BenchInput(argument: argument, location: file, kind: kind, format: dataset.formatDescription,
                          arrays: arrays.sorted { $0.path < $1.path })
    }

    /// The storage of a variable read through libhdf5 (which knows the stored size).
    private static func storageInfo(of source: any ArraySource) -> StorageInfo? {
        if let direct = source as? DirectChunkSource { return direct.dataset.storage }
        if let dataset = source as? HDF5Dataset { return dataset.storage }
        return nil
    }
}
