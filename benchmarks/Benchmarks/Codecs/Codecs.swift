/// Codecs: encode and decode throughput of each CubeCodecs codec, alone and in the chains
/// cube writes, on float32 data that compresses like a real field.
///
/// Input: four time-series chunks of the synthetic 2 m temperature
/// (`BenchmarkFixtures.SyntheticField`), each 2500×10×10 float32 = exactly 1,000,000 bytes
/// decoded (the rechunk target's chunks are 2920×10×10); an iteration encodes (or decodes)
/// one chunk, the next iteration the next one, so the data cycles through 4 MB. With
/// `scalingFactor: .mega` the throughput metric therefore reads as decoded bytes per second
/// (M = MB/s, G = GB/s) for encode and decode alike. Encode benchmarks also record the
/// encoded size of the chunk (`encoded bytes`), so 1,000,000 / it is the compression ratio.
///
/// Bytes→bytes codecs get the chunk's raw bytes, array→array codecs (`transpose`, `delta`)
/// the decoded `ArrayBuffer`, and chains the `ArrayBuffer` (as `ZarrArray` hands it over).
/// Each codec's round trip is checked once, outside the measurement, before its decode
/// benchmark runs.
import Benchmark
import BenchmarkFixtures
import CubeCodecs
import CubeCore

/// The chunk every benchmark encodes: shape, type and fill value.
private let spec = ChunkSpec(shape: [2500, 10, 10], dataType: .float32, fill: .zero(for: .float32))

/// Four different 1,000,000-byte chunks of the field (different times and places).
private let chunks: [ArrayBuffer] = [[0, 20, 40], [200, 60, 120], [400, 100, 200], [420, 150, 330]].map {
    SyntheticField.temperature(origin: $0, count: spec.shape)
}

/// The chunks' raw bytes, for bytes→bytes codecs.
private let rawChunks: [[UInt8]] = chunks.map { $0.bytes ?? [] }

/// One codec under test, from its decoded form `Decoded` to its encoded form `Encoded`.
private struct CodecCase<Decoded: Equatable, Encoded> {
    var inputs: [Decoded]
    var encode: (Decoded) throws -> Encoded
    var decode: (Encoded) throws -> Decoded
    var encodedByteCount: (Encoded) -> Int
}

private extension CodecCase where Decoded == [UInt8], Encoded == [UInt8] {
    /// A bytes→bytes codec, given the chunk's raw bytes.
    static func bytes(_ codec: any BytesToBytesCodec) -> Self {
        Self(inputs: rawChunks, encode: codec.encode,
             decode: { try codec.decode($0, decodedSize: spec.byteCount) }, encodedByteCount: \.count)
    }
}

private extension CodecCase where Decoded == ArrayBuffer, Encoded == ArrayBuffer {
    /// An array→array codec, given the decoded chunk.
    static func array(_ codec: any ArrayToArrayCodec) -> Self {
        Self(inputs: chunks, encode: codec.encode,
             decode: { try codec.decode($0, decodedSpec: spec) }, encodedByteCount: { $0.bytes?.count ?? 0 })
    }
}

private extension CodecCase where Decoded == ArrayBuffer, Encoded == [UInt8] {
    /// A serializer or a whole chain, given the decoded chunk.
    static func chain(_ codec: any ArrayToBytesCodec) -> Self {
        Self(inputs: chunks, encode: codec.encode,
             decode: { try codec.decode($0, spec: spec) }, encodedByteCount: \.count)
    }
}

/// The encoded size of the chunk, recorded by encode benchmarks.
private var encodedBytes: BenchmarkMetric {
    .custom("encoded bytes", polarity: .prefersSmaller, useScalingFactor: false)
}

/// Time, throughput (decoded bytes, see above) and mallocs; encoders add the encoded size.
private func configuration(encoding: Bool) -> Benchmark.Configuration {
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal]
    return .init(metrics: encoding ? metrics + [encodedBytes] : metrics, warmupIterations: 4,
                 scalingFactor: .mega, maxDuration: .seconds(1), maxIterations: 2000)
}

/// A codec and the chunks one benchmark cycles through, one per iteration: the decoded
/// chunks for an encode benchmark, the encoded ones for a decode benchmark.
private struct Prepared<Decoded: Equatable, Encoded, Item> {
    var codec: CodecCase<Decoded, Encoded>
    var items: [Item]

    /// The chunk for `iteration`.
    func item(_ iteration: Int) -> Item { items[iteration % items.count] }
}

/// Registers `<name> encode` and `<name> decode` for the codec `make` builds; a codec that
/// cannot be built (say, a compressor missing from libblosc) fails its two benchmarks' setup.
private func register<Decoded, Encoded>(_ name: String, _ make: @escaping () throws -> CodecCase<Decoded, Encoded>) {
    Benchmark("\(name) encode", configuration: configuration(encoding: true)) {
        (benchmark, prepared: Prepared<Decoded, Encoded, Decoded>) in
        let encoded = try prepared.codec.encode(prepared.item(benchmark.currentIteration))
        benchmark.measurement(encodedBytes, prepared.codec.encodedByteCount(encoded))
        blackHole(encoded)
    } setup: {
        let codec = try make()
        return Prepared(codec: codec, items: codec.inputs)
    }

    Benchmark("\(name) decode", configuration: configuration(encoding: false)) {
        (benchmark, prepared: Prepared<Decoded, Encoded, Encoded>) in
        blackHole(try prepared.codec.decode(prepared.item(benchmark.currentIteration)))
    } setup: {
        let codec = try make()
        let encoded = try codec.inputs.map(codec.encode)
        for (input, output) in zip(codec.inputs, encoded) where try codec.decode(output) != input {
            throw CubeError(.corrupt, "\(name): the decoded chunk differs from the chunk encoded")
        }
        return Prepared(codec: codec, items: encoded)
    }
}

let benchmarks: @Sendable () -> Void = {
    // The codecs one by one.
    register("bytes big-endian") { .chain(BytesCodec(endian: .big)) }
    register("transpose order F") { .array(try TransposeCodec(order: [2, 1, 0])) }
    register("delta float32") { .array(try DeltaCodec(dataType: .float32)) }
    register("shuffle 4") { .bytes(try ShuffleCodec(elementSize: 4)) }
    register("crc32c") { .bytes(CRC32CCodec()) }
    register("lz4") { .bytes(try LZ4Codec()) }
    register("zstd level 0") { .bytes(try ZstdCodec(level: 0)) }
    register("zlib level 1") { .bytes(try ZlibCodec(level: 1)) }
    register("gzip level 1") { .bytes(try GzipCodec(level: 1)) }
    for (cname, shuffle) in [(BloscCodec.Compressor.lz4, BloscCodec.Shuffle.none), (.lz4, .byte), (.lz4, .bit),
                             (.zstd, .byte), (.zstd, .bit)] {
        register("blosc \(cname.rawValue) 5 \(shuffle.zarrName(typesize: 4))") {
            .bytes(try BloscCodec(cname: cname, clevel: 5, shuffle: shuffle, typesize: 4))
        }
    }
    // The chains cube writes and reads.
    register("chain bytes+zstd 0 (cube default)") {
        .chain(CodecChain(arrayToBytes: BytesCodec(), bytesToBytes: [try ZstdCodec(level: 0)]))
    }
    register("chain bytes+blosc lz4 1 shuffle (rechunk intermediates)") {
        .chain(CodecChain(arrayToBytes: BytesCodec(),
                          bytesToBytes: [try BloscCodec(cname: .lz4, clevel: 1, shuffle: .byte, typesize: 4)]))
    }
    register("chain bytes+shuffle+zlib 1 (NetCDF-4 source filters)") {
        .chain(CodecChain(arrayToBytes: BytesCodec(), bytesToBytes: [try ShuffleCodec(elementSize: 4), try ZlibCodec(level: 1)]))
    }
}
