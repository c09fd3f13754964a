import CNetCDF
import CubeCore

/// Reads how a variable is stored: layout, chunk shape and filter pipeline.
///
/// `fileShape` is the variable's shape in the file; `fileItemSize` the bytes of one element
/// there (0 for variable-length types).
func ncStorageInfo(group ncid: Int32, variable varid: Int32, fileShape: [Int], fileItemSize: Int,
                   format: NetCDFFormat, context: NCContext) throws -> StorageInfo {
    var storage: Int32 = 0
    var chunks = [Int](repeating: 0, count: max(fileShape.count, 1))
    var filterIDs: [UInt32] = []
    var filterParameters: [[UInt32]] = []
    try ncCall("reading the storage layout", context) {
        let status = nc_inq_var_chunking(ncid, varid, &storage, &chunks)
        guard status == NC_NOERR else { return status }
        guard format.isNetCDF4 else { return NC_NOERR }
        var count = 0
        var filterStatus = nc_inq_var_filter_ids(ncid, varid, &count, nil)
        guard filterStatus == NC_NOERR else { return filterStatus }
        filterIDs = [UInt32](repeating: 0, count: count)
        if count > 0 { filterStatus = nc_inq_var_filter_ids(ncid, varid, &count, &filterIDs) }
        guard filterStatus == NC_NOERR else { return filterStatus }
        for id in filterIDs {
            var parameterCount = 0
            filterStatus = nc_inq_var_filter_info(ncid, varid, id, &parameterCount, nil)
            guard filterStatus == NC_NOERR else { return filterStatus }
            var parameters = [UInt32](repeating: 0, count: parameterCount)
            if parameterCount > 0 {
                filterStatus = nc_inq_var_filter_info(ncid, varid, id, &parameterCount, &parameters)
                guard filterStatus == NC_NOERR else { return filterStatus }
            }
            filterParameters.append(parameters)
        }
        return NC_NOERR
    }

    let layout: String
    var chunkShape: [Int]?
    switch storage {
    case NC_CHUNKED:
        layout = "chunked"
        chunkShape = Array(chunks.prefix(fileShape.count))
    case NC_CONTIGUOUS: layout = "contiguous"
    case NC_COMPACT: layout = "compact"
    case NC_VIRTUAL: layout = "virtual"
    default: layout = "unknown(\(storage))"
    }
    let filters = zip(filterIDs, filterParameters).map { ncFilterName(id: $0, parameters: $1) }
    // Classic files store every element uncompressed, so their size is exact and free to know.
    // For netCDF-4 the HDF5 allocation is not visible through the libnetcdf API.
    var storedBytes: Int?
    if !format.isNetCDF4 {
        storedBytes = try? ShapeMath.byteCount(fileShape, itemSize: fileItemSize)
    }
    return StorageInfo(layout: layout, chunkShape: chunkShape, filters: filters, storedBytes: storedBytes)
}

/// A readable name of an HDF5 filter (`deflate(level=4)`, `shuffle`, `zstd(level=3)`,
/// `filter(id=32099,params=[1,2])` when the id is not one of the registered ones known here).
func ncFilterName(id: UInt32, parameters p: [UInt32]) -> String {
    switch id {
    case 1: return p.isEmpty ? "deflate" : "deflate(level=\(p[0]))"
    case 2: return "shuffle"
    case 3: return "fletcher32"
    case 4:
        return p.count >= 2 ? "szip(options_mask=\(p[0]),pixels_per_block=\(p[1]))" : "szip"
    case 5: return "nbit"
    case 6: return "scaleoffset"
    case 307: return p.isEmpty ? "bzip2" : "bzip2(level=\(p[0]))"
    case 32000: return "lzf"
    case 32001:
        // HDF5 blosc filter cd_values: revision, version, typesize, bufsize, clevel, shuffle, compressor.
        guard p.count >= 7 else { return "blosc" }
        let compressors = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"]
        let compressor = Int(p[6]) < compressors.count ? compressors[Int(p[6])] : "\(p[6])"
        return "blosc(compressor=\(compressor),level=\(p[4]),shuffle=\(p[5]))"
    case 32004: return "lz4"
    case 32008: return "bitshuffle"
    case 32013: return "zfp"
    case 32015: return p.isEmpty ? "zstd" : "zstd(level=\(Int32(bitPattern: p[0])))"
    case 32017: return "sz"
    case 32024: return "sz3"
    default:
        let params = p.isEmpty ? "" : ",params=[\(p.map(String.init).joined(separator: ","))]"
        return "filter(id=\(id)\(params))"
    }
}
