import CBlosc
import CubeCore

/// The `blosc` codec (Zarr v3 `blosc`, numcodecs `blosc`): a c-blosc 1.x frame.
///
/// Compression and decompression use c-blosc's context API with one internal thread, so
/// the codec may be used from many threads at once. A frame holds at most
/// ``maxInputSize`` bytes (2 GiB minus the 16-byte header).
public struct BloscCodec: BytesToBytesCodec {
    /// The compressor blosc runs inside each block.
    public enum Compressor: String, Sendable, Hashable, CaseIterable {
        /// Blosc's own LZ-based compressor.
        case blosclz
        /// LZ4.
        case lz4
        /// LZ4 high-compression mode (same format as `lz4`).
        case lz4hc
        /// Snappy (only when libblosc was built with it).
        case snappy
        /// zlib.
        case zlib
        /// Zstandard.
        case zstd
    }

    /// The shuffle filter applied before compression.
    public enum Shuffle: Sendable, Hashable {
        /// No shuffle (numcodecs 0, Zarr v3 `noshuffle`).
        case none
        /// Byte shuffle (numcodecs 1, Zarr v3 `shuffle`).
        case byte
        /// Bit shuffle (numcodecs 2, Zarr v3 `bitshuffle`).
        case bit
        /// numcodecs' `AUTOSHUFFLE` (-1): bit shuffle when the type size is 1, else byte shuffle.
        case auto

        /// The shuffle for a numcodecs `shuffle` value (-1, 0, 1 or 2).
        public init(numcodecs value: Int) throws {
            switch value {
            case -1: self = .auto
            case 0: self = .none
            case 1: self = .byte
            case 2: self = .bit
            default: throw CubeError(.invalidInput, "blosc: unknown shuffle \(value) (expected -1, 0, 1 or 2)")
            }
        }

        /// The shuffle for a Zarr v3 `shuffle` name (`noshuffle`, `shuffle`, `bitshuffle`).
        public init(zarrName name: String) throws {
            switch name {
            case "noshuffle": self = .none
            case "shuffle": self = .byte
            case "bitshuffle": self = .bit
            default: throw CubeError(.invalidInput, "blosc: unknown shuffle '\(name)' (expected noshuffle, shuffle or bitshuffle)")
            }
        }

        /// The numcodecs value: -1, 0, 1 or 2.
        public var numcodecsValue: Int {
            switch self {
            case .auto: -1
            case .none: 0
            case .byte: 1
            case .bit: 2
            }
        }

        /// The Zarr v3 name; `auto` is resolved with `typesize` first.
        public func zarrName(typesize: Int) -> String {
            switch resolved(typesize: typesize) {
            case .byte: "shuffle"
            case .bit: "bitshuffle"
            default: "noshuffle"
            }
        }

        /// The concrete shuffle: `auto` becomes `bit` for 1-byte types and `byte` otherwise.
        public func resolved(typesize: Int) -> Shuffle {
            guard self == .auto else { return self }
            return typesize == 1 ? .bit : .byte
        }

        /// The c-blosc `doshuffle` argument.
        func bloscValue(typesize: Int) -> Int32 {
            switch resolved(typesize: typesize) {
            case .byte: BLOSC_SHUFFLE
            case .bit: BLOSC_BITSHUFFLE
            default: BLOSC_NOSHUFFLE
            }
        }
    }

    /// The compressor used inside blosc.
    public var cname: Compressor
    /// Compression level, 0 (no compression) to 9.
    public var clevel: Int
    /// The shuffle filter.
    public var shuffle: Shuffle
    /// Size in bytes of one element, used by the shuffle filters (normally the item size).
    public var typesize: Int
    /// Size in bytes of the blocks blosc compresses independently; 0 lets blosc choose.
    public var blocksize: Int

    /// Bytes blosc may add to its input: the 16-byte header (`BLOSC_MAX_OVERHEAD`).
    public static let maxOverhead = 16
    /// The largest input one blosc frame can hold (`BLOSC_MAX_BUFFERSIZE`).
    public static let maxInputSize = Int(Int32.max) - maxOverhead

    /// Creates a `blosc` codec (numcodecs defaults: lz4, level 5, byte shuffle, automatic block size).
    ///
    /// Throws when a parameter is out of range or `cname` is not built into this libblosc.
    public init(cname: Compressor = .lz4, clevel: Int = 5, shuffle: Shuffle = .byte, typesize: Int = 1,
                blocksize: Int = 0) throws {
        guard Self.availableCompressors.contains(cname) else {
            throw CubeError(.unsupported, "blosc: compressor '\(cname.rawValue)' is not built into this libblosc (available: \(Self.availableCompressors.map(\.rawValue).joined(separator: ", ")))")
        }
        guard (0...9).contains(clevel) else {
            throw CubeError(.invalidArgument, "blosc: clevel must be between 0 and 9, got \(clevel)")
        }
        guard typesize >= 1 else {
            throw CubeError(.invalidArgument, "blosc: typesize must be at least 1, got \(typesize)")
        }
        guard (0...Self.maxInputSize).contains(blocksize) else {
            throw CubeError(.invalidArgument, "blosc: blocksize must be 0 (automatic) or a positive byte count, got \(blocksize)")
        }
        self.cname = cname
        self.clevel = clevel
        self.shuffle = shuffle
        self.typesize = typesize
        self.blocksize = blocksize
    }

    /// Creates a `blosc` codec from a compressor name as written in Zarr metadata.
    public init(cname name: String, clevel: Int = 5, shuffle: Shuffle = .byte, typesize: Int = 1,
                blocksize: Int = 0) throws {
        guard let compressor = Compressor(rawValue: name) else {
            throw CubeError(.invalidInput, "blosc: unknown compressor '\(name)' (expected one of \(Compressor.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        try self.init(cname: compressor, clevel: clevel, shuffle: shuffle, typesize: typesize, blocksize: blocksize)
    }

    /// The compressors this libblosc was built with (`blosc_list_compressors`).
    public static let availableCompressors: [Compressor] = {
        guard let list = blosc_list_compressors() else { return [] }
        return String(cString: list).split(separator: ",").compactMap {
            Compressor(rawValue: $0.trimmingSpaces())
        }
    }()

    /// The version of the libblosc in use.
    public static var libraryVersion: String {
        blosc_get_version_string().map { String(cString: $0) } ?? "unknown"
    }

    /// The codec id, `blosc`.
    public var name: String { "blosc" }

    /// Compresses `bytes` into one blosc frame.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count <= Self.maxInputSize else {
            throw CubeError(.unsupported, "blosc: cannot compress \(bytes.count) bytes; a blosc frame holds at most \(Self.maxInputSize) bytes (2 GiB - 16; use smaller chunks)")
        }
        let capacity = encodedSizeBound(bytes.count)
        let doshuffle = shuffle.bloscValue(typesize: typesize)
        return try CodecSupport.withInput(bytes) { source, count in
            try CodecSupport.produce(capacity: capacity) { destination, capacity in
                let written = blosc_compress_ctx(Int32(clevel), doshuffle, typesize, count, source, destination,
                                                 capacity, cname.rawValue, blocksize, 1)
                guard written > 0 else {
                    throw CubeError(.io, "blosc: compression of \(count) bytes failed (error \(written))")
                }
                return Int(written)
            }
        }
    }

    /// Decompresses one blosc frame after validating its header against the buffer.
    public func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8] {
        let size = try validatedSize(bytes, expected: decodedSize)
        if size == 0 { return [] }
        return try CodecSupport.produce(capacity: size) { destination, capacity in
            try decompress(bytes, into: UnsafeMutableRawBufferPointer(start: destination, count: capacity), size: size)
        }
    }

    /// Whether `bytes` are shorter than the 16-byte header or than the frame size it records.
    public func isTruncated(_ bytes: [UInt8]) -> Bool {
        guard let header = try? Self.header(bytes) else { return true }
        return header.compressedSize > bytes.count
    }

    /// Decompresses one frame straight into `destination`, which must hold exactly its bytes.
    public func decode(_ bytes: [UInt8], into destination: UnsafeMutableRawBufferPointer) throws -> Bool {
        guard destination.count > 0 else { return false }
        let size = try validatedSize(bytes, expected: destination.count)
        _ = try decompress(bytes, into: destination, size: size)
        return true
    }

    /// The decoded size recorded by a frame whose header agrees with the buffer, the
    /// expected size, the format version and the compressors of this libblosc.
    private func validatedSize(_ bytes: [UInt8], expected decodedSize: Int?) throws -> Int {
        try CodecSupport.checkExpected(name, decodedSize)
        let header = try Self.header(bytes)
        guard header.formatVersion <= BLOSC_VERSION_FORMAT else {
            throw CubeError(.unsupported, "blosc: frame format version \(header.formatVersion) is newer than this libblosc supports (\(BLOSC_VERSION_FORMAT))")
        }
        guard header.compressedSize == bytes.count else {
            throw CodecSupport.corrupt(name, "header records \(header.compressedSize) compressed bytes, buffer holds \(bytes.count)")
        }
        let size = header.uncompressedSize
        if let decodedSize, size != decodedSize {
            throw CodecSupport.corrupt(name, "header records \(size) bytes, expected \(decodedSize)")
        }
        if !header.isMemcpyed, let compressor = header.compressor, !Self.availableCompressors.contains(compressor) {
            throw CubeError(.unsupported, "blosc: frame is compressed with '\(compressor.rawValue)', which this libblosc was built without")
        }
        let valid = bytes.withUnsafeBytes { buffer -> Bool in
            var nbytes = 0
            return blosc_cbuffer_validate(buffer.baseAddress, buffer.count, &nbytes) == 0 && nbytes == size
        }
        guard valid else {
            throw CodecSupport.corrupt(name, "invalid frame header (\(bytes.count) bytes, \(size) uncompressed)")
        }
        return size
    }

    /// Decompresses a validated frame of `size` decoded bytes into `destination`.
    private func decompress(_ bytes: [UInt8], into destination: UnsafeMutableRawBufferPointer, size: Int) throws -> Int {
        try bytes.withUnsafeBytes { source in
            let written = blosc_decompress_ctx(source.baseAddress, destination.baseAddress, destination.count, 1)
            guard written > 0 else {
                throw CodecSupport.corrupt(name, "invalid compressed data (error \(written))")
            }
            try CodecSupport.checkDecodedSize(name, Int(written), size)
            return Int(written)
        }
    }

    /// The input size plus the 16-byte header.
    public func encodedSizeBound(_ byteCount: Int) -> Int { ShapeMath.saturatingSum(byteCount, Self.maxOverhead) }

    /// The fields of a blosc 1.x frame header.
    public struct Header: Sendable, Hashable {
        /// Blosc format version (byte 0; 2 for c-blosc 1.x).
        public var formatVersion: Int
        /// Version of the inner compressor's format (byte 1).
        public var compressorVersion: Int
        /// The raw flags byte (byte 2).
        public var flags: UInt8
        /// Element size used by the shuffle filters (byte 3).
        public var typesize: Int
        /// Size of the decompressed data.
        public var uncompressedSize: Int
        /// Size of the blocks compressed independently.
        public var blocksize: Int
        /// Size of the whole frame, header included.
        public var compressedSize: Int

        /// The shuffle applied (`none`, `byte` or `bit`).
        public var shuffle: Shuffle {
            if flags & 0x1 != 0 { return .byte }
            if flags & 0x4 != 0 { return .bit }
            return .none
        }

        /// Whether the data is stored uncompressed (`BLOSC_MEMCPYED`).
        public var isMemcpyed: Bool { flags & 0x2 != 0 }

        /// The inner compressor's format (`lz4` stands for both `lz4` and `lz4hc`), or `nil`
        /// for a format code this library does not know.
        public var compressor: Compressor? {
            switch flags >> 5 {
            case 0: .blosclz
            case 1: .lz4
            case 2: .snappy
            case 3: .zlib
            case 4: .zstd
            default: nil
            }
        }
    }

    /// Reads the 16-byte header at the start of a blosc frame (for listings such as cube-info).
    public static func header<Bytes: Collection>(_ bytes: Bytes) throws -> Header where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(16))
        guard head.count == 16 else {
            throw CodecSupport.corrupt("blosc", "frame of \(bytes.count) bytes is too short for the 16-byte header")
        }
        func word(_ offset: Int) -> Int {
            head.withUnsafeBytes { Int(CodecSupport.loadUInt32LE($0, at: offset)) }
        }
        return Header(formatVersion: Int(head[0]), compressorVersion: Int(head[1]), flags: head[2],
                      typesize: Int(head[3]), uncompressedSize: word(4), blocksize: word(8),
                      compressedSize: word(12))
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
