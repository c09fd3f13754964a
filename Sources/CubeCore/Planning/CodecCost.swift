/// What one store's codec costs the executor in memory, so the planner can budget encoded
/// buffers without encoding anything.
///
/// Every chunk the executor decodes or encodes is held twice for a moment: decoded, and as
/// encoded bytes whose size is at most ``encodedBound(_:)`` of the decoded size. A codec may
/// also need fixed working memory (``scratchBytes``) per task, such as a compression context.
public struct CodecCost: Sendable {
    /// The largest encoded size of a chunk of `decodedBytes` decoded bytes.
    public var encodedBound: @Sendable (_ decodedBytes: Int) -> Int
    /// Fixed working memory the codec needs per task, in bytes.
    public var scratchBytes: Int

    /// Creates a cost model from an encoded-size bound and a fixed scratch size per task.
    public init(scratchBytes: Int = 0,
                encodedBound: @escaping @Sendable (_ decodedBytes: Int) -> Int = CodecCost.defaultBound) {
        self.encodedBound = encodedBound
        self.scratchBytes = scratchBytes
    }

    /// The planner's default bound, `n + n/255 + 64`: above the worst-case expansion of
    /// zstd, zlib/deflate, lz4 and blosc for any `n`.
    public static func defaultBound(_ n: Int) -> Int {
        PlanMath.add(PlanMath.add(n, n / 255), 64)
    }

    /// The default model: ``defaultBound(_:)`` and no scratch.
    public static let `default` = CodecCost()

    /// Chunks stored without compression: the encoded size is the decoded size.
    public static let uncompressed = CodecCost(encodedBound: { $0 })

    /// Blosc 1.x: at most 16 bytes of header over the input.
    public static let blosc = CodecCost(encodedBound: { PlanMath.add($0, 16) })

    /// zstd: `ZSTD_COMPRESSBOUND`, `n + n/256` plus a margin for inputs under 128 KiB.
    public static let zstd = CodecCost(encodedBound: { n in
        let small = n < 128 << 10 ? ((128 << 10) - n) >> 11 : 0
        return PlanMath.add(PlanMath.add(n, n >> 8), small)
    })

    /// The bound for `decodedBytes`, never negative.
    func bound(_ decodedBytes: Int) -> Int {
        max(0, encodedBound(decodedBytes))
    }
}
