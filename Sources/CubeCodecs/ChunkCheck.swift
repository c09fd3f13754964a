import CubeCore

/// What is wrong with one stored chunk, found by checking it against its codec chain.
///
/// A plain decode only fails; a check says which way, so a report can tell a cut-off file
/// from flipped bits or a failed checksum.
public struct ChunkDamage: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of damage a check tells apart.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The bytes do not decode.
        case corrupt
        /// The bytes end before the length their own format records: the object was cut off.
        case truncated
        /// The bytes decode, but to the wrong size or shape.
        case mismatched
        /// A checksum stored with the data does not match the data.
        case checksum
    }

    /// The kind of damage.
    public var kind: Kind
    /// What was found, in one line (the codec's own message where it has one).
    public var detail: String

    /// Creates a finding.
    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// `kind: detail`.
    public var description: String { "\(kind.rawValue): \(detail)" }
}

extension CodecChain {
    /// Decodes `bytes` as one chunk of `spec` and says what is wrong with them, or returns
    /// `nil` when they decode to a whole chunk of the right size and shape.
    ///
    /// The bytes→bytes codecs are undone one at a time, without being told the size to
    /// expect, so the failing step is known: a failing `crc32c` codec is a checksum mismatch;
    /// bytes shorter than the length their format records (blosc and zstd frames, or an
    /// uncompressed chunk) are truncated; output of the wrong size is a mismatch; anything
    /// else that does not decode is corrupt.
    public func damage(in bytes: [UInt8], spec: ChunkSpec) -> ChunkDamage? {
        var data = bytes
        for codec in bytesToBytes.reversed() {
            do {
                let next = try codec.decode(data, decodedSize: nil)
                BufferCache.recycle(data, unlessSharedWith: [bytes, next])
                data = next
            } catch {
                if codec is CRC32CCodec {
                    return ChunkDamage(data.count < 4 ? .truncated : .checksum, Self.message(error))
                }
                return ChunkDamage(codec.isTruncated(data) ? .truncated : .corrupt, Self.message(error))
            }
        }
        defer { BufferCache.recycle(data, unlessSharedWith: [bytes]) }
        let specs: [ChunkSpec]
        do {
            specs = try self.specs(for: spec)
        } catch {
            return ChunkDamage(.corrupt, Self.message(error))
        }
        let serialized = specs[specs.count - 1]
        if !serialized.dataType.isVariableLength, let expected = arrayToBytes.fixedEncodedSize(serialized), data.count != expected {
            if bytesToBytes.isEmpty && data.count < expected {
                return ChunkDamage(.truncated, "\(data.count) bytes, shorter than the \(expected) bytes of an uncompressed chunk")
            }
            let stage = bytesToBytes.first.map { "\($0.name) decodes to" } ?? "chunk holds"
            return ChunkDamage(.mismatched, "\(stage) \(data.count) bytes, expected \(expected)")
        }
        let decoded: ArrayBuffer
        do {
            decoded = try CodecChain(arrayToArray: arrayToArray, arrayToBytes: arrayToBytes).decode(data, spec: spec)
        } catch {
            return ChunkDamage(.corrupt, Self.message(error))
        }
        defer { decoded.recycle() }
        if decoded.shape != spec.shape {
            return ChunkDamage(.mismatched, "chunk decodes to shape \(decoded.shape), expected \(spec.shape)")
        }
        if let strings = decoded.strings, strings.count != decoded.elementCount {
            return ChunkDamage(.mismatched, "chunk decodes to \(strings.count) strings, expected \(decoded.elementCount)")
        }
        return nil
    }

    /// A decoding error's message, without a context (the caller names the chunk).
    private static func message(_ error: any Error) -> String {
        (error as? CubeError)?.message ?? "\(error)"
    }
}
