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
