/// The bytes one task of a stage holds at its peak, buffer by buffer.
///
/// A task reads its block one input chunk at a time (encoded bytes in, decoded into a chunk
/// buffer, copied into the read block), then produces its output chunks one at a time
/// (copied out of the read block into a chunk buffer, encoded, written). So at its peak it
/// holds the read block, one input chunk decoded and encoded, one output chunk decoded and
/// encoded, and both codecs' scratch. Chunk buffers are counted at full chunk size, as stores
/// keep edge chunks.
///
/// When the read block has exactly the input chunk shape (``RechunkStage/readChunks`` ==
/// ``RechunkStage/inputChunks``), the executor must decode that one chunk straight into the
/// block buffer, and ``decodedInputChunk`` is 0; likewise, when it has exactly the output
/// chunk shape, the executor encodes straight from the block and ``decodedOutputChunk`` is 0.
/// (An edge task's block is then a sub-box of a full-size chunk buffer, which the full block
/// already pays for.)
public struct TaskMemory: Sendable, Hashable {
    /// The decoded read block (clipped to the array).
    public var readBlock: Int
    /// One decoded input chunk.
    public var decodedInputChunk: Int
    /// The encoded-size bound of one input chunk.
    public var encodedInputChunk: Int
    /// One decoded output chunk.
    public var decodedOutputChunk: Int
    /// The encoded-size bound of one output chunk.
    public var encodedOutputChunk: Int
    /// The input and output codecs' fixed scratch.
    public var scratch: Int

    /// Creates a breakdown from its parts.
    public init(readBlock: Int, decodedInputChunk: Int, encodedInputChunk: Int,
                decodedOutputChunk: Int, encodedOutputChunk: Int, scratch: Int) {
        self.readBlock = readBlock
        self.decodedInputChunk = decodedInputChunk
        self.encodedInputChunk = encodedInputChunk
        self.decodedOutputChunk = decodedOutputChunk
        self.encodedOutputChunk = encodedOutputChunk
        self.scratch = scratch
    }

    /// Everything one task holds: what the executor acquires from its byte budget per task
    /// (saturates at `Int.max`).
    public var total: Int {
        [decodedInputChunk, encodedInputChunk, decodedOutputChunk, encodedOutputChunk, scratch]
            .reduce(readBlock, PlanMath.add)
    }
}
