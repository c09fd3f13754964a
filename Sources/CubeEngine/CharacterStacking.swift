import CubeCore

/// Joins character arrays into fixed-width strings exactly where xarray does.
///
/// Readers expose a NetCDF `NC_CHAR` variable (or an HDF5 dataset of one-byte strings) as
/// an array of one-byte ``DataType/bytes(_:)`` elements with all its dimensions. xarray's CF
/// decoding (`decode_cf_variables`, `CharacterArrayCoder`) turns such an `S1` variable into
/// `S<n>` strings along its last dimension only when that dimension is a string length for
/// the whole group: no variable of the group is named after it, and every variable of the
/// group that uses it holds fixed-width bytes and uses it as its last dimension. Otherwise
/// the variable stays an array of characters (and a `_FillValue` applies per character).
/// 0-d character variables stay single characters.
public enum CharacterStacking {
    /// `group` and its subgroups with each character variable joined where xarray joins it.
    public static func apply(_ group: DatasetGroup) -> DatasetGroup {
        var result = group
        let names = Set(group.variables.map(name(of:)))
        var storage = group.storage
        result.variables = group.variables.map { variable in
            guard variable.dataType == .bytes(1), let last = variable.dimensionNames.last,
                  variable.shape.count == variable.dimensionNames.count,
                  isStringLength(last, variables: group.variables, variableNames: names) else { return variable }
            let name = name(of: variable)
            if var info = storage[name], let chunks = info.chunkShape, !chunks.isEmpty {
                info.chunkShape = Array(chunks.dropLast())
                storage[name] = info
            }
            return StackedCharacters(characters: variable)
        }
        result.storage = storage
        result.groups = group.groups.map(apply)
        return result
    }

    /// Whether xarray treats `dimension` as a string length in a group holding `variables`.
    static func isStringLength(_ dimension: String, variables: [any ArraySource], variableNames: Set<String>) -> Bool {
        guard !variableNames.contains(dimension) else { return false }
        return variables.allSatisfy { variable in
            guard variable.dimensionNames.contains(dimension) else { return true }
            guard case .bytes = variable.dataType else { return false }
            return variable.dimensionNames.last == dimension
        }
    }

    /// A variable's name without its group path.
    static func name(of variable: any ArraySource) -> String {
        String(variable.path.split(separator: "/").last ?? "")
    }
}

/// A character array read as fixed-width strings along its last dimension.
///
/// `n` characters in a row are the bytes of one `S<n>` string, so regions are read with the
/// whole last dimension and the bytes are kept as they are. A string length of 0 gives
/// one-byte empty strings, as xarray's `char_to_bytes` does.
struct StackedCharacters: ArraySource {
    /// The one-byte-per-character source, with the string length as its last dimension.
    let characters: any ArraySource

    /// The string length.
    private var length: Int { characters.shape.last ?? 1 }

    var path: String { characters.path }
    var shape: [Int] { Array(characters.shape.dropLast()) }
    var dataType: DataType { .bytes(max(length, 1)) }
    var chunkShape: [Int]? { characters.chunkShape.map { Array($0.dropLast()) } }
    var dimensionNames: [String] { Array(characters.dimensionNames.dropLast()) }
    var attributes: [Attribute] { characters.attributes }

    func read(_ region: Region) throws -> ArrayBuffer {
        try read(region, concurrency: 1)
    }

    func read(_ region: Region, concurrency: Int) throws -> ArrayBuffer {
        try region.validate(within: shape, context: path)
        guard length > 0 else {
            return ArrayBuffer(filledWith: .zero(for: dataType), dataType: dataType, shape: region.count)
        }
        let rows = try characters.read(Region(start: region.start + [0], count: region.count + [length]),
                                       concurrency: concurrency)
        return ArrayBuffer(dataType: dataType, shape: region.count, storage: rows.storage)
    }
}
