import CDeflate
import CubeCodecs
import CubeCore

/// One filter of an HDF5 dataset's filter pipeline, as declared in the file.
public struct HDF5Filter: Sendable, Hashable, CustomStringConvertible {
    /// The registered filter id (1 deflate, 2 shuffle, 3 fletcher32, 4 szip, 5 nbit,
    /// 6 scaleoffset, 32001 blosc, 32015 zstd, ...).
    public var id: Int
    /// The filter's name: a well-known name for registered ids, else what the file says.
    public var name: String
    /// Whether the filter is optional (may have been skipped for some chunks).
    public var isOptional: Bool
    /// The filter's client data values (`cd_values`).
    public var parameters: [UInt32]

    /// Creates a filter description.
    public init(id: Int, name: String, isOptional: Bool = false, parameters: [UInt32] = []) {
        self.id = id
        self.name = name
        self.isOptional = isOptional
        self.parameters = parameters
    }

    /// The deflate filter id.
    public static let deflateID = 1
    /// The shuffle filter id.
    public static let shuffleID = 2
    /// The Fletcher-32 checksum filter id.
    public static let fletcher32ID = 3

    /// `deflate(level=4)`, `shuffle`, `fletcher32`, `szip(options_mask=…, pixels_per_block=…)`,
    /// `blosc(…)`: the form used in ``StorageInfo/filters``.
    public var description: String {
        switch id {
        case Self.deflateID:
            return parameters.first.map { "deflate(level=\($0))" } ?? "deflate"
        case Self.shuffleID, Self.fletcher32ID:
            return name
        case 4 where parameters.count >= 2:
            return "szip(options_mask=\(parameters[0]), pixels_per_block=\(parameters[1]))"
        case 6 where parameters.count >= 2:
            return "scaleoffset(scale_type=\(parameters[0]), scale_factor=\(Int32(bitPattern: parameters[1])))"
        default:
            return parameters.isEmpty ? name : "\(name)(\(parameters.map(String.init).joined(separator: ",")))"
        }
    }

    /// Well-known names of registered filter ids.
    static func knownName(_ id: Int) -> String? {
        switch id {
        case 1: "deflate"
        case 2: "shuffle"
        case 3: "fletcher32"
        case 4: "szip"
        case 5: "nbit"
        case 6: "scaleoffset"
        case 307: "bzip2"
        case 32000: "lzf"
        case 32001: "blosc"
        case 32004: "lz4"
        case 32008: "bitshuffle"
        case 32013: "zfp"
        case 32015: "zstd"
        case 32017: "sz"
        case 32026: "blosc2"
        default: nil
        }
    }
}

/// Decodes raw chunks of datasets whose pipeline holds only deflate and shuffle filters,
/// without libhdf5: inflate (libdeflate), unshuffle, byte-swap to native order.
struct RawChunkDecoder: Sendable {
    /// One step of the pipeline, in the order the file applies them when writing.
    enum Step: Sendable, Hashable {
        case deflate
        case shuffle(elementSize: Int)
    }

    /// Steps in write order.
    var steps: [Step]
    /// Bytes of one whole decoded chunk.
    var chunkBytes: Int
    /// Byte-order unit to reverse, or `nil` when stored order is native.
    var swapUnit: Int?

    /// A decoder for `filters`, or `nil` if any filter is not deflate or shuffle.
    init?(filters: [HDF5Filter], chunkBytes: Int, itemSize: Int, storedOrder: ByteOrder, swapUnit: Int) {
        var steps: [Step] = []
        for filter in filters {
            switch filter.id {
            case HDF5Filter.deflateID: steps.append(.deflate)
            case HDF5Filter.shuffleID:
                let size = filter.parameters.first.map(Int.init) ?? itemSize
                steps.append(.shuffle(elementSize: max(size, 1)))
            default: return nil
            }
        }
        self.steps = steps
        self.chunkBytes = chunkBytes
        self.swapUnit = storedOrder != .native && swapUnit > 1 ? swapUnit : nil
    }

    /// Decodes one stored chunk. Bit `i` of `filterMask` set means filter `i` was skipped
    /// when the chunk was written; `unfiltered` means no filter was applied at all (partial
    /// edge chunks of datasets created with `H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS`).
    func decode(_ stored: [UInt8], filterMask: UInt32, unfiltered: Bool = false) throws -> [UInt8] {
        var bytes = stored
        if !unfiltered {
            for index in steps.indices.reversed() where index >= 32 || filterMask & (1 << UInt32(index)) == 0 {
                switch steps[index] {
                case .deflate:
                    // The output is a whole chunk unless a deflate applied before this one
                    // (in write order) still has to be undone.
                    let innerDeflate = steps[..<index].indices.contains { i in
                        steps[i] == .deflate && (i >= 32 || filterMask & (1 << UInt32(i)) == 0)
                    }
                    let inflated = try innerDeflate ? ZlibCodec(level: 1).decode(bytes, decodedSize: nil)
                                                    : Self.inflate(bytes, expected: chunkBytes)
                    BufferCache.recycle(bytes, unlessSharedWith: [stored, inflated])
                    bytes = inflated
                case .shuffle(let elementSize):
                    let unshuffled = try ShuffleCodec(elementSize: elementSize).decode(bytes, decodedSize: bytes.count)
                    BufferCache.recycle(bytes, unlessSharedWith: [stored, unshuffled])
                    bytes = unshuffled
                }
            }
        }
        guard bytes.count == chunkBytes else {
            throw CubeError(.corrupt, "decoded chunk has \(bytes.count) bytes, expected \(chunkBytes)")
        }
        if let swapUnit { ByteSwap.swapInPlace(&bytes, unit: swapUnit) }
        return bytes
    }

    /// Inflates one zlib stream that must decode to exactly `expected` bytes (libdeflate).
    static func inflate(_ input: [UInt8], expected: Int) throws -> [UInt8] {
        guard let decompressor = libdeflate_alloc_decompressor() else {
            throw CubeError(.io, "deflate: cannot allocate a libdeflate decompressor")
        }
        defer { libdeflate_free_decompressor(decompressor) }
        var status = LIBDEFLATE_SUCCESS
        var actual = 0
        var output = BufferCache.take(count: max(expected, 1))
        output.withUnsafeMutableBytes { buffer in
            input.withUnsafeBytes { source in
                status = libdeflate_zlib_decompress(decompressor, source.baseAddress, source.count,
                                                    buffer.baseAddress, expected, &actual)
            }
        }
        if expected == 0 { output.removeAll() }
        switch status {
        case LIBDEFLATE_SUCCESS:
            guard actual == expected else {
                throw CubeError(.corrupt, "deflate: chunk inflates to \(actual) bytes, expected \(expected)")
            }
            return output
        case LIBDEFLATE_INSUFFICIENT_SPACE:
            throw CubeError(.corrupt, "deflate: chunk inflates to more than \(expected) bytes")
        default:
            throw CubeError(.corrupt, "deflate: invalid compressed data in chunk (\(input.count) bytes)")
        }
    }
}
