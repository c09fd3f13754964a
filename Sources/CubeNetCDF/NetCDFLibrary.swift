import CNetCDF
import CubeCore
import CubeHDF5

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process-wide gate in front of libnetcdf, which is not thread-safe.
///
/// Every libnetcdf call made by this module runs while holding one lock. Code outside the
/// module that calls libnetcdf directly in the same process (test helpers that write files,
/// a future writer) must do so inside ``withLock(_:)`` too.
public enum NetCDFLibrary {
    /// Runs `body` holding the process-wide libnetcdf lock.
    ///
    /// Keep `body` short: every NetCDF read in the process waits for it. The lock is
    /// recursive, so calling into `CubeNetCDF` from `body` does not deadlock (it only makes
    /// the section longer).
    ///
    /// libnetcdf reads netCDF-4 files through libhdf5, and cube also reads their chunks
    /// through libhdf5 directly, so this is the libhdf5 lock: the two libraries never run
    /// at the same time in this process.
    public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try HDF5Library.withLock {
            // HDF5 keeps its error-printing switch per thread; keep libnetcdf's expected
            // failures off stderr on whichever thread this is.
            cube_nc_silence_hdf5_errors()
            return try body()
        }
    }

    /// The version string of the linked libnetcdf (`4.9.0 of ...`).
    public static var version: String {
        withLock { String(cString: nc_inq_libvers()) }
    }
}

/// What a libnetcdf call is about, for error messages: the file and, when there is one,
/// the variable (or group/attribute) path inside it.
struct NCContext: Sendable {
    /// The file path as given to ``NetCDFFile/open(path:)``.
    var file: String
    /// The variable, group or attribute path inside the file.
    var object: String?

    /// The same file, about `object`.
    func about(_ object: String?) -> NCContext {
        NCContext(file: file, object: object)
    }

    /// `file: object` or `file`.
    var text: String {
        guard let object, !object.isEmpty else { return file }
        return "\(file): \(object)"
    }
}

/// The one place that turns libnetcdf status codes into ``CubeError``.
enum NCStatus {
    /// Builds the error for a failed call; must run inside the lock (it calls `nc_strerror`).
    static func error(_ status: Int32, operation: String, context: NCContext) -> CubeError {
        let reason = String(cString: nc_strerror(status))
        return CubeError(kind(of: status), "\(operation) failed: \(reason) (status \(status))", context: context.text)
    }

    /// The error class of a libnetcdf status (positive values are `errno` codes).
    static func kind(of status: Int32) -> CubeError.Kind {
        switch status {
        case ENOENT, NC_ENOTFOUND: .notFound
        case NC_ENOTNC, NC_EINVAL, NC_ENULLPAD, NC_EVARSIZE, NC_EDIMSIZE: .invalidInput
        case NC_ETRUNC, NC_EHDFERR, NC_EFILEMETA, NC_EDIMMETA, NC_EATTMETA, NC_EVARMETA, NC_EDIMSCALE:
            .corrupt
        case NC_ENOFILTER, NC_EFILTER, NC_ENOTBUILT, NC_EPLUGIN: .unsupported
        case NC_EINVALCOORDS, NC_EEDGE, NC_ESTRIDE: .invalidArgument
        default: .io
        }
    }
}

/// Runs one locked section of libnetcdf calls and checks the status `body` returns.
///
/// `body` returns the first failing status (or `NC_NOERR`); the error is built while the
/// lock is still held so `nc_strerror` is also serialized.
@inline(__always)
func ncCall(_ operation: @autoclosure () -> String, _ context: NCContext, _ body: () -> Int32) throws {
    let failure: CubeError? = NetCDFLibrary.withLock {
        let status = body()
        guard status != NC_NOERR else { return nil }
        return NCStatus.error(status, operation: operation(), context: context)
    }
    if let failure { throw failure }
}

/// A C name buffer large enough for any netCDF name (`NC_MAX_NAME` + NUL).
func ncNameBuffer() -> [CChar] {
    [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
}

/// A Swift string from a NUL-terminated C name buffer (invalid UTF-8 is repaired).
func ncString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
