import CubeCore
import CubeHDF5

/// A netCDF-4 variable described by libnetcdf but read through libhdf5's raw chunks, so
/// deflate and shuffle are undone in parallel outside the libraries' locks.
struct DirectChunkSource: ArraySource {
    /// The variable as libnetcdf sees it (names, attributes, types).
    let variable: any ArraySource
    /// The same data as an HDF5 dataset whose chunks cube decodes itself.
    let dataset: HDF5Dataset

    var path: String { variable.path }
    var shape: [Int] { variable.shape }
    var dataType: DataType { variable.dataType }
    var chunkShape: [Int]? { variable.chunkShape }
    var dimensionNames: [String] { variable.dimensionNames }
    var attributes: [Attribute] { variable.attributes }

    func read(_ region: Region) throws -> ArrayBuffer {
        try dataset.read(region)
    }

    /// Replaces, in every group, the chunked numeric variables whose chunks cube can decode
    /// itself with direct readers; the others stay as they are.
    static func accelerate(_ root: DatasetGroup, file: HDF5File) -> DatasetGroup {
        var group = root
        group.variables = root.variables.map { variable in
            guard variable.chunkShape != nil, !variable.dataType.isVariableLength,
                  let dataset = try? file.dataset(atPath: variable.path, dimensionNames: variable.dimensionNames),
                  dataset.decodesChunksDirectly, dataset.shape == variable.shape, dataset.dataType == variable.dataType,
                  dataset.chunkShape == variable.chunkShape else { return variable }
            return DirectChunkSource(variable: variable, dataset: dataset)
        }
        group.groups = root.groups.map { accelerate($0, file: file) }
        return group
    }
}
