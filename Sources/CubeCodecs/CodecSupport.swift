import CubeCore

/// Helpers shared by the codec implementations: error construction, size checks,
/// little-endian integers and C-call buffer plumbing.
enum CodecSupport {
    /// A `.corrupt` error whose message starts with the codec name.
    static func corrupt(_ codec: String, _ message: String) -> CubeError {
        CubeError(.corrupt, "\(codec): \(message)")
    }

    /// Throws `.corrupt` when `expected` is known and differs from `actual`.
    static func checkDecodedSize(_ codec: String, _ actual: Int, _ expected: Int?) throws {
        if let expected, actual != expected {
            throw corrupt(codec, "decoded \(actual) bytes, expected \(expected)")
        }
    }

    /// Throws `.invalidArgument` for a negative expected size.
    static func checkExpected(_ codec: String, _ expected: Int?) throws {
        if let expected, expected < 0 {
            throw CubeError(.invalidArgument, "\(codec): negative expected decoded size \(expected)")
        }
    }

    /// The output room a streaming decoder starts with, and the most it may grow to, for
    /// `inputCount` compressed bytes that should decode to `expected` bytes (when known) and
    /// can decode to at most `maxRatio` bytes each. The limit is `expected + 1`: the spare byte
    /// tells streams that decode to too much. With `expected` unknown, the room starts at
    /// `unknown` and has no limit. The room never starts larger than the input can fill, so a
    /// damaged stream does not make the decoder allocate a size read from the metadata first.
    static func decodingRoom(expected: Int?, inputCount: Int, maxRatio: Int, unknown: Int) -> (initial: Int, limit: Int?) {
        guard let expected else { return (unknown, nil) }
        let limit = ShapeMath.saturatingSum(expected, 1)
        let fillable = ShapeMath.saturatingSum(ShapeMath.saturatingProduct(inputCount, maxRatio), 64)
        return (min(limit, fillable), limit)
    }

    /// The room after `room` is full: twice as much, up to `limit`; `nil` when it is at `limit`.
    static func grownRoom(_ room: Int, limit: Int?) -> Int? {
        guard let limit else { return ShapeMath.saturatingProduct(max(room, 1), 2) }
        return room < limit ? min(ShapeMath.saturatingProduct(max(room, 1), 2), limit) : nil
    }

    /// Reads a little-endian `UInt32` at `offset`; the caller checks the bounds.
    static func loadUInt32LE(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Appends `value` as 4 little-endian bytes.
    static func appendUInt32LE(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// Calls `body` with a non-null pointer to the bytes of `bytes` (a one-byte dummy
    /// when empty, since some C libraries reject null even for zero lengths).
    static func withInput<R>(_ bytes: [UInt8], _ body: (UnsafeRawPointer, Int) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { buffer in
            if let base = buffer.baseAddress { return try body(base, buffer.count) }
            var dummy: UInt8 = 0
            return try withUnsafeBytes(of: &dummy) { try body($0.baseAddress.unsafelyUnwrapped, 0) }
        }
    }

    /// Builds an array of up to `capacity` bytes written by `body`, which returns how many
    /// it wrote. The storage (from the thread's ``BufferCache`` when it has one) is not
    /// zeroed first; a result much smaller than `capacity` is moved to a tight array so
    /// callers do not hold the slack.
    static func produce(capacity: Int, _ body: (UnsafeMutableRawPointer, Int) throws -> Int) throws -> [UInt8] {
        var out = BufferCache.take(count: max(capacity, 1))
        let written = try out.withUnsafeMutableBytes { buffer in
            try body(buffer.baseAddress.unsafelyUnwrapped, capacity)
        }
        return trimmed(consume out, to: min(max(written, 0), capacity))
    }

    /// The first `count` bytes of `bytes` (the room a codec was given to write into), copied
    /// to fresh storage when that room was more than about twice as large (the roomy buffer
    /// goes back to the thread's cache). The room asked for, not the buffer's capacity, is
    /// what counts: a cached buffer may be a little larger than asked, and a result that
    /// filled half of what was asked is kept where it is.
    static func trimmed(_ bytes: consuming [UInt8], to count: Int) -> [UInt8] {
        let room = bytes.count
        bytes.removeLast(room - count)
        guard room - bytes.count > max(bytes.count, 4096) else { return bytes }
        var tight = BufferCache.take(count: bytes.count)
        tight.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                if let to = destination.baseAddress, let from = source.baseAddress { to.copyMemory(from: from, byteCount: source.count) }
            }
        }
        BufferCache.recycle(bytes)
        return tight
    }
}
