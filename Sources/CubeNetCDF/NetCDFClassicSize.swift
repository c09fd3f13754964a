import CNetCDF
import CubeCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Truncation check for netCDF-3 files (classic, 64-bit offset, CDF5).
///
/// libnetcdf reads past the end of a truncated classic file without complaint (the missing
/// bytes come back as zeros), which would turn a damaged file into silently wrong output.
/// The header fully determines a lower bound on the file size: the header's own encoding
/// (without the optional free space writers may reserve) plus every fixed-size variable
/// plus every record. libnetcdf pads files to that size when it closes them, so a shorter
/// file is damaged.
enum NCClassicSize {
    /// The smallest size in bytes a well-formed file with this header can have.
    static func minimumSize(ncid: Int32, format: NetCDFFormat, context: NCContext) throws -> Int {
        // Sizes of NON_NEG counts and of variable offsets in the header encoding.
        let count = format == .cdf5 ? 8 : 4
        let offset = format == .classic ? 4 : 8
        func padded(_ n: Int) -> Int { saturatingSum(n, 3) & ~3 }
        func nameSize(_ buffer: [CChar]) -> Int { count + padded(buffer.prefix { $0 != 0 }.count) }

        var total = 0
        try ncCall("measuring the classic header", context) {
            var dimensionCount: Int32 = 0, variableCount: Int32 = 0, attributeCount: Int32 = 0
            var unlimited: Int32 = -1
            var status = nc_inq(ncid, &dimensionCount, &variableCount, &attributeCount, &unlimited)
            guard status == NC_NOERR else { return status }

            // magic + numrecs, then the three lists (tag + element count each).
            var header = 4 + count + 3 * (4 + count)
            var lengths: [Int] = []
            var name = ncNameBuffer()
            for dimension in 0..<dimensionCount {
                var length = 0
                status = nc_inq_dim(ncid, dimension, &name, &length)
                guard status == NC_NOERR else { return status }
                lengths.append(length)
                header += nameSize(name) + count
            }
            func attributes(_ varid: Int32, _ n: Int32) -> Int32 {
                for index in 0..<n {
                    var xtype: nc_type = 0
                    var length = 0
                    var status = nc_inq_attname(ncid, varid, index, &name)
                    guard status == NC_NOERR else { return status }
                    status = nc_inq_att(ncid, varid, name, &xtype, &length)
                    guard status == NC_NOERR else { return status }
                    header = saturatingSum(header, nameSize(name) + 4 + count + padded(saturatingProduct(length, externalSize(xtype))))
                }
                return NC_NOERR
            }
            status = attributes(cube_nc_global(), attributeCount)
            guard status == NC_NOERR else { return status }

            // Data sizes are padded to 4 bytes, except the single record variable's slab
            // (format rule) and the last fixed-size variable of a file without records
            // (libnetcdf pads it, but nothing reads the padding; be lenient with other writers).
            var fixedSizes: [Int] = []
            var recordSizes: [Int] = []
            var dimensionIDs = [Int32](repeating: 0, count: Int(NC_MAX_VAR_DIMS))
            for variable in 0..<variableCount {
                var xtype: nc_type = 0
                var rank: Int32 = 0
                var variableAttributes: Int32 = 0
                status = nc_inq_var(ncid, variable, &name, &xtype, &rank, &dimensionIDs, &variableAttributes)
                guard status == NC_NOERR else { return status }
                header += nameSize(name) + count + Int(rank) * count + (4 + count) + 4 + count + offset
                status = attributes(variable, variableAttributes)
                guard status == NC_NOERR else { return status }
                var size = externalSize(xtype)
                let ids = dimensionIDs.prefix(Int(rank))
                let isRecord = ids.first == unlimited && unlimited >= 0
                for id in ids.dropFirst(isRecord ? 1 : 0) {
                    let length = lengths.indices.contains(Int(id)) ? lengths[Int(id)] : 0
                    size = saturatingProduct(size, length)
                }
                if isRecord { recordSizes.append(size) } else { fixedSizes.append(size) }
            }
            var fixedBytes = 0
            for (index, size) in fixedSizes.enumerated() {
                let isLast = index == fixedSizes.count - 1 && recordSizes.isEmpty
                fixedBytes = saturatingSum(fixedBytes, isLast ? size : padded(size))
            }
            var recordBytes = 0
            for size in recordSizes {
                recordBytes = saturatingSum(recordBytes, recordSizes.count == 1 ? size : padded(size))
            }
            let records = unlimited >= 0 && lengths.indices.contains(Int(unlimited)) ? lengths[Int(unlimited)] : 0
            total = saturatingSum(saturatingSum(header, fixedBytes), saturatingProduct(records, recordBytes))
            return NC_NOERR
        }
        return total
    }

    /// Throws `.corrupt` if the file at `path` is shorter than its header requires.
    static func check(ncid: Int32, format: NetCDFFormat, path: String) throws {
        let context = NCContext(file: path)
        var info = stat()
        guard stat(path, &info) == 0 else { return }  // not a plain file (e.g. in-memory); nothing to compare
        let actual = Int(info.st_size)
        let minimum = try minimumSize(ncid: ncid, format: format, context: context)
        guard actual >= minimum else {
            throw CubeError(.corrupt, "file is truncated: it has \(actual) bytes but its header describes at least \(minimum)",
                            context: path)
        }
    }

    /// `a + b`, or `Int.max` when that overflows (a hostile header must not trap).
    private static func saturatingSum(_ a: Int, _ b: Int) -> Int { ShapeMath.saturatingSum(a, b) }

    /// `a * b`, or `Int.max` when that overflows.
    private static func saturatingProduct(_ a: Int, _ b: Int) -> Int { ShapeMath.saturatingProduct(a, b) }

    /// Bytes per value of an atomic type in the file.
    private static func externalSize(_ xtype: nc_type) -> Int {
        switch xtype {
        case NC_BYTE, NC_UBYTE, NC_CHAR: 1
        case NC_SHORT, NC_USHORT: 2
        case NC_INT, NC_UINT, NC_FLOAT: 4
        case NC_DOUBLE, NC_INT64, NC_UINT64: 8
        default: 0
        }
    }
}
