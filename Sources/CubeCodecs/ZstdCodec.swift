import CZstd
import CubeCore

/// The `zstd` codec (Zarr v3 `zstd`, numcodecs `zstd`): one Zstandard frame.
///
/// Encoded frames record their content size. Decoding accepts any sequence of frames
/// (including skippable ones), with or without recorded content sizes; frames without
/// one are decoded by streaming.
public struct ZstdCodec: BytesToBytesCodec {
    /// Compression level; 0 means zstd's default (3), negative levels are fastest.
    public var level: Int
    /// Whether frames carry a content checksum (XXH64), verified when decoding.
    public var checksum: Bool

    /// Creates a `zstd` codec, checking the level against the library's range.
    public init(level: Int = 0, checksum: Bool = false) throws {
        let range = Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel())
        guard range.contains(level) else {
            throw CubeError(.invalidArgument, "zstd: level must be between \(range.lowerBound) and \(range.upperBound), got \(level)")
        }
        self.level = level
        self.checksum = checksum
    }

    /// The codec id, `zstd`.
    public var name: String { "zstd" }

    /// `ZSTD_CONTENTSIZE_UNKNOWN`.
    static let contentSizeUnknown = UInt64.max
    /// `ZSTD_CONTENTSIZE_ERROR`.
    static let contentSizeError = UInt64.max - 1
    /// The most output one compressed byte can yield: a 4-byte RLE block decodes to at most 128 KiB.
    static let maxRatio = 32 * 1024

    /// Whether a zstd return value is an error.
    private static func failed(_ code: Int) -> Bool { ZSTD_isError(code) != 0 }

    /// The library's description of an error return value.
    private static func describe(_ code: Int) -> String {
        guard let text = ZSTD_getErrorName(code) else { return "zstd error \(code)" }
        return String(cString: text)
    }

    /// Compresses `bytes` into one frame.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        try ZstdContexts.withCompression { context in
            for (parameter, value) in [(ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, checksum ? 1 : 0)] {
                let rc = ZSTD_CCtx_setParameter(context, parameter, value)
                if Self.failed(rc) { throw CubeError(.invalidArgument, "zstd: \(Self.describe(rc))") }
            }
            let capacity = encodedSizeBound(bytes.count)
            return try CodecSupport.withInput(bytes) { source, count in
                try CodecSupport.produce(capacity: capacity) { destination, capacity in
                    let written = ZSTD_compress2(context, destination, capacity, source, count)
                    if Self.failed(written) { throw CubeError(.io, "zstd: compression failed: \(Self.describe(written))") }
                    return written
                }
            }
        }
    }

    /// Decompresses a sequence of frames.
    public func decode(_ bytes: [UInt8], decodedSize: Int?) throws -> [UInt8] {
        try CodecSupport.checkExpected(name, decodedSize)
        guard !bytes.isEmpty else { throw CodecSupport.corrupt(name, "empty input holds no zstd frame") }
        let total = try Self.recordedSize(bytes)
        if let total {
            if let decodedSize, total != UInt64(decodedSize) {
                throw CodecSupport.corrupt(name, "frames record \(total) bytes, expected \(decodedSize)")
            }
            let (limit, overflow) = bytes.count.multipliedReportingOverflow(by: Self.maxRatio)
            if overflow || total <= UInt64(limit) {
                return try decodeKnown(bytes, size: Int(total))
            }
            // A recorded size no frame could reach: let the stream show the real size.
        }
        return try decodeStreaming(bytes, expected: decodedSize)
    }

    /// Decodes frames whose recorded total is exactly `destination.count` straight into it.
    public func decode(_ bytes: [UInt8], into destination: UnsafeMutableRawBufferPointer) throws -> Bool {
        guard destination.count > 0, !bytes.isEmpty, try Self.recordedSize(bytes) == UInt64(destination.count) else { return false }
        try ZstdContexts.withDecompression { context in
            try bytes.withUnsafeBytes { source in
                let written = ZSTD_decompressDCtx(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
                if Self.failed(written) { throw CodecSupport.corrupt(name, "invalid compressed data: \(Self.describe(written))") }
                try CodecSupport.checkDecodedSize(name, written, destination.count)
            }
        }
        return true
    }

    /// Whether the last frame of `bytes` ends before its blocks say it does (zstd reports
    /// the source size as wrong), or there is no byte at all.
    public func isTruncated(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return true }
            var offset = 0
            while offset < buffer.count {
                let frame = ZSTD_findFrameCompressedSize(base + offset, buffer.count - offset)
                if Self.failed(frame) { return ZSTD_getErrorCode(frame) == ZSTD_error_srcSize_wrong }
                if frame == 0 { return false }
                offset += frame
            }
            return false
        }
    }

    /// The total content size recorded by the frames of `bytes`, or `nil` when a frame does
    /// not record it; throws when `bytes` is not a sequence of complete frames.
    static func recordedSize(_ bytes: [UInt8]) throws -> UInt64? {
        try bytes.withUnsafeBytes { buffer -> UInt64? in
            guard let base = buffer.baseAddress else { return 0 }
            var offset = 0
            var total: UInt64 = 0
            var known = true
            while offset < buffer.count {
                let frame = ZSTD_findFrameCompressedSize(base + offset, buffer.count - offset)
                if failed(frame) || frame == 0 {
                    let what = offset == 0 ? "is not a zstd frame" : "has an incomplete or invalid frame at offset \(offset)"
                    throw CodecSupport.corrupt("zstd", "input of \(buffer.count) bytes \(what)")
                }
                let size = ZSTD_getFrameContentSize(base + offset, buffer.count - offset)
                if size == contentSizeError {
                    throw CodecSupport.corrupt("zstd", "invalid frame header at offset \(offset)")
                } else if size == contentSizeUnknown {
                    known = false
                } else {
                    let (sum, overflow) = total.addingReportingOverflow(size)
                    if overflow { throw CodecSupport.corrupt("zstd", "frames record more than 2^64 bytes") }
                    total = sum
                }
                offset += frame
            }
            return known ? total : nil
        }
    }

    /// Decodes frames whose total content size is recorded.
    private func decodeKnown(_ bytes: [UInt8], size: Int) throws -> [UInt8] {
        try ZstdContexts.withDecompression { context in try decodeKnown(bytes, size: size, context: context) }
    }

    private func decodeKnown(_ bytes: [UInt8], size: Int, context: OpaquePointer) throws -> [UInt8] {
        try bytes.withUnsafeBytes { source in
            try CodecSupport.produce(capacity: size) { destination, capacity in
                let written = ZSTD_decompressDCtx(context, destination, capacity, source.baseAddress, source.count)
                if Self.failed(written) { throw CodecSupport.corrupt(name, "invalid compressed data: \(Self.describe(written))") }
                try CodecSupport.checkDecodedSize(name, written, size)
                return written
            }
        }
    }

    /// Decodes frames by streaming, growing the output as needed.
    private func decodeStreaming(_ bytes: [UInt8], expected: Int?) throws -> [UInt8] {
        try ZstdContexts.withDecompression { context in try decodeStreaming(bytes, expected: expected, context: context) }
    }

    private func decodeStreaming(_ bytes: [UInt8], expected: Int?, context: OpaquePointer) throws -> [UInt8] {
        let room = CodecSupport.decodingRoom(expected: expected, inputCount: bytes.count, maxRatio: Self.maxRatio,
                                             unknown: min(max(bytes.count * 4, 1 << 16), 1 << 30))
        var output = [UInt8](repeating: 0, count: room.initial)
        var produced = 0
        try bytes.withUnsafeBytes { source in
            var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            var remaining = 1  // the last return value; 0 when a frame is complete and flushed
            while true {
                if produced == output.count {
                    guard let grown = CodecSupport.grownRoom(output.count, limit: room.limit) else {
                        throw CodecSupport.corrupt(name, "decoded more than \(expected ?? 0) bytes, expected \(expected ?? 0)")
                    }
                    output.append(contentsOf: repeatElement(0, count: grown - output.count))
                }
                let before = (input.pos, produced)
                remaining = try output.withUnsafeMutableBytes { out in
                    var target = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: produced)
                    let rc = ZSTD_decompressStream(context, &target, &input)
                    produced = target.pos
                    if Self.failed(rc) { throw CodecSupport.corrupt(name, "invalid compressed data: \(Self.describe(rc))") }
                    return rc
                }
                if input.pos == input.size {
                    if remaining == 0 { return }
                    if produced < output.count {
                        throw CodecSupport.corrupt(name, "compressed data is truncated (\(bytes.count) bytes end inside a frame)")
                    }
                } else if before == (input.pos, produced), produced < output.count {
                    throw CodecSupport.corrupt(name, "decompression made no progress")
                }
            }
        }
        try CodecSupport.checkDecodedSize(name, produced, expected)
        return CodecSupport.trimmed(consume output, to: produced)
    }

    /// `ZSTD_compressBound`, or `Int.max` when that is too large to represent.
    public func encodedSizeBound(_ byteCount: Int) -> Int {
        let bound = ZSTD_compressBound(byteCount)
        return bound < byteCount ? Int.max : bound
    }
}
