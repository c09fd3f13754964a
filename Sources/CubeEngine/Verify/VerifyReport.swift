import CubeCodecs
import CubeCore

/// What reading and decoding every chunk of a dataset found, as text or stable JSON.
public struct VerifyReport: Sendable {
    /// One thing wrong with the dataset.
    public struct Problem: Sendable, Hashable {
        /// Array or variable path.
        public var path: String
        /// The store key of the chunk or shard (`chunk [i, j]` for NetCDF/HDF5 variables;
        /// the metadata key or variable path when the array cannot be read at all).
        public var key: String
        /// What kind of problem it is.
        public var kind: Kind
        /// What was found, in one line.
        public var detail: String

        /// Creates a problem.
        public init(path: String, key: String, kind: Kind, detail: String) {
            self.path = path
            self.key = key
            self.kind = kind
            self.detail = detail
        }
    }

    /// The kinds of problems: the kinds of chunk damage, plus chunks the store cannot read
    /// and arrays that cannot be read at all.
    public enum Kind: String, Sendable, Hashable {
        /// A chunk does not decode.
        case corrupt
        /// A chunk or shard ends before the length its format or index records.
        case truncated
        /// A chunk decodes to the wrong size or shape.
        case mismatched
        /// A checksum stored with a chunk or shard index does not match it.
        case checksum
        /// The store could not read the chunk (an I/O error).
        case unreadable
        /// The array's metadata cannot be read, or its type is not supported: nothing of it was checked.
        case unsupported

        /// The problem kind of a kind of chunk damage.
        public init(_ damage: ChunkDamage.Kind) {
            switch damage {
            case .corrupt: self = .corrupt
            case .truncated: self = .truncated
            case .mismatched: self = .mismatched
            case .checksum: self = .checksum
            }
        }
    }

    /// The tally of one array or variable.
    public struct ArrayTally: Sendable, Hashable {
        /// Array or variable path.
        public var path: String
        /// Decoded chunks the grid allows (inner chunks for sharded arrays).
        public var chunksTotal: Int
        /// Chunks read and decoded, sound or not.
        public var chunksRead: Int
        /// Bytes read: stored bytes for Zarr, decoded bytes for NetCDF/HDF5 (their libraries decode).
        public var bytesRead: Int

        /// Chunks not stored, which read as the fill value (not a problem).
        public var chunksAbsent: Int { max(0, chunksTotal - chunksRead) }
    }

    /// The dataset's location.
    public var location: String
    /// Per array, in path order.
    public var arrays: [ArrayTally]
    /// Problems, by path and key.
    public var problems: [Problem]

    /// Creates a report; arrays and problems are sorted.
    public init(location: String, arrays: [ArrayTally], problems: [Problem]) {
        self.location = location
        self.arrays = arrays.sorted { $0.path < $1.path }
        self.problems = problems.sorted { ($0.path, $0.key, $0.detail) < ($1.path, $1.key, $1.detail) }
    }

    /// Chunks read over all arrays.
    public var chunksRead: Int { arrays.reduce(0) { $0 + $1.chunksRead } }
    /// Bytes read over all arrays.
    public var bytesRead: Int { arrays.reduce(0) { $0 + $1.bytesRead } }
    /// Absent chunks over all arrays.
    public var chunksAbsent: Int { arrays.reduce(0) { $0 + $1.chunksAbsent } }

    /// The report as JSON: schema (1), store and a `verify` object.
    public func json() -> JSON {
        let arrayEntries: [JSON] = arrays.map { a in
            ["path": .string(a.path), "chunks_total": JSON(a.chunksTotal), "chunks_read": JSON(a.chunksRead),
             "chunks_absent": JSON(a.chunksAbsent), "bytes_read": JSON(a.bytesRead)]
        }
        let problemEntries: [JSON] = problems.map { p in
            ["path": .string(p.path), "key": .string(p.key), "kind": .string(p.kind.rawValue), "detail": .string(p.detail)]
        }
        return ["schema": 1, "store": .string(location), "verify": [
            "arrays_checked": JSON(arrays.count), "chunks_read": JSON(chunksRead), "bytes_read": JSON(bytesRead),
            "chunks_absent": JSON(chunksAbsent), "arrays": .array(arrayEntries), "problems": .array(problemEntries),
        ]]
    }

    /// The report as text: one line per problem (kind, key, detail), then a summary line.
    public func text() -> String {
        let width = problems.map(\.kind.rawValue.count).max() ?? 0
        var lines = problems.map { "\($0.kind.rawValue.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.key)  \($0.detail)" }
        let found = problems.isEmpty ? "no problems" : "\(problems.count) problem\(problems.count == 1 ? "" : "s")"
        let absent = chunksAbsent == 0 ? "" : "; \(chunksAbsent) chunk\(chunksAbsent == 1 ? "" : "s") not stored, read as the fill value"
        lines.append("\(location): \(arrays.count) array\(arrays.count == 1 ? "" : "s"), \(chunksRead) chunk\(chunksRead == 1 ? "" : "s") "
                     + "read (\(ByteCount.format(bytesRead))): \(found)\(absent)")
        return lines.joined(separator: "\n")
    }
}
