import Foundation
import Testing
import CubeCore
import CubeCodecs
@testable import CubeZarr

/// Paths of the repository, found from this file's location.
enum Repo {
    /// The repository root (`Tests/CubeZarrTests/TestSupport.swift` is three levels down).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `root/relative`.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The zarr-python virtual environments' interpreters.
    static let zarr2Python = path(".venv/zarr2/bin/python")
    static let zarr3Python = path(".venv/zarr3/bin/python")

    /// The fixture manifest.
    static let fixtureManifest = path("fixtures/zarr/manifest.json")
}

/// A fresh temporary directory, removed when the value is deinitialized.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init(_ name: String = "cube-tests") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    /// `path/relative`.
    func sub(_ relative: String) -> String { (path as NSString).appendingPathComponent(relative) }

    /// Keeps the directory for inspection instead of deleting it.
    var keep = false

    deinit {
        if !keep { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A store wrapper that records every read (to prove partial reads fetch only what they
/// need) and every prefetch hint.
final class CountingStore: Store, @unchecked Sendable {
    /// One read of a value.
    struct Read: Sendable, Hashable {
        var key: String
        var range: ByteRange?
        var byteCount: Int
    }

    let base: any Store
    private let lock = NSLock()
    private var log: [Read] = []
    private var hints: [String] = []
    private var unannounced: [String] = []

    init(_ base: any Store) { self.base = base }

    var location: String { base.location }
    /// Every read so far.
    var reads: [Read] { lock.withLock { log } }
    /// Forgets the reads so far.
    func reset() { lock.withLock { log.removeAll() } }
    /// Reads of `key`.
    func reads(of key: String) -> [Read] { reads.filter { $0.key == key } }
    /// Every key passed to ``prefetch(_:)`` so far, in order.
    var prefetched: [String] { lock.withLock { hints } }
    /// Keys read whole before any prefetch named them.
    var readsWithoutPrefetch: [String] { lock.withLock { unannounced } }

    func get(_ key: String) throws -> [UInt8]? {
        let value = try base.get(key)
        lock.withLock {
            log.append(Read(key: key, range: nil, byteCount: value?.count ?? 0))
            if !hints.contains(key) { unannounced.append(key) }
        }
        return value
    }

    func prefetch(_ keys: [String]) {
        lock.withLock { hints += keys }
        base.prefetch(keys)
    }

    func get(_ key: String, range: ByteRange) throws -> [UInt8]? {
        let value = try base.get(key, range: range)
        lock.withLock { log.append(Read(key: key, range: range, byteCount: value?.count ?? 0)) }
        return value
    }

    func size(of key: String) throws -> Int? { try base.size(of: key) }
    func set(_ key: String, _ bytes: [UInt8]) throws { try base.set(key, bytes) }
    func delete(_ key: String) throws { try base.delete(key) }
    func deleteAll(under prefix: String) throws { try base.deleteAll(under: prefix) }
    func keys(under prefix: String) throws -> [String] { try base.keys(under: prefix) }
    func children(of prefix: String) throws -> (keys: [String], prefixes: [String]) { try base.children(of: prefix) }
}

// MARK: - Elements

/// Every data type the library supports, for parameterized tests.
let allDataTypes: [DataType] = DataType.numericTypes + [.bytes(5), .unicode(4), .string]

/// A deterministic sample element `i` of `dataType`, in the manifest's JSON encoding.
/// Floats include NaN and the infinities; strings include non-ASCII and non-BMP text.
func sampleJSON(_ dataType: DataType, _ i: Int) -> JSON {
    let specials: [JSON] = ["NaN", "Infinity", "-Infinity"]
    switch dataType {
    case .bool: return .bool(i % 3 != 1)
    case .int8: return .int(Int64(i * 37 % 256 - 128))
    case .int16: return .int(Int64((i * 7919) % 65536 - 32768))
    case .int32: return .int(i == 1 ? Int64(Int32.min) : Int64(Int32(truncatingIfNeeded: i &* 104_729 &- 500_000)))
    case .int64: return .int(i == 1 ? Int64.min : Int64(i) &* 1_000_000_007_123 &- 1)
    case .uint8: return .int(Int64(i * 37 % 256))
    case .uint16: return .int(Int64(i * 7919 % 65536))
    case .uint32: return .int(i == 1 ? Int64(UInt32.max) : Int64(UInt32(truncatingIfNeeded: i &* 104_729)))
    case .uint64:
        let v = i == 1 ? UInt64.max : UInt64(truncatingIfNeeded: Int64(i) &* 1_000_000_007_123)
        return v <= UInt64(Int64.max) ? .int(Int64(v)) : .uint(v)
    case .float16, .float32, .float64:
        if i % 11 == 3 { return specials[(i / 11) % 3] }
        return .double(Double(i % 97) / 8 - 5)
    case .complex64, .complex128:
        if i % 11 == 3 { return .array([specials[(i / 11) % 3], .double(0.5)]) }
        return .array([.double(Double(i % 61) / 4 - 7), .double(-Double(i % 13) / 8)])
    case .structured(let layout):
        return .string(Base64.encode((0..<layout.itemSize).map { UInt8(truncatingIfNeeded: i &* 31 &+ $0) }))
    case .bytes(let n):
        let length = i % (n + 1)
        let raw = (0..<n).map { k in k < length ? UInt8(ascii: "a") + UInt8((i + k) % 26) : 0 }
        return .string(Base64.encode(raw))
    case .unicode(let n):
        let alphabet = Array("aZé日🙂x")
        return .string(String((0..<(i % (n + 1))).map { alphabet[($0 + i) % alphabet.count] }))
    case .string:
        let words = ["", "a", "hello", "é日本", "🙂 ok", "tab\tnew\nline", "long text \(i)"]
        return .string(words[i % words.count])
    }
}

/// The JSON of the fill value used by default in tests: zero of the type (empty strings).
func zeroFillJSON(_ dataType: DataType) -> JSON {
    switch dataType {
    case .string, .unicode: return ""
    case .bytes: return ""
    default: return ElementJSON.encode([UInt8](repeating: 0, count: dataType.itemSize), as: dataType)
    }
}

/// A buffer of `shape` whose elements are given as JSON values in C order.
func buffer(_ dataType: DataType, shape: [Int], values: [JSON]) throws -> ArrayBuffer {
    if dataType.isVariableLength {
        return ArrayBuffer(dataType: dataType, shape: shape, storage: .strings(values.map { $0.stringValue ?? "" }))
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * dataType.itemSize)
    for value in values { bytes += try ElementJSON.decode(value, as: dataType) }
    return try ArrayBuffer(dataType: dataType, shape: shape, bytes: bytes)
}

/// A buffer of sample elements `offset..<offset+count`.
func sampleBuffer(_ dataType: DataType, shape: [Int], offset: Int = 0) throws -> ArrayBuffer {
    try buffer(dataType, shape: shape, values: (0..<ShapeMath.product(shape)).map { sampleJSON(dataType, $0 + offset) })
}

/// Element `i` (C order) of `buffer` in the manifest's JSON encoding.
func elementJSON(_ buffer: ArrayBuffer, _ i: Int) -> JSON {
    switch buffer.storage {
    case .strings(let values): return .string(values[i])
    case .fixed(let raw):
        let n = buffer.dataType.itemSize
        return ElementJSON.encode(Array(raw[(i * n)..<((i + 1) * n)]), as: buffer.dataType)
    }
}

/// Every element of `buffer` as JSON.
func elementsJSON(_ buffer: ArrayBuffer) -> [JSON] {
    (0..<buffer.elementCount).map { elementJSON(buffer, $0) }
}

/// The JSON of a decoded fill value.
func fillJSON(_ fill: FillValue, _ dataType: DataType) -> JSON {
    switch fill {
    case .string(let s): return .string(s)
    case .element(let item): return ElementJSON.encode(item, as: dataType)
    }
}

/// Equality of manifest values: JSON equality, except that NaN equals NaN and numbers
/// compare by value (`1` equals `1.0`).
func sameValue(_ a: JSON, _ b: JSON) -> Bool {
    switch (a, b) {
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
    case (.double(let x), .double(let y)) where x.isNaN && y.isNaN:
        return true
    default:
        return a == b
    }
}

// MARK: - Errors

/// Runs `body`, expecting a ``CubeError``; records an issue and returns `nil` otherwise.
@discardableResult
func expectCubeError<T>(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () throws -> T) -> CubeError? {
    do {
        _ = try body()
        Issue.record("\(what): expected a CubeError, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as CubeError {
        return error
    } catch {
        Issue.record("\(what): expected a CubeError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

// MARK: - Metadata shortcuts

/// v3 `bytes` codec JSON.
func bytesCodec(_ endian: String? = "little") -> JSON {
    guard let endian else { return ["name": "bytes"] }
    return ["name": "bytes", "configuration": ["endian": .string(endian)]]
}

/// The v3 serializer for `dataType`: `vlen-utf8` for strings, else `bytes`.
func serializer(_ dataType: DataType, endian: String = "little") -> JSON {
    dataType.isVariableLength ? ["name": "vlen-utf8", "configuration": .object([])] : bytesCodec(endian)
}

/// Metadata of a v2 array.
func v2Metadata(_ dataType: DataType, shape: [Int], chunks: [Int], fill: JSON? = nil,
                compressor: JSON = .null, filters: [JSON] = [], order: String = "C",
                separator: Character = ".", byteOrder: ByteOrder = .little,
                dimensionNames: [String?]? = nil, attributes: JSON = .object([])) -> ArrayMetadata {
    var allFilters = filters
    if dataType.isVariableLength && !filters.contains(where: { $0["id"]?.stringValue == "vlen-utf8" }) {
        allFilters.insert(["id": "vlen-utf8"], at: 0)
    }
    return ArrayMetadata(format: .v2, shape: shape, chunkShape: chunks, dataType: dataType,
                         fillValueJSON: fill ?? zeroFillJSON(dataType),
                         chunkKeyEncoding: ChunkKeyEncoding(separator: separator, prefixed: false),
                         dimensionNames: dimensionNames, attributes: attributes,
                         byteOrder: dataType.swapUnit > 1 ? byteOrder : nil, order: order,
                         compressor: compressor, filters: allFilters.isEmpty ? .null : .array(allFilters))
}

/// Metadata of a v3 array with `codecs` (default: the serializer for the type, no compressor).
func v3Metadata(_ dataType: DataType, shape: [Int], chunks: [Int], fill: JSON? = nil, codecs: [JSON]? = nil,
                keyEncoding: ChunkKeyEncoding = .v3Default, dimensionNames: [String?]? = nil,
                attributes: JSON = .object([])) -> ArrayMetadata {
    ArrayMetadata(format: .v3, shape: shape, chunkShape: chunks, dataType: dataType,
                  fillValueJSON: fill ?? zeroFillJSON(dataType), chunkKeyEncoding: keyEncoding,
                  dimensionNames: dimensionNames, attributes: attributes,
                  codecs: codecs ?? [serializer(dataType)])
}

/// The v3 `sharding_indexed` codec JSON.
func shardingCodec(inner: [Int], codecs: [JSON], indexLocation: String = "end", crc: Bool = true) -> JSON {
    var indexCodecs: [JSON] = [bytesCodec("little")]
    if crc { indexCodecs.append(["name": "crc32c"]) }
    return ["name": "sharding_indexed", "configuration": [
        "chunk_shape": JSON(inner),
        "codecs": .array(codecs),
        "index_codecs": .array(indexCodecs),
        "index_location": .string(indexLocation),
    ]]
}
