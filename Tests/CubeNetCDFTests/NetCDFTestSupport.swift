import CNetCDF
import CubeCore
import CubeNetCDF
import Foundation
import Testing

/// The repository root (this file is three levels down).
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `root/relative`.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A fresh temporary directory, removed when the value is deinitialized.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ name: String = "cube-netcdf-tests") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    /// `path/relative`.
    func sub(_ relative: String) -> String { (path as NSString).appendingPathComponent(relative) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A libnetcdf call made by a test helper failed.
struct NCTestFailure: Error, CustomStringConvertible {
    var status: Int32
    var call: String
    var description: String { "\(call) failed with status \(status)" }
}

/// Checks a libnetcdf status in test helpers.
func nc(_ status: Int32, _ call: String = "libnetcdf call", line: Int = #line) throws {
    guard status == NC_NOERR else { throw NCTestFailure(status: status, call: "\(call) (line \(line))") }
}

/// Creates a NetCDF file at `path` with creation `mode`, lets `body` define and write it,
/// and closes it; all under the façade's lock, since libnetcdf is not thread-safe and other
/// tests read files concurrently.
func makeNetCDF(_ path: String, mode: Int32, _ body: (Int32) throws -> Void) throws {
    try NetCDFLibrary.withLock {
        var ncid: Int32 = 0
        try nc(nc_create(path, mode | NC_CLOBBER, &ncid), "nc_create")
        do {
            try body(ncid)
        } catch {
            _ = nc_close(ncid)
            throw error
        }
        try nc(nc_close(ncid), "nc_close")
    }
}

/// Defines a dimension and returns its id.
func defDim(_ ncid: Int32, _ name: String, _ length: Int) throws -> Int32 {
    var id: Int32 = 0
    try nc(nc_def_dim(ncid, name, length, &id), "nc_def_dim(\(name))")
    return id
}

/// Defines a variable and returns its id.
func defVar(_ ncid: Int32, _ name: String, _ type: nc_type, _ dims: [Int32]) throws -> Int32 {
    var id: Int32 = 0
    try nc(nc_def_var(ncid, name, type, Int32(dims.count), dims, &id), "nc_def_var(\(name))")
    return id
}

/// Defines a group and returns its id.
func defGroup(_ parent: Int32, _ name: String) throws -> Int32 {
    var id: Int32 = 0
    try nc(nc_def_grp(parent, name, &id), "nc_def_grp(\(name))")
    return id
}

/// Writes a text attribute (`varid` NC_GLOBAL = -1 for the group).
func putText(_ ncid: Int32, _ varid: Int32, _ name: String, _ text: String) throws {
    let bytes = Array(text.utf8)
    try nc(nc_put_att_text(ncid, varid, name, bytes.count, bytes.map { CChar(bitPattern: $0) }), "nc_put_att_text(\(name))")
}

/// Writes a numeric attribute of `type` from native values.
func putNumbers<T>(_ ncid: Int32, _ varid: Int32, _ name: String, _ type: nc_type, _ values: [T]) throws {
    try values.withUnsafeBytes { raw in
        try nc(nc_put_att(ncid, varid, name, type, values.count, raw.baseAddress), "nc_put_att(\(name))")
    }
}

/// Writes an NC_STRING attribute.
func putStrings(_ ncid: Int32, _ varid: Int32, _ name: String, _ values: [String]) throws {
    try withCStrings(values) { pointers in
        try nc(nc_put_att_string(ncid, varid, name, values.count, pointers), "nc_put_att_string(\(name))")
    }
}

/// Writes a whole variable from native values.
func putAll<T>(_ ncid: Int32, _ varid: Int32, _ values: [T]) throws {
    try values.withUnsafeBytes { raw in
        try nc(nc_put_var(ncid, varid, raw.baseAddress), "nc_put_var")
    }
}

/// Writes a region of a variable from native values.
func putRegion<T>(_ ncid: Int32, _ varid: Int32, start: [Int], count: [Int], _ values: [T]) throws {
    try values.withUnsafeBytes { raw in
        try nc(nc_put_vara(ncid, varid, start, count, raw.baseAddress), "nc_put_vara")
    }
}

/// Calls `body` with C string pointers for `strings`, valid for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    if pointers.isEmpty { pointers = [nil] }
    return try pointers.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
}

/// The native bytes of `values`.
func bytes<T>(of values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}

/// Decodes native bytes as values of `T`.
func values<T>(_ type: T.Type, _ raw: [UInt8]?) -> [T] {
    guard let raw else { return [] }
    let count = raw.count / MemoryLayout<T>.stride
    return raw.withUnsafeBytes { buffer in
        (0..<count).map { buffer.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self) }
    }
}

extension DatasetGroup {
    /// Every variable in this group and below, by path.
    var variablesByPath: [String: any ArraySource] {
        var result: [String: any ArraySource] = [:]
        for group in allGroups {
            for variable in group.variables { result[variable.path] = variable }
        }
        return result
    }

    /// The group at `path` in this tree.
    func group(_ path: String) -> DatasetGroup? {
        allGroups.first { $0.path == path }
    }
}

extension ArraySource {
    /// The attribute called `name`.
    func attribute(_ name: String) -> AttributeValue? {
        attributes.first { $0.name == name }?.value
    }

    /// Reads the whole variable.
    func readAll() throws -> ArrayBuffer {
        try read(Region(shape: shape))
    }
}

extension Array where Element == Attribute {
    /// The value of the attribute called `name`.
    subscript(named name: String) -> AttributeValue? {
        first { $0.name == name }?.value
    }
}
