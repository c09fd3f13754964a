import CZlib
import CubeCore

/// zlib deflate/inflate over whole buffers, shared by the `zlib` and `gzip` codecs.
///
/// Inputs and outputs larger than 4 GiB are fed to zlib in steps, since its counters are 32-bit.
enum Deflate {
    /// Largest step handed to zlib at once.
    static let maxStep = 1 << 30
    /// The most bytes one deflated byte can inflate to (deflate's limit is 1032:1).
    static let maxRatio = 1032

    /// zlib's `windowBits` for a zlib stream.
    static let zlibWindowBits: Int32 = 15
    /// zlib's `windowBits` for a gzip member.
    static let gzipWindowBits: Int32 = 15 + 16

    /// An upper bound of the deflated size of `n` bytes: zlib's `compressBound`, plus the
    /// 12 extra bytes of a gzip wrapper (18 bytes) over a zlib one (6 bytes); `Int.max` when
    /// that is too large to represent.
    static func bound(_ n: Int, gzip: Bool) -> Int {
        ShapeMath.saturatingSum(n, (n >> 12) + (n >> 14) + (n >> 25) + 13 + (gzip ? 12 : 0))
    }

    /// Checks a zlib compression level (-1 is zlib's default, 6).
    static func checkLevel(_ level: Int, codec: String) throws {
        guard (-1...9).contains(level) else {
            throw CubeError(.invalidArgument, "\(codec): level must be between 0 and 9 (or -1 for the default), got \(level)")
        }
    }

    /// A zlib error message, or the return code.
    private static func message(_ stream: UnsafeMutablePointer<z_stream>, _ code: Int32) -> String {
        if let msg = stream.pointee.msg { return String(cString: msg) }
        return "zlib error \(code)"
    }

    /// Deflates `input` into one zlib stream or gzip member.
    static func compress(_ input: [UInt8], level: Int, windowBits: Int32, codec: String) throws -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let rc = cube_deflateInit2(stream, Int32(level), windowBits)
        guard rc == Z_OK else { throw CubeError(.io, "\(codec): cannot initialize deflate: \(message(stream, rc))") }
        defer { deflateEnd(stream) }
        let capacity = bound(input.count, gzip: windowBits > 15)
        return try CodecSupport.withInput(input) { source, count in
            let src = source.assumingMemoryBound(to: UInt8.self)
            return try CodecSupport.produce(capacity: capacity) { destination, capacity in
                let dst = destination.assumingMemoryBound(to: UInt8.self)
                var consumed = 0
                var produced = 0
                while true {
                    let inStep = min(count - consumed, maxStep)
                    let outStep = min(capacity - produced, maxStep)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: src + consumed)
                    stream.pointee.avail_in = UInt32(inStep)
                    stream.pointee.next_out = dst + produced
                    stream.pointee.avail_out = UInt32(outStep)
                    let flush = consumed + inStep == count ? Z_FINISH : Z_NO_FLUSH
                    let ret = deflate(stream, flush)
                    let usedIn = inStep - Int(stream.pointee.avail_in)
                    let usedOut = outStep - Int(stream.pointee.avail_out)
                    consumed += usedIn
                    produced += usedOut
                    if ret == Z_STREAM_END { return produced }
                    guard ret == Z_OK || ret == Z_BUF_ERROR else {
                        throw CubeError(.io, "\(codec): deflate failed: \(message(stream, ret))")
                    }
                    guard produced < capacity, usedIn > 0 || usedOut > 0 else {
                        throw CubeError(.io, "\(codec): deflate made no progress (output bound \(capacity) bytes)")
                    }
                }
            }
        }
    }

    /// Inflates one zlib stream, or one or more gzip members (`multiMember`; zero padding
    /// between and after members is skipped). Bytes after a zlib stream's end are ignored.
    static func decompress(_ input: [UInt8], windowBits: Int32, multiMember: Bool, expected: Int?,
                           codec: String) throws -> [UInt8] {
        try CodecSupport.checkExpected(codec, expected)
        guard !input.isEmpty else { throw CodecSupport.corrupt(codec, "empty input holds no compressed stream") }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let rc = cube_inflateInit2(stream, windowBits)
        guard rc == Z_OK else { throw CubeError(.io, "\(codec): cannot initialize inflate: \(message(stream, rc))") }
        defer { inflateEnd(stream) }

        let room = CodecSupport.decodingRoom(expected: expected, inputCount: input.count, maxRatio: maxRatio,
                                             unknown: min(max(input.count * 4, 4096), maxStep))
        var output = [UInt8](repeating: 0, count: room.initial)
        var produced = 0
        var consumed = 0
        try input.withUnsafeBufferPointer { inputBuffer in
            guard let src = inputBuffer.baseAddress else { return }
            while true {
                if produced == output.count {
                    guard let grown = CodecSupport.grownRoom(output.count, limit: room.limit) else {
                        throw CodecSupport.corrupt(codec, "decoded more than \(expected ?? 0) bytes, expected \(expected ?? 0)")
                    }
                    output.append(contentsOf: repeatElement(0, count: grown - output.count))
                }
                let inStep = min(input.count - consumed, maxStep)
                let outStep = min(output.count - produced, maxStep)
                stream.pointee.next_in = UnsafeMutablePointer(mutating: src + consumed)
                stream.pointee.avail_in = UInt32(inStep)
                let ret = output.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.pointee.next_out = out.baseAddress.map { $0 + produced }
                    stream.pointee.avail_out = UInt32(outStep)
                    return inflate(stream, Z_NO_FLUSH)
                }
                let usedIn = inStep - Int(stream.pointee.avail_in)
                let usedOut = outStep - Int(stream.pointee.avail_out)
                consumed += usedIn
                produced += usedOut
                switch ret {
                case Z_STREAM_END:
                    guard multiMember else { return }
                    while consumed < input.count, src[consumed] == 0 { consumed += 1 }
                    guard consumed < input.count else { return }
                    inflateReset(stream)
                case Z_OK, Z_BUF_ERROR:
                    if consumed == input.count, stream.pointee.avail_out > 0 {
                        throw CodecSupport.corrupt(codec, "compressed data is truncated (\(input.count) bytes end inside the stream)")
                    }
                    if usedIn == 0, usedOut == 0, stream.pointee.avail_out > 0 {
                        throw CodecSupport.corrupt(codec, "inflate made no progress")
                    }
                case Z_NEED_DICT:
                    throw CodecSupport.corrupt(codec, "stream needs a preset dictionary")
                default:
                    throw CodecSupport.corrupt(codec, "invalid compressed data: \(message(stream, ret))")
                }
            }
        }
        try CodecSupport.checkDecodedSize(codec, produced, expected)
        return CodecSupport.trimmed(consume output, to: produced)
    }
}
